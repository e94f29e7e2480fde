namespace ArmSmmu.Tests.Device;

/// <summary>The counters a cache study reads: one STE and one CD lookup and one TLB lookup per translated transaction.</summary>
public class StatisticsTests
{
    [Fact]
    public void Every_transaction_counts_one_ste_one_cd_and_one_tlb_lookup()
    {
        var h = new DeviceHarness();
        Stream7WithPage0x1000(h);

        for (int i = 0; i < 10; i++)
        {
            Assert.True(h.Read(7, 0x1000 + (ulong)i).IsSuccess);
        }

        var s = h.Smmu.Statistics;
        Assert.Equal(10, s.SteCache.Hits + s.SteCache.Misses);
        Assert.Equal(10, s.CdCache.Hits + s.CdCache.Misses);
        Assert.Equal(1, s.CdCache.Misses); // fetched once after the CFGI of InstallSte, then cached (IHI0070 §3.21)
        Assert.Equal(9, s.Tlb.Hits);
        Assert.Equal(1, s.Tlb.Misses);
        Assert.Equal(1, s.Walks);
        Assert.Equal(4, s.DescriptorReads); // 4K granule, T0SZ 16: levels 0-3
    }

    // Walks and descriptor reads are counted in per-thread cells: from two threads at once, every one is counted.
    [Fact]
    public void Walks_and_descriptor_reads_from_two_threads_are_all_counted()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with
        {
            TlbEntries = 0,
            Stage1WalkCacheEntries = 0,
            Stage2WalkCacheEntries = 0,
            TableIpaCacheEntries = 0,
        });
        Stream7WithPage0x1000(h);

        const int PerThread = 5_000;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                Assert.Equal(0x8000_0010UL, h.Read(7, 0x1010).PhysicalAddress);
            }
        });

        // No TLB and no walk cache: every translation walks levels 0-3 of the 4K, 48-bit tables (4 descriptors).
        var s = h.Smmu.Statistics;
        Assert.Equal(2 * PerThread, s.Walks);
        Assert.Equal(4 * 2 * PerThread, s.DescriptorReads);
    }

    // The translation fast path counts a transaction through a cached CD once, on entry, as an STE, a CD and a TLB hit,
    // and turns the TLB hit into a miss when the TLB has no entry: every route must still give one of each lookup.
    [Fact]
    public void Hits_misses_and_denied_hits_through_a_cached_cd_are_each_one_lookup()
    {
        var h = new DeviceHarness();
        CachedCdSequence(h, (in TranslationRequest r) => h.Smmu.Translate(r));
    }

    /// <summary>
    /// On stream 7 through a CD: the first transaction, a hit, a write that walks to F_PERMISSION, the same write denied
    /// by the cached entry, a miss after a TLBI, a hit; checks each result, the two events and every count.
    /// </summary>
    internal static void CachedCdSequence(DeviceHarness h, Translator translate)
    {
        ulong pgd = Stream7WithPage0x1000(h);
        h.Map4K(pgd, 0x2000, 0x8000_1000, DeviceHarness.S1ReadOnly); // invalid before: nothing cached to invalidate

        Assert.Equal(0x8000_0010UL, translate(new(7, 0x1010, AccessKind.Read)).PhysicalAddress); // STE, CD and TLB miss: the first after the CFGI
        Assert.Equal(0x8000_0020UL, translate(new(7, 0x1020, AccessKind.Read)).PhysicalAddress); // all three hit
        var walked = translate(new(7, 0x2000, AccessKind.Write)); // path cached, TLB miss, walk: write to a read-only page
        var denied = translate(new(7, 0x2000, AccessKind.Write)); // path cached, TLB hit denied (IHI0070 §3.17: the entry was cached)
        h.Submit(Command.TlbiNhVa(0, 1, 0x1000, leaf: true));
        Assert.Equal(0x8000_0030UL, translate(new(7, 0x1030, AccessKind.Read)).PhysicalAddress); // path cached, TLB miss after the TLBI
        Assert.Equal(0x8000_0040UL, translate(new(7, 0x1040, AccessKind.Read)).PhysicalAddress); // all three hit

        // IHI0070 §7.3.10: both writes are F_PERMISSION at the same address, and both are recorded.
        Assert.Equal((TranslationOutcome.Faulted, EventType.FPermission), (walked.Outcome, walked.Fault));
        Assert.Equal(walked, denied);
        var events = h.DrainEvents();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal((EventType.FPermission, 7u, 0x2000UL), (e.Type, e.StreamId, e.InputAddress)));

        var s = h.Smmu.Statistics;
        Assert.Equal((5L, 1L), (s.SteCache.Hits, s.SteCache.Misses));
        Assert.Equal((5L, 1L), (s.CdCache.Hits, s.CdCache.Misses));
        Assert.Equal((3L, 3L), (s.Tlb.Hits, s.Tlb.Misses));
        Assert.Equal(3, s.Walks);
    }

    /// <summary>
    /// Resets the device and configures stream 7 (stage 1, ASID 1, Linux's CD) with VA 0x1000 mapped read-write to
    /// 0x8000_0000; the statistics start at zero. Returns the stage-1 start table.
    /// </summary>
    internal static ulong Stream7WithPage0x1000(DeviceHarness h)
    {
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(7, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        h.Smmu.Statistics.Reset();
        return pgd;
    }

    /// <summary>A way to translate: the device's Translate, or a port's.</summary>
    internal delegate TranslationResult Translator(in TranslationRequest request);

    // A stage-2-only stream has no CD: its cached path is counted as an STE hit, and no CD lookup is made.
    [Fact]
    public void A_stream_without_a_cd_counts_ste_and_tlb_lookups_only()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2Root = h.NewTable();
        h.Map4K(s2Root, 0x4000_0000, 0x9000_0000, DeviceHarness.S2ReadWrite);
        h.InstallSte(9, DeviceHarness.Stage2Ste(s2Root, vmid: 3));
        h.Smmu.Statistics.Reset();

        Assert.Equal(0x9000_0008UL, h.Read(9, 0x4000_0008).PhysicalAddress); // STE and TLB miss
        Assert.Equal(0x9000_0010UL, h.Read(9, 0x4000_0010).PhysicalAddress); // both hit
        h.Submit(Command.TlbiS2Ipa(3, 0x4000_0000, leaf: true));
        Assert.Equal(0x9000_0018UL, h.Read(9, 0x4000_0018).PhysicalAddress); // STE hit, TLB miss after the TLBI

        var s = h.Smmu.Statistics;
        Assert.Equal((2L, 1L), (s.SteCache.Hits, s.SteCache.Misses));
        Assert.Equal((0L, 0L), (s.CdCache.Hits, s.CdCache.Misses));
        Assert.Equal((1L, 2L), (s.Tlb.Hits, s.Tlb.Misses));
    }
}

/// <summary>The counters are also published through System.Diagnostics.Metrics.</summary>
public class MetricsTests
{
    [Fact]
    public void Tlb_hits_are_observable_through_the_ArmSmmu_meter_tagged_by_instance()
    {
        var h = new DeviceHarness();
        StatisticsTests.Stream7WithPage0x1000(h);
        for (int i = 0; i < 5; i++)
        {
            h.Read(7, 0x1000);
        }

        var hits = new List<long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SmmuStatistics.MeterName && instrument.Name == "smmu.tlb.hits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => hits.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();

        // Other SMMUs may be alive in the same process; this one reports its own 4 hits among them.
        Assert.Contains(h.Smmu.Statistics.Tlb.Hits, hits);
        Assert.Equal(4, h.Smmu.Statistics.Tlb.Hits);
    }
}
