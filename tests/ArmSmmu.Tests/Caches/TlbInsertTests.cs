using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

public class TlbInsertTests
{
    [Fact]
    public void Insert_from_a_walk_that_raced_an_invalidation_is_dropped()
    {
        // IHI0070 §3.21.1: after the invalidation completes, no entry formed by a walk begun before it may survive.
        var tlb = new Tlb(64, 4);
        TlbKey key = El1(1, 1);
        long walkStart = tlb.Generation;

        tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x1000, 0x1000, leafOnly: true, ttlLevel: -1);
        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), walkStart);

        Assert.Equal(0, tlb.Count);
        Assert.False(tlb.TryLookup(key, 0x1000, out _));
        Assert.Equal(0, tlb.Statistics.Insertions);

        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), tlb.Generation);
        Assert.True(tlb.TryLookup(key, 0x1000, out _));
    }

    [Fact]
    public void A_full_set_evicts_round_robin_and_counts_evictions()
    {
        var tlb = new Tlb(4, 4); // one set of four ways: every entry competes for it
        TlbKey key = El1(1, 1);
        for (ulong page = 0; page < 6; page++)
        {
            tlb.Insert(key, Entry(page << 12, 0x10_0000 + (page << 12), Page4K), tlb.Generation);
        }

        Assert.Equal(4, tlb.Count);
        Assert.Equal(6, tlb.Statistics.Insertions);
        Assert.Equal(2, tlb.Statistics.Evictions);
        Assert.False(tlb.TryLookup(key, 0x0000, out _)); // first victim
        Assert.False(tlb.TryLookup(key, 0x1000, out _)); // second victim
        for (ulong page = 2; page < 6; page++)
        {
            Assert.True(tlb.TryLookup(key, page << 12, out TranslationEntry entry));
            Assert.Equal(0x10_0000 + (page << 12), entry.OutputBase);
        }
    }

    [Theory]
    [InlineData(4096, 8)]
    [InlineData(16_384, 8)]
    [InlineData(960, 4)] // 240 sets: not a power of two
    [InlineData(768, 3)] // 256 sets of three ways: the ways not a power of two
    public void Consecutive_pages_up_to_the_capacity_all_stay_resident(int capacity, int ways)
    {
        // A working set of consecutive pages no larger than the TLB fits it: no insertion evicts, every page then hits.
        var tlb = new Tlb(capacity, ways);
        TlbKey key = El1(0, 1);
        for (ulong page = 0; page < (ulong)capacity; page++)
        {
            tlb.Insert(key, Entry(0x7_0000_0000 + (page << 12), page << 12, Page4K), tlb.Generation);
        }

        Assert.Equal(0, tlb.Statistics.Evictions);
        Assert.Equal(capacity, tlb.Count);
        for (ulong page = 0; page < (ulong)capacity; page++)
        {
            Assert.True(tlb.TryLookup(key, 0x7_0000_0000 + (page << 12), out TranslationEntry entry));
            Assert.Equal(page << 12, entry.OutputBase);
        }
    }

    [Fact]
    public void Capacity_bounds_the_count_whatever_is_inserted()
    {
        var tlb = new Tlb(32, 2);
        for (ulong page = 0; page < 1000; page++)
        {
            tlb.Insert(El1((ushort)(page % 3), 1), Entry(page << 12, page << 12, Page4K), tlb.Generation);
        }

        Assert.Equal(32, tlb.Count);
        Assert.Equal(1000 - 32, tlb.Statistics.Evictions);
        Assert.Equal(32, tlb.Snapshot().Count());
    }

    [Fact]
    public void Walking_the_same_translation_again_refreshes_it_in_place()
    {
        var tlb = new Tlb(8, 2);
        TlbKey key = El1(1, 1);
        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), tlb.Generation);
        tlb.Insert(key, Entry(0x1000, 0x3000, Page4K), tlb.Generation);

        Assert.Equal(1, tlb.Count);
        Assert.Equal(0, tlb.Statistics.Evictions);
        Assert.True(tlb.TryLookup(key, 0x1000, out TranslationEntry entry));
        Assert.Equal(0x3000UL, entry.OutputBase);
    }

    [Fact]
    public void Disabled_tlb_never_hits()
    {
        var tlb = new Tlb(0, 4);
        TlbKey key = El1(1, 1);
        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), tlb.Generation);

        Assert.False(tlb.TryLookup(key, 0x1000, out _));
        Assert.Equal(0, tlb.Count);
        Assert.Equal(new CacheStatisticsSnapshot(0, 1, 0, 0, 0), tlb.Statistics.Snapshot());
        Assert.Equal(0, tlb.InvalidateAll());
    }

    [Fact]
    public void Host_misuse_throws()
    {
        Assert.Throws<ArgumentException>(() => new Tlb(10, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tlb(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tlb(16, 0));
        var tlb = new Tlb(16, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => tlb.Insert(El1(1, 1), Entry(0, 0, 11), tlb.Generation));
        Assert.Throws<ArgumentOutOfRangeException>(() => tlb.InvalidateVmid(1, true, vmidWildcardBits: 17));
    }
}
