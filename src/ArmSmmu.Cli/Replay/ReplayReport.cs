namespace ArmSmmu.Cli.Replay;

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
/// <param name="TlbHits">TLB hits.</param>
/// <param name="TlbMisses">TLB misses.</param>
/// <param name="TlbHitRate">Hits / lookups, 0 to 1.</param>
/// <param name="Walks">Translation table walks.</param>
/// <param name="DescriptorReads">Descriptors the walks read.</param>
/// <param name="SteCacheHits">STE cache hits.</param>
/// <param name="SteCacheMisses">STE cache misses.</param>
/// <param name="CdCacheHits">CD cache hits.</param>
/// <param name="CdCacheMisses">CD cache misses.</param>
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
    long TlbHits,
    long TlbMisses,
    double TlbHitRate,
    long Walks,
    long DescriptorReads,
    long SteCacheHits,
    long SteCacheMisses,
    long CdCacheHits,
    long CdCacheMisses,
    IReadOnlyList<StreamReplayReport> Streams,
    IReadOnlyList<Disagreement> Disagreements,
    IReadOnlyList<SweepPoint>? Sweep)
{
    /// <summary>True when every compared row agreed and every unmapped row faulted with F_TRANSLATION.</summary>
    public bool AllAgreed => Disagreed == 0 && UnmappedFaulted == Unmapped;
}

/// <summary>One StreamID's share of a replay.</summary>
/// <param name="StreamId">The StreamID.</param>
/// <param name="Translations">Rows replayed.</param>
/// <param name="Compared">Rows with <c>agree == yes</c>.</param>
/// <param name="Agreed">Compared rows reproduced exactly.</param>
/// <param name="Disagreed">Compared rows not reproduced.</param>
/// <param name="Unmapped">Unmapped rows.</param>
/// <param name="Faults">Transactions that did not succeed.</param>
/// <param name="TlbHits">TLB hits.</param>
/// <param name="TlbMisses">TLB misses.</param>
/// <param name="TlbHitRate">Hits / lookups.</param>
/// <param name="Walks">Walks.</param>
/// <param name="DescriptorReads">Descriptors read.</param>
/// <param name="SteCacheHits">STE cache hits.</param>
/// <param name="CdCacheHits">CD cache hits.</param>
internal sealed record StreamReplayReport(
    uint StreamId,
    long Translations,
    long Compared,
    long Agreed,
    long Disagreed,
    long Unmapped,
    long Faults,
    long TlbHits,
    long TlbMisses,
    double TlbHitRate,
    long Walks,
    long DescriptorReads,
    long SteCacheHits,
    long CdCacheHits);

/// <summary>The same traffic on one cache geometry.</summary>
/// <param name="TlbEntries">TLB entries.</param>
/// <param name="TlbWays">TLB ways.</param>
/// <param name="ConfigCacheEntries">STE and CD cache entries.</param>
/// <param name="Translations">Rows replayed.</param>
/// <param name="TlbHits">TLB hits.</param>
/// <param name="TlbMisses">TLB misses.</param>
/// <param name="TlbHitRate">Hits / lookups.</param>
/// <param name="Walks">Walks.</param>
/// <param name="WalksPer1000">Walks per 1,000 translations.</param>
/// <param name="DescriptorReads">Descriptors read.</param>
/// <param name="SteCacheHits">STE cache hits.</param>
/// <param name="CdCacheHits">CD cache hits.</param>
internal sealed record SweepPoint(
    int TlbEntries,
    int TlbWays,
    int ConfigCacheEntries,
    long Translations,
    long TlbHits,
    long TlbMisses,
    double TlbHitRate,
    long Walks,
    double WalksPer1000,
    long DescriptorReads,
    long SteCacheHits,
    long CdCacheHits);
