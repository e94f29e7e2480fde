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
    public void Tables_that_differ_only_in_level_world_or_shape_do_not_compete_for_one_set()
    {
        // Sixteen table entries at input prefix 0 (VA 0x40: its level-0, -1 and -2 tables all resolve prefix 0), told
        // apart only by tag bits above 31: level, StreamWorld, nested and hierarchical. A cache of 16 sets of four ways
        // holds them all unless the set index ignores those bits, which put all sixteen in one set and kept four.
        var caches = new WalkCaches(64, 0, 0);
        var entries = new List<WalkCacheEntry>();
        foreach (var world in new[] { StreamWorld.NsEl1, StreamWorld.NsEl2 })
        {
            foreach (bool nested in new[] { false, true })
            {
                foreach (bool hierarchical in new[] { false, true })
                {
                    for (int level = 0; level <= 1; level++)
                    {
                        ulong tag = WalkCacheTag.AtLevel(WalkCacheTag.Stage1(new WalkTag(world, 0, 1), Granule.Size4K, 48, 48, hierarchical, nested), level);
                        entries.Add(new WalkCacheEntry(new WalkCacheKey(0, 0x4000_0000, tag), 0, (1UL << (39 - (9 * level))) - 1, 0x4100_0000, 0));
                    }
                }
            }
        }

        foreach (var entry in entries)
        {
            caches.Stage1.Insert(entry, caches.Generation.Value);
        }

        Assert.Equal(16, entries.Select(e => e.Key).Distinct().Count());
        Assert.All(entries, e => Assert.Same(e, caches.Stage1.Find(e.Key)));
        Assert.Equal(0, caches.Stage1.Statistics.Evictions);
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
    public void Secure_worlds_keep_their_own_tag_apart_from_the_level()
    {
        // IHI0070 §3.10: S-EL1 and EL3 walks are tagged apart from the Non-secure worlds; EL3 (4) does not fit the
        // two world bits, and must not read as a level, or an EL3 walk's level-0 and level-1 entries would share a tag.
        foreach (var world in new[] { StreamWorld.Secure, StreamWorld.El3 })
        {
            ulong tag = WalkCacheTag.Stage1(new WalkTag(world, 0, 0), Granule.Size4K, 48, 48, hierarchical: true, nested: false);
            Assert.Equal(world, WalkCacheTag.World(WalkCacheTag.AtLevel(tag, 1)));
            Assert.Equal(1, WalkCacheTag.Level(WalkCacheTag.AtLevel(tag, 1)));
            Assert.NotEqual(WalkCacheTag.AtLevel(tag, 0), WalkCacheTag.AtLevel(tag, 1));
        }
    }

    [Fact]
    public void An_el3_va_invalidation_removes_el3_table_entries_and_leaves_secure_el1_ones()
    {
        // IHI0070 §4.4.2.13 CMD_TLBI_EL3_VA, Leaf = 0: the EL3 regime's table entries for the VA go, S-EL1's stay.
        var caches = new WalkCaches(64, 64, 64);
        var el3 = Stage1Entry(new WalkTag(StreamWorld.El3, 0, 0), 0x80_0000, 2);
        var secureEl1 = Stage1Entry(new WalkTag(StreamWorld.Secure, 0, 0), 0x80_0000, 2);
        caches.Stage1.Insert(el3, caches.Generation.Value);
        caches.Stage1.Insert(secureEl1, caches.Generation.Value);
        caches.InvalidateVa(StreamWorld.El3, 0, null, 0x80_0000, 0x1000, leafOnly: false, 0);
        Assert.Null(caches.Stage1.Find(el3.Key));
        Assert.NotNull(caches.Stage1.Find(secureEl1.Key));
    }

    [Fact]
    public void A_secure_walk_that_starts_non_secure_is_tagged_apart()
    {
        // IHI0070 §5.4 CD.NSCFG0: the same TTB0 then names tables in the Non-secure PA space, other memory, so the
        // entries of the two walks must not be shared.
        var tag = new WalkTag(StreamWorld.Secure, 0, 1);
        ulong secure = WalkCacheTag.Stage1(tag, Granule.Size4K, 48, 48, hierarchical: true, nested: false);
        ulong nonSecure = WalkCacheTag.Stage1(tag, Granule.Size4K, 48, 48, hierarchical: true, nested: false, nonSecureStart: true);
        Assert.NotEqual(secure, nonSecure);
        Assert.Equal(StreamWorld.Secure, WalkCacheTag.World(nonSecure));
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
