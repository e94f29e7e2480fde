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
}
