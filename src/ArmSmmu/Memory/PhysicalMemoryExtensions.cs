using System.Buffers.Binary;

namespace ArmSmmu.Memory;

/// <summary>Little-endian word accessors over any <see cref="IPhysicalMemory"/>.</summary>
internal static class PhysicalMemoryExtensions
{
    /// <summary>Reads a little-endian 64-bit word.</summary>
    /// <param name="memory">The memory to read.</param>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value read, or 0 on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryReadUInt64(this IPhysicalMemory memory, ulong address, out ulong value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (memory is SparseMemory sparse)
        {
            return sparse.TryReadUInt64(address, out value);
        }

        return TryReadLittleEndian(memory, address, sizeof(ulong), out value);
    }

    /// <summary>Writes a little-endian 64-bit word.</summary>
    /// <param name="memory">The memory to write.</param>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryWriteUInt64(this IPhysicalMemory memory, ulong address, ulong value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (memory is SparseMemory sparse)
        {
            return sparse.TryWriteUInt64(address, value);
        }

        return TryWriteLittleEndian(memory, address, sizeof(ulong), value);
    }

    /// <summary>Writes a little-endian 32-bit word.</summary>
    /// <param name="memory">The memory to write.</param>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryWriteUInt32(this IPhysicalMemory memory, ulong address, uint value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return TryWriteLittleEndian(memory, address, sizeof(uint), value);
    }

    /// <summary>Reads a little-endian 32-bit word.</summary>
    /// <param name="memory">The memory to read.</param>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value read, or 0 on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryReadUInt32(this IPhysicalMemory memory, ulong address, out uint value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        bool read = TryReadLittleEndian(memory, address, sizeof(uint), out ulong word);
        value = (uint)word;
        return read;
    }

    /// <summary>Atomic 64-bit compare-and-swap when the memory supports it, else a read-compare-write.</summary>
    /// <param name="memory">The memory.</param>
    /// <param name="address">8-byte aligned address.</param>
    /// <param name="value">New value.</param>
    /// <param name="comparand">Expected old value.</param>
    /// <param name="original">The value found in memory.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryCompareExchangeUInt64(this IPhysicalMemory memory, ulong address, ulong value, ulong comparand, out ulong original)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (memory is IAtomicPhysicalMemory atomic)
        {
            return atomic.TryCompareExchange64(address, value, comparand, out original);
        }

        if (!memory.TryReadUInt64(address, out original))
        {
            return false;
        }

        return original != comparand || memory.TryWriteUInt64(address, value);
    }

    // The low 'size' bytes (4 or 8) of a little-endian 64-bit buffer are the narrower word: one path for both widths.
    private static bool TryReadLittleEndian(IPhysicalMemory memory, ulong address, int size, out ulong value)
    {
        Span<byte> buffer = stackalloc byte[sizeof(ulong)];
        buffer.Clear();
        if (!memory.TryRead(address, buffer[..size]))
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        return true;
    }

    private static bool TryWriteLittleEndian(IPhysicalMemory memory, ulong address, int size, ulong value)
    {
        Span<byte> buffer = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return memory.TryWrite(address, buffer[..size]);
    }
}
