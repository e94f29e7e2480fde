using ArmSmmu.Device;

namespace ArmSmmu.Cli.Replay;

/// <summary>The device counters a replay reports, read at one moment; differences attribute them to a stretch of traffic.</summary>
internal readonly record struct CacheCounters(
    long TlbHits, long TlbMisses, long Walks, long DescriptorReads, long SteHits, long SteMisses, long CdHits, long CdMisses, long WalkCacheHits = 0, long WalkCacheMisses = 0)
{
    /// <summary>Reads <paramref name="statistics"/>.</summary>
    /// <param name="statistics">The device's counters.</param>
    /// <returns>Their values now.</returns>
    public static CacheCounters Read(SmmuStatistics statistics) => new(
        statistics.Tlb.Hits,
        statistics.Tlb.Misses,
        statistics.Walks,
        statistics.DescriptorReads,
        statistics.SteCache.Hits,
        statistics.SteCache.Misses,
        statistics.CdCache.Hits,
        statistics.CdCache.Misses,
        statistics.WalkCacheHits,
        statistics.WalkCacheMisses);

    /// <summary>TLB hits / lookups, 0 when there were none.</summary>
    public double TlbHitRate => TlbHits + TlbMisses == 0 ? 0 : (double)TlbHits / (TlbHits + TlbMisses);

    /// <summary>The counts between <paramref name="before"/> and <paramref name="after"/>.</summary>
    /// <param name="after">The later reading.</param>
    /// <param name="before">The earlier reading.</param>
    /// <returns>The difference.</returns>
    public static CacheCounters operator -(CacheCounters after, CacheCounters before) => Combine(after, before, -1);

    /// <summary>The sum of two stretches.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>The sum.</returns>
    public static CacheCounters operator +(CacheCounters left, CacheCounters right) => Combine(left, right, 1);

    /// <summary>Same as <c>after - before</c>.</summary>
    /// <param name="after">The later reading.</param>
    /// <param name="before">The earlier reading.</param>
    /// <returns>The difference.</returns>
    public static CacheCounters Subtract(CacheCounters after, CacheCounters before) => after - before;

    /// <summary>Same as <c>left + right</c>.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    /// <returns>The sum.</returns>
    public static CacheCounters Add(CacheCounters left, CacheCounters right) => left + right;

    private static CacheCounters Combine(CacheCounters a, CacheCounters b, int sign) => new(
        a.TlbHits + (sign * b.TlbHits),
        a.TlbMisses + (sign * b.TlbMisses),
        a.Walks + (sign * b.Walks),
        a.DescriptorReads + (sign * b.DescriptorReads),
        a.SteHits + (sign * b.SteHits),
        a.SteMisses + (sign * b.SteMisses),
        a.CdHits + (sign * b.CdHits),
        a.CdMisses + (sign * b.CdMisses),
        a.WalkCacheHits + (sign * b.WalkCacheHits),
        a.WalkCacheMisses + (sign * b.WalkCacheMisses));
}

/// <summary>What one StreamID's traffic did (or, without a StreamID, the whole replay's).</summary>
internal sealed class ReplayTally
{
    /// <summary>Rows replayed.</summary>
    public long Translations { get; set; }

    /// <summary>Rows with <c>agree == yes</c>.</summary>
    public long Compared { get; set; }

    /// <summary>Compared rows the model reproduced exactly.</summary>
    public long Agreed { get; set; }

    /// <summary>Rows unmapped by the end of the recording (<c>final == fault</c>).</summary>
    public long Unmapped { get; set; }

    /// <summary>Unmapped rows that faulted with F_TRANSLATION, as they must.</summary>
    public long UnmappedFaulted { get; set; }

    /// <summary>Transactions that did not succeed (faulted or stalled).</summary>
    public long Faults { get; set; }

    /// <summary>The device counters over this traffic.</summary>
    public CacheCounters Counters { get; set; }
}
