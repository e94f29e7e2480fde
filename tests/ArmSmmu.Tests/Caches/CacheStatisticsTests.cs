using ArmSmmu.Caches;

namespace ArmSmmu.Tests.Caches;

public class CacheStatisticsTests
{
    [Fact]
    public void HitRate_is_zero_before_any_lookup_and_hits_over_lookups_after()
    {
        var tlb = new Tlb(16, 4);
        Assert.Equal(0.0, tlb.Statistics.HitRate);

        tlb.Insert(TlbTestData.El1(1, 1), TlbTestData.Entry(0x1000, 0x2000, TlbTestData.Page4K), tlb.Generation);
        for (int i = 0; i < 3; i++)
        {
            tlb.TryLookup(TlbTestData.El1(1, 1), 0x1000, out _);
        }

        tlb.TryLookup(TlbTestData.El1(1, 1), 0x5000, out _);

        Assert.Equal(0.75, tlb.Statistics.HitRate);
        Assert.Equal(4, tlb.Statistics.Snapshot().Lookups);
    }

    [Fact]
    public void Reset_zeroes_every_counter()
    {
        var tlb = new Tlb(4, 4);
        for (ulong page = 0; page < 5; page++)
        {
            tlb.Insert(TlbTestData.El1(1, 1), TlbTestData.Entry(page << 12, 0, TlbTestData.Page4K), tlb.Generation);
        }

        tlb.TryLookup(TlbTestData.El1(1, 1), 0x4000, out _);
        tlb.InvalidateAll();
        Assert.Equal(new CacheStatisticsSnapshot(1, 0, 5, 1, 4), tlb.Statistics.Snapshot());

        tlb.Statistics.Reset();

        Assert.Equal(default, tlb.Statistics.Snapshot());
    }
}
