using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ArmSmmu.Caches;

/// <summary>
/// A cache of configuration structures (STEs, CDs) keyed by StreamID and a substream key (IHI0070 §3.21, §16.2):
/// an entry survives until a CMD_CFGI_* that covers it (§4.3), and is bounded in size.
/// </summary>
/// <typeparam name="T">The cached structure (an immutable decoded STE or CD).</typeparam>
/// <remarks>
/// Set-associative with round-robin replacement. <see cref="TryGet"/> takes no lock and allocates nothing; additions and
/// invalidations serialise on one writer lock. Every StreamID heads an intrusive list of its slots, so a CMD_CFGI_*
/// visits the entries it removes and not the whole cache (one scan per CFGI made CFGI_STE + TLBI + SYNC cost
/// microseconds with the default 1,024 entries in each of three caches).
/// </remarks>
internal sealed class ConfigCache<T>
    where T : class
{
    /// <summary>The substream key of an entry that belongs to the whole stream (an STE, or a CD fetched without a SubstreamID).</summary>
    public const uint NoSubstream = uint.MaxValue;

    private readonly SetAssociativeSlots<Node> _store;
    private readonly TagLists _streams;
    private readonly List<ulong> _scratchStreams = [];
    private readonly bool _countLookups;
    private readonly Action<T>? _removed;

    /// <summary>Creates a cache of <paramref name="capacity"/> entries.</summary>
    /// <param name="capacity">Number of entries; 0 disables the cache (nothing is kept).</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative capacity.</exception>
    public ConfigCache(int capacity)
        : this(capacity, countLookups: true)
    {
    }

    /// <summary>Creates a cache that may leave hits and misses uncounted (a cache derived from others whose counters already tell the story).</summary>
    /// <param name="capacity">Number of entries; 0 disables the cache.</param>
    /// <param name="countLookups">False: <see cref="TryGet"/> updates no counter.</param>
    /// <param name="removed">
    /// Called under the writer lock with every structure that leaves the cache (invalidated, evicted, replaced) or is
    /// refused by <see cref="Add"/>: for a reader that keeps structures found here outside the cache.
    /// </param>
    internal ConfigCache(int capacity, bool countLookups, Action<T>? removed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _countLookups = countLookups;
        _removed = removed;

        // The widest associativity up to 8 that divides the capacity, so exactly `capacity` entries fit.
        int ways = capacity == 0 ? 1 : (capacity % 8 == 0 ? 8 : capacity % 4 == 0 ? 4 : capacity % 2 == 0 ? 2 : 1);
        _store = new SetAssociativeSlots<Node>(capacity / ways, ways);
        _streams = new TagLists(capacity);
    }

    /// <summary>Number of entries the cache can hold (0 = disabled).</summary>
    public int Capacity => _store.Length;

    /// <summary>Hit, miss, insertion, eviction and invalidation counters.</summary>
    public CacheStatistics Statistics => _store.Statistics;

    /// <summary>Incremented by every invalidation; read it before fetching a structure and pass it to <see cref="Add"/>.</summary>
    public long Generation => _store.Generation;

    /// <summary>Number of cached structures.</summary>
    public int Count => _store.Count;

    /// <summary>Finds a cached structure. Takes no lock and allocates nothing.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamKey">SubstreamID, or <see cref="NoSubstream"/>.</param>
    /// <param name="value">The structure, when found.</param>
    /// <returns>True on a hit.</returns>
    public bool TryGet(uint streamId, uint substreamKey, [MaybeNullWhen(false)] out T value)
    {
        bool found = FindSlot(streamId, substreamKey, out var node) >= 0;
        value = node?.Value;
        if (_countLookups)
        {
            if (found)
            {
                Statistics.RecordHit();
            }
            else
            {
                Statistics.RecordMiss();
            }
        }

        return found;
    }

    /// <summary>As <see cref="TryGet"/>, counting nothing: the driver-bug detector looks without being a lookup.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamKey">SubstreamID, or <see cref="NoSubstream"/>.</param>
    /// <param name="value">The structure, when found.</param>
    /// <returns>True when cached.</returns>
    public bool TryPeek(uint streamId, uint substreamKey, [MaybeNullWhen(false)] out T value)
    {
        bool found = FindSlot(streamId, substreamKey, out var node) >= 0;
        value = node?.Value;
        return found;
    }

    /// <summary>
    /// Caches a fetched structure, unless an invalidation happened since <paramref name="generationAtFetchStart"/> was
    /// read (the fetch may have seen memory the invalidation was meant to retire). When its set is full, the oldest
    /// entry of the set is evicted.
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamKey">SubstreamID, or <see cref="NoSubstream"/>.</param>
    /// <param name="value">The structure.</param>
    /// <param name="generationAtFetchStart"><see cref="Generation"/> read before the fetch began.</param>
    public void Add(uint streamId, uint substreamKey, T value, long generationAtFetchStart)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_store.Sets == 0)
        {
            _removed?.Invoke(value); // never cached, so nothing can have kept it
            return;
        }

        var node = new Node(streamId, substreamKey, value);
        lock (_store.WriteLock)
        {
            if (!_store.MayFill(generationAtFetchStart))
            {
                _removed?.Invoke(value);
                return;
            }

            int index = _store.ChooseSlot(SetIndex(streamId, substreamKey), node, SameStructure, out bool evicting);
            Forget(index, _store.Store(index, node));
            _streams.Link(index, streamId);
            _store.RecordFill(evicting);
        }
    }

    /// <summary>
    /// Removes every entry of a stream, whatever its substream key: the scope of CMD_CFGI_STE (IHI0070 §4.3.1, which also
    /// invalidates every CD cached through that StreamID) and of CMD_CFGI_CD_ALL (§4.3.4).
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateStream(uint streamId) => Invalidate(static (cache, id, _) => cache.RemoveStream(id), streamId, 0u);

    /// <summary>
    /// CMD_CFGI_STE_RANGE (IHI0070 §4.3.2): every entry of the 2^(<paramref name="range"/>+1) StreamIDs of the naturally
    /// aligned block holding <paramref name="streamId"/> (its low Range+1 bits are ignored); Range 31 is CMD_CFGI_ALL (§4.3.6).
    /// </summary>
    /// <param name="streamId">A StreamID inside the block.</param>
    /// <param name="range">Range field, 0..31.</param>
    /// <returns>Number of entries removed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="range"/> outside 0..31 (a 5-bit field).</exception>
    public int InvalidateStreamRange(uint streamId, int range)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(range);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(range, 31);
        uint ignored = (uint)Bits.Mask(range + 1);
        return Invalidate(static (cache, id, ignoredBits) => cache.RemoveStreams(id, ignoredBits), streamId, ignored);
    }

    /// <summary>
    /// Removes one entry: the scope of CMD_CFGI_CD (IHI0070 §4.3.3). The command names a CD table index, and a single CD
    /// (no substreams) is index 0, so cache such a CD under key 0 for CMD_CFGI_CD(SubstreamID 0) to reach it.
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamKey">SubstreamID, or <see cref="NoSubstream"/>.</param>
    /// <returns>Number of entries removed (0 or 1).</returns>
    public int InvalidateSubstream(uint streamId, uint substreamKey) =>
        Invalidate(static (cache, id, key) => cache.RemoveSubstream(id, key), streamId, substreamKey);

    /// <summary>Removes every entry.</summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateAll() => Invalidate(static (cache, _, _) => cache.RemoveAll(), 0u, 0u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetIndex(uint streamId, uint substreamKey) => _store.SetOf(((ulong)streamId << 32) | substreamKey);

    private static bool SameStructure(Node existing, Node added) =>
        existing.StreamId == added.StreamId && existing.SubstreamKey == added.SubstreamKey;

    // Static removals over two arguments: an invalidation allocates no closure (the driver's command path is allocation-free).
    private int Invalidate(Func<ConfigCache<T>, uint, uint, int> remove, uint a, uint b)
    {
        lock (_store.WriteLock)
        {
            // Before removing anything, so a fetch that may have read the retired structure cannot add it afterwards.
            _store.BeginInvalidation();
            int removed = remove(this, a, b);
            Statistics.RecordInvalidated(removed);
            return removed;
        }
    }

    // Under the writer lock, as every Remove* below: the entries of one StreamID are its list.
    private int RemoveStream(uint streamId)
    {
        int removed = 0;
        for (int index = _streams.Head(streamId); index >= 0;)
        {
            int next = _streams.Next(index);
            RemoveAt(index);
            removed++;
            index = next;
        }

        return removed;
    }

    // The StreamIDs present are copied first: their lists empty (and the IDs go) while they are removed.
    private int RemoveStreams(uint streamId, uint ignoredBits)
    {
        _scratchStreams.Clear();
        foreach (ulong present in _streams.Tags)
        {
            if ((((uint)present ^ streamId) & ~ignoredBits) == 0)
            {
                _scratchStreams.Add(present);
            }
        }

        int removed = 0;
        foreach (ulong present in _scratchStreams)
        {
            removed += RemoveStream((uint)present);
        }

        return removed;
    }

    private int RemoveSubstream(uint streamId, uint substreamKey)
    {
        int index = FindSlot(streamId, substreamKey, out _);
        if (index < 0)
        {
            return 0;
        }

        RemoveAt(index);
        return 1;
    }

    // A (StreamID, substream key) lives only in the set its key selects: one set is searched, by lookups and by
    // CMD_CFGI_CD alike. Takes no lock.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FindSlot(uint streamId, uint substreamKey, out Node? found)
    {
        if (_store.Sets != 0)
        {
            int first = SetIndex(streamId, substreamKey) * _store.Ways;
            for (int way = 0; way < _store.Ways; way++)
            {
                Node? node = _store.Read(first + way);
                if (node is not null && node.StreamId == streamId && node.SubstreamKey == substreamKey)
                {
                    found = node;
                    return first + way;
                }
            }
        }

        found = null;
        return -1;
    }

    private int RemoveAll()
    {
        int removed = 0;
        for (int i = 0; i < _store.Length; i++)
        {
            if (_store.Peek(i) is not null)
            {
                RemoveAt(i);
                removed++;
            }
        }

        return removed;
    }

    private void RemoveAt(int index) => Forget(index, _store.Store(index, null));

    // Under the writer lock: the slot no longer holds `old`.
    private void Forget(int index, Node? old)
    {
        if (old is not null)
        {
            _streams.Unlink(index, old.StreamId);
            _removed?.Invoke(old.Value);
        }
    }

    private sealed class Node(uint streamId, uint substreamKey, T value)
    {
        public uint StreamId { get; } = streamId;

        public uint SubstreamKey { get; } = substreamKey;

        public T Value { get; } = value;
    }
}
