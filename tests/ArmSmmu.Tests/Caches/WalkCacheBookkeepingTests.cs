using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Caches;

/// <summary>Walk-cache capacity, replacement and counts (IHI0070 §16.2: the caches' size is IMPLEMENTATION DEFINED; the model's statistics report what they hold).</summary>
public class WalkCacheBookkeepingTests
{
    private static readonly ulong Tag = WalkCacheTag.AtLevel(
        WalkCacheTag.Stage1(new WalkTag(StreamWorld.NsEl1, 1, 1), Granule.Size4K, 48, 48, hierarchical: true, nested: false), 2);

    // The level-2 table entry of the 2MB region `region`.
    private static WalkCacheEntry Region(ulong region, ulong table = 0x4100_0000) =>
        new(new WalkCacheKey(region, 0x4000_0000, Tag), region << 21, (region << 21) + 0x1F_FFFF, table, 0);

    [Fact]
    public void A_negative_size_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WalkCache(-1, new WalkCacheGeneration()));
    }

    [Fact]
    public void A_cache_of_64_entries_holds_more_than_one_set()
    {
        // The size is rounded up to a power of two, never down to a single set of four.
        var cache = new WalkCache(64, new WalkCacheGeneration());
        for (ulong region = 0; region < 8; region++)
        {
            cache.Insert(Region(region), 0);
        }

        Assert.Equal(8, cache.Count);
        Assert.Equal(0, cache.Statistics.Evictions);
        Assert.Equal(8, cache.Statistics.Insertions);
    }

    [Fact]
    public void A_miss_in_a_single_set_cache_finds_nothing()
    {
        // One set of four ways: a lookup searches those four slots and no further.
        var cache = new WalkCache(4, new WalkCacheGeneration());
        Assert.Null(cache.Find(Region(0).Key));
        for (ulong region = 0; region < 4; region++)
        {
            cache.Insert(Region(region), 0);
        }

        Assert.Null(cache.Find(Region(9).Key));
        Assert.NotNull(cache.Find(Region(3).Key));
    }

    [Fact]
    public void Refilling_an_entry_replaces_it_and_counts_it_once()
    {
        // A second walk of the same region (after its table changed and was invalidated by address elsewhere, or a
        // concurrent walk) stores its result over the first: one entry, the newer table address.
        var cache = new WalkCache(4, new WalkCacheGeneration());
        cache.Insert(Region(1, 0x4100_0000), 0);
        cache.Insert(Region(1, 0x4200_0000), 0);

        Assert.Equal(1, cache.Count);
        Assert.Equal(0x4200_0000UL, cache.Find(Region(1).Key)!.Value);
        Assert.Equal(2, cache.Statistics.Insertions);
        Assert.Equal(0, cache.Statistics.Evictions);

        // The removed count follows: invalidating the one entry empties the cache.
        Assert.Equal(1, cache.RemoveWhere(0, static (_, _) => true));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Refilling_an_entry_behind_a_freed_way_keeps_one_copy()
    {
        // One set of four ways: region 0 in way 0, region 1 in way 1; invalidating region 0 frees way 0. A refill of
        // region 1 must replace its copy in way 1, not take the free way 0 and leave two copies of one table entry.
        var cache = new WalkCache(4, new WalkCacheGeneration());
        cache.Insert(Region(0), 0);
        cache.Insert(Region(1, 0x4100_0000), 0);
        Assert.Equal(1, cache.RemoveWhere(0UL, static (e, region) => e.Key.Prefix == region));

        cache.Insert(Region(1, 0x4200_0000), 0);

        Assert.Equal(1, cache.Count);
        Assert.Equal(0x4200_0000UL, cache.Find(Region(1).Key)!.Value);

        // Three more regions fit beside it without an eviction: no way is wasted on a second copy.
        for (ulong region = 2; region < 5; region++)
        {
            cache.Insert(Region(region), 0);
        }

        Assert.Equal(0, cache.Statistics.Evictions);
        Assert.Equal(4, cache.Count);
    }

    [Fact]
    public void A_full_set_replaces_round_robin_so_the_newest_entries_stay()
    {
        // One set of four ways and twelve regions walked in order: eight evictions, and the last four walked are the
        // four held (the replacement cycles through the ways in fill order, as the TLB's does).
        var cache = new WalkCache(4, new WalkCacheGeneration());
        for (ulong region = 0; region < 5; region++)
        {
            cache.Insert(Region(region), 0);
        }

        // The first eviction takes the entry walked first.
        Assert.Null(cache.Find(Region(0).Key));
        Assert.NotNull(cache.Find(Region(3).Key));
        Assert.NotNull(cache.Find(Region(4).Key));

        for (ulong region = 5; region < 12; region++)
        {
            cache.Insert(Region(region), 0);
        }

        Assert.Equal(4, cache.Count);
        Assert.Equal(8, cache.Statistics.Evictions);
        Assert.Equal(12, cache.Statistics.Insertions);
        for (ulong region = 0; region < 12; region++)
        {
            Assert.Equal(region >= 8, cache.Find(Region(region).Key) is not null);
        }
    }

    [Fact]
    public void Invalidation_counts_what_it_removes()
    {
        var cache = new WalkCache(64, new WalkCacheGeneration());
        for (ulong region = 0; region < 6; region++)
        {
            cache.Insert(Region(region), 0);
        }

        Assert.Equal(2, cache.RemoveWhere(2UL, static (e, limit) => e.Key.Prefix < limit));
        Assert.Equal(4, cache.Count);
        Assert.Equal(2, cache.Statistics.Invalidated);
        Assert.Equal(0, cache.RemoveWhere(2UL, static (e, limit) => e.Key.Prefix < limit));
        Assert.Equal(4, cache.Count);
    }
}
