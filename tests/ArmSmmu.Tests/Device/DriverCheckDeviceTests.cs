using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// The driver-bug detector (SmmuFeatures.CheckDriver) driven with raw MMIO and memory writes (no host driver): each
/// missing invalidation is reported once against the structure it leaves stale, while the translation keeps what the
/// caches hold, as hardware would (IHI0070 §3.21, §4.3, §4.4, §4.7.3).
/// </summary>
public class DriverCheckDeviceTests
{
    private const uint Sid = 3;
    private const ushort Asid = 9;
    private const ulong Va = 0x4000_0000;
    private const ulong OldPa = 0x8000_0000;
    private const ulong NewPa = 0x9000_0000;

    private sealed record Stream(DeviceHarness H, ulong Root, ulong Cd, List<DriverCheckReport> Reports);

    // A stage-1 stream installed and translated once: its STE, CD and the TLB entry for Va are cached.
    private static Stream Cached()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { CheckDriver = true });
        h.Reset();
        var reports = new List<DriverCheckReport>();
        h.Smmu.DriverMistakeFound += (_, e) => reports.Add(e.Report);
        ulong root = h.NewTable();
        ulong cd = h.AllocatePage();
        Assert.True(DeviceHarness.LinuxCd(Asid, root).TryWrite(h.Memory, cd));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(cd));
        h.Map4K(root, Va, OldPa, DeviceHarness.S1ReadWrite);
        Assert.Equal(OldPa, h.Read(Sid, Va).PhysicalAddress);
        Assert.Empty(reports);
        return new Stream(h, root, cd, reports);
    }

    private static ulong LeafAddress(Stream s)
    {
        ulong table = s.Root;
        for (int level = 0; level < 3; level++)
        {
            table = s.H.Memory.ReadUInt64(table + (((Va >> (12 + (9 * (3 - level)))) & 0x1FF) * 8)) & 0x0000_FFFF_FFFF_F000;
        }

        return table + (((Va >> 12) & 0x1FF) * 8);
    }

    [Fact]
    public void Section_4_3_1_an_ste_changed_without_cfgi_ste_is_reported_once_and_the_cached_ste_is_used()
    {
        var s = Cached();
        ulong ste = s.H.SteAddress(Sid);
        Assert.True(StreamTableEntry.TryRead(s.H.Memory, ste, out var old));
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(s.H.Memory, ste));

        Assert.Equal(OldPa + 0x40, s.H.Read(Sid, Va + 0x40).PhysicalAddress);
        Assert.Equal(OldPa + 0x80, s.H.Read(Sid, Va + 0x80).PhysicalAddress);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleStreamTableEntry, report.Mistake);
        Assert.Equal(Sid, report.StreamId);
        Assert.Equal(Va + 0x40, report.InputAddress);
        Assert.Equal(ste, report.StructureAddress);
        Assert.Equal(old.ToArray(), report.CachedWords);
        Assert.Equal(StreamTableEntry.BypassEntry.ToArray(), report.CurrentWords);
        Assert.StartsWith("CMD_CFGI_STE for StreamID 0x3", report.Command, StringComparison.Ordinal);
        Assert.Equal(s.Reports, s.H.Smmu.DriverCheckReports);

        s.H.Submit(Command.CfgiSte(Sid, leaf: true));
        Assert.Equal(TranslationOutcome.Bypassed, s.H.Read(Sid, Va).Outcome);
        Assert.Single(s.Reports);
    }

    [Fact]
    public void Section_4_3_3_a_cd_changed_without_cfgi_cd_is_reported_with_both_versions()
    {
        var s = Cached();
        Assert.True(ContextDescriptor.TryRead(s.H.Memory, s.Cd, out var cd));
        var retagged = cd with { ASID = (ushort)(Asid + 1) };
        s.H.Memory.WriteUInt64(s.Cd, retagged.Dw0);

        Assert.Equal(OldPa, s.H.Read(Sid, Va).PhysicalAddress);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleContextDescriptor, report.Mistake);
        Assert.Equal(s.Cd, report.StructureAddress);
        Assert.Equal(cd.ToArray(), report.CachedWords);
        Assert.Equal(retagged.ToArray(), report.CurrentWords);
        Assert.StartsWith("CMD_CFGI_CD for StreamID 0x3 SubstreamID 0", report.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_4_4_a_page_remapped_without_tlbi_is_a_stale_translation_naming_tlbi_nh_va()
    {
        var s = Cached();
        ulong pte = LeafAddress(s);
        s.H.Memory.WriteUInt64(pte, 0); // break
        s.H.Map4K(s.Root, Va, NewPa, DeviceHarness.S1ReadWrite); // make, but no TLBI

        Assert.Equal(OldPa + 0x10, s.H.Read(Sid, Va + 0x10).PhysicalAddress); // the TLB, as hardware would

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleTranslation, report.Mistake);
        Assert.Equal(pte, report.StructureAddress);
        Assert.Equal([OldPa + 0x10], report.CachedWords);
        Assert.Equal([NewPa | DeviceHarness.S1ReadWrite | 3], report.CurrentWords);
        Assert.StartsWith($"CMD_TLBI_NH_VA ASID {Asid} VA 0x40000010", report.Command, StringComparison.Ordinal);
        Assert.Contains("0x90000010", report.Explanation, StringComparison.Ordinal);

        s.H.Submit(Command.TlbiNhVa(0, Asid, Va, leaf: true));
        Assert.Equal(NewPa + 0x10, s.H.Read(Sid, Va + 0x10).PhysicalAddress);
        Assert.Single(s.Reports);
    }

    [Fact]
    public void Section_4_4_a_page_unmapped_without_tlbi_is_a_stale_translation_against_a_translation_fault()
    {
        var s = Cached();
        ulong pte = LeafAddress(s);
        s.H.Unmap4K(s.Root, Va);

        Assert.Equal(OldPa, s.H.Read(Sid, Va).PhysicalAddress);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleTranslation, report.Mistake);
        Assert.Equal(pte, report.StructureAddress);
        Assert.Equal([0UL], report.CurrentWords);
        Assert.Contains("a Translation fault", report.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Section_4_7_3_a_tlbi_consumed_without_cmd_sync_is_reported_against_the_translation_it_covers()
    {
        var s = Cached();
        s.H.Unmap4K(s.Root, Va);
        var tlbi = Command.TlbiNhVa(0, Asid, Va, leaf: true);
        s.H.SubmitRaw(tlbi); // consumed, but no CMD_SYNC follows

        Assert.Equal(EventType.FTranslation, s.H.Read(Sid, Va).Fault);
        Assert.Equal(EventType.FTranslation, s.H.Read(Sid, Va).Fault);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.TlbiWithoutSync, report.Mistake);
        Assert.Equal(0UL, report.StructureAddress);
        Assert.Equal(tlbi.ToArray(), report.CachedWords);
        Assert.Empty(report.CurrentWords);
        Assert.Equal("CMD_SYNC after CMD_TLBI_NH_VA", report.Command);
    }

    // IHI0070 §3.21.3.1: word 0 (V = 1) written before word 1 through the checked memory is a torn STE.
    [Fact]
    public void Section_3_21_3_1_an_ste_made_valid_before_its_other_words_is_reported_torn_at_fetch()
    {
        var s = Cached();
        const uint Other = 4;
        ulong ste = s.H.SteAddress(Other);
        var bypass = StreamTableEntry.BypassEntry;
        Assert.True(s.H.Smmu.Memory.TryWriteUInt64(ste, 0)); // V = 0 first, so the next word-0 write makes it valid
        s.H.Submit(Command.CfgiSte(Other, leaf: true));
        Assert.True(s.H.Smmu.Memory.TryWriteUInt64(ste, bypass.Dw0));
        Assert.True(s.H.Smmu.Memory.TryWriteUInt64(ste + 8, bypass.Dw1));
        s.H.Submit(Command.CfgiSte(Other, leaf: true));

        Assert.Equal(TranslationOutcome.Bypassed, s.H.Read(Other, Va).Outcome);
        Assert.Equal(TranslationOutcome.Bypassed, s.H.Read(Other, Va).Outcome);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.TornStructure, report.Mistake);
        Assert.Equal(Other, report.StreamId);
        Assert.Equal(ste, report.StructureAddress);
        Assert.Empty(report.CachedWords);
        Assert.Equal(bypass.ToArray(), report.CurrentWords);
        Assert.Contains("before word 1", report.Explanation, StringComparison.Ordinal);
        Assert.StartsWith("write STE words 1-7, then word 0 with V = 1, then CMD_CFGI_STE for StreamID 0x4", report.Command, StringComparison.Ordinal);
    }

    // IHI0070 §3.21.3.1, §5.4: CD.V is dw0[31] (bit 0 is T0SZ[0], even for Linux's T0SZ = 16): the log used to follow
    // bit 0 for every structure and never reported a torn CD.
    [Fact]
    public void Section_3_21_3_1_a_cd_made_valid_before_its_other_words_is_reported_torn_at_fetch()
    {
        var s = Cached();
        ulong root = s.H.NewTable();
        ulong cd = s.H.AllocatePage();
        var descriptor = DeviceHarness.LinuxCd((ushort)(Asid + 2), root);
        var words = descriptor.ToArray();
        Assert.True(s.H.Smmu.Memory.TryWriteUInt64(cd, words[0])); // V = 1 first
        for (int i = 1; i < words.Length; i++)
        {
            Assert.True(s.H.Smmu.Memory.TryWriteUInt64(cd + ((ulong)i * 8), words[i]));
        }

        const uint Other = 6;
        s.H.SetSte(Other, DeviceHarness.LinuxStage1Ste(cd));
        s.H.Map4K(root, Va, NewPa, DeviceHarness.S1ReadWrite);

        Assert.Equal(NewPa, s.H.Read(Other, Va).PhysicalAddress);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.TornStructure, report.Mistake);
        Assert.Equal(cd, report.StructureAddress);
        Assert.Equal(words, report.CurrentWords);
        Assert.StartsWith("write CD words 1-7, then word 0 with V = 1, then CMD_CFGI_CD for StreamID 0x6 SubstreamID 0", report.Command, StringComparison.Ordinal);
    }

    // IHI0070 §3.21, §4.4: write permission withdrawn (RW -> RO) without a TLBI: the TLB still grants the write.
    [Fact]
    public void Section_4_4_a_permission_withdrawn_without_tlbi_is_a_stale_translation_of_the_same_address()
    {
        var s = Cached();
        Assert.Equal(OldPa + 8, s.H.Read(Sid, Va + 8).PhysicalAddress); // a TLB hit on an unchanged page is no mistake
        Assert.Empty(s.Reports);
        s.H.Map4K(s.Root, Va, OldPa, DeviceHarness.S1ReadOnly);

        Assert.Equal(OldPa, s.H.Write(Sid, Va).PhysicalAddress);

        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleTranslation, report.Mistake);
        Assert.Equal(LeafAddress(s), report.StructureAddress);
        Assert.Equal([OldPa | DeviceHarness.S1ReadOnly | 3], report.CurrentWords);
    }

    // IHI0070 §3.21, §4.4.1: a table descriptor replaced without a TLBI (Leaf = 0): the walk resumes from the cached one.
    [Fact]
    public void Section_4_4_1_a_table_replaced_without_non_leaf_tlbi_is_a_stale_walk_cache_entry()
    {
        var s = Cached();
        const ulong Va2 = Va + 0x1000;
        s.H.Map4K(s.Root, Va2, OldPa + 0x1000, DeviceHarness.S1ReadWrite);
        ulong l2 = s.Root;
        for (int level = 0; level < 2; level++)
        {
            l2 = s.H.Memory.ReadUInt64(l2 + (((Va >> (12 + (9 * (3 - level)))) & 0x1FF) * 8)) & 0x0000_FFFF_FFFF_F000;
        }

        l2 += ((Va >> 21) & 0x1FF) * 8; // the level-2 table descriptor
        ulong newTable = s.H.NewTable();
        ulong newLeaf = NewPa | DeviceHarness.S1ReadWrite | 3;
        s.H.Memory.WriteUInt64(newTable + (((Va2 >> 12) & 0x1FF) * 8), newLeaf);
        s.H.Memory.WriteUInt64(l2, newTable | 3);

        var result = s.H.Read(Sid, Va2 + 4); // a TLB miss: the walk cache still points at the old level-3 table

        Assert.Equal(OldPa + 0x1004, result.PhysicalAddress);
        var report = Assert.Single(s.Reports);
        Assert.Equal(DriverMistake.StaleWalkCacheEntry, report.Mistake);
        Assert.Equal(newTable + (((Va2 >> 12) & 0x1FF) * 8), report.StructureAddress);
        Assert.Equal([OldPa + 0x1004], report.CachedWords);
        Assert.Equal([newLeaf], report.CurrentWords);
        Assert.StartsWith($"CMD_TLBI_NH_VA ASID {Asid}", report.Command, StringComparison.Ordinal);
        Assert.EndsWith("(Leaf = 0: a table descriptor changed)", report.Command, StringComparison.Ordinal);
        Assert.Contains("0x90000004", report.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_correct_sequence_is_not_reported_and_the_detector_is_off_by_default()
    {
        var s = Cached();
        s.H.Unmap4K(s.Root, Va);
        s.H.Submit(Command.TlbiNhVa(0, Asid, Va, leaf: true));
        s.H.Map4K(s.Root, Va, NewPa, DeviceHarness.S1ReadWrite);
        Assert.Equal(NewPa, s.H.Read(Sid, Va).PhysicalAddress);
        Assert.Empty(s.Reports);

        var plain = new DeviceHarness();
        Assert.Same(plain.Memory, plain.Smmu.Memory);
        Assert.Empty(plain.Smmu.DriverCheckReports);
    }
}
