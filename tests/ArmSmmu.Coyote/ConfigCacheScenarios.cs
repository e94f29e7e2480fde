using ArmSmmu.Caches;
using Xunit.Abstractions;

namespace ArmSmmu.Coyote;

/// <summary>
/// The configuration cache (src/ArmSmmu/Caches/ConfigCache.cs) under systematic exploration: a transaction that
/// fetches an STE or CD on a miss and adds it, racing a driver that rewrites the structure, issues the CMD_CFGI_* that
/// covers it and completes a CMD_SYNC (IHI0070 §4.3, §3.21.3).
/// </summary>
public sealed class ConfigCacheScenarios(ITestOutputHelper output)
{
    private const uint StreamId = 5;
    private const uint SubstreamId = 2;

    /// <summary>The commands that cover the CD of (StreamID 5, SubstreamID 2).</summary>
    public static TheoryData<string> Invalidations => ["CMD_CFGI_CD", "CMD_CFGI_CD_ALL", "CMD_CFGI_STE", "CMD_CFGI_STE_RANGE", "CMD_CFGI_ALL"];

    [Theory]
    [MemberData(nameof(Invalidations))]
    public void A_fetch_racing_CMD_CFGI_and_CMD_SYNC_never_leaves_the_old_structure_behind(string invalidation)
    {
        Exploration.ExpectNoBug(() => Scenario(invalidation, generationBeforeFetch: true), output, $"config cache, {invalidation}");
    }

    /// <summary>The negative control: with the generation read after the fetch, the exploration finds the stale add.</summary>
    [Fact]
    public void Reading_the_generation_after_the_fetch_is_caught()
    {
        var report = Exploration.Explore(() => Scenario("CMD_CFGI_CD", generationBeforeFetch: false), output, "config cache, generation read too late", iterations: 2000);
        Assert.True(report.NumOfFoundBugs > 0, "the exploration missed the stale add a late generation read allows");
        Assert.Contains("stale output", report.BugReports.First(), StringComparison.Ordinal);
    }

    private static async Task Scenario(string invalidation, bool generationBeforeFetch)
    {
        var world = new GuestWorld();
        var cache = new ConfigCache<Structure>(8);

        // The structure's one word stands for the CD: its TTB0, which is what a stale CD would translate with.
        ulong Fetch(ulong substreamId)
        {
            if (cache.TryGet(StreamId, (uint)substreamId, out Structure? cached))
            {
                return cached.Word;
            }

            long generation = cache.Generation;
            var fetched = new Structure(world.ReadDescriptor());
            cache.Add(StreamId, (uint)substreamId, fetched, generationBeforeFetch ? generation : cache.Generation);
            return fetched.Word;
        }

        await world.RaceRemap([SubstreamId, SubstreamId], Fetch, () => Invalidate(cache, invalidation));
    }

    private static void Invalidate(ConfigCache<Structure> cache, string invalidation)
    {
        _ = invalidation switch
        {
            "CMD_CFGI_CD" => cache.InvalidateSubstream(StreamId, SubstreamId),
            "CMD_CFGI_CD_ALL" or "CMD_CFGI_STE" => cache.InvalidateStream(StreamId),
            "CMD_CFGI_STE_RANGE" => cache.InvalidateStreamRange(StreamId + 1, 1), // StreamIDs 4..7 (§4.3.2: Range + 1 low bits ignored)
            "CMD_CFGI_ALL" => cache.InvalidateAll(),
            _ => throw new ArgumentOutOfRangeException(nameof(invalidation), invalidation, "no such invalidation in this scenario"),
        };
    }

    private sealed record Structure(ulong Word);
}
