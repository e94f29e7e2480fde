using ArmSmmu.Caches;

namespace ArmSmmu.Tests.Caches;

public class ConfigCacheTests
{
    private sealed record Structure(uint StreamId, uint SubstreamKey);

    private static ConfigCache<Structure> Filled(int capacity, params (uint Sid, uint Ssk)[] keys)
    {
        var cache = new ConfigCache<Structure>(capacity);
        foreach ((uint sid, uint ssk) in keys)
        {
            cache.Add(sid, ssk, new Structure(sid, ssk), cache.Generation);
        }

        return cache;
    }

    private static bool Has(ConfigCache<Structure> cache, uint sid, uint ssk)
    {
        bool hit = cache.TryGet(sid, ssk, out Structure? value);
        Assert.True(!hit || value == new Structure(sid, ssk));
        return hit;
    }

    [Fact]
    public void Get_finds_what_was_added_under_its_exact_key()
    {
        ConfigCache<Structure> cache = Filled(64, (5, ConfigCache<Structure>.NoSubstream), (5, 0), (5, 1));

        Assert.True(Has(cache, 5, ConfigCache<Structure>.NoSubstream));
        Assert.True(Has(cache, 5, 0));
        Assert.True(Has(cache, 5, 1));
        Assert.False(Has(cache, 5, 2));
        Assert.False(Has(cache, 6, 0));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void InvalidateStream_removes_every_substream_of_that_stream_only()
    {
        // IHI0070 §4.3.1: CMD_CFGI_STE also invalidates every CD cached through that StreamID.
        ConfigCache<Structure> cache = Filled(64, (5, ConfigCache<Structure>.NoSubstream), (5, 0), (5, 7), (4, 0), (6, 7));

        Assert.Equal(3, cache.InvalidateStream(5));

        Assert.False(Has(cache, 5, 7));
        Assert.True(Has(cache, 4, 0));
        Assert.True(Has(cache, 6, 7));
        Assert.Equal(3, cache.Statistics.Invalidated);
    }

    [Theory]
    [InlineData(0x13u, 1, new uint[] { 0x10, 0x11, 0x12, 0x13 })] // §4.3.2: 2^(1+1) = 4 StreamIDs, low 2 bits ignored
    [InlineData(0x12u, 0, new uint[] { 0x12, 0x13 })]
    [InlineData(0x35u, 4, new uint[] { 0x20, 0x21, 0x2F, 0x30, 0x3F })] // 32 StreamIDs 0x20..0x3F
    [InlineData(0u, 31, new uint[] { 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x1F, 0x20, 0x21, 0x2F, 0x30, 0x3F, 0x40, 0xFFFF_FFFF })] // §4.3.6 CFGI_ALL
    public void InvalidateStreamRange_removes_the_aligned_block(uint streamId, int range, uint[] expectedRemoved)
    {
        uint[] sids = [0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x1F, 0x20, 0x21, 0x2F, 0x30, 0x3F, 0x40, 0xFFFF_FFFF];
        ConfigCache<Structure> cache = Filled(64, sids.Select(s => (s, 0u)).ToArray());

        Assert.Equal(expectedRemoved.Length, cache.InvalidateStreamRange(streamId, range));

        foreach (uint sid in sids)
        {
            Assert.True(Has(cache, sid, 0) != expectedRemoved.Contains(sid), $"StreamID 0x{sid:X}");
        }
    }

    [Fact]
    public void InvalidateSubstream_removes_one_CD()
    {
        // IHI0070 §4.3.3: CMD_CFGI_CD names one CD table index of one StreamID.
        ConfigCache<Structure> cache = Filled(64, (5, ConfigCache<Structure>.NoSubstream), (5, 0), (5, 1), (6, 0));

        Assert.Equal(1, cache.InvalidateSubstream(5, 0));

        Assert.False(Has(cache, 5, 0));
        Assert.True(Has(cache, 5, 1));
        Assert.True(Has(cache, 6, 0));
        Assert.True(Has(cache, 5, ConfigCache<Structure>.NoSubstream));
    }

    [Fact]
    public void InvalidateAll_empties_the_cache()
    {
        ConfigCache<Structure> cache = Filled(64, (1, 0), (2, 0), (3, 3));

        Assert.Equal(3, cache.InvalidateAll());
        Assert.Equal(0, cache.Count);
        Assert.False(Has(cache, 1, 0));
    }

    [Fact]
    public void Add_after_a_racing_invalidation_is_dropped()
    {
        // IHI0070 §3.21: after CFGI + SYNC the old structure must not be used, even if its fetch began earlier.
        var cache = new ConfigCache<Structure>(16);
        long fetchStart = cache.Generation;
        cache.InvalidateStream(99);

        cache.Add(5, 0, new Structure(5, 0), fetchStart);

        Assert.False(Has(cache, 5, 0));
        Assert.Equal(0, cache.Statistics.Insertions);
    }

    [Fact]
    public void Full_cache_evicts_and_stays_within_capacity()
    {
        var cache = new ConfigCache<Structure>(8);
        for (uint sid = 0; sid < 100; sid++)
        {
            cache.Add(sid, 0, new Structure(sid, 0), cache.Generation);
        }

        Assert.Equal(8, cache.Count);
        Assert.Equal(100, cache.Statistics.Insertions);
        Assert.Equal(92, cache.Statistics.Evictions);
        Assert.Equal(8, Enumerable.Range(0, 100).Count(sid => Has(cache, (uint)sid, 0)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(12)]
    public void Any_capacity_holds_exactly_that_many(int capacity)
    {
        var cache = new ConfigCache<Structure>(capacity);
        for (uint sid = 0; sid < 200; sid++)
        {
            cache.Add(sid, 1, new Structure(sid, 1), cache.Generation);
        }

        Assert.Equal(capacity, cache.Count);
    }

    [Fact]
    public void Peeks_and_an_uncounted_cache_leave_the_hit_and_miss_counters_alone()
    {
        // The driver-bug detector peeks without being a lookup; a cache derived from others counts nothing itself.
        ConfigCache<Structure> counted = Filled(16, (7, 2));
        var uncounted = new ConfigCache<Structure>(16, countLookups: false);
        uncounted.Add(7, 2, new Structure(7, 2), uncounted.Generation);

        Assert.True(counted.TryPeek(7, 2, out var peeked));
        Assert.Equal(new Structure(7, 2), peeked);
        Assert.False(counted.TryPeek(7, 3, out _));
        Assert.True(uncounted.TryGet(7, 2, out var got));
        Assert.Equal(new Structure(7, 2), got);
        Assert.False(uncounted.TryGet(8, 2, out _));

        Assert.Equal(0, counted.Statistics.Snapshot().Lookups);
        Assert.Equal(new CacheStatisticsSnapshot(0, 0, 1, 0, 0), uncounted.Statistics.Snapshot());
    }

    [Fact]
    public void Disabled_cache_never_hits()
    {
        ConfigCache<Structure> cache = Filled(0, (1, 0));

        Assert.False(Has(cache, 1, 0));
        Assert.Equal(0, cache.Count);
        Assert.Equal(1, cache.Statistics.Misses);
    }

    [Fact]
    public async Task Concurrent_gets_return_only_the_structure_of_their_key()
    {
        var cache = new ConfigCache<Structure>(32);
        var writer = Task.Run(() =>
        {
            var random = new Random(4);
            for (int i = 0; i < 20_000; i++)
            {
                uint sid = (uint)random.Next(64);
                if (random.Next(8) == 0)
                {
                    cache.InvalidateStream(sid);
                }
                else
                {
                    cache.Add(sid, sid & 3, new Structure(sid, sid & 3), cache.Generation);
                }
            }
        });

        var reader = Task.Run(() =>
        {
            var random = new Random(5);
            while (!writer.IsCompleted)
            {
                uint sid = (uint)random.Next(64);
                Has(cache, sid, sid & 3);
            }
        });

        await writer;
        await reader;
        Assert.True(cache.Count <= 32);
    }
    [Fact]
    public void Invalidation_after_evictions_and_refreshes_removes_exactly_what_is_still_cached()
    {
        // IHI0070 §4.3.1: CMD_CFGI_STE removes every structure of its StreamID, wherever eviction has left them. A small
        // cache is overfilled (evicting) and refilled (refreshing in place); the expected contents are worked out by
        // asking the cache itself for each key before the invalidation.
        var cache = new ConfigCache<Structure>(16);
        var random = new Random(12);
        for (int i = 0; i < 500; i++)
        {
            uint sid = (uint)random.Next(6);
            cache.Add(sid, (uint)random.Next(5), new Structure(sid, 0), cache.Generation);
        }

        for (uint sid = 0; sid < 6; sid++)
        {
            int cached = Enumerable.Range(0, 5).Count(ssk => cache.TryGet(sid, (uint)ssk, out _));
            int before = cache.Count;

            Assert.Equal(cached, cache.InvalidateStream(sid));
            Assert.Equal(before - cached, cache.Count);
            Assert.All(Enumerable.Range(0, 5), ssk => Assert.False(cache.TryGet(sid, (uint)ssk, out _)));
        }

        Assert.Equal(0, cache.Count);
    }
}
