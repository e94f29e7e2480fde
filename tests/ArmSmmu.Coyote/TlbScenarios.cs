using ArmSmmu.Caches;
using ArmSmmu.Translation;
using Microsoft.Coyote.Specifications;
using Xunit.Abstractions;
using static ArmSmmu.Coyote.GuestWorld;

namespace ArmSmmu.Coyote;

/// <summary>
/// The lock-free TLB (src/ArmSmmu/Caches/Tlb.cs) under systematic exploration: translations that hit or walk and
/// insert, racing a driver that remaps, invalidates and completes a CMD_SYNC.
/// </summary>
public sealed class TlbScenarios(ITestOutputHelper output)
{
    private static readonly TlbKey Stage1 = new(StreamWorld.NsEl1, Vmid, Asid, TranslationKind.Stage1);
    private static readonly TlbKey Nested = new(StreamWorld.NsEl1, Vmid, Asid, TranslationKind.Nested);

    /// <summary>The invalidations after which nothing of the remapped page may survive (IHI0070 §4.4).</summary>
    public static TheoryData<string> Invalidations => ["TLBI_NH_VA", "TLBI_NH_VAA", "TLBI_NH_VA range", "TLBI_NH_ASID", "TLBI_S12_VMALL", "TLBI_NH_ALL"];

    [Theory]
    [MemberData(nameof(Invalidations))]
    public void A_walk_racing_an_invalidation_and_CMD_SYNC_never_leaves_the_old_page_behind(string invalidation)
    {
        Exploration.ExpectNoBug(() => RemapScenario(invalidation, Stage1, pageShift: 12, stage1Shift: 0, generationBeforeWalk: true), output, $"TLB remap, {invalidation}");
    }

    /// <summary>
    /// The issue #14 shape: a 16 KB stage-1 page over 4 KB stage-2 pages is cached as 4 KB pieces; a TLBI_NH_VA by
    /// the first page's address must remove the piece at +0x1000 too, even while a walk is inserting it (§4.4.2).
    /// </summary>
    [Fact]
    public void Nested_pieces_of_one_stage1_page_all_go_with_TLBI_NH_VA_of_one_address()
    {
        Exploration.ExpectNoBug(() => RemapScenario("TLBI_NH_VA", Nested, pageShift: 12, stage1Shift: 14, generationBeforeWalk: true), output, "TLB nested pieces, TLBI_NH_VA");
    }

