namespace ArmSmmu.Caches;

/// <summary>Thread-safe counters of one cache: what a performance study needs to size it.</summary>
public sealed class CacheStatistics
{
    private readonly PerThreadCounter _hits = new();
    private readonly PerThreadCounter _misses = new();
    // Counted by the owning cache under its writer lock.
    private LockedCounter _insertions;
    private LockedCounter _evictions;
    private LockedCounter _invalidated;
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
    public long Insertions => _insertions.Value;

    /// <summary>Valid entries displaced to make room for a new one.</summary>
    public long Evictions => _evictions.Value;

    /// <summary>Entries removed by invalidations.</summary>
    public long Invalidated => _invalidated.Value;

    /// <summary>Hits / (Hits + Misses); 0 before the first lookup.</summary>
    public double HitRate => Snapshot().HitRate;

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        _hits.Reset();
        Interlocked.Exchange(ref _hitSourcesAtReset, SharedHits());
        _misses.Reset();
        Interlocked.Exchange(ref _missSourcesAtReset, SharedMisses());
        _insertions.Reset();
        _evictions.Reset();
        _invalidated.Reset();
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
    internal void RecordInsertion() => _insertions.Add(1);

    internal void RecordEviction() => _evictions.Add(1);

    internal void RecordInvalidated(int count)
    {
        if (count != 0)
        {
            _invalidated.Add(count);
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
