using ArmSmmu.Caches;

namespace ArmSmmu.Tests.Caches;

/// <summary>Configuration-cache edges: argument limits, counters, the removal callback, and CMD_CFGI_* scopes (IHI0070 §4.3).</summary>
public class ConfigCacheEdgeTests
{
    private sealed record Structure(uint StreamId, uint SubstreamKey);

    [Fact]
    public void Arguments_outside_their_fields_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>("capacity", () => new ConfigCache<Structure>(-1));
        var cache = new ConfigCache<Structure>(8);
        Assert.Throws<ArgumentNullException>(() => cache.Add(1, 0, null!, cache.Generation));

        // IHI0070 §4.3.2 CMD_CFGI_STE_RANGE: Range is a 5-bit field.
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.InvalidateStreamRange(1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.InvalidateStreamRange(1, 32));
        Assert.Equal(0, cache.InvalidateStreamRange(1, 31));
    }

    [Fact]
    public void Lookups_count_hits_and_misses()
    {
        var cache = new ConfigCache<Structure>(8);
        cache.Add(1, 0, new Structure(1, 0), cache.Generation);

        Assert.True(cache.TryGet(1, 0, out _));
        Assert.True(cache.TryGet(1, 0, out _));
        Assert.False(cache.TryGet(2, 0, out _));

        Assert.Equal(2, cache.Statistics.Hits);
        Assert.Equal(1, cache.Statistics.Misses);
    }

    [Fact]
    public void Every_structure_that_leaves_or_is_refused_is_reported()
    {
        // The callback lets a reader that keeps structures outside the cache drop them when the cache does.
        var removed = new List<Structure>();
        var disabled = new ConfigCache<Structure>(0, countLookups: true, removed.Add);
        var never = new Structure(1, 0);
        disabled.Add(1, 0, never, disabled.Generation);
        Assert.Equal([never], removed);

        removed.Clear();
        var cache = new ConfigCache<Structure>(8, countLookups: true, removed.Add);
        long before = cache.Generation;
        cache.InvalidateAll();
        var stale = new Structure(2, 0);
        cache.Add(2, 0, stale, before); // fetched before an invalidation: refused (IHI0070 §4.3, CMD_SYNC ordering)
        Assert.Equal([stale], removed);

        removed.Clear();
        var kept = new Structure(3, 0);
        cache.Add(3, 0, kept, cache.Generation);
        Assert.Equal(1, cache.InvalidateStream(3));
        Assert.Equal([kept], removed);
    }

    [Fact]
    public void Cfgi_cd_removes_the_one_entry_even_in_the_first_slot_and_nothing_when_absent()
    {
        // IHI0070 §4.3.3 CMD_CFGI_CD: one (StreamID, SubstreamID); a single-slot cache holds it in slot 0.
        var cache = new ConfigCache<Structure>(1);
        Assert.Equal(0, cache.InvalidateSubstream(1, 0));
        cache.Add(1, 0, new Structure(1, 0), cache.Generation);

        Assert.Equal(0, cache.InvalidateSubstream(1, 1));
        Assert.Equal(1, cache.InvalidateSubstream(1, 0));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Successive_ste_range_invalidations_remove_only_their_own_blocks()
    {
        // IHI0070 §4.3.2: Range 0 names the aligned pair of StreamIDs holding the one given. A StreamID removed by an
        // earlier range and cached again afterwards is outside a later, disjoint range.
        var cache = new ConfigCache<Structure>(64);
        foreach (uint sid in new uint[] { 4, 5, 8 })
        {
            cache.Add(sid, 0, new Structure(sid, 0), cache.Generation);
        }

        Assert.Equal(2, cache.InvalidateStreamRange(5, 0));
        cache.Add(4, 0, new Structure(4, 0), cache.Generation);

        Assert.Equal(1, cache.InvalidateStreamRange(9, 0));
        Assert.True(cache.TryPeek(4, 0, out _));
        Assert.False(cache.TryPeek(8, 0, out _));
    }
}
