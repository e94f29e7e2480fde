using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Memory;

public class SparseMemoryTests
{
    [Fact]
    public void Unwritten_memory_reads_as_zero()
    {
        var memory = new SparseMemory();
        Assert.Equal(0UL, memory.ReadUInt64(0x4000_0000));
        Assert.Equal(0, memory.PageCount);
    }

    [Fact]
    public void Words_are_little_endian_and_cross_pages()
    {
        var memory = new SparseMemory();
        memory.WriteUInt64(0xFFC, 0x1122_3344_5566_7788);
        Assert.Equal(0x5566_7788u, memory.ReadUInt32(0xFFC));
        Assert.Equal(0x1122_3344u, memory.ReadUInt32(0x1000));
        Span<byte> bytes = stackalloc byte[2];
        Assert.True(memory.TryRead(0xFFF, bytes));
        Assert.Equal(0x55, bytes[0]);
        Assert.Equal(0x44, bytes[1]);
    }

    [Fact]
    public void Abort_ranges_and_size_limit_make_accesses_fail()
    {
        var memory = new SparseMemory(0x1_0000_0000);
        memory.AddAbortRange(0x8000_0000, 0x1000);
        Assert.False(memory.TryReadUInt64(0x8000_0FF8, out _));
        Assert.False(memory.TryWriteUInt64(0x8000_0000, 1));
        Assert.True(memory.TryReadUInt64(0x8000_1000, out _));
        Assert.False(memory.TryReadUInt64(0x1_0000_0000, out _));
        // An access straddling the start of an abort range aborts as a whole and writes nothing.
        Assert.False(memory.TryWrite(0x7FFF_FFFC, new byte[8]));
        Assert.Throws<InvalidOperationException>(() => memory.ReadUInt64(0x8000_0000));
        memory.ClearAbortRanges();
        Assert.Equal(0UL, memory.ReadUInt64(0x8000_0000));
    }

    [Theory]
    [InlineData(0x8000_0FF0UL)] // aligned, inside one page: the one-lookup path
    [InlineData(0x8000_0FF8UL)] // crosses into the next page: word by word
    [InlineData(0x8000_0FF4UL)] // unaligned: through bytes
    [InlineData(0x8000_0FF0UL, true)] // another IPhysicalMemory: the generic word-by-word read and byte write
    public void A_record_is_written_whole_or_not_at_all_and_read_back_word_for_word(ulong address, bool throughInterface = false)
    {
        // IHI0070 §3.21.3: each 64-bit word of a command is single-copy atomic; an abort on any word writes none.
        var memory = new SparseMemory();
        IPhysicalMemory seen = throughInterface ? new Forwarding(memory) : memory;
        var command = Command.TlbiNhVa(5, 9, 0x1234_5000, leaf: true);
        Assert.True(command.TryWrite(seen, address));
        Assert.Equal(command.Dw0, memory.ReadUInt64(address));
        Assert.Equal(command.Dw1, memory.ReadUInt64(address + 8));
        Assert.True(Command.TryRead(seen, address, out var read));
        Assert.Equal(command, read);

        var blocked = new SparseMemory();
        IPhysicalMemory blockedSeen = throughInterface ? new Forwarding(blocked) : blocked;
        blocked.WriteUInt64(address, 0xAAAA);
        blocked.AddAbortRange(address + 8, 1);
        Assert.False(command.TryWrite(blockedSeen, address));
        blocked.ClearAbortRanges();
        Assert.Equal(0xAAAAUL, blocked.ReadUInt64(address));
        blocked.AddAbortRange(address + 8, 1);
        Assert.False(Command.TryRead(blockedSeen, address, out var aborted));
        Assert.Equal(default, aborted);
    }

    // A memory that is not a SparseMemory, over one.
    private sealed class Forwarding(SparseMemory inner) : IPhysicalMemory
    {
        public bool TryRead(ulong address, Span<byte> destination) => inner.TryRead(address, destination);

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => inner.TryWrite(address, source);
    }

    [Fact]
    public void Compare_exchange_swaps_only_on_match()
    {
        var memory = new SparseMemory();
        memory.WriteUInt64(0x100, 5);
        Assert.True(memory.TryCompareExchange64(0x100, 9, 4, out ulong seen));
        Assert.Equal(5UL, seen);
        Assert.Equal(5UL, memory.ReadUInt64(0x100));
        Assert.True(memory.TryCompareExchange64(0x100, 9, 5, out seen));
        Assert.Equal(9UL, memory.ReadUInt64(0x100));
    }

    [Fact]
    public async Task Aligned_64_bit_writes_are_never_torn_for_concurrent_readers()
    {
        var memory = new SparseMemory();
        const ulong a = 0x0000_0000_FFFF_FFFF, b = 0xFFFF_FFFF_0000_0000;
        memory.WriteUInt64(0x2000, a);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                memory.WriteUInt64(0x2000, (i & 1) == 0 ? b : a);
            }

            stop.Cancel();
        });
        int torn = 0;
        while (!stop.IsCancellationRequested)
        {
            ulong v = memory.ReadUInt64(0x2000);
            if (v != a && v != b)
            {
                torn++;
            }
        }

        await writer;
        Assert.Equal(0, torn);
    }
}