    /// <summary>
    /// The negative control: a caller that reads <see cref="Tlb.Generation"/> after its walk instead of before
    /// defeats the check, and the exploration must find the interleaving where the old page survives the SYNC.
    /// </summary>
    [Fact]
    public void Reading_the_generation_after_the_walk_is_caught()
    {
        var report = Exploration.Explore(() => RemapScenario("TLBI_NH_VA", Stage1, pageShift: 12, stage1Shift: 0, generationBeforeWalk: false), output, "TLB, generation read too late", iterations: 2000);
        Assert.True(report.NumOfFoundBugs > 0, "the exploration missed the stale insert a late generation read allows");
        Assert.Contains("stale output", report.BugReports.First(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Readers against a writer that fills a one-set TLB past its ways (evictions) with entries of three sizes and
    /// invalidates by ASID and by address: a hit is always a whole entry of the key asked for, and afterwards every
    /// entry the TLB holds is found by a lookup (the per-size presence bits agree with the slots).
    /// </summary>
    [Fact]
    public void Lookups_see_whole_entries_while_a_writer_fills_evicts_and_invalidates()
    {
        Exploration.ExpectNoBug(FillEvictInvalidateScenario, output, "TLB fill/evict/invalidate");
    }

    private static async Task RemapScenario(string invalidation, TlbKey key, int pageShift, int stage1Shift, bool generationBeforeWalk)
    {
        var world = new GuestWorld();
        var tlb = new Tlb(16, 4);
        ulong secondPiece = Va + (stage1Shift > pageShift ? 1UL << pageShift : 0);

        ulong Translate(ulong va)
        {
            ulong page = va & ~Bits.Mask(pageShift);
            if (tlb.TryLookup(key, va, out TranslationEntry hit))
            {
                return hit.OutputBase;
            }

            long generation = generationBeforeWalk ? tlb.Generation : 0;
            ulong output = world.ReadDescriptor() + (page - Va); // the walk: the descriptor maps the stage-1 page at Va
            tlb.Insert(key, Entry(page, output, pageShift, stage1Shift), generationBeforeWalk ? generation : tlb.Generation);
            return output;
        }

        // Nothing is cached at the start: each translator's first translation walks, racing the driver, and its
        // second may hit what a walk inserted, so both the generation check and the removal are exercised.
        await world.RaceRemap([Va, secondPiece], va => Translate(va) - (va & ~Bits.Mask(pageShift)) + Va, () => Invalidate(tlb, invalidation));
    }

    private static void Invalidate(Tlb tlb, string invalidation)
    {
        _ = invalidation switch
        {
            "TLBI_NH_VA" => tlb.InvalidateVa(StreamWorld.NsEl1, Vmid, Asid, Va, 1, leafOnly: true, ttlLevel: -1),
            "TLBI_NH_VAA" => tlb.InvalidateVa(StreamWorld.NsEl1, Vmid, null, Va + 0x10, 1, leafOnly: true, ttlLevel: -1),
            "TLBI_NH_VA range" => tlb.InvalidateVa(StreamWorld.NsEl1, Vmid, Asid, Va - 0x2000, 0x4000, leafOnly: true, ttlLevel: 3),
            "TLBI_NH_ASID" => tlb.InvalidateAsid(StreamWorld.NsEl1, Vmid, Asid),
            "TLBI_S12_VMALL" => tlb.InvalidateVmid(Vmid, stage1Only: false),
            "TLBI_NH_ALL" => tlb.InvalidateVmid(Vmid, stage1Only: true),
            _ => throw new ArgumentOutOfRangeException(nameof(invalidation), invalidation, "no such invalidation in this scenario"),
        };
    }

    private static async Task FillEvictInvalidateScenario()
    {
        var tlb = new Tlb(4, 4);
        int[] shifts = [12, 16, 21];

        static ulong OutputOf(ushort asid, ulong inputBase) => ((ulong)asid << 40) | 0x10_0000_0000 | inputBase;

        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 6; i++)
            {
                ushort asid = (ushort)(1 + (i % 2));
                int shift = shifts[i % 3];
                ulong inputBase = Va & ~Bits.Mask(shift);
                tlb.Insert(new TlbKey(StreamWorld.NsEl1, Vmid, asid, TranslationKind.Stage1), Entry(inputBase, OutputOf(asid, inputBase), shift, 0), tlb.Generation);
                if (i == 3)
                {
                    tlb.InvalidateAsid(StreamWorld.NsEl1, Vmid, 1);
                }
            }

            tlb.InvalidateVa(StreamWorld.NsEl1, Vmid, 2, Va, 1, leafOnly: true, ttlLevel: 2);
        });

        Task Reader(ushort asid) => Task.Run(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                if (tlb.TryLookup(new TlbKey(StreamWorld.NsEl1, Vmid, asid, TranslationKind.Stage1), Va + 0x123, out TranslationEntry hit))
                {
                    bool whole = hit.OutputBase == OutputOf(asid, hit.InputBase) && hit.InputBase == ((Va + 0x123) & ~Bits.Mask(hit.Shift));
                    Specification.Assert(whole, $"ASID {asid} hit a torn or foreign entry: input 0x{hit.InputBase:X}, output 0x{hit.OutputBase:X}, 2^{hit.Shift}");
                }
            }
        });

        await Task.WhenAll(writer, Reader(1), Reader(2));
        // The writer alone decides what is left: ASID 1's 4K and 2M entries went with TLBI_NH_ASID, ASID 2's 2M entry
        // with the level-2 TLBI_NH_VA; nothing was evicted after the ASID invalidation made room.
        var held = tlb.Snapshot().ToList();
        string left = string.Join(" ", held.Select(e => $"{e.Key.Asid}/{e.Entry.Shift}").Order(StringComparer.Ordinal));
        Specification.Assert(left == "1/16 2/12 2/16" && held.Count == tlb.Count, $"left {left} (Count {tlb.Count}), expected 1/16 2/12 2/16");
        foreach ((TlbKey key, TranslationEntry entry) in held)
        {
            // A lookup takes the smallest entry that covers the address: the entry's last byte is covered by no smaller one here.
            ulong last = entry.InputBase + Bits.Mask(entry.Shift);
            bool found = tlb.TryPeek(key.Pack(), last, out TranslationEntry hit) && hit == entry;
            Specification.Assert(found, $"entry 2^{entry.Shift} of ASID {key.Asid} is held but no lookup finds it");
        }
    }

    private static TranslationEntry Entry(ulong inputBase, ulong outputBase, int shift, int stage1Shift) => new()
    {
        InputBase = inputBase,
        OutputBase = outputBase,
        Shift = (byte)shift,
        Stage1Shift = (byte)stage1Shift,
        Level = (sbyte)(3 - ((shift - 12) / 9)),
        Granule = Granule.Size4K,
        Stage1Permissions = PagePermissions.All,
        Stage2Permissions = PagePermissions.All,
        Attributes = MemoryAttributes.NormalWriteBack,
    };
}
