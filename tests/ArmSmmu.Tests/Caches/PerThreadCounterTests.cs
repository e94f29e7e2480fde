using System.Runtime.CompilerServices;
using ArmSmmu.Caches;

namespace ArmSmmu.Tests.Caches;

// The per-thread counter behind the TLB-hit statistics: exact under concurrency, and counts outlive their threads.
public class PerThreadCounterTests
{
    [Fact]
    public void A_cell_keeps_128_bytes_clear_after_its_count()
    {
        // The count is written on every hit; another thread's hot data must not share its line or the adjacent one. The
        // object ends at its last field: 16 bytes of header and method table, then Owner at 0 and Count at 128.
        var counter = new PerThreadCounter();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var cell = new PerThreadCounter.Cell(counter);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(cell);
        Assert.True(bytes >= 16 + 128 + 8 + 128, $"a cell takes {bytes} bytes: fewer than 128 follow its count");
    }

    [Fact]
    public void Cells_of_owners_are_summed_and_a_retired_cell_keeps_its_count()
    {
        var counter = new PerThreadCounter();
        var a = counter.NewCell();
        var b = counter.NewCell();
        for (int i = 0; i < 5; i++)
        {
            a.Add(1);
        }

        b.Add(1);
        counter.Increment();
        Assert.Equal(7, counter.Value);
        counter.Retire(a);
        counter.Retire(a); // a second retirement changes nothing
        Assert.Equal(7, counter.Value);
        b.Add(1);
        Assert.Equal(8, counter.Value);
        counter.Reset();
        Assert.Equal(0, counter.Value);
    }

    [Fact]
    public void Increments_from_threads_that_have_exited_are_all_counted()
    {
        var counter = new PerThreadCounter();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                counter.Increment();
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(40_000, counter.Value);
    }

    [Fact]
    public void Two_counters_used_in_turn_on_one_thread_keep_their_own_counts()
    {
        var a = new PerThreadCounter();
        var b = new PerThreadCounter();
        for (int i = 0; i < 5; i++)
        {
            a.Increment();
            b.Increment();
            b.Increment();
        }

        Assert.Equal(5, a.Value);
        Assert.Equal(10, b.Value);
    }

    [Fact]
    public void Hot_and_other_counters_used_in_turn_keep_their_own_counts()
    {
        // Only hot counters take the thread's one-entry cache; the others must count exactly through their slots.
        var hot = new PerThreadCounter(hot: true);
        var otherHot = new PerThreadCounter(hot: true);
        var cold = new PerThreadCounter();
        for (int i = 0; i < 7; i++)
        {
            hot.Increment();
            cold.Increment();
            hot.Increment();
            otherHot.Increment();
            cold.Increment();
            cold.Increment();
        }

        Assert.Equal(14, hot.Value);
        Assert.Equal(7, otherHot.Value);
        Assert.Equal(21, cold.Value);
    }

    [Fact]
    public void Reset_makes_the_value_zero_and_later_increments_count_from_there()
    {
        var counter = new PerThreadCounter();
        counter.Increment();
        counter.Increment();
        counter.Reset();
        Assert.Equal(0, counter.Value);
        counter.Increment();
        Assert.Equal(1, counter.Value);
    }

    [Fact]
    public void Hot_increments_from_threads_at_many_stack_depths_are_all_counted()
    {
        // The TLB hit's count (PerThreadCounter.StackCells.cs): a cell per stack page, each written by the one live
        // thread whose stack holds that page. Recursing moves each thread's frame across pages (several cells per
        // thread); four threads at once must still lose nothing.
        var counter = new PerThreadCounter(hot: true);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int depth = 0; depth < 40; depth++)
            {
                CountAtDepth(counter, depth * 8, 500);
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(4 * 40 * 500, counter.Value);
    }

    [Fact]
    public void A_stack_page_whose_entry_another_page_holds_is_counted_through_the_thread()
    {
        // The table is direct-mapped by the page's low bits: pages 2^20 apart share an entry (in a table of up to 2^20
        // entries), which stays the first's.
        var counter = new PerThreadCounter(hot: true);
        nuint first = unchecked((nuint)0x7F00_0001);
        counter.IncrementHotSlow(first);
        counter.IncrementHotSlow(first + (1 << 20));
        counter.IncrementHotSlow(first + (1 << 20));
        counter.IncrementHotSlow(first);
        Assert.Equal(4, counter.Value);
    }

    [Fact]
    public void A_stack_page_takes_the_entry_of_a_page_whose_thread_has_exited_and_both_counts_stay()
    {
        // A process that keeps making threads would otherwise fill the table for good (PerThreadCounter.StackCells.cs).
        var counter = new PerThreadCounter(hot: true);
        nuint exited = unchecked((nuint)0x7F00_0001);
        nuint later = exited + (1 << 20); // the same entry
        var thread = new Thread(() =>
        {
            counter.IncrementHotSlow(exited);
            counter.IncrementHotSlow(exited);
        });
        thread.Start();
        thread.Join();
        Assert.True(counter.HasStackCell(exited));

        counter.IncrementHotSlow(later);

        Assert.True(counter.HasStackCell(later));
        Assert.False(counter.HasStackCell(exited));
        Assert.Equal(3, counter.Value);
    }

    [Fact]
    public void A_stack_page_never_takes_the_entry_of_a_live_thread()
    {
        var counter = new PerThreadCounter(hot: true);
        nuint live = unchecked((nuint)0x7F00_0001);
        nuint other = live + (1 << 20);
        counter.IncrementHotSlow(live); // this thread, alive throughout
        var thread = new Thread(() => counter.IncrementHotSlow(other));
        thread.Start();
        thread.Join();

        Assert.True(counter.HasStackCell(live));
        Assert.False(counter.HasStackCell(other));
        Assert.Equal(2, counter.Value);
    }

    // Counts as SmmuV3.TranslateThrough does, `frames` frames deeper than the caller.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CountAtDepth(PerThreadCounter counter, int frames, int times)
    {
        if (frames > 0)
        {
            // A frame of about 300 bytes: 40 steps of 8 take the counting frame across some 24 pages.
            Span<byte> pad = stackalloc byte[256];
            Touch(pad);
            CountAtDepth(counter, frames - 1, times);
            return;
        }

        for (int i = 0; i < times; i++)
        {
            if (!counter.TryIncrementHot(out nuint page))
            {
                counter.IncrementHotSlow(page);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Touch(Span<byte> bytes) => bytes.Fill(1);
}
