using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Invalidation of nested (combined S1+S2) TLB entries when the two stages map different sizes (IHI0070 §4.4.2,
/// §4.4.3). The TLB may hold a stage-1 block as several stage-2-page-sized pieces; a VA-scoped TLBI naming any address of
/// the stage-1 leaf must remove every piece, so after the CMD_SYNC no address of the leaf returns the old PA.
/// </summary>
public class NestedInvalidationTests
{
    private const uint Sid = 0x21;
    private const ushort Vmid = 4;
    private const ushort Asid = 9;
    private const ulong Va = 0x0040_0000; // 2 MiB aligned: one level-2 block of the 4K granule
    private const ulong OldIpa = 0x8000_0000;
    private const ulong NewIpa = 0x8020_0000;
    private const ulong OldPa = 0x9000_0000;
    private const ulong NewPa = 0x9400_0000;
    private const ulong Block = 0x20_0000;

    private sealed class Nested
    {
        public required DeviceHarness H { get; init; }

        public required ulong S2Root { get; init; }

        public required ulong Pgd { get; init; }
    }

    // VA -> IPA through a stage-1 2 MiB block (or 4K pages), IPA -> PA through 4K stage-2 pages (or a 2 MiB block).
    private static Nested Build(bool stage1Block, bool stage2Block)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        ulong from = h.AllocationMark;
        ulong pgd = h.NewTable();
        MapStage1(h, pgd, Va, OldIpa, stage1Block);
        ulong to = h.AllocationMark;
        foreach ((ulong ipa, ulong pa) in new[] { (OldIpa, OldPa), (NewIpa, NewPa) })
        {
            if (stage2Block)
            {
                MapBlock2M(h, s2, ipa, pa, DeviceHarness.S2ReadWrite);
            }
            else
            {
                for (ulong offset = 0; offset < 0x4000; offset += 0x1000)
                {
                    h.Map4K(s2, ipa + offset, pa + offset, DeviceHarness.S2ReadWrite);
                }
            }
        }

        // Leave the old and new output IPAs out of the identity map, so stage 2 alone decides the PA.
        h.IdentityMapS2(s2, from, to + (4 * 0x1000));
        h.IdentityMapS2(s2, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase + 0x1000);
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.Stage2Ste(s2, Vmid) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = DeviceHarness.CdTableBase,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S1STALLD = true,
        });
        return new Nested { H = h, S2Root = s2, Pgd = pgd };
    }

    private static void MapStage1(DeviceHarness h, ulong pgd, ulong va, ulong ipa, bool block)
    {
        if (block)
        {
            MapBlock2M(h, pgd, va, ipa, DeviceHarness.S1ReadWrite);
            return;
        }

        for (ulong offset = 0; offset < 0x4000; offset += 0x1000)
        {
            h.Map4K(pgd, va + offset, ipa + offset, DeviceHarness.S1ReadWrite);
        }
    }

    // A level-2 block descriptor of the 4K granule (bits[1:0] = 0b01; VMSAv8-64, digest §7.5).
    private static void MapBlock2M(DeviceHarness h, ulong root, ulong address, ulong output, ulong attributes)
    {
        // Map4K builds the level 0..2 tables; the level-2 entry is then replaced by the block.
        h.Map4K(root, address, output, attributes);
        ulong table = root;
        for (int level = 0; level < 2; level++)
        {
            int shift = 12 + (9 * (3 - level));
            table = h.Memory.ReadUInt64(table + (((address >> shift) & 0x1FF) * 8)) & 0x0000_FFFF_FFFF_F000;
        }

        h.Memory.WriteUInt64(table + (((address >> 21) & 0x1FF) * 8), (output & ~(Block - 1)) | attributes | 1);
    }

    private static void WarmPieces(Nested n, ulong oldPa)
    {
        for (ulong offset = 0; offset < 0x4000; offset += 0x1000)
        {
            Assert.Equal(oldPa + offset + 0x10, n.H.Read(Sid, Va + offset + 0x10).PhysicalAddress);
        }
    }

    private static void AssertAllPieces(Nested n, ulong expectedPa)
    {
        for (ulong offset = 0; offset < 0x4000; offset += 0x1000)
        {
            var result = n.H.Read(Sid, Va + offset + 0x10);
            Assert.Equal(TranslationOutcome.Translated, result.Outcome);
            Assert.Equal(expectedPa + offset + 0x10, result.PhysicalAddress);
        }
    }

    public static TheoryData<string> VaScopedCommands => ["NH_VA", "NH_VAA", "NH_VA range 8K", "NH_VAA range 8K TTL 2"];

    [Theory]
    [MemberData(nameof(VaScopedCommands))]
    public void Tlbi_of_one_address_removes_every_piece_of_a_stage1_block_split_by_stage2_pages(string form)
    {
        // IHI0070 §4.4.2: the TLBI names VA only, yet every cached copy of the stage-1 block translating VA goes.
        var n = Build(stage1Block: true, stage2Block: false);
        WarmPieces(n, OldPa);

        MapBlock2M(n.H, n.Pgd, Va, NewIpa, DeviceHarness.S1ReadWrite);
        Command tlbi = form switch
        {
            "NH_VA" => Command.TlbiNhVa(Vmid, Asid, Va, leaf: true),
            "NH_VAA" => Command.TlbiNhVaa(Vmid, Va, leaf: true),
            // IHI0070 §4.4.1.1: (NUM + 1) * 2^SCALE granules = two 4K pages; TTL 2 names the level of the stage-1 block.
            "NH_VA range 8K" => Command.TlbiNhVa(Vmid, Asid, Va, leaf: true, num: 1, scale: 0, tg: RangeGranule.Size4K),
            _ => Command.TlbiNhVaa(Vmid, Va, leaf: true, num: 1, scale: 0, ttl: 2, tg: RangeGranule.Size4K),
        };
        n.H.Submit(tlbi);

        // VA + k*4K -> NewIpa + k*4K (inside the block) -> NewPa + k*4K (stage-2 page k).
        AssertAllPieces(n, NewPa);
    }

    [Fact]
    public void Tlbi_of_an_address_in_the_middle_of_the_block_removes_the_piece_at_its_start()
    {
        var n = Build(stage1Block: true, stage2Block: false);
        WarmPieces(n, OldPa);

        MapBlock2M(n.H, n.Pgd, Va, NewIpa, DeviceHarness.S1ReadWrite);
        n.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va + 0x3000, leaf: true));

        AssertAllPieces(n, NewPa);
    }

    [Fact]
    public void Tlbi_of_another_asid_leaves_the_pieces()
    {
        // The scope is still the ASID: a TLBI for ASID 10 must not touch ASID 9's block (the old mapping stays cached).
        var n = Build(stage1Block: true, stage2Block: false);
        WarmPieces(n, OldPa);

        MapBlock2M(n.H, n.Pgd, Va, NewIpa, DeviceHarness.S1ReadWrite);
        n.H.Submit(Command.TlbiNhVa(Vmid, Asid + 1, Va, leaf: true));

        AssertAllPieces(n, OldPa);
    }

    [Fact]
    public void Stage1_pages_over_a_stage2_block_are_removed_page_by_page()
    {
        // Symmetric case: the combined entries have the stage-1 page size; invalidating page 0 leaves page 1 cached.
        var n = Build(stage1Block: false, stage2Block: true);
        WarmPieces(n, OldPa);

        n.H.Map4K(n.Pgd, Va, NewIpa, DeviceHarness.S1ReadWrite);
        n.H.Map4K(n.Pgd, Va + 0x1000, NewIpa + 0x1000, DeviceHarness.S1ReadWrite);
        n.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va, leaf: true));

        Assert.Equal(NewPa + 0x10, n.H.Read(Sid, Va + 0x10).PhysicalAddress);
        Assert.Equal(OldPa + 0x1010, n.H.Read(Sid, Va + 0x1010).PhysicalAddress); // not invalidated: still cached
        n.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va + 0x1000, leaf: true));
        Assert.Equal(NewPa + 0x1010, n.H.Read(Sid, Va + 0x1010).PhysicalAddress);
    }

    [Fact]
    public void Stage2_block_remap_with_s2_ipa_and_nh_all_updates_every_combined_entry()
    {
        // IHI0070 §4.4.3.1: TLBI_S2_IPA need not touch combined entries; software follows it with TLBI_NH_ALL.
        var n = Build(stage1Block: false, stage2Block: true);
        WarmPieces(n, OldPa);

        MapBlock2M(n.H, n.S2Root, OldIpa, NewPa, DeviceHarness.S2ReadWrite);
        n.H.Submit(Command.TlbiS2Ipa(Vmid, OldIpa, leaf: true), Command.TlbiNhAll(Vmid));

        AssertAllPieces(n, NewPa);
    }
}
