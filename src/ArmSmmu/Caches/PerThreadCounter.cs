using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
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
internal sealed partial class PerThreadCounter
{
    // The cell of the hot counter (constructed with hot: true) this thread used last, for a hit whose stack page has no
    // cell of its own (PerThreadCounter.StackCells.cs); the table below serves the other counters, which leave this
    // entry alone, so a TLB miss (four counters) does not evict it.
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

    // The cells summed and the counts of cells retired, replaced together so that a sum never sees a retired cell's
    // count twice or not at all.
    private CellSet _cells = new([], 0);
    private long _atReset;

    /// <summary>Creates a counter.</summary>
    /// <param name="hot">
    /// Whether this is the counter of a hot path (<see cref="TryIncrementHot"/>), which finds the running thread's cell by
    /// its stack page; the other counters go through the per-thread slots.
    /// </param>
    public PerThreadCounter(bool hot = false)
    {
        _hot = hot;
        _stackCells = hot ? new Cell?[1 << StackCellBits] : null;
    }

    /// <summary>Increments since construction or the last <see cref="Reset"/>.</summary>
    public long Value => Sum() - Volatile.Read(ref _atReset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment() => Add(1);

    /// <summary>Adds <paramref name="amount"/> (a walk's descriptor reads): as <see cref="Increment"/>, no lock and no atomic.</summary>
    /// <param name="amount">What to add.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long amount)
    {
        // The counters of a TLB miss (two to five) find their cell in the recent slots, inline: a call with its frame
        // was half the cost of each increment. They do not look at the hot counter's one-entry cache first, which
        // never holds theirs (four instructions each).
        var recent = t_recent;
        if (recent is not null)
        {
            var cell = recent[_slot];
            if (IsCellOf(cell, this))
            {
                cell.Add(amount);
                return;
            }
        }

        AddSlow(amount);
    }

    // IncrementHotSlow when the running thread's stack page has no cell of its own: the thread's one-entry cache.
    private void IncrementHotThroughThread()
    {
        var cell = t_last;
        if (IsCellOf(cell, this))
        {
            cell.Add(1);
            return;
        }

        AddSlow(1);
    }

    /// <summary>
    /// Adds to two counters with one thread-local access where <see cref="Add"/> twice would make two (a walk counts
    /// itself and its descriptor reads; under the JIT each access is a call). Neither may be a hot counter.
    /// </summary>
    /// <param name="first">A counter.</param>
    /// <param name="firstAmount">What to add to it.</param>
    /// <param name="second">Another counter.</param>
    /// <param name="secondAmount">What to add to that.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddBoth(PerThreadCounter first, long firstAmount, PerThreadCounter second, long secondAmount)
    {
        Debug.Assert(!first._hot && !second._hot, "AddBoth serves counters that are not hot.");
        var recent = t_recent;
        if (recent is not null)
        {
            var firstCell = recent[first._slot];
            var secondCell = recent[second._slot];
            if (IsCellOf(firstCell, first) && IsCellOf(secondCell, second))
            {
                firstCell.Add(firstAmount);
                secondCell.Add(secondAmount);
                return;
            }
        }

        first.AddSlow(firstAmount);
        second.AddSlow(secondAmount);
    }

    public void Reset() => Volatile.Write(ref _atReset, Sum());

    /// <summary>
    /// A new cell of this counter, summed from now on: a thread's (found again through thread-local storage) or one for
    /// an owner that is not a thread (a <see cref="TranslationPort"/>), which adds to it directly. A cell has one writer.
    /// </summary>
    /// <returns>The new cell, at zero.</returns>
    public Cell NewCell()
    {
        var cell = new Cell(this);
        lock (_lock)
        {
            AddCellLocked(cell);
        }

        return cell;
    }

    // Under _lock: sums cell from now on.
    private void AddCellLocked(Cell cell) => _cells = _cells with { Cells = [.. _cells.Cells, cell] };

    /// <summary>Keeps the count of a cell from <see cref="NewCell"/> and stops summing the cell (its owner is done with it).</summary>
    /// <param name="cell">A cell of this counter.</param>
    public void Retire(Cell cell)
    {
        lock (_lock)
        {
            int index = Array.IndexOf(_cells.Cells, cell);
            if (index < 0)
            {
                return;
            }

            Cell[] rest = [.. _cells.Cells[..index], .. _cells.Cells[(index + 1)..]];
            _cells = new CellSet(rest, _cells.Retired + Volatile.Read(ref cell.Count));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddSlow(long amount)
    {
        var recent = t_recent ??= new Cell?[RecentSlots];
        var cell = recent[_slot];
        if (!IsCellOf(cell, this))
        {
            cell = CellOfThisThread();
            recent[_slot] = cell;
        }

        if (_hot)
        {
            t_last = cell;
        }

        cell.Add(amount);
    }

    private Cell CellOfThisThread()
    {
        var cells = t_cells ??= new ConditionalWeakTable<PerThreadCounter, Cell>();
        if (!cells.TryGetValue(this, out var cell))
        {
            cell = NewCell();
            cells.Add(this, cell);
        }

        return cell;
    }

    private long Sum()
    {
        var set = Volatile.Read(ref _cells);
        long sum = set.Retired;
        foreach (var cell in set.Cells)
        {
            sum += Volatile.Read(ref cell.Count);
        }

        return sum;
    }

    // A thread's cached cell is used only if it is this counter's (a slot or t_last may hold another counter's).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsCellOf([NotNullWhen(true)] Cell? cell, PerThreadCounter counter) =>
        cell is not null && ReferenceEquals(cell.Owner, counter);

    private sealed record CellSet(Cell[] Cells, long Retired);

    // Count is kept 128 bytes clear of anything else on either side (its line and the one an adjacent-line
    // prefetcher pairs with it), not only after it: the garbage collector may compact a cell next to any object that
    // survived beside it, and a write to a line another thread reads on every TLB hit would stall that thread. The
    // space after Count is held by a field at the end: StructLayout's Size does not size a class (the cell was 152
    // bytes with it, Count its last field, so the next object, such as another thread's TranslationPort, shared its line).
    /// <summary>One writer's part of the count.</summary>
    [StructLayout(LayoutKind.Explicit)]
    internal sealed class Cell(PerThreadCounter owner, nuint stackPage = 0, Thread? stackThread = null)
    {
        /// <summary>Bytes of the object's fields, at least: the clearance before Count, Count, the clearance after it.</summary>
        internal const int FieldBytes = CountOffset + 8 + Clearance;

        private const int Clearance = 128;
        private const int CountOffset = Clearance;

        [FieldOffset(0)]
        public readonly PerThreadCounter Owner = owner;

        /// <summary>The stack page whose thread alone adds to this cell (PerThreadCounter.StackCells.cs), or 0: a thread's or a port's cell.</summary>
        [FieldOffset(8)]
        public readonly nuint StackPage = stackPage;

        /// <summary>The thread that took <see cref="StackPage"/>'s entry for this cell, or null: once it has exited, another page may take the entry.</summary>
        [FieldOffset(16)]
        public readonly Thread? StackThread = stackThread;

        [FieldOffset(CountOffset)]
        public long Count;

        // Never read or written: it only places the object's end Clearance bytes after Count.
        [FieldOffset(FieldBytes - 8)]
        private readonly long _end;

        /// <summary>By the cell's only writer (no atomic needed): a volatile store, so that a reader's sum never sees a torn value.</summary>
        /// <param name="amount">What to add.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(long amount) => Volatile.Write(ref Count, Count + amount);
    }
}
