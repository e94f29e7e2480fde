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

    /// <summary>
    /// Reads a record (a command, an STE, a CD) of little-endian 64-bit words, each a single-copy-atomic access
    /// (IHI0070 §3.21.3); on an abort of any word, all zero and false. <see cref="SparseMemory"/> reads an aligned record
    /// inside a page with one abort check and one page lookup.
    /// </summary>
    /// <param name="memory">The memory to read.</param>
    /// <param name="address">Address of word 0.</param>
    /// <param name="words">The words read.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryReadWords(this IPhysicalMemory memory, ulong address, Span<ulong> words)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return memory is SparseMemory sparse ? sparse.TryReadWords(address, words) : TryReadWordByWord(memory, address, words);
    }

    /// <summary>Writes a record of little-endian 64-bit words in one access, so that an abort leaves memory untouched.</summary>
    /// <param name="memory">The memory to write.</param>
    /// <param name="address">Address of word 0.</param>
    /// <param name="words">The words.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryWriteWords(this IPhysicalMemory memory, ulong address, ReadOnlySpan<ulong> words)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return memory is SparseMemory sparse ? sparse.TryWriteWords(address, words) : TryWriteAsBytes(memory, address, words);
    }

    // Any memory: one 64-bit read per word.
    internal static bool TryReadWordByWord(IPhysicalMemory memory, ulong address, Span<ulong> words)
    {
        for (int i = 0; i < words.Length; i++)
        {
            if (!memory.TryReadUInt64(address + ((ulong)i * 8), out words[i]))
            {
                words.Clear();
                return false;
            }
        }

        return true;
    }

    // Any memory: the words as one little-endian byte write (records are at most 64 bytes).
    internal static bool TryWriteAsBytes(IPhysicalMemory memory, ulong address, ReadOnlySpan<ulong> words)
    {
        Span<byte> bytes = stackalloc byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(i * 8)..], words[i]);
        }

        return memory.TryWrite(address, bytes);
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
