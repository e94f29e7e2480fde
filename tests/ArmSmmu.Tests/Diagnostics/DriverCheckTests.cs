using System.Diagnostics.Metrics;
using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Diagnostics;

/// <summary>
/// The driver-bug detector (SmmuFeatures.CheckDriver): each mistake, made on purpose by a small driver sequence, is
/// reported exactly once with the command that would have prevented it, while the SMMU keeps the behaviour real
/// hardware would show (the cached structure); a correct driver gets no report.
/// </summary>
public class DriverCheckTests
{
    private const uint Sid = 5;
    private const ulong Va = 0x1000;
    private const ulong OldPa = 0x8000_0000;
    private const ulong NewPa = 0x9000_0000;

    [Fact]
    public void Changed_ste_without_cfgi_ste_is_a_stale_use_naming_cfgi_ste_and_the_cached_behaviour_continues()
    {
        var (iommu, reports) = Stage1Stream();
        ulong ste = iommu.Driver.SteAddress(Sid);
        var before = StreamTableEntry.TryRead(iommu.Memory, ste, out var old) ? old : default;

        // The driver rewrites the STE as a bypass STE (word 1 first, then word 0: no tearing) and forgets CMD_CFGI_STE.
        Assert.True(iommu.Memory.TryWriteUInt64(ste + 8, StreamTableEntry.BypassEntry.Dw1));
        Assert.True(iommu.Memory.TryWriteUInt64(ste, StreamTableEntry.BypassEntry.Dw0));

        var first = iommu.Translate(Sid, Va, AccessKind.Read);
        var second = iommu.Translate(Sid, Va + 8, AccessKind.Read);

        // IHI0070 §3.21: the cached STE stays in use until CMD_CFGI_STE, so the stream still translates.
        Assert.Equal(TranslationOutcome.Translated, first.Outcome);
        Assert.Equal(OldPa, first.PhysicalAddress);
        Assert.Equal(OldPa + 8, second.PhysicalAddress);
        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.StaleStreamTableEntry, report.Mistake);
        Assert.Equal(Sid, report.StreamId);
        Assert.Equal(ste, report.StructureAddress);
        Assert.Equal(before.ToArray(), report.CachedWords);
        Assert.Equal(new StreamTableEntry(StreamTableEntry.BypassEntry.Dw0, StreamTableEntry.BypassEntry.Dw1).ToArray(), report.CurrentWords);
        Assert.StartsWith("CMD_CFGI_STE for StreamID 0x5", report.Command, StringComparison.Ordinal);

