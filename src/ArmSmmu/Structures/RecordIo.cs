using System.Buffers.Binary;

namespace ArmSmmu.Structures;

/// <summary>Reads and writes records as little-endian 64-bit words.</summary>
internal static class RecordIo
{
    /// <summary>Reads <paramref name="words"/>.Length words; false (and words zeroed) on any external abort.</summary>
    public static bool TryRead(IPhysicalMemory memory, ulong address, Span<ulong> words)
    {
        ArgumentNullException.ThrowIfNull(memory);
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

    /// <summary>Writes the words in one access, so an abort leaves memory untouched.</summary>
    public static bool TryWrite(IPhysicalMemory memory, ulong address, ReadOnlySpan<ulong> words)
    {
        ArgumentNullException.ThrowIfNull(memory);
        Span<byte> bytes = stackalloc byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(i * 8)..], words[i]);
        }

        return memory.TryWrite(address, bytes);
    }

    /// <summary>Checks a span passed to a record constructor.</summary>
    public static void RequireLength(ReadOnlySpan<ulong> words, int count, string record)
    {
        if (words.Length < count)
        {
            throw new ArgumentException($"{record} needs {count} 64-bit words, got {words.Length}.", nameof(words));
        }
    }
}
