using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Caches;

/// <summary>
/// A counter incremented from many threads on a hot path. Each thread adds to a cell of its own with a plain store
/// (one writer per cell, so no lock prefix and no shared cache line); reads sum every cell that any thread, alive or
/// exited, has used.
/// </summary>
/// <remarks>
/// This replaced one cache line per processor, incremented with <c>lock inc</c> at the index of
/// <see cref="Thread.GetCurrentProcessorId"/>: on Linux that is a sched_getcpu call per increment, and with the
/// atomic it cost about a third of a TLB hit (IHI0070 says nothing about it: statistics are the model's own).
/// </remarks>
internal sealed class PerThreadCounter
{
    // The cell of the hot counter (constructed with hot: true) this thread used last. The TLB-hit path increments one
    // counter per transaction, so this one-entry cache is what it sees; the table below serves the other counters,
    // which leave this entry alone, so a TLB miss (four counters) does not cost the next hit its fast path.
    [ThreadStatic]
    private static Cell? t_last;

    // The cells this thread used recently, one per slot: a TLB miss increments four or five counters (TLB lookup,
    // stream path, walk cache, walks), which the one-entry cache above cannot hold; without these slots every one of
    // them went through the ConditionalWeakTable, about half the instructions of a stage-1 miss.
    [ThreadStatic]
    private static Cell?[]? t_recent;

    [ThreadStatic]
    private static ConditionalWeakTable<PerThreadCounter, Cell>? t_cells;

    private const int RecentSlots = 64;
    private static int s_created;

    // Counters are numbered as they are created, so the counters of one device (created together) take distinct slots.
    private readonly int _slot = Interlocked.Increment(ref s_created) & (RecentSlots - 1);
    private readonly bool _hot;
    private readonly Lock _lock = new();
    private Cell[] _all = [];
    private long _atReset;

    /// <summary>Creates a counter.</summary>
    /// <param name="hot">
    /// Whether this is the counter of a hot path, which keeps the thread's one-entry cache pointing at it; the other
    /// counters go through the per-thread slots (a few instructions more, and no store to the cache).
    /// </param>
    public PerThreadCounter(bool hot = false) => _hot = hot;

    /// <summary>Increments since construction or the last <see cref="Reset"/>.</summary>
    public long Value => Sum() - Volatile.Read(ref _atReset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment()
    {
        var cell = t_last;
        if (cell is not null && ReferenceEquals(cell.Owner, this))
        {
            // Only this thread writes the cell; the volatile store keeps a reader's sum from seeing a torn value.
            Volatile.Write(ref cell.Count, cell.Count + 1);
            return;
        }

        // The other counters (a TLB miss increments two to five) find their cell in the recent slots, inline: a call
        // with its frame was half the cost of each increment.
        var recent = t_recent;
        if (recent is not null)
        {
            cell = recent[_slot];
            if (cell is not null && ReferenceEquals(cell.Owner, this) && !_hot)
            {
                Volatile.Write(ref cell.Count, cell.Count + 1);
                return;
            }
        }

        IncrementSlow();
    }

    public void Reset() => Volatile.Write(ref _atReset, Sum());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void IncrementSlow()
    {
        var recent = t_recent ??= new Cell?[RecentSlots];
        var cell = recent[_slot];
        if (cell is null || !ReferenceEquals(cell.Owner, this))
        {
            cell = CellOfThisThread();
            recent[_slot] = cell;
        }

        if (_hot)
        {
            t_last = cell;
        }

        Volatile.Write(ref cell.Count, cell.Count + 1);
    }

    private Cell CellOfThisThread()
    {
        var cells = t_cells ??= new ConditionalWeakTable<PerThreadCounter, Cell>();
        if (!cells.TryGetValue(this, out var cell))
        {
            cell = new Cell(this);
            cells.Add(this, cell);
            lock (_lock)
            {
                _all = [.. _all, cell];
            }
        }

        return cell;
    }

    private long Sum()
    {
        long sum = 0;
        foreach (var cell in Volatile.Read(ref _all))
        {
            sum += Volatile.Read(ref cell.Count);
        }

        return sum;
    }

    // Count is kept 128 bytes clear of anything else on either side (its line and the one an adjacent-line
    // prefetcher pairs with it), not only after it: the garbage collector may compact a cell next to any object that
    // survived beside it, and a write to a line another thread reads on every TLB hit would stall that thread.
    [StructLayout(LayoutKind.Explicit, Size = CountOffset + 8 + Clearance)]
    private sealed class Cell(PerThreadCounter owner)
    {
        private const int Clearance = 128;
        private const int CountOffset = Clearance;

        [FieldOffset(0)]
        public readonly PerThreadCounter Owner = owner;

        [FieldOffset(CountOffset)]
        public long Count;
    }
}
