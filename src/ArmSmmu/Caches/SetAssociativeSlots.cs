using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Caches;

/// <summary>
/// The storage both the TLB and the configuration caches are made of: immutable nodes in sets of ways, round-robin
/// replacement, one writer lock, and a generation that every invalidation advances.
/// </summary>
/// <typeparam name="TNode">The immutable node a slot holds.</typeparam>
/// <remarks>
/// Readers take no lock: a slot holds a reference to an immutable node published with
/// <see cref="Volatile.Write{T}(ref T, T)"/>, so a reader sees a whole node or none. Writers hold <see cref="WriteLock"/>.
/// A fill whose fetch started before an invalidation is dropped (<see cref="Generation"/>), so a walk or fetch racing
/// the invalidation cannot leave behind what the invalidation removed (IHI0070 §3.21, §4.7.3).
/// </remarks>
internal sealed class SetAssociativeSlots<TNode>
    where TNode : class
{
    private readonly TNode?[] _slots;
    private readonly byte[] _nextVictim;

    // Under WriteLock: the nodes each set holds, so that a writer's loop over a set stops once it has seen them all
    // (and skips an empty set): a fill or a TLBI in a sparsely filled TLB looked at every way (callgrind: ChooseSlot
    // took 204 instructions to find way 0 of an empty 8-way set).
    private readonly byte[] _occupied;
    private readonly int _waysShift;
    private readonly ulong _fastModMultiplier;
    private readonly int _setMask;
    private long _generation;
    private int _count;

    /// <summary>Creates <paramref name="sets"/> sets of <paramref name="ways"/> slots.</summary>
    public SetAssociativeSlots(int sets, int ways)
    {
        Sets = sets;
        Ways = ways;
        _slots = new TNode?[sets * ways];
        _nextVictim = new byte[sets];
        _occupied = new byte[sets];
        _waysShift = (ways & (ways - 1)) == 0 ? System.Numerics.BitOperations.TrailingZeroCount(ways) : -1;
        _fastModMultiplier = sets == 0 ? 0 : (ulong.MaxValue / (uint)sets) + 1;
        _setMask = sets > 0 && (sets & (sets - 1)) == 0 ? sets - 1 : -1;
    }

    /// <summary>Number of sets (0 = disabled).</summary>
    public int Sets { get; }

    /// <summary>Slots per set.</summary>
    public int Ways { get; }

    /// <summary>log2(<see cref="Ways"/>) when the ways are a power of two (a set's first slot is then a shift of its index), else -1.</summary>
    public int WaysShift => _waysShift;

    /// <summary>Sets - 1 when the set count is a power of two (a set index is then the low bits of a run), else -1.</summary>
    public int SetMask => _setMask;

    /// <summary>Number of slots.</summary>
    public int Length => _slots.Length;

    /// <summary>The slots themselves, for a lock-free reader that reads them with <see cref="Volatile.Read{T}(ref readonly T)"/> (as <see cref="Read"/> does).</summary>
    public TNode?[] Slots => _slots;

    /// <summary>The lock every writer holds.</summary>
    public Lock WriteLock { get; } = new();

    /// <summary>Hit, miss, insertion, eviction and invalidation counters.</summary>
    public CacheStatistics Statistics { get; } = new();

    /// <summary>Advanced by every invalidation; a fill compares it with the value read before its fetch.</summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Number of occupied slots.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Maps a 64-bit hash onto a set (multiply-shift: no division, uniform for any set count).</summary>
    /// <param name="hash">The key's hash.</param>
    /// <returns>Set index.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int SetOf(ulong hash)
    {
        ulong h = hash * 0x9E37_79B9_7F4A_7C15UL;
        uint mixed = (uint)(h >> 32) ^ (uint)h;
        return (int)(((ulong)mixed * (uint)Sets) >> 32);
    }

    /// <summary>
    /// Maps the <paramref name="position"/>-th key of a run to a set, consecutive positions to consecutive sets (as a
    /// hardware TLB indexes by the low bits of the page number), the run's <paramref name="runHash"/> choosing where it
    /// starts. A working set of consecutive pages no larger than the cache then fits it exactly, where a hash of each
    /// page overfills some sets (a 10,000-page set in a 16,384-entry, 8-way TLB missed 6% of the time).
    /// </summary>
    /// <param name="position">Position in the run (a page number).</param>
    /// <param name="runHash">A hash of what the run shares (its tag), mixed so that its high 32 bits are uniform.</param>
    /// <returns>Set index.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int SetOfRun(ulong position, ulong runHash)
    {
        uint start = (uint)(runHash >> 32);
        if (_setMask >= 0)
        {
            // A power-of-two set count (every default geometry): the low bits, no multiply on the TLB-hit path, whose
            // cost is the latency of its chain of dependent operations.
            return (int)(((uint)position + start) & (uint)_setMask);
        }

        // The start is reduced below Sets first, so that only a run crossing 2^32 positions can wrap the sum.
        uint value = (uint)position + (uint)(((ulong)start * (uint)Sets) >> 32);

        // value mod Sets without a division (Lemire's fastmod; exact for 32-bit values and divisors).
        return (int)(((((_fastModMultiplier * value) >> 32) + 1) * (uint)Sets) >> 32);
    }

    /// <summary>Reads a slot without a lock.</summary>
    /// <param name="index">Slot index.</param>
    /// <returns>The node, or null.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TNode? Read(int index) => Volatile.Read(ref _slots[index]);

    /// <summary>
    /// Under <see cref="WriteLock"/>: advances the generation before anything is removed, so a fill that may have read
    /// the retired structures cannot insert afterwards.
    /// </summary>
    /// <remarks>
    /// The writer lock serialises every change, so a plain store of the next value loses none; a fill compares under
    /// the same lock. The locked increment this replaced was half of <c>Tlb.Invalidate</c>'s samples in a TLBI by VA.
    /// </remarks>
    public void BeginInvalidation() => Volatile.Write(ref _generation, _generation + 1);

    /// <summary>Under <see cref="WriteLock"/>: true when no invalidation happened since <paramref name="generationAtFetchStart"/>.</summary>
    /// <param name="generationAtFetchStart">Generation read before the fetch.</param>
    /// <returns>Whether the fill may be kept.</returns>
    public bool MayFill(long generationAtFetchStart) => _generation == generationAtFetchStart;

    /// <summary>
    /// Under <see cref="WriteLock"/>: the slot a new node of <paramref name="set"/> goes to: the node
    /// <paramref name="sameKey"/> recognises (refreshed in place), else a free way, else the round-robin victim.
    /// </summary>
    /// <param name="set">Set index.</param>
    /// <param name="added">The new node.</param>
    /// <param name="sameKey">True when an existing node (first argument) has the new node's key.</param>
    /// <param name="evicting">True when a node of another key is displaced.</param>
    /// <returns>Slot index.</returns>
    public int ChooseSlot(int set, TNode added, Func<TNode, TNode, bool> sameKey, out bool evicting)
    {
        int first = set * Ways;
        int target = -1;
        int unseen = _occupied[set];
        var ways = WaysFrom(first);
        for (int way = 0; way < ways.Length && (unseen > 0 || target < 0); way++)
        {
            TNode? existing = ways[way];
            if (existing is null)
            {
                target = target < 0 ? way : target;
            }
            else if (sameKey(existing, added))
            {
                evicting = false;
                return first + way; // the same structure fetched again: refresh it in place
            }
            else
            {
                unseen--;
            }
        }

        evicting = target < 0;
        if (evicting)
        {
            target = _nextVictim[set];
            _nextVictim[set] = (byte)((target + 1) % Ways);
        }

        return first + target;
    }

    /// <summary>Under <see cref="WriteLock"/>: publishes <paramref name="node"/> (null removes) and keeps the count.</summary>
    /// <param name="index">Slot index.</param>
    /// <param name="node">The new content.</param>
    /// <returns>The node the slot held before.</returns>
    public TNode? Store(int index, TNode? node)
    {
        // The slot by reference without ref _slots[index]: on this shared generic code that is a call to the array
        // covariance check (LdelemaRef) on every store.
        ref TNode? slot = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), (nint)(uint)index);
        _ = _slots[index]; // the bounds check the element access made
        TNode? old = slot;
        Volatile.Write(ref slot, node);
        int delta = (node is null ? 0 : 1) - (old is null ? 0 : 1);
        if (delta != 0)
        {
            Volatile.Write(ref _count, _count + delta);
            _occupied[_waysShift >= 0 ? index >> _waysShift : index / Ways] += (byte)delta;
        }

        return old;
    }

    /// <summary>Under <see cref="WriteLock"/>: how many nodes the set holds (a loop over its ways may stop after that many).</summary>
    /// <param name="set">Set index.</param>
    /// <returns>0..<see cref="Ways"/>.</returns>
    public int Occupied(int set) => _occupied[set];

    /// <summary>
    /// Under <see cref="WriteLock"/>: the <see cref="Ways"/> slots of the set starting at slot <paramref name="first"/>,
    /// for a writer's loop over a set: one bounds check, not a reload of the array and its length per way (they were
    /// a chain of dependent loads in each way of a TLBI's probe, a fifth of its samples).
    /// </summary>
    /// <param name="first">Index of the set's first slot (set index times <see cref="Ways"/>).</param>
    /// <returns>The slots; a removal through <see cref="Store"/> shows in them.</returns>
    public ReadOnlySpan<TNode?> WaysFrom(int first) => new(_slots, first, Ways);

    /// <summary>Under <see cref="WriteLock"/>: the node of a slot.</summary>
    /// <param name="index">Slot index.</param>
    /// <returns>The node, or null.</returns>
    public TNode? Peek(int index) => _slots[index];

    /// <summary>Records a fill in the statistics.</summary>
    /// <param name="evicting">A node of another key was displaced.</param>
    public void RecordFill(bool evicting)
    {
        Statistics.RecordInsertion();
        if (evicting)
        {
            Statistics.RecordEviction();
        }
    }
}
