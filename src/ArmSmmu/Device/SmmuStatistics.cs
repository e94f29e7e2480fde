using System.Diagnostics.Metrics;
using ArmSmmu.Caches;
using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>
/// Counters of one SMMU: TLB and configuration cache statistics, walks, commands, events and global errors.
/// Also published through <see cref="System.Diagnostics.Metrics"/> under the meter name <see cref="MeterName"/>.
/// </summary>
public sealed class SmmuStatistics
{
    /// <summary>The name of the <see cref="Meter"/> every SMMU publishes its counters under.</summary>
    public const string MeterName = "ArmSmmu";

    private static readonly Meter SharedMeter = new(MeterName, "1.0");
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SmmuStatistics, object?> Live = [];
    private static int _nextInstance;

    // One set of instruments for the process; each live SMMU reports under its own "smmu.instance" tag.
    private static readonly ObservableCounter<long>[] Instruments =
    [
        SharedMeter.CreateObservableCounter("smmu.tlb.hits", () => Measure(s => s.Tlb.Hits), description: "TLB hits"),
        SharedMeter.CreateObservableCounter("smmu.tlb.misses", () => Measure(s => s.Tlb.Misses), description: "TLB misses"),
        SharedMeter.CreateObservableCounter("smmu.walks", () => Measure(s => s.Walks), description: "Translation table walks"),
        SharedMeter.CreateObservableCounter("smmu.walk_cache.hits", () => Measure(s => s.WalkCacheHits), description: "Walk-cache hits (stage-1 and stage-2 tables, table IPAs)"),
        SharedMeter.CreateObservableCounter("smmu.walk_cache.misses", () => Measure(s => s.WalkCacheMisses), description: "Walk-cache misses"),
        SharedMeter.CreateObservableCounter("smmu.commands", () => Measure(s => s.Commands), description: "Commands consumed"),
        SharedMeter.CreateObservableCounter("smmu.events.written", () => Measure(s => s.EventsWritten), description: "Event records written"),
    ];

    // Counted under the device's lock (commands run inside the CMDQ_PROD write).
    private readonly LockedCounter[] _commandsByOpcode = new LockedCounter[256];
    private readonly long[] _eventsByType = new long[256];
    private readonly int _instance = Interlocked.Increment(ref _nextInstance);
    // Counted on every walk from every translating thread: per-thread cells, not Interlocked (two locked adds were an
    // eighth of a stage-1 miss's time, perf on MissLoop s1miss; docs/performance.md, sixth pass).
    private readonly PerThreadCounter _walks = new();
    private readonly PerThreadCounter _descriptorReads = new();
    private long _commandErrors;
    private long _eventsWritten;
    private long _eventsDiscarded;
    private long _globalErrors;
    private long _broadcastInvalidations;
    private long _broadcastInvalidationsIgnored;

    internal SmmuStatistics(CacheStatistics tlb, CacheStatistics steCache, CacheStatistics cdCache)
    {
        Tlb = tlb;
        SteCache = steCache;
        CdCache = cdCache;
        _ = Instruments.Length;
        Live.Add(this, null);
    }

    private static IEnumerable<Measurement<long>> Measure(Func<SmmuStatistics, long> value)
    {
        foreach (var (stats, _) in Live)
        {
            yield return new Measurement<long>(value(stats), new KeyValuePair<string, object?>("smmu.instance", stats._instance));
        }
    }

    /// <summary>The TLB's hits, misses, insertions, evictions and invalidations.</summary>
    public CacheStatistics Tlb { get; }

    /// <summary>The STE cache's counters.</summary>
    public CacheStatistics SteCache { get; }

    /// <summary>The CD cache's counters.</summary>
    public CacheStatistics CdCache { get; }

    /// <summary>
    /// The stage-1 walk cache's counters (IHI0070 §16.2): one hit or miss per stage-1 walk, by whether it could resume
    /// from a cached table descriptor.
    /// </summary>
    public CacheStatistics Stage1WalkCache { get; internal init; } = new();

    /// <summary>The stage-2 walk cache's counters: one hit or miss per stage-2 walk.</summary>
    public CacheStatistics Stage2WalkCache { get; internal init; } = new();

    /// <summary>The table IPA cache's counters: one hit or miss per stage-1 table access of a nested walk.</summary>
    public CacheStatistics TableIpaCache { get; internal init; } = new();

