using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Caches;

/// <summary>The walk caches' own rules (IHI0070 §3.17, §16.2): generation check, tag scope, capacity.</summary>
public class WalkCacheTests
{
    private static readonly WalkTag El1Asid1 = new(StreamWorld.NsEl1, 0, 1);

    private static WalkCacheEntry Stage1Entry(in WalkTag tag, ulong va, int level)
    {
        int shift = 12 + (9 * (3 - level));
        ulong cacheTag = WalkCacheTag.AtLevel(WalkCacheTag.Stage1(tag, Granule.Size4K, 48, 48, hierarchical: true, nested: false), level);
        ulong first = va & ~((1UL << shift) - 1);
        return new WalkCacheEntry(new WalkCacheKey(va >> shift, 0x4000_0000, cacheTag), first, first + (1UL << shift) - 1, 0x4100_0000, 0);
    }

    [Fact]
    public void A_walk_that_raced_an_invalidation_cannot_insert_what_it_read_before_it()
    {
        // The walk read the generation, then an invalidation ran (even one that removed nothing): the entry the walk
        // built from tables it read earlier must not appear afterwards.
        var caches = new WalkCaches(64, 64, 64);
        long generation = caches.Generation.Value;
        caches.InvalidateVa(StreamWorld.NsEl1, 0, 1, 0x1234_5000, 0x1000, leafOnly: false, 0);
        var entry = Stage1Entry(El1Asid1, 0x80_0000, 2);
        caches.Stage1.Insert(entry, generation);
        Assert.Null(caches.Stage1.Find(entry.Key));

        caches.Stage1.Insert(entry, caches.Generation.Value);
        Assert.Same(entry, caches.Stage1.Find(entry.Key));
    }

    [Fact]
    public void Asid_and_world_scope_which_entries_an_invalidation_removes()
    {
        // IHI0070 §4.4.2.2 NH_ASID: one ASID's entries; §4.4.2.7 EL2_ALL: only EL2 StreamWorlds.
        var caches = new WalkCaches(64, 64, 64);
        var asid1 = Stage1Entry(El1Asid1, 0x80_0000, 2);
        var asid2 = Stage1Entry(new WalkTag(StreamWorld.NsEl1, 0, 2), 0x80_0000, 2);
        var el2 = Stage1Entry(new WalkTag(StreamWorld.NsEl2, 0, 0), 0x80_0000, 2);
        foreach (var e in new[] { asid1, asid2, el2 })
        {
            caches.Stage1.Insert(e, caches.Generation.Value);
        }

        caches.InvalidateAsid(StreamWorld.NsEl1, 0, 2, 0);
        Assert.NotNull(caches.Stage1.Find(asid1.Key));
        Assert.Null(caches.Stage1.Find(asid2.Key));
        Assert.NotNull(caches.Stage1.Find(el2.Key));

        caches.InvalidateEl2All();
        Assert.NotNull(caches.Stage1.Find(asid1.Key));
        Assert.Null(caches.Stage1.Find(el2.Key));
        Assert.Equal(2, caches.Stage1.Statistics.Invalidated);
    }

    [Fact]
    public void A_full_set_evicts_and_counts_it()
    {
        // 4 entries = one set of 4 ways: a fifth tag replaces one of them.
        var caches = new WalkCaches(4, 0, 0);
        for (int i = 0; i < 5; i++)
        {
            caches.Stage1.Insert(Stage1Entry(El1Asid1, (ulong)i << 21, 2), caches.Generation.Value);
        }

        Assert.Equal(4, caches.Stage1.Count);
        Assert.Equal(1, caches.Stage1.Statistics.Evictions);
        Assert.False(caches.Stage2.Enabled);
    }
}
