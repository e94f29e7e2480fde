namespace ArmSmmu.Tests.Device;

/// <summary>The counters a cache study reads: one STE and one CD lookup and one TLB lookup per translated transaction.</summary>
public class StatisticsTests
{
    [Fact]
    public void Every_transaction_counts_one_ste_one_cd_and_one_tlb_lookup()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(7, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        h.Smmu.Statistics.Reset();

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
}

/// <summary>The counters are also published through System.Diagnostics.Metrics.</summary>
public class MetricsTests
{
    [Fact]
    public void Tlb_hits_are_observable_through_the_ArmSmmu_meter_tagged_by_instance()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x1000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(7, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
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
