namespace ArmSmmu.Caches;

/// <summary>Thread-safe counters of one cache: what a performance study needs to size it.</summary>
public sealed class CacheStatistics
{
    private readonly PerThreadCounter _hits = new();
    private readonly PerThreadCounter _misses = new();
    // Counted by the owning cache under its writer lock, so plain stores suffice (a locked add per fill or removal was
    // a stall on every miss: docs/performance.md, sixth pass). Reset keeps a baseline instead of zeroing, so a reset that
    // races a fill neither loses the fill nor is undone by it.
    private long _insertions;
    private long _evictions;
    private long _invalidated;
    private long _insertionsAtReset;
    private long _evictionsAtReset;
    private long _invalidatedAtReset;
    private PerThreadCounter[] _hitSources = [];
    private PerThreadCounter[] _hitDeductions = [];
    private long _hitSourcesAtReset;
    private PerThreadCounter[] _missSources = [];
    private long _missSourcesAtReset;

    /// <summary>Lookups that found an entry.</summary>
    public long Hits => _hits.Value + SharedHits() - Volatile.Read(ref _hitSourcesAtReset);

    /// <summary>Lookups that found nothing (including every lookup of a disabled cache).</summary>
    public long Misses => _misses.Value + SharedMisses() - Volatile.Read(ref _missSourcesAtReset);

    /// <summary>Entries stored (an insert dropped by the generation check is not counted).</summary>
    public long Insertions => Volatile.Read(ref _insertions) - Volatile.Read(ref _insertionsAtReset);

    /// <summary>Valid entries displaced to make room for a new one.</summary>
    public long Evictions => Volatile.Read(ref _evictions) - Volatile.Read(ref _evictionsAtReset);

    /// <summary>Entries removed by invalidations.</summary>
    public long Invalidated => Volatile.Read(ref _invalidated) - Volatile.Read(ref _invalidatedAtReset);

    /// <summary>Hits / (Hits + Misses); 0 before the first lookup.</summary>
    public double HitRate => Snapshot().HitRate;

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        _hits.Reset();
        Interlocked.Exchange(ref _hitSourcesAtReset, SharedHits());
        _misses.Reset();
        Interlocked.Exchange(ref _missSourcesAtReset, SharedMisses());
        Volatile.Write(ref _insertionsAtReset, Volatile.Read(ref _insertions));
        Volatile.Write(ref _evictionsAtReset, Volatile.Read(ref _evictions));
        Volatile.Write(ref _invalidatedAtReset, Volatile.Read(ref _invalidated));
    }

    /// <summary>The current counter values (each read atomically; not a single atomic snapshot of all of them).</summary>
    /// <returns>The values.</returns>
    public CacheStatisticsSnapshot Snapshot() => new(Hits, Misses, Insertions, Evictions, Invalidated);

    /// <inheritdoc/>
    public override string ToString() => Snapshot().ToString();

    internal void RecordHit() => _hits.Increment();

    /// <summary>
    /// Counts every increment of <paramref name="source"/> as a hit of this cache too. The translation fast path uses
    /// one counter for a transaction that hit the STE, CD and TLB caches at once, instead of three atomic increments.
    /// </summary>
    /// <param name="source">A counter shared with other caches' statistics.</param>
    internal void AddHitSource(PerThreadCounter source) => _hitSources = [.. _hitSources, source];

    /// <summary>
    /// Counts every increment of <paramref name="source"/> as one hit fewer: the translation fast path counts a hit on
    /// entry and takes it back, with the miss, in the rare case it misses.
    /// </summary>
    /// <param name="source">A counter shared with other statistics.</param>
    internal void AddHitDeduction(PerThreadCounter source) => _hitDeductions = [.. _hitDeductions, source];

    private long SharedHits() => Sum(_hitSources) - Sum(_hitDeductions);

    /// <summary>Counts every increment of <paramref name="source"/> as a miss too (as <see cref="AddHitSource"/> for hits).</summary>
    /// <param name="source">A counter shared with other statistics.</param>
    internal void AddMissSource(PerThreadCounter source) => _missSources = [.. _missSources, source];

    private long SharedMisses() => Sum(_missSources);

    private static long Sum(PerThreadCounter[] sources)
    {
        long sum = 0;
        foreach (var source in sources)
        {
            sum += source.Value;
        }

        return sum;
    }

    internal void RecordMiss() => _misses.Increment();

    // The three below: under the owning cache's writer lock only.
    internal void RecordInsertion() => Volatile.Write(ref _insertions, _insertions + 1);

    internal void RecordEviction() => Volatile.Write(ref _evictions, _evictions + 1);

    internal void RecordInvalidated(int count)
    {
        if (count != 0)
        {
            Volatile.Write(ref _invalidated, _invalidated + count);
        }
    }
}

/// <summary>Counter values of a <see cref="CacheStatistics"/> at one moment.</summary>
/// <param name="Hits">Lookups that found an entry.</param>
/// <param name="Misses">Lookups that found nothing.</param>
/// <param name="Insertions">Entries stored.</param>
/// <param name="Evictions">Valid entries displaced by an insertion.</param>
/// <param name="Invalidated">Entries removed by invalidations.</param>
public readonly record struct CacheStatisticsSnapshot(long Hits, long Misses, long Insertions, long Evictions, long Invalidated)
{
    /// <summary>Hits + Misses.</summary>
    public long Lookups => Hits + Misses;

    /// <summary>Hits / (Hits + Misses); 0 before the first lookup.</summary>
    public double HitRate => Lookups == 0 ? 0.0 : (double)Hits / Lookups;
}
