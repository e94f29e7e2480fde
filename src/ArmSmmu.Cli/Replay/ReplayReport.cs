using System.Text.Json.Serialization;

namespace ArmSmmu.Cli.Replay;

/// <summary>The cache counters every level of a replay report carries (the whole replay, one StreamID, one sweep geometry).</summary>
internal abstract record CacheFigures
{
    /// <summary>Copies <paramref name="counters"/>.</summary>
    /// <param name="counters">The device counters over the traffic reported.</param>
    protected CacheFigures(CacheCounters counters)
    {
        TlbHits = counters.TlbHits;
        TlbMisses = counters.TlbMisses;
        TlbHitRate = counters.TlbHitRate;
        Walks = counters.Walks;
        DescriptorReads = counters.DescriptorReads;
        SteCacheHits = counters.SteHits;
        SteCacheMisses = counters.SteMisses;
        CdCacheHits = counters.CdHits;
        CdCacheMisses = counters.CdMisses;
        WalkCacheHits = counters.WalkCacheHits;
        WalkCacheMisses = counters.WalkCacheMisses;
    }

    /// <summary>TLB hits.</summary>
    public long TlbHits { get; }

    /// <summary>TLB misses.</summary>
    public long TlbMisses { get; }

    /// <summary>Hits / lookups, 0 to 1 (0 without lookups).</summary>
    public double TlbHitRate { get; }

    /// <summary>Translation table walks.</summary>
    public long Walks { get; }

    /// <summary>Descriptors the walks read.</summary>
    public long DescriptorReads { get; }

    /// <summary>STE cache hits.</summary>
    public long SteCacheHits { get; }

    /// <summary>STE cache misses.</summary>
    public long SteCacheMisses { get; }

    /// <summary>CD cache hits.</summary>
    public long CdCacheHits { get; }

    /// <summary>CD cache misses.</summary>
    public long CdCacheMisses { get; }

    /// <summary>Walk-cache hits (stage-1 and stage-2 table entries, table IPAs; IHI0070 §16.2).</summary>
    public long WalkCacheHits { get; }

    /// <summary>Walk-cache misses.</summary>
    public long WalkCacheMisses { get; }
}

/// <summary>What <c>smmu replay</c> reports (and prints with <c>--json</c>): the replay on the default cache geometry, and the sweep.</summary>
/// <param name="Source">The recording folder or trace file ("-" for standard input).</param>
/// <param name="Translations">Rows replayed.</param>
/// <param name="Compared">Rows comparable with the recorded platform (<c>agree == yes</c>); 0 for a trace.</param>
/// <param name="Agreed">Compared rows the model reproduced exactly: PA, and the recorded permission.</param>
/// <param name="Disagreed">Compared rows it did not.</param>
/// <param name="Unmapped">Rows whose IOVA was unmapped by the end of the recording; they must fault with F_TRANSLATION.</param>
/// <param name="UnmappedFaulted">Unmapped rows that did fault with F_TRANSLATION.</param>
/// <param name="Faults">Transactions that did not succeed, by event type ("abort" for a termination without a record).</param>
/// <param name="TlbEntries">The TLB's entries.</param>
/// <param name="TlbWays">The TLB's ways.</param>
/// <param name="ConfigCacheEntries">The STE and CD caches' entries.</param>
/// <param name="Counters">The device counters (written as the inherited properties).</param>
/// <param name="Streams">The same counters per StreamID, in StreamID order.</param>
/// <param name="Disagreements">The first disagreements (and unmapped rows that did not fault as they must), with the model's reasons.</param>
/// <param name="Sweep">One entry per geometry when a sweep ran, else null.</param>
internal sealed record ReplayReport(
    string Source,
    long Translations,
    long Compared,
    long Agreed,
    long Disagreed,
    long Unmapped,
    long UnmappedFaulted,
    IReadOnlyDictionary<string, long> Faults,
    int TlbEntries,
    int TlbWays,
    int ConfigCacheEntries,
    [property: JsonIgnore] CacheCounters Counters,
    IReadOnlyList<StreamReplayReport> Streams,
    IReadOnlyList<Disagreement> Disagreements,
    IReadOnlyList<SweepPoint>? Sweep) : CacheFigures(Counters)
{
    /// <summary>True when every compared row agreed and every unmapped row faulted with F_TRANSLATION.</summary>
    public bool AllAgreed => Disagreed == 0 && UnmappedFaulted == Unmapped;

    /// <summary>With <c>--check-driver</c>, the driver mistakes the detector found (empty for a correct driver); else null.</summary>
    public IReadOnlyList<DriverCheckLine>? DriverChecks { get; init; }
}

/// <summary>One StreamID's share of a replay.</summary>
/// <param name="StreamId">The StreamID.</param>
/// <param name="Translations">Rows replayed.</param>
/// <param name="Compared">Rows with <c>agree == yes</c>.</param>
/// <param name="Agreed">Compared rows reproduced exactly.</param>
/// <param name="Disagreed">Compared rows not reproduced.</param>
/// <param name="Unmapped">Unmapped rows.</param>
/// <param name="Faults">Transactions that did not succeed.</param>
/// <param name="Counters">The device counters over this StreamID's traffic.</param>
internal sealed record StreamReplayReport(
    uint StreamId,
    long Translations,
    long Compared,
    long Agreed,
    long Disagreed,
    long Unmapped,
    long Faults,
    [property: JsonIgnore] CacheCounters Counters) : CacheFigures(Counters);

/// <summary>The same traffic on one cache geometry.</summary>
/// <param name="TlbEntries">TLB entries.</param>
/// <param name="TlbWays">TLB ways.</param>
/// <param name="ConfigCacheEntries">STE and CD cache entries.</param>
/// <param name="Translations">Rows replayed.</param>
/// <param name="WalksPer1000">Walks per 1,000 translations.</param>
/// <param name="Counters">The device counters over the traffic.</param>
internal sealed record SweepPoint(
    int TlbEntries,
    int TlbWays,
    int ConfigCacheEntries,
    long Translations,
    double WalksPer1000,
    [property: JsonIgnore] CacheCounters Counters) : CacheFigures(Counters);
