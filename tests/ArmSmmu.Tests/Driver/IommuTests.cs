using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>The seed-style API end to end: every answer comes from SmmuV3.Translate over structures the driver wrote.</summary>
public class IommuTests
{
    private const ulong Page = 0x1000;

    [Fact]
    public void Stage1_map_translate_unmap_with_range_invalidation()
    {
        var iommu = new Iommu();
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);
        iommu.ConfigureStream(3, StreamMode.Stage1);
        iommu.Map(3, 0x10_0000, 0x8_4000_0000, 4 * Page, IoPagePermissions.ReadWrite);

        var hit = iommu.Translate(3, 0x10_2345, AccessKind.Write);
        Assert.Equal(TranslationOutcome.Translated, hit.Outcome);
        Assert.Equal(0x8_4000_2345UL, hit.PhysicalAddress);
        Assert.True(iommu.Translate(3, 0x10_2000, AccessKind.Read).IsSuccess); // now in the TLB
        Assert.DoesNotContain(commands, c => c.Opcode == CommandOpcode.TlbiNhVa); // map issues no TLBI (digest §8.5 step 6)

        long before = iommu.Statistics.CommandCount(CommandOpcode.TlbiNhVa);
        Assert.Equal(4 * Page, iommu.Unmap(3, 0x10_0000, 4 * Page));

        // RIL: one leaf command, TG = 1 (4K), TTL = 3 (level-3 leaves); Linux's split of 4 pages (digest §4.4):
        // SCALE = ffs(4) = 2, NUM = (4 >> 2) - 1 = 0, so (NUM + 1) * 2^SCALE = 4 pages (IHI0070 §4.4.1.1).
        // Like Linux's io-pgtable-arm, the emptied tables stay (the unmap covers none of them whole), so no walk
        // invalidation follows: the whole unmap is this one range TLBI and a CMD_SYNC (digest §8.5 step 7).
        Assert.Equal(1, iommu.Statistics.CommandCount(CommandOpcode.TlbiNhVa) - before);
        Assert.Equal(0, commands.Count(c => c.Opcode == CommandOpcode.TlbiNhVa && !c.Leaf));
        var tlbi = Assert.Single(commands, c => c.Opcode == CommandOpcode.TlbiNhVa && c.Leaf);
        Assert.Equal(0x10_0000UL, tlbi.Address);
        Assert.Equal(1u, (uint)tlbi.Tg);
        Assert.Equal(0u, tlbi.Num);
        Assert.Equal(2u, tlbi.Scale);
        Assert.Equal(3u, tlbi.Ttl);
        Assert.True(tlbi.Leaf);
        Assert.Equal(0, tlbi.Vmid);
        Assert.NotEqual(0, tlbi.Asid);
        Assert.Equal(CommandOpcode.Sync, commands[commands.FindLastIndex(c => c.Opcode == CommandOpcode.TlbiNhVa) + 1].Opcode);

