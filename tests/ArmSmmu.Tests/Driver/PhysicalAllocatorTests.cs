namespace ArmSmmu.Tests.Driver;

public class PhysicalAllocatorTests
{
    private const ulong Base = 0x1000_0000;

    [Fact]
    public void Allocate_returns_aligned_ranges_inside_the_window()
    {
        var allocator = new PhysicalAllocator(new SparseMemory(), Base + 0x40, 0x10_0000);
        ulong a = allocator.Allocate(0x100, 0x1000);
        ulong b = allocator.Allocate(0x2000, 0x2000);
        Assert.Equal(0UL, a % 0x1000);
        Assert.Equal(0UL, b % 0x2000);
        Assert.InRange(a, Base + 0x40, Base + 0x10_0000 - 0x100);
        Assert.True(b >= a + 0x100 || b + 0x2000 <= a);
        Assert.Equal(0x2100UL, allocator.BytesInUse);
    }

    [Fact]
    public void Allocate_zeroes_memory_that_was_used_before()
    {
        var memory = new SparseMemory();
        var allocator = new PhysicalAllocator(memory, Base, 0x4000);
        ulong a = allocator.Allocate(0x1000, 0x1000);
        memory.WriteUInt64(a + 0x18, 0xDEAD_BEEF);
        allocator.Free(a);
        ulong again = allocator.Allocate(0x1000, 0x1000);
        Assert.Equal(a, again);
        Assert.Equal(0UL, memory.ReadUInt64(again + 0x18));
    }

    [Fact]
    public void Allocate_zeroes_through_a_plain_memory_implementation()
    {
        var memory = new ByteArrayMemory(0x2000);
        memory.Bytes.AsSpan().Fill(0xAA);
        var allocator = new PhysicalAllocator(memory, 0, 0x2000);
        ulong a = allocator.Allocate(0x1800, 8);
        Assert.All(memory.Bytes.AsSpan((int)a, 0x1800).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(0xAA, memory.Bytes[0x1800]);
    }

    [Fact]
    public void Freed_neighbours_merge_so_the_whole_window_can_be_allocated_again()
    {
        var allocator = new PhysicalAllocator(new SparseMemory(), Base, 0x4000);
        ulong[] pages = [.. Enumerable.Range(0, 4).Select(_ => allocator.Allocate(0x1000, 0x1000))];
        Assert.Throws<InvalidOperationException>(() => allocator.Allocate(0x1000, 0x1000));
        foreach (ulong page in new[] { pages[1], pages[3], pages[0], pages[2] })
        {
            allocator.Free(page);
        }

        Assert.Equal(0UL, allocator.BytesInUse);
        Assert.Equal(Base, allocator.Allocate(0x4000, 0x4000));
    }

    [Fact]
    public void Exhaustion_and_misuse_throw_with_clear_messages()
    {
        var allocator = new PhysicalAllocator(new SparseMemory(), Base, 0x2000);
        var exhausted = Assert.Throws<InvalidOperationException>(() => allocator.Allocate(0x4000, 0x1000));
        Assert.Contains("exhausted", exhausted.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => allocator.Allocate(0, 8));
        Assert.Throws<ArgumentException>(() => allocator.Allocate(0x100, 3));
        ulong a = allocator.Allocate(0x100, 0x100);
        allocator.Free(a);
        Assert.Throws<InvalidOperationException>(() => allocator.Free(a));
        Assert.Throws<InvalidOperationException>(() => allocator.Free(0x1234));
        Assert.Throws<ArgumentException>(() => new PhysicalAllocator(new SparseMemory(), Base, 0));
    }

    [Fact]
    public void Unbacked_window_throws_and_does_not_leak()
    {
        var allocator = new PhysicalAllocator(new SparseMemory(0x1000), 0x2000, 0x1000);
        Assert.Throws<InvalidOperationException>(() => allocator.Allocate(0x100, 8));
        Assert.Equal(0UL, allocator.BytesInUse);
    }

    [Fact]
    public void Concurrent_allocations_never_overlap()
    {
        var allocator = new PhysicalAllocator(new SparseMemory(), Base, 0x40_0000);
        var results = new ulong[4][];
        Parallel.For(0, 4, t => results[t] = [.. Enumerable.Range(0, 64).Select(_ => allocator.Allocate(0x1000, 0x1000))]);
        ulong[] all = [.. results.SelectMany(r => r)];
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Equal(256UL * 0x1000, allocator.BytesInUse);
        Parallel.ForEach(all, a => allocator.Free(a));
        Assert.Equal(0UL, allocator.BytesInUse);
    }

    /// <summary>A minimal IPhysicalMemory that is not a SparseMemory, to exercise the generic zeroing path.</summary>
    private sealed class ByteArrayMemory(int size) : IPhysicalMemory
    {
        public byte[] Bytes { get; } = new byte[size];

        public bool TryRead(ulong address, Span<byte> destination)
        {
            if (address + (ulong)destination.Length > (ulong)Bytes.Length)
            {
                return false;
            }

            Bytes.AsSpan((int)address, destination.Length).CopyTo(destination);
            return true;
        }

        public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
        {
            if (address + (ulong)source.Length > (ulong)Bytes.Length)
            {
                return false;
            }

            source.CopyTo(Bytes.AsSpan((int)address));
            return true;
        }
    }
}