        // With the invalidation the new STE takes effect, and nothing more is reported.
        iommu.Driver.SubmitAndSync(Command.CfgiSte(Sid, leaf: true));
        Assert.Equal(TranslationOutcome.Bypassed, iommu.Translate(Sid, Va, AccessKind.Read).Outcome);
        Assert.Single(reports);
        Assert.Single(iommu.Device.DriverCheckReports);
    }

    [Fact]
    public void Changed_cd_without_cfgi_cd_is_a_stale_use_naming_cfgi_cd()
    {
        var (iommu, reports) = Stage1Stream();
        ulong cdAddress = StepAddress(iommu, "CD");
        Assert.True(ContextDescriptor.TryRead(iommu.Memory, cdAddress, out var cd));
        var retagged = cd with { ASID = (ushort)(cd.ASID + 7) };
        Assert.True(iommu.Memory.TryWriteUInt64(cdAddress, retagged.Dw0));

        var result = iommu.Translate(Sid, Va, AccessKind.Read);
        iommu.Translate(Sid, Va, AccessKind.Read);

        Assert.Equal(OldPa, result.PhysicalAddress);
        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.StaleContextDescriptor, report.Mistake);
        Assert.Equal(cdAddress, report.StructureAddress);
        Assert.Equal(cd.Dw0, report.CachedWords[0]);
        Assert.Equal(retagged.Dw0, report.CurrentWords[0]);
        Assert.StartsWith("CMD_CFGI_CD for StreamID 0x5 SubstreamID 0", report.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Remapped_page_without_tlbi_is_a_stale_tlb_use_naming_tlbi_nh_va_with_the_asid_and_va()
    {
        var (iommu, reports) = Stage1Stream();
        ulong pte = StepAddress(iommu, "walk");
        ushort asid = Asid(iommu);
        Assert.True(iommu.Memory.TryReadUInt64(pte, out ulong old));

        // Break (an invalid entry) and make (the new page), but no TLBI: break-before-make is kept, the TLB is not told.
        Assert.True(iommu.Memory.TryWriteUInt64(pte, 0));
        Assert.True(iommu.Memory.TryWriteUInt64(pte, (old & ~0x0000_FFFF_FFFF_F000UL) | NewPa));

        var result = iommu.Translate(Sid, Va + 0x10, AccessKind.Read);
        iommu.Translate(Sid, Va + 0x20, AccessKind.Read);

        Assert.Equal(OldPa + 0x10, result.PhysicalAddress); // the TLB entry, as hardware would
        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.StaleTranslation, report.Mistake);
        Assert.Equal(pte, report.StructureAddress);
        Assert.Equal([OldPa + 0x10], report.CachedWords);
        Assert.Equal(NewPa, report.CurrentWords[0] & 0x0000_FFFF_FFFF_F000);
        Assert.StartsWith($"CMD_TLBI_NH_VA ASID {asid} VA 0x1010", report.Command, StringComparison.Ordinal);

        iommu.Driver.SubmitAndSync(Command.TlbiNhVa(0, asid, Va, leaf: true));
        Assert.Equal(NewPa + 0x10, iommu.Translate(Sid, Va + 0x10, AccessKind.Read).PhysicalAddress);
        Assert.Single(reports);
    }

    [Fact]
    public void Replaced_table_without_non_leaf_tlbi_is_a_stale_walk_cache_use()
    {
        var (iommu, reports) = Stage1Stream();
        iommu.Map(Sid, 0x2000, OldPa + 0x2000, 0x1000, IoPagePermissions.ReadWrite);
        ulong l2 = WalkSteps(iommu)[^2].Address!.Value; // the level-2 table descriptor that points to the level-3 table
        Assert.True(iommu.Memory.TryReadUInt64(l2, out ulong tableDescriptor));

        // A new level-3 table mapping 0x2000 elsewhere, swapped in for the old one with no TLBI at all.
        const ulong OutputAddress = 0x0000_FFFF_FFFF_F000;
        Assert.True(iommu.Memory.TryReadUInt64((tableDescriptor & OutputAddress) + (2 * 8), out ulong page));
        ulong newTable = iommu.Driver.Allocator.Allocate(0x1000, 0x1000);
        Assert.True(iommu.Memory.TryWriteUInt64(newTable + (2 * 8), (page & ~OutputAddress) | NewPa));
        Assert.True(iommu.Memory.TryWriteUInt64(l2, (tableDescriptor & ~OutputAddress) | newTable));

        var result = iommu.Translate(Sid, 0x2000, AccessKind.Read); // a TLB miss: the walk resumes from the cached table

        Assert.Equal(OldPa + 0x2000, result.PhysicalAddress);
        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.StaleWalkCacheEntry, report.Mistake);
        Assert.Contains("CMD_TLBI_NH_VA ASID", report.Command, StringComparison.Ordinal);
        Assert.Contains("Leaf = 0", report.Command, StringComparison.Ordinal);
    }

    // IHI0070 §3.21.3.1: the wrong way round (word 0 with V = 1 first, then word 1) is torn; the right way is not.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ste_made_valid_before_its_other_words_is_reported_torn_once_at_fetch(bool validFirst)
    {
        var (iommu, reports) = Stage1Stream();
        const uint Other = 9;
        ulong ste = iommu.Driver.SteAddress(Other);
        Assert.True(iommu.Memory.TryWriteUInt64(ste, 0));
        iommu.Driver.SubmitAndSync(Command.CfgiSte(Other, leaf: true));

        var bypass = StreamTableEntry.BypassEntry;
        foreach (int word in validFirst ? new[] { 0, 1 } : [1, 0])
        {
            Assert.True(iommu.Memory.TryWriteUInt64(ste + ((ulong)word * 8), word == 0 ? bypass.Dw0 : bypass.Dw1));
        }

        iommu.Driver.SubmitAndSync(Command.CfgiSte(Other, leaf: true));

        Assert.Equal(TranslationOutcome.Bypassed, iommu.Translate(Other, Va, AccessKind.Read).Outcome);
        Assert.Equal(TranslationOutcome.Bypassed, iommu.Translate(Other, Va, AccessKind.Read).Outcome);
        if (!validFirst)
        {
            Assert.Empty(reports);
            return;
        }

        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.TornStructure, report.Mistake);
        Assert.Equal(Other, report.StreamId);
        Assert.Equal(ste, report.StructureAddress);
        Assert.Contains("before word 1", report.Explanation, StringComparison.Ordinal);
        Assert.Contains("CMD_CFGI_STE for StreamID 0x9", report.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void Tlbi_without_cmd_sync_before_a_translation_it_covers_is_reported_once()
    {
        var (iommu, reports) = Stage1Stream();
        ulong pte = StepAddress(iommu, "walk");
        ushort asid = Asid(iommu);
        Assert.True(iommu.Memory.TryWriteUInt64(pte, 0));
        iommu.Driver.Submit(Command.TlbiNhVa(0, asid, Va, leaf: true)); // published and consumed, but no CMD_SYNC

        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(Sid, Va, AccessKind.Read).Outcome);
        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(Sid, Va, AccessKind.Read).Outcome);

        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.TlbiWithoutSync, report.Mistake);
        Assert.Equal("CMD_SYNC after CMD_TLBI_NH_VA", report.Command);
        Assert.Equal(Command.TlbiNhVa(0, asid, Va, leaf: true).ToArray(), report.CachedWords);
    }

    [Fact]
    public void Tlbi_of_another_asid_without_sync_is_not_reported_against_this_stream()
    {
        var (iommu, reports) = Stage1Stream();
        iommu.Driver.Submit(Command.TlbiNhVa(0, (ushort)(Asid(iommu) + 100), Va, leaf: true));

        Assert.Equal(OldPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);
        Assert.Empty(reports);
    }

    [Fact]
    public void Valid_page_replaced_by_another_valid_page_is_a_break_before_make_violation_even_with_the_tlbi()
    {
        var (iommu, reports) = Stage1Stream();
        ulong pte = StepAddress(iommu, "walk");
        ushort asid = Asid(iommu);
        Assert.True(iommu.Memory.TryReadUInt64(pte, out ulong old));
        Assert.True(iommu.Memory.TryWriteUInt64(pte, (old & ~0x0000_FFFF_FFFF_F000UL) | NewPa)); // valid -> valid, new output
        iommu.Driver.SubmitAndSync(Command.TlbiNhVa(0, asid, Va, leaf: true));

        Assert.Equal(NewPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);
        Assert.Equal(NewPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);

        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.BreakBeforeMake, report.Mistake);
        Assert.Equal(pte, report.StructureAddress);
        Assert.Equal([old], report.CachedWords);
        Assert.StartsWith($"an invalid entry, CMD_TLBI_NH_VA ASID {asid} VA 0x1000", report.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void A_correct_driver_through_every_stream_kind_map_unmap_remap_and_reconfigure_gets_no_report()
    {
        var iommu = new Iommu(SmmuFeatures.Default with { CheckDriver = true });
        var reports = new List<DriverCheckReport>();
        iommu.Device.DriverMistakeFound += (_, e) => reports.Add(e.Report);
        uint sid = 1;
        foreach (var mode in new[] { StreamMode.Stage1, StreamMode.Stage2, StreamMode.Nested, StreamMode.Bypass })
        {
            iommu.ConfigureStream(sid, mode);
            if (mode == StreamMode.Nested)
            {
                iommu.MapStage2(sid, OldPa, OldPa, 0x4000, IoPagePermissions.ReadWrite); // stage-1 outputs, identity at stage 2
                iommu.MapStage2(sid, NewPa, NewPa, 0x10_0000, IoPagePermissions.ReadWrite);
            }

            if (mode != StreamMode.Bypass)
            {
                iommu.Map(sid, 0x10_0000, OldPa, 0x4000, IoPagePermissions.ReadWrite);
                Assert.True(iommu.Translate(sid, 0x10_1000, AccessKind.Write).IsSuccess);
                iommu.Protect(sid, 0x10_0000, 0x4000, IoPagePermissions.Read);
                Assert.False(iommu.Translate(sid, 0x10_1000, AccessKind.Write).IsSuccess);
                iommu.Unmap(sid, 0x10_0000, 0x4000);
                Assert.False(iommu.Translate(sid, 0x10_1000, AccessKind.Read).IsSuccess);
                iommu.Map(sid, 0x10_0000, NewPa, 0x20_0000 - 0x10_0000, IoPagePermissions.ReadWrite);
                Assert.Equal(NewPa + 0x1000, iommu.Translate(sid, 0x10_1000, AccessKind.Read).PhysicalAddress);
            }

            sid++;
        }

        iommu.CreatePasid(1, 3);
        iommu.Map(1, 0x4000, OldPa, 0x1000, IoPagePermissions.ReadWrite, pasid: 3);
        Assert.True(iommu.Translate(1, 0x4000, AccessKind.Read, pasid: 3).IsSuccess);
        iommu.ConfigureStream(1, StreamMode.Stage2);
        iommu.DisableStream(2);
        iommu.EnableStream(2);
        Assert.False(iommu.Translate(1, 0x4000, AccessKind.Read).IsSuccess);

        Assert.Empty(reports);
        Assert.Empty(iommu.Device.DriverCheckReports);
    }

    [Fact]
    public void Reports_count_in_the_armsmmu_meter_by_kind_and_never_reach_the_event_queue()
    {
        long counted = 0;
        string? kind = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ArmSmmu" && instrument.Name == "smmu.driver_check.reports")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        var (iommu, _) = Stage1Stream();
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "smmu.mistake" && tag.Value is string mistake && mistake == nameof(DriverMistake.StaleStreamTableEntry))
                {
                    Interlocked.Add(ref counted, value);
                    kind = mistake;
                }
            }
        });
        listener.Start();
        long eventsBefore = iommu.Statistics.EventsWritten;
        ulong ste = iommu.Driver.SteAddress(Sid);
        Assert.True(iommu.Memory.TryWriteUInt64(ste + 8, StreamTableEntry.BypassEntry.Dw1));

        iommu.Translate(Sid, Va, AccessKind.Read);

        Assert.Equal(nameof(DriverMistake.StaleStreamTableEntry), kind);
        Assert.True(counted >= 1); // other tests may report the same kind concurrently in this process
        Assert.Equal(eventsBefore, iommu.Statistics.EventsWritten);
    }

    [Fact]
    public void Off_by_default_the_memory_is_the_callers_and_nothing_is_reported()
    {
        var memory = new SparseMemory();
        var device = new SmmuV3(memory);
        var iommu = new Iommu(device, memory, new PhysicalAllocator(memory, 0xF000_0000, 0x100_0000));
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        iommu.Map(Sid, Va, OldPa, 0x1000, IoPagePermissions.ReadWrite);
        iommu.Translate(Sid, Va, AccessKind.Read);
        Assert.True(memory.TryWriteUInt64(iommu.Driver.SteAddress(Sid) + 8, StreamTableEntry.BypassEntry.Dw1));

        Assert.Equal(OldPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);
        Assert.Same(memory, device.Memory);
        Assert.Empty(device.DriverCheckReports);
    }

    private static (Iommu Iommu, List<DriverCheckReport> Reports) Stage1Stream()
    {
        var iommu = new Iommu(SmmuFeatures.Default with { CheckDriver = true });
        var reports = new List<DriverCheckReport>();
        iommu.Device.DriverMistakeFound += (_, e) => reports.Add(e.Report);
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        iommu.Map(Sid, Va, OldPa, 0x1000, IoPagePermissions.ReadWrite);
        Assert.Equal(OldPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress); // STE, CD and TLB entry now cached
        Assert.Empty(reports);
        return (iommu, reports);
    }

    private static List<ArmSmmu.Diagnostics.ExplanationStep> WalkSteps(Iommu iommu) =>
        [.. iommu.Explain(Sid, Va, AccessKind.Read).Steps.Where(s => s.Stage == "walk" && s.Address is not null)];

    // The last step of a stage with an address: the CD read, or the leaf descriptor of the walk.
    private static ulong StepAddress(Iommu iommu, string stage) =>
        iommu.Explain(Sid, Va, AccessKind.Read).Steps.Last(s => s.Stage == stage && s.Address is not null).Address!.Value;

    private static ushort Asid(Iommu iommu)
    {
        Assert.True(ContextDescriptor.TryRead(iommu.Memory, StepAddress(iommu, "CD"), out var cd));
        return cd.ASID;
    }
}