        var fault = iommu.Translate(3, 0x10_2345, AccessKind.Read);
        Assert.Equal(TranslationOutcome.Faulted, fault.Outcome);
        Assert.Equal(EventType.FTranslation, fault.Fault);
    }

    [Fact]
    public void Without_range_invalidation_unmap_issues_one_TLBI_per_page()
    {
        var iommu = new Iommu(new SmmuFeatures { RangeInvalidation = false });
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);
        iommu.ConfigureStream(3, StreamMode.Stage1);
        iommu.Map(3, 0x10_0000, 0x4000_0000, 4 * Page, IoPagePermissions.Read);
        Assert.True(iommu.Translate(3, 0x10_3000, AccessKind.Read).IsSuccess);

        iommu.Unmap(3, 0x10_0000, 4 * Page);

        var tlbis = commands.Where(c => c.Opcode == CommandOpcode.TlbiNhVa && c.Leaf).ToList();
        Assert.Equal(new ulong[] { 0x10_0000, 0x10_1000, 0x10_2000, 0x10_3000 }, tlbis.Select(c => c.Address));
        Assert.All(tlbis, c => Assert.Equal(0u, (uint)c.Tg | c.Num | c.Scale | c.Ttl)); // TG = 0: no range, no TTL hint
        Assert.Equal(EventType.FTranslation, iommu.Translate(3, 0x10_3000, AccessKind.Read).Fault);
    }

    [Fact]
    public void Read_only_mapping_faults_on_write_and_protect_changes_it_with_a_TLBI()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(2, StreamMode.Stage1);
        iommu.Map(2, 0x40_0000, 0x9000_0000, Page, IoPagePermissions.Read);
        Assert.True(iommu.Translate(2, 0x40_0000, AccessKind.Read).IsSuccess);
        Assert.Equal(EventType.FPermission, iommu.Translate(2, 0x40_0008, AccessKind.Write).Fault);

        long before = iommu.Statistics.CommandCount(CommandOpcode.TlbiNhVa);
        iommu.Protect(2, 0x40_0000, Page, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Statistics.CommandCount(CommandOpcode.TlbiNhVa) > before);
        var write = iommu.Translate(2, 0x40_0008, AccessKind.Write);
        Assert.True(write.IsSuccess);
        Assert.Equal(0x9000_0008UL, write.PhysicalAddress);
    }

    [Fact]
    public void Disable_aborts_and_enable_restores_the_same_mappings()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(4, StreamMode.Stage1);
        iommu.Map(4, 0x1000, 0x5000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(4, 0x1010, AccessKind.Read).IsSuccess);

        iommu.DisableStream(4);
        Assert.False(iommu.IsStreamEnabled(4));
        var aborted = iommu.Translate(4, 0x1010, AccessKind.Read);
        Assert.Equal(TranslationOutcome.Faulted, aborted.Outcome);
        Assert.Equal(EventType.None, aborted.Fault); // STE Config = abort: no event (IHI0070 §5.2)
        Assert.Equal(StreamTableEntry.Abort, iommu.Driver.ReadSte(4));

        iommu.EnableStream(4);
        Assert.Equal(0x5000_0010UL, iommu.Translate(4, 0x1010, AccessKind.Read).PhysicalAddress);
        Assert.Empty(iommu.DrainEvents());
    }

    [Fact]
    public void Installed_STE_and_CD_carry_the_Linux_fields()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(5, StreamMode.Stage1);
        var ste = iommu.Driver.ReadSte(5);

        // Digest §8.5 step 3: V, Config 101, S1Fmt 10 (2-level CD table for 20 PASID bits), S1CDMax 20, S1DSS 10,
        // S1CIR/S1COR WB, S1CSH ISH, S1STALLD (stall model 00, no stalls).
        Assert.True(ste.V);
        Assert.Equal(SteConfig.Stage1Translate, ste.Config);
        Assert.Equal(0b10u, (uint)ste.S1Fmt);
        Assert.Equal(20u, ste.S1CDMax);
        Assert.Equal(0b10u, (uint)ste.S1DSS);
        Assert.Equal(0xD4UL | 0b10, ste.Dw1 & 0xFF);
        Assert.True(ste.S1STALLD);

        var memory = (SparseMemory)iommu.Memory;
        var l1cd = new L1ContextDescriptor(memory.ReadUInt64(ste.S1ContextPtr));
        Assert.True(l1cd.V);
        Assert.True(ContextDescriptor.TryRead(memory, l1cd.L2Ptr, out var cd));

        // Digest §8.5 step 1: 4K/48-bit coherent CD = 0x0000_E205_C000_3510 | ASID << 48 (IPS 48-bit = 0b101).
        Assert.Equal(0x0000_E205_C000_3510UL, cd.Dw0 & 0x0000_FFFF_FFFF_FFFF);
        Assert.NotEqual(0, cd.ASID);
        Assert.Equal(0xF404FF44UL, cd.MAIR);
    }

    [Fact]
    public void Two_PASIDs_translate_independently_and_a_removed_one_faults_with_C_BAD_CD()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(8, StreamMode.Stage1);
        iommu.CreatePasid(8, 1);
        iommu.CreatePasid(8, 0x1234); // in the second CD leaf (SSID >= 1024)
        iommu.Map(8, 0x7000, 0x1_0000_0000, Page, IoPagePermissions.ReadWrite, pasid: 1);
        iommu.Map(8, 0x7000, 0x2_0000_0000, Page, IoPagePermissions.ReadWrite, pasid: 0x1234);
        iommu.Map(8, 0x7000, 0x3_0000_0000, Page, IoPagePermissions.ReadWrite);

        Assert.Equal(0x1_0000_0010UL, iommu.Translate(8, 0x7010, AccessKind.Read, pasid: 1).PhysicalAddress);
        Assert.Equal(0x2_0000_0010UL, iommu.Translate(8, 0x7010, AccessKind.Read, pasid: 0x1234).PhysicalAddress);
        Assert.Equal(0x3_0000_0010UL, iommu.Translate(8, 0x7010, AccessKind.Read).PhysicalAddress);

        // PASID 0 with S1DSS = 0b10 is F_STREAM_DISABLED (IHI0070 §5.2).
        Assert.Equal(EventType.FStreamDisabled, iommu.Translate(8, 0x7010, AccessKind.Read, pasid: 0).Fault);
        iommu.DrainEvents();

        iommu.RemovePasid(8, 1);
        var gone = iommu.Translate(8, 0x7010, AccessKind.Read, pasid: 1);
        Assert.Equal(EventType.CBadCd, gone.Fault); // CD V = 0
        Assert.Equal(0x2_0000_0010UL, iommu.Translate(8, 0x7010, AccessKind.Read, pasid: 0x1234).PhysicalAddress);

        var record = Assert.Single(iommu.DrainEvents());
        Assert.Equal(EventType.CBadCd, record.Type);
        Assert.True(record.SSV);
        Assert.Equal(1u, record.SubstreamId);
        Assert.Equal(8u, record.StreamId);
        Assert.Equal(new uint[] { 0x1234 }, iommu.GetPasids(8));
    }

    [Fact]
    public void PASID_misuse_throws()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(8, StreamMode.Stage1);
        Assert.Throws<ArgumentOutOfRangeException>(() => iommu.CreatePasid(8, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => iommu.CreatePasid(8, 1u << 20));
        iommu.CreatePasid(8, 5);
        Assert.Throws<InvalidOperationException>(() => iommu.CreatePasid(8, 5));
        Assert.Throws<ArgumentException>(() => iommu.RemovePasid(8, 6));
        Assert.Throws<ArgumentException>(() => iommu.Map(8, 0, 0, Page, IoPagePermissions.Read, pasid: 6));
        iommu.ConfigureStream(9, StreamMode.Stage2);
        Assert.Throws<InvalidOperationException>(() => iommu.CreatePasid(9, 1));
    }

    [Fact]
    public void Host_misuse_throws_with_clear_messages()
    {
        var iommu = new Iommu();
        var unknown = Assert.Throws<ArgumentException>(() => iommu.Map(42, 0, 0, Page, IoPagePermissions.Read));
        Assert.Contains("not configured", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => iommu.ConfigureStream(1u << 20, StreamMode.Bypass));

        iommu.ConfigureStream(1, StreamMode.Stage1);
        iommu.Map(1, 0x2000, 0x9000, Page, IoPagePermissions.Read);
        Assert.Throws<InvalidOperationException>(() => iommu.Map(1, 0x2000, 0xA000, Page, IoPagePermissions.Read));
        var nothing = Assert.Throws<InvalidOperationException>(() => iommu.Unmap(1, 0x8000, Page));
        Assert.Contains("Nothing is mapped", nothing.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => iommu.MapStage2(1, 0, 0, Page, IoPagePermissions.Read));

        iommu.ConfigureStream(2, StreamMode.Bypass);
        Assert.Throws<InvalidOperationException>(() => iommu.Map(2, 0, 0, Page, IoPagePermissions.Read));
    }

    [Fact]
    public void Bypass_and_abort_streams()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(10, StreamMode.Bypass);
        iommu.ConfigureStream(11, StreamMode.Abort);

        var bypass = iommu.Translate(10, 0xDEAD_B000, AccessKind.Write);
        Assert.Equal(TranslationOutcome.Bypassed, bypass.Outcome);
        Assert.Equal(0xDEAD_B000UL, bypass.PhysicalAddress);

        var abort = iommu.Translate(11, 0xDEAD_B000, AccessKind.Read);
        Assert.Equal(TranslationOutcome.Faulted, abort.Outcome);
        Assert.Equal(EventType.None, abort.Fault);

        // A stream never configured has the abort STE the driver initialised.
        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(12, 0, AccessKind.Read).Outcome);
        Assert.Empty(iommu.DrainEvents());
    }

    [Fact]
    public void Stage2_stream_translates_IPA_to_PA_and_unmap_uses_TLBI_S2_IPA()
    {
        var iommu = new Iommu();
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);
        iommu.ConfigureStream(20, StreamMode.Stage2, new StreamOptions { IntermediateAddressBits = 40 });
        iommu.MapStage2(20, 0x8000_0000, 0x12_3440_0000, 0x20_0000, IoPagePermissions.ReadWrite); // one 2 MB block

        var result = iommu.Translate(20, 0x8001_2345, AccessKind.Write);
        Assert.Equal(0x12_3441_2345UL, result.PhysicalAddress);
        Assert.Equal(21, result.PageShift);

        var ste = iommu.Driver.ReadSte(20);
        Assert.Equal(SteConfig.Stage2Translate, ste.Config);
        Assert.Equal(24u, ste.S2T0SZ);  // 64 - 40
        Assert.Equal(0b01u, ste.S2SL0); // 4K, 40 bits: start at level 1 with 2 concatenated tables (digest §7.10)
        Assert.NotEqual(0, ste.S2VMID);

        iommu.UnmapStage2(20, 0x8000_0000, 0x20_0000);
        var tlbi = Assert.Single(commands, c => c.Opcode == CommandOpcode.TlbiS2Ipa && c.Leaf);
        Assert.Equal(ste.S2VMID, tlbi.Vmid);
        Assert.Equal(0x8000_0000UL, tlbi.Ipa);
        Assert.Equal(2u, tlbi.Ttl); // the block was a level-2 leaf
        var fault = iommu.Translate(20, 0x8001_2345, AccessKind.Write);
        Assert.Equal(EventType.FTranslation, fault.Fault);
        Assert.True(fault.Event.S2);
    }

    [Fact]
    public void Nested_stream_translates_through_both_stages()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(30, StreamMode.Nested);
        iommu.MapStage2(30, 0x2000_0000, 0x9_0000_0000, 0x10000, IoPagePermissions.ReadWrite);
        iommu.Map(30, 0x7FFF_0000, 0x2000_3000, Page, IoPagePermissions.ReadWrite);

        var result = iommu.Translate(30, 0x7FFF_0ABC, AccessKind.Read);
        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(0x9_0000_3ABCUL, result.PhysicalAddress);

        // A stage-1 output (IPA) without a stage-2 mapping is a stage-2 fault.
        iommu.Map(30, 0x7FFE_0000, 0x3000_0000, Page, IoPagePermissions.ReadWrite);
        var s2Fault = iommu.Translate(30, 0x7FFE_0000, AccessKind.Read);
        Assert.Equal(EventType.FTranslation, s2Fault.Fault);
        Assert.True(s2Fault.Event.S2);

        // Unmapping stage 2 invalidates the combined entry too.
        iommu.UnmapStage2(30, 0x2000_0000, 0x10000);
        Assert.Equal(EventType.FTranslation, iommu.Translate(30, 0x7FFF_0ABC, AccessKind.Read).Fault);

        // The structure window is reserved IPA space of nested streams.
        Assert.Throws<ArgumentException>(() => iommu.MapStage2(30, Iommu.DefaultStructureBase, 0, Page, IoPagePermissions.Read));
    }

    [Fact]
    public void Nested_PASID_uses_its_own_stage1_tables()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(31, StreamMode.Nested);
        iommu.MapStage2(31, 0x100_0000, 0x5_0000_0000, 0x20_0000, IoPagePermissions.ReadWrite);
        iommu.CreatePasid(31, 3);
        iommu.Map(31, 0x4000, 0x100_5000, Page, IoPagePermissions.Read, pasid: 3);
        Assert.Equal(0x5_0000_5008UL, iommu.Translate(31, 0x4008, AccessKind.Read, pasid: 3).PhysicalAddress);
        Assert.Equal(EventType.FTranslation, iommu.Translate(31, 0x4008, AccessKind.Read).Fault);
    }

    [Fact]
    public void E2H_stage1_stream_uses_EL2_invalidation()
    {
        var memory = new SparseMemory();
        var iommu = new Iommu(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000), new SmmuDriverOptions { UseE2H = true });
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);
        iommu.ConfigureStream(6, StreamMode.Stage1);
        Assert.Equal(0b10u, (uint)iommu.Driver.ReadSte(6).STRW);
        iommu.Map(6, 0x3000, 0x6000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(6, 0x3000, AccessKind.Read).IsSuccess);

        iommu.Unmap(6, 0x3000, Page);
        Assert.Single(commands, c => c.Opcode == CommandOpcode.TlbiEl2Va && c.Leaf);
        Assert.DoesNotContain(commands, c => c.Opcode == CommandOpcode.TlbiNhVa);
        Assert.Equal(EventType.FTranslation, iommu.Translate(6, 0x3000, AccessKind.Read).Fault);
    }

    [Fact]
    public void Reset_removes_every_stream()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(1, StreamMode.Stage1);
        iommu.Map(1, 0x1000, 0x1000, Page, IoPagePermissions.Read);
        iommu.Reset();

        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(1, 0x1000, AccessKind.Read).Outcome);
        Assert.Null(iommu.GetStreamMode(1));
        Assert.Throws<ArgumentException>(() => iommu.Map(1, 0x1000, 0x1000, Page, IoPagePermissions.Read));
        Assert.Equal(0xFu, iommu.Device.ReadRegister32(SmmuRegister.CR0ACK));

        iommu.ConfigureStream(1, StreamMode.Stage1);
        iommu.Map(1, 0x1000, 0x7000, Page, IoPagePermissions.Read);
        Assert.Equal(0x7000UL, iommu.Translate(1, 0x1000, AccessKind.Read).PhysicalAddress);
    }

    [Fact]
    public void Reconfigure_and_remove_give_the_memory_back()
    {
        var iommu = new Iommu();
        int baseline = iommu.Driver.Allocator.AllocationCount;
        iommu.ConfigureStream(1, StreamMode.Nested);
        iommu.CreatePasid(1, 2);
        iommu.ConfigureStream(1, StreamMode.Stage2);
        iommu.RemoveStream(1);
        Assert.Equal(baseline + 1, iommu.Driver.Allocator.AllocationCount); // the level-2 stream table stays
    }

    [Fact]
    public async Task Translations_stay_correct_while_other_pages_are_mapped_and_unmapped()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(1, StreamMode.Stage1);
        iommu.Map(1, 0x1000, 0xA000_0000, Page, IoPagePermissions.ReadWrite);
        using var stop = new CancellationTokenSource();
        int bad = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = iommu.Translate(1, 0x1234, AccessKind.Read);
                if (!r.IsSuccess || r.PhysicalAddress != 0xA000_0234)
                {
                    Interlocked.Increment(ref bad);
                }
            }
        })).ToArray();

        for (ulong i = 0; i < 200; i++)
        {
            ulong iova = 0x10_0000 + (i * Page);
            iommu.Map(1, iova, 0xB000_0000 + (i * Page), Page, IoPagePermissions.ReadWrite);
            Assert.Equal(0xB000_0000 + (i * Page), iommu.Translate(1, iova, AccessKind.Read).PhysicalAddress);
            iommu.Unmap(1, iova, Page);
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, bad);
    }

    // Digest §8.5 step 7, as Linux's arm-smmu-v3: the leaf TLBIs of the range, then one CMD_SYNC; tables a partial
    // unmap empties stay for the next map.
    [Fact]
    public void Unmap_of_a_lone_page_is_one_leaf_tlbi_and_one_sync()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(5, StreamMode.Stage1);
        iommu.Map(5, 0x4000_0000, 0x9000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.Equal(0x9000_0010UL, iommu.Translate(5, 0x4000_0010, AccessKind.Read).PhysicalAddress);
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);

        Assert.Equal(Page, iommu.Unmap(5, 0x4000_0000, Page));

        // IHI0070 §4.4.1.1 with RIL: TG 4K, NUM 0, SCALE 0 and TTL 3 (a level-3 leaf) name exactly this page.
        Assert.Equal([CommandOpcode.TlbiNhVa, CommandOpcode.Sync], commands.Select(c => c.Opcode));
        Assert.True(commands[0].Leaf);
        Assert.Equal((0x4000_0000UL, 0u, 0u, 3u), (commands[0].Address, commands[0].Num, commands[0].Scale, commands[0].Ttl));
        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(5, 0x4000_0010, AccessKind.Read).Outcome);
    }

    [Fact]
    public void Remapping_the_page_reuses_the_tables_and_translates_to_the_new_address()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(5, StreamMode.Stage1);
        iommu.Map(5, 0x4000_0000, 0x9000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(5, 0x4000_0000, AccessKind.Read).IsSuccess);
        iommu.Unmap(5, 0x4000_0000, Page);
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);

        iommu.Map(5, 0x4000_0000, 0xA000_0000, Page, IoPagePermissions.ReadWrite);

        Assert.Empty(commands); // map writes descriptors only: invalid entries are never cached (digest §8.5 step 6)
        Assert.Equal(0xA000_0010UL, iommu.Translate(5, 0x4000_0010, AccessKind.Read).PhysicalAddress);
    }
}
