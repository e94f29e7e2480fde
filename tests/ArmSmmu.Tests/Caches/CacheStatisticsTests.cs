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
    public void Fills_and_invalidations_from_two_threads_are_all_counted_and_a_reset_keeps_what_follows()
    {
        // Counted under the TLB's writer lock with plain stores: every one of them must still be counted.
        var tlb = new Tlb(8192, 8);
        const int PerThread = 2_000;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                ulong page = (ulong)((t * PerThread) + i);
                tlb.Insert(TlbTestData.El1(1, (ushort)(t + 1)), TlbTestData.Entry(page << 12, 0, TlbTestData.Page4K), tlb.Generation);
            }
        });
        Assert.Equal((2L * PerThread, 0L), (tlb.Statistics.Insertions, tlb.Statistics.Evictions));

        tlb.Statistics.Reset();
        Assert.Equal(PerThread, tlb.InvalidateAsid(StreamWorld.NsEl1, 1, 1));
        tlb.Insert(TlbTestData.El1(1, 3), TlbTestData.Entry(0x1000, 0, TlbTestData.Page4K), tlb.Generation);
        Assert.Equal((1L, (long)PerThread), (tlb.Statistics.Insertions, tlb.Statistics.Invalidated));
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

    [Fact]
    public void Hits_counted_by_a_shared_counter_are_hits_of_every_cache_that_shares_it_until_a_reset()
    {
        // The translation fast path counts one hit of the STE, CD and TLB caches with one shared counter.
        var shared = new PerThreadCounter();
        var tlb = new CacheStatistics();
        var ste = new CacheStatistics();
        tlb.AddHitSource(shared);
        ste.AddHitSource(shared);
        tlb.RecordHit();
        shared.Increment();
        shared.Increment();

        Assert.Equal(3, tlb.Hits);
        Assert.Equal(2, ste.Hits);

        tlb.Reset();
        shared.Increment();
        tlb.RecordMiss();

        Assert.Equal(new CacheStatisticsSnapshot(1, 1, 0, 0, 0), tlb.Snapshot());
        Assert.Equal(3, ste.Hits);
        Assert.Equal(0.5, tlb.HitRate);
    }

    [Fact]
    public void A_peek_counts_nothing_and_RecordLookup_counts_it_afterwards()
    {
        var tlb = new Tlb(16, 4);
        tlb.Insert(TlbTestData.El1(1, 1), TlbTestData.Entry(0x1000, 0x2000, TlbTestData.Page4K), tlb.Generation);

        Assert.True(tlb.TryPeek(TlbTestData.El1(1, 1).Pack(), 0x1FFF, out var entry));
        Assert.Equal(0x2FFFUL, entry.Translate(0x1FFF));
        Assert.False(tlb.TryPeek(TlbTestData.El1(1, 1).Pack(), 0x2000, out _));
        Assert.Equal(0, tlb.Statistics.Snapshot().Lookups);

        tlb.RecordLookup(hit: true);
        tlb.RecordLookup(hit: false);

        Assert.Equal(new CacheStatisticsSnapshot(1, 1, 1, 0, 0), tlb.Statistics.Snapshot());
    }
}
