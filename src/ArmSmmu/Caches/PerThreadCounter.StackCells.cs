using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Caches;

// The hot counter's cells keyed by the running thread's stack page. Under the JIT on Linux every thread-local access is
// a call to the TLS resolver followed by four dependent loads: about 1 ns of a 10 ns TLB hit on the device path, which
// has no port to carry its cell. The address of a local in the incrementing frame names the running thread as well,
// with no call: the stacks of two threads that run at once never share a page, so a cell that only the thread on its
// page adds to has one writer at any instant, which is all a cell needs (Cell.Add). A stack page outlives its thread
// only as memory a later thread may reuse, and that thread then inherits the cell: one writer still, and the count
// stays. (Coroutine stacks of one thread, as SystemC's, take turns; only stacks that share a page and run on two threads
// at once could lose an increment, and then only of the statistics, never of a translation.)
internal sealed partial class PerThreadCounter
{
    // log2 of the entries of the stack-cell table and of the page size that keys it (4 KiB, the smallest page any
    // platform .NET runs on maps a stack with, so two threads' stacks never meet inside one).
    private const int StackCellBits = 10;
    private const int StackPageBits = 12;

    // Direct-mapped by the stack page's low bits; an entry keeps its cell (and page) while the thread that took it lives.
    // Only the hot counter has the table (8 KiB). A page whose entry a live thread's page holds goes through the
    // thread-local path instead, a call or two slower per hit: 1,024 entries make that unlikely for the few pages a
    // process's threads count from.
    private readonly Cell?[]? _stackCells;

    /// <summary>
    /// Adds 1 to the hot counter (constructed with hot: true), the TLB hit's count, when the running thread's stack
    /// page has its cell: no call. Otherwise <see cref="IncrementHotSlow"/> must count it, given the page.
    /// </summary>
    /// <param name="stackPage">The page of the caller's frame, for <see cref="IncrementHotSlow"/>.</param>
    /// <returns>True when counted.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe bool TryIncrementHot(out nuint stackPage)
    {
        Debug.Assert(_hot, "TryIncrementHot serves the counter constructed with hot: true.");
        byte mark;
        nuint page = (nuint)(&mark) >> StackPageBits;
        stackPage = page;
        Cell? cell = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_stackCells!), StackCellIndex(page));
        if (cell is not null && cell.StackPage == page)
        {
            cell.Add(1);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Adds 1 to the hot counter where <see cref="TryIncrementHot"/> could not: gives <paramref name="stackPage"/> a
    /// cell if its entry is free or held for a thread that has exited, else counts through the thread's one-entry cache.
    /// </summary>
    /// <param name="stackPage">What <see cref="TryIncrementHot"/> gave: a page of the calling thread's stack.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void IncrementHotSlow(nuint stackPage)
    {
        ref Cell? entry = ref _stackCells![StackCellIndex(stackPage)];
        Cell? cell = Volatile.Read(ref entry);
        if (cell is not null && cell.StackPage != stackPage)
        {
            // Another page's entry. A thread that counts through its own cell already goes on doing so without asking
            // whether the entry's thread still lives: Thread.IsAlive is a call (about 2.6 ns), which a page without
            // its entry would otherwise pay on every hit. So a thread takes an exited thread's entry only until it first
            // counts through its own cell.
            var last = t_last;
            if (IsCellOf(last, this))
            {
                last.Add(1);
                return;
            }
        }

        if (MayTake(cell, stackPage))
        {
            lock (_lock)
            {
                cell = entry;
                if (MayTake(cell, stackPage))
                {
                    // A cell taken from an exited thread's page stays summed with its count: a thread that reused that
                    // page's stack may be adding to it right now, and from the next hit on counts as any other page.
                    cell = new Cell(this, stackPage, Thread.CurrentThread);
                    AddCellLocked(cell);
                    Volatile.Write(ref entry, cell);
                }
            }
        }

        if (cell.StackPage == stackPage)
        {
            cell.Add(1);
            return;
        }

        IncrementHotThroughThread();
    }

    /// <summary>True when <paramref name="stackPage"/> has the cell of its entry in the stack-cell table (its hits need no call).</summary>
    /// <param name="stackPage">A stack page, as <see cref="TryIncrementHot"/> gives it.</param>
    /// <returns>Whether the entry is that page's.</returns>
    internal bool HasStackCell(nuint stackPage) =>
        Volatile.Read(ref _stackCells![StackCellIndex(stackPage)]) is { } cell && cell.StackPage == stackPage;

    // Whether stackPage may have its entry: free, or held for another page by a thread that has exited. Without the
    // second, a process that keeps making threads at new stack addresses (a thread pool that retires idle threads)
    // would fill the table for good after about a thousand pages, and every page after that would count through the
    // thread-local path, two calls slower per hit. A live thread's entry is never taken: it may be adding to it.
    private static bool MayTake([NotNullWhen(false)] Cell? cell, nuint stackPage) =>
        cell is null || (cell.StackPage != stackPage && cell.StackThread is { IsAlive: false });

    // The index is below 2^StackCellBits, the table's length. The page's low bits, unhashed: a multiply would sit in
    // the hit's chain of dependent operations, and two threads at the same depth of the same code are a stack's size
    // apart (1.5 MiB by default for a .NET thread, about 0x180 pages), which these bits tell apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int StackCellIndex(nuint page) => (int)page & ((1 << StackCellBits) - 1);
}
