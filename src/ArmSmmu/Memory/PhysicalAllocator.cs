namespace ArmSmmu.Memory;

/// <summary>
/// Hands out aligned, zero-filled physical ranges from a window [<see cref="BaseAddress"/>,
/// <see cref="BaseAddress"/> + <see cref="Size"/>) of an <see cref="IPhysicalMemory"/>: the memory a host driver
/// needs for stream tables, CD tables, queues and translation tables. Safe to call from any number of threads.
/// </summary>
/// <remarks>
/// A first-fit allocator over an address-ordered list of free ranges; freed ranges merge with their neighbours.
/// Host structures are few and long-lived, so the simple policy is enough.
/// </remarks>
public sealed partial class PhysicalAllocator
{
    private const int ZeroChunk = 4096;

    private readonly IPhysicalMemory _memory;
    private readonly Lock _lock = new();

    // Free ranges keyed by start address, value = length; never adjacent (they are merged on free).
    private readonly SortedList<ulong, ulong> _free = [];
    private readonly Dictionary<ulong, ulong> _allocated = [];
    private ulong _bytesInUse;

    /// <summary>Creates an allocator for [<paramref name="baseAddress"/>, <paramref name="baseAddress"/> + <paramref name="size"/>).</summary>
    /// <param name="memory">The memory the ranges live in; allocations are zeroed through it.</param>
    /// <param name="baseAddress">First address of the window.</param>
    /// <param name="size">Size of the window in bytes (greater than zero).</param>
    public PhysicalAllocator(IPhysicalMemory memory, ulong baseAddress, ulong size)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (size == 0)
        {
            throw new ArgumentException("The allocator window must not be empty.", nameof(size));
        }

        if (baseAddress + (size - 1) < baseAddress)
        {
            throw new ArgumentException($"The window 0x{baseAddress:X} + 0x{size:X} wraps past 2^64.", nameof(size));
        }

        _memory = memory;
        BaseAddress = baseAddress;
        Size = size;
        _free.Add(baseAddress, size);
    }

    /// <summary>The memory the allocator writes zeros to.</summary>
    public IPhysicalMemory Memory => _memory;

    /// <summary>First address of the managed window.</summary>
    public ulong BaseAddress { get; }

    /// <summary>Size of the managed window in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Bytes currently allocated (the sum of the sizes of live allocations).</summary>
    public ulong BytesInUse
    {
        get
        {
            lock (_lock)
            {
                return _bytesInUse;
            }
        }
    }

    /// <summary>Number of live allocations.</summary>
    public int AllocationCount
    {
        get
        {
            lock (_lock)
            {
                return _allocated.Count;
            }
        }
    }

    /// <summary>Allocates <paramref name="size"/> bytes aligned to <paramref name="alignment"/> and fills them with zeros.</summary>
    /// <param name="size">Number of bytes (greater than zero).</param>
    /// <param name="alignment">A power of two; the returned address is a multiple of it.</param>
    /// <returns>The physical address of the range.</returns>
    /// <exception cref="ArgumentException">The size is zero or the alignment is not a power of two.</exception>
    /// <exception cref="InvalidOperationException">No free range is large enough, or the memory rejects the zeroing writes.</exception>
    public ulong Allocate(ulong size, ulong alignment)
    {
        if (size == 0)
        {
            throw new ArgumentException("Cannot allocate zero bytes.", nameof(size));
        }

        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException($"Alignment must be a power of two, got 0x{alignment:X}.", nameof(alignment));
        }

        ulong address;
        lock (_lock)
        {
            address = TakeFirstFit(size, alignment);
            _allocated.Add(address, size);
            _bytesInUse += size;
        }

        try
        {
            Zero(address, size);
        }
        catch
        {
            Free(address);
            throw;
        }

        return address;
    }

    /// <summary>Returns a range obtained from <see cref="Allocate"/>.</summary>
    /// <param name="address">The address <see cref="Allocate"/> returned.</param>
    /// <exception cref="InvalidOperationException">The address is not the start of a live allocation (double free or foreign address).</exception>
    public void Free(ulong address)
    {
        lock (_lock)
        {
            if (!_allocated.Remove(address, out ulong size))
            {
                throw new InvalidOperationException($"0x{address:X} is not the start of a live allocation of this allocator (double free or foreign address).");
            }

            _bytesInUse -= size;
            InsertFree(address, size);
        }
    }

    /// <summary>The size of the live allocation starting at <paramref name="address"/>.</summary>
    /// <param name="address">An address returned by <see cref="Allocate"/>.</param>
    /// <param name="size">The allocation's size, or 0.</param>
    /// <returns><see langword="false"/> when no live allocation starts there.</returns>
    public bool TryGetAllocationSize(ulong address, out ulong size)
    {
        lock (_lock)
        {
            return _allocated.TryGetValue(address, out size);
        }
    }

    private ulong TakeFirstFit(ulong size, ulong alignment)
    {
        for (int i = 0; i < _free.Count; i++)
        {
            ulong start = _free.Keys[i];
            ulong length = _free.Values[i];
            ulong end = start + length; // exclusive; may be 0 when the window ends at 2^64
            ulong aligned = (start + (alignment - 1)) & ~(alignment - 1);
            if (aligned < start)
            {
                continue; // aligning wrapped past 2^64
            }

            ulong padding = aligned - start;
            if (padding >= length || length - padding < size)
            {
                continue;
            }

            _free.RemoveAt(i);
            if (padding > 0)
            {
                _free.Add(start, padding);
            }

            ulong tail = length - padding - size;
            if (tail > 0)
            {
                _free.Add(end - tail, tail);
            }

            return aligned;
        }

        throw new InvalidOperationException(
            $"Physical allocator exhausted: no free range of 0x{size:X} bytes aligned to 0x{alignment:X} in window 0x{BaseAddress:X}+0x{Size:X} ({_bytesInUse} bytes in use).");
    }

    private void InsertFree(ulong address, ulong size)
    {
        // Merge with the free neighbours on both sides so that large aligned requests can be served again.
        int index = LowerBound(address);
        if (index < _free.Count && address + size == _free.Keys[index])
        {
            size += _free.Values[index];
            _free.RemoveAt(index);
        }

        if (index > 0)
        {
            ulong previous = _free.Keys[index - 1];
            if (previous + _free.Values[index - 1] == address)
            {
                _free[previous] = _free.Values[index - 1] + size;
                return;
            }
        }

        _free.Add(address, size);
    }

    private int LowerBound(ulong address)
    {
        IList<ulong> keys = _free.Keys;
        int lo = 0;
        int hi = keys.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] < address)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void Zero(ulong address, ulong size)
    {
        if (_memory is SparseMemory sparse && !sparse.Aborts(address, size))
        {
            sparse.Clear(address, size);
            return;
        }

        Span<byte> zeros = stackalloc byte[ZeroChunk];
        zeros.Clear(); // the module skips locals initialisation (AssemblyInfo.cs)
        while (size > 0)
        {
            int chunk = (int)Math.Min(size, ZeroChunk);
            if (!_memory.TryWrite(address, zeros[..chunk]))
            {
                throw new InvalidOperationException($"The allocator's memory rejected a write at 0x{address:X}: the window is not backed.");
            }

            address += (ulong)chunk;
            size -= (ulong)chunk;
        }
    }
}