    /// <summary>Hits of the three walk caches together.</summary>
    public long WalkCacheHits => Stage1WalkCache.Hits + Stage2WalkCache.Hits + TableIpaCache.Hits;

    /// <summary>Misses of the three walk caches together.</summary>
    public long WalkCacheMisses => Stage1WalkCache.Misses + Stage2WalkCache.Misses + TableIpaCache.Misses;

    /// <summary>Translation table walks started (TLB misses and re-walks for dirty-state updates).</summary>
    public long Walks => _walks.Value;

    /// <summary>Descriptors read by all walks (both stages).</summary>
    public long DescriptorReads => _descriptorReads.Value;

    /// <summary>Commands consumed without error.</summary>
    public long Commands
    {
        get
        {
            long sum = 0;
            for (int i = 0; i < _commandsByOpcode.Length; i++)
            {
                sum += _commandsByOpcode[i].Value;
            }

            return sum;
        }
    }

    /// <summary>Commands that stopped the queue with a command error.</summary>
    public long CommandErrors => Interlocked.Read(ref _commandErrors);

    /// <summary>Event records written to the event queue.</summary>
    public long EventsWritten => Interlocked.Read(ref _eventsWritten);

    /// <summary>Event records discarded (queue disabled, full, or its memory aborted).</summary>
    public long EventsDiscarded => Interlocked.Read(ref _eventsDiscarded);

    /// <summary>Global errors activated in GERROR.</summary>
    public long GlobalErrors => Interlocked.Read(ref _globalErrors);

    /// <summary>Broadcast TLB invalidations received and applied (IHI0070 §3.17; not counted as commands).</summary>
    public long BroadcastInvalidations => Interlocked.Read(ref _broadcastInvalidations);

    /// <summary>Broadcast TLB invalidations ignored because SMMU_IDR0.BTM = 0 or SMMU_CR2.PTM = 1.</summary>
    public long BroadcastInvalidationsIgnored => Interlocked.Read(ref _broadcastInvalidationsIgnored);

    /// <summary>Commands consumed with <paramref name="opcode"/>.</summary>
    /// <param name="opcode">The opcode.</param>
    /// <returns>The count.</returns>
    public long CommandCount(CommandOpcode opcode) => _commandsByOpcode[(byte)opcode].Value;

    /// <summary>Events of <paramref name="type"/> produced (written or discarded).</summary>
    /// <param name="type">The event type.</param>
    /// <returns>The count.</returns>
    public long EventCount(EventType type) => Volatile.Read(ref _eventsByType[(byte)type]);

    /// <summary>Sets every counter, including the caches', to zero.</summary>
    public void Reset()
    {
        Tlb.Reset();
        SteCache.Reset();
        CdCache.Reset();
        Stage1WalkCache.Reset();
        Stage2WalkCache.Reset();
        TableIpaCache.Reset();
        for (int i = 0; i < _commandsByOpcode.Length; i++)
        {
            _commandsByOpcode[i].Reset();
        }

        Array.Clear(_eventsByType);
        _walks.Reset();
        _descriptorReads.Reset();
        _commandErrors = _eventsWritten = _eventsDiscarded = _globalErrors = 0;
        _broadcastInvalidations = _broadcastInvalidationsIgnored = 0;
    }

    internal void CountWalk(int descriptorReads) => PerThreadCounter.AddBoth(_walks, 1, _descriptorReads, descriptorReads);

    // Under the device's lock only.
    internal void CountCommand(CommandOpcode opcode) => _commandsByOpcode[(byte)opcode].Add(1);

    internal void CountBroadcastInvalidation(bool applied) =>
        Interlocked.Increment(ref applied ? ref _broadcastInvalidations : ref _broadcastInvalidationsIgnored);

    internal void CountCommandError() => Interlocked.Increment(ref _commandErrors);

    internal void CountEvent(EventType type, bool written)
    {
        Interlocked.Increment(ref _eventsByType[(byte)type]);
        Interlocked.Increment(ref written ? ref _eventsWritten : ref _eventsDiscarded);
    }

    internal void CountGlobalError() => Interlocked.Increment(ref _globalErrors);

    /// <inheritdoc />
    public override string ToString() =>
        $"TLB hit rate {Tlb.HitRate:P1} ({Tlb.Hits} hits, {Tlb.Misses} misses), walks {Walks}, commands {Commands}, events {EventsWritten} written / {EventsDiscarded} discarded";
}
