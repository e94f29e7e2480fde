using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu;

/// <summary>
/// The default physical memory: a sparse, 4 KiB-paged store that reads as zero where never written.
/// Aligned 64-bit accesses are single-copy atomic; any number of threads may read and write concurrently.
/// Ranges can be declared unbacked so that accesses to them abort, as an external abort on a real bus.
/// </summary>
public sealed class SparseMemory : IAtomicPhysicalMemory
{
    private const int PageShift = 12;
    private const ulong PageSize = 1UL << PageShift;
    private const ulong PageMask = PageSize - 1;

    // Pages are never removed, so a page once found stays valid: the recent-page slots (direct-mapped by page number)
    // answer most accesses without the dictionary. A walk reads the same few table pages over and over, and the
    // dictionary lookup was most of the cost of one descriptor read. Slots are written racily: a reference store is
    // atomic and a Page never changes, so a reader sees either the old page or the new one, both correct.
    private const int RecentPages = 64;

    private readonly ConcurrentDictionary<ulong, Page> _pages = new();
    private readonly Page?[] _recent = new Page?[RecentPages];
    private readonly ulong _limit;
    private readonly Lock _abortLock = new();
    private (ulong Start, ulong End)[] _abortRanges = [];

    /// <summary>Creates memory spanning the whole 64-bit physical address space.</summary>
    public SparseMemory()
        : this(ulong.MaxValue)
    {
    }

    /// <summary>Creates memory backed from 0 up to (not including) <paramref name="size"/>; accesses above abort.</summary>
    /// <param name="size">Size of the backed range in bytes.</param>
    public SparseMemory(ulong size)
    {
        if (size == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "Memory size must be greater than zero.");
        }

        _limit = size;
    }

    /// <summary>Number of 4 KiB pages that have been written.</summary>
    public int PageCount => _pages.Count;

    /// <summary>Declares [<paramref name="start"/>, <paramref name="start"/>+<paramref name="length"/>) unbacked: reads and writes there abort.</summary>
    /// <param name="start">First address of the range.</param>
    /// <param name="length">Length in bytes (greater than zero).</param>
    public void AddAbortRange(ulong start, ulong length)
    {
        if (length == 0 || start + (length - 1) < start)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "The abort range must be non-empty and must not wrap past 2^64.");
        }

        lock (_abortLock)
        {
            _abortRanges = [.. _abortRanges, (start, start + (length - 1))];
        }
    }

    /// <summary>Removes every range declared with <see cref="AddAbortRange"/>.</summary>
    public void ClearAbortRanges()
    {
        lock (_abortLock)
        {
            _abortRanges = [];
        }
    }

    /// <summary>True when an access of <paramref name="length"/> bytes at <paramref name="address"/> would abort.</summary>
    /// <param name="address">First address.</param>
    /// <param name="length">Length in bytes.</param>
    /// <returns>Whether the access aborts.</returns>
    // Inlined into every descriptor and record access: the limit test and an empty list (the usual case) cost a few
    // instructions there; only declared abort ranges are searched out of line (a call per read was 2.9 % of map +
    // translate + unmap under perf).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Aborts(ulong address, ulong length)
    {
        if (length == 0)
        {
            return false;
        }

        ulong last = address + (length - 1);
        if (last < address || last >= _limit)
        {
            return true;
        }

        var ranges = Volatile.Read(ref _abortRanges);
        return ranges.Length != 0 && InAbortRange(ranges, address, last);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool InAbortRange((ulong Start, ulong End)[] ranges, ulong address, ulong last)
    {
        foreach (var (start, end) in ranges)
        {
            if (address <= end && last >= start)
            {
                return true;
            }
        }

        return false;
    }

    // The part of [address, +remaining) that lies in one page: the page number, the offset in it, the byte count.
    private static (ulong Number, int Offset, int Length) Chunk(ulong address, int remaining)
    {
        int offset = (int)(address & PageMask);
        return (address >> PageShift, offset, Math.Min(remaining, (int)PageSize - offset));
    }

    /// <inheritdoc />
    public bool TryRead(ulong address, Span<byte> destination)
    {
        if (Aborts(address, (ulong)destination.Length))
        {
            return false;
        }

        for (int done = 0; done < destination.Length;)
        {
            (ulong number, int offset, int chunk) = Chunk(address + (ulong)done, destination.Length - done);
            Span<byte> to = destination.Slice(done, chunk);
            var page = FindPage(number);
            if (page is not null)
            {
                MemoryMarshal.AsBytes(page.AsSpan()).Slice(offset, chunk).CopyTo(to);
            }
            else
            {
                to.Clear();
            }

            done += chunk;
        }

        return true;
    }

    /// <inheritdoc />
    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (Aborts(address, (ulong)source.Length))
        {
            return false;
        }

        for (int done = 0; done < source.Length;)
        {
            (ulong number, int offset, int chunk) = Chunk(address + (ulong)done, source.Length - done);
            source.Slice(done, chunk).CopyTo(MemoryMarshal.AsBytes(GetOrAddPage(number).AsSpan()).Slice(offset, chunk));
            done += chunk;
        }

        return true;
    }

    /// <summary>
    /// As <see cref="PhysicalMemoryExtensions.TryWriteWords"/>: an aligned record inside one page, as every record the
    /// SMMU's structures hold, takes one abort check and one page lookup, not one of each per word.
    /// </summary>
    internal bool TryWriteWords(ulong address, ReadOnlySpan<ulong> words)
    {
        ulong length = (ulong)words.Length * 8;
        if (!AlignedInOnePage(address, length))
        {
            return PhysicalMemoryExtensions.TryWriteAsBytes(this, address, words);
        }

        if (Aborts(address, length))
        {
            return false;
        }

        ref ulong first = ref Word(GetOrAddPage(address >> PageShift), address); // the record lies inside the page
        for (int i = 0; i < words.Length; i++)
        {
            Volatile.Write(ref Unsafe.Add(ref first, i), FromLittleEndian(words[i]));
        }

        return true;
    }

    /// <summary>As <see cref="PhysicalMemoryExtensions.TryReadWords"/>, with one abort check and one page lookup for an aligned record inside one page.</summary>
    internal bool TryReadWords(ulong address, Span<ulong> words)
    {
        ulong length = (ulong)words.Length * 8;
        if (!AlignedInOnePage(address, length))
        {
            return PhysicalMemoryExtensions.TryReadWordByWord(this, address, words);
        }

        if (Aborts(address, length))
        {
            words.Clear();
            return false;
        }

        var page = FindPage(address >> PageShift);
        if (page is null)
        {
            words.Clear();
            return true;
        }

        ref ulong first = ref Word(page, address); // the record lies inside the page
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = FromLittleEndian(Volatile.Read(ref Unsafe.Add(ref first, i)));
        }

        return true;
    }

    private static bool AlignedInOnePage(ulong address, ulong length) => (address & 7) == 0 && (address & PageMask) + length <= PageSize;

    /// <summary>Reads a little-endian 64-bit word; aligned reads are single-copy atomic.</summary>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value, or 0 on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryReadUInt64(ulong address, out ulong value)
    {
        if ((address & 7) != 0)
        {
            return TryReadUnaligned(address, out value);
        }

        if (Aborts(address, 8))
        {
            value = 0;
            return false;
        }

        var page = FindPage(address >> PageShift);
        value = page is not null ? FromLittleEndian(Volatile.Read(ref Word(page, address))) : 0;
        return true;
    }

    /// <summary>Writes a little-endian 64-bit word; aligned writes are single-copy atomic.</summary>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWriteUInt64(ulong address, ulong value)
    {
        if ((address & 7) != 0)
        {
            return TryWriteUnaligned(address, value);
        }

        if (Aborts(address, 8))
        {
            return false;
        }

        var page = GetOrAddPage(address >> PageShift);
        Volatile.Write(ref Word(page, address), FromLittleEndian(value));
        return true;
    }

    // The unaligned word accesses, out of line: their stackalloc gave the aligned path, every descriptor read, a stack
    // cookie and a larger frame (55 instructions a read where 25 do; callgrind, map + translate + unmap).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadUnaligned(ulong address, out ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        bool ok = TryRead(address, buffer);
        value = ok ? BinaryPrimitives.ReadUInt64LittleEndian(buffer) : 0;
        return ok;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryWriteUnaligned(ulong address, ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return TryWrite(address, buffer);
    }

    /// <inheritdoc />
    public bool TryCompareExchange64(ulong address, ulong value, ulong comparand, out ulong original)
    {
        if ((address & 7) != 0)
        {
            throw new ArgumentException($"Compare-exchange needs an 8-byte aligned address, got 0x{address:X}.", nameof(address));
        }

        if (Aborts(address, 8))
        {
            original = 0;
            return false;
        }

        var page = GetOrAddPage(address >> PageShift);
        ref ulong slot = ref Word(page, address);
        original = FromLittleEndian(Interlocked.CompareExchange(ref slot, FromLittleEndian(value), FromLittleEndian(comparand)));
        return true;
    }

    /// <summary>Reads a 64-bit word; an unbacked address is host misuse here and throws.</summary>
    /// <param name="address">Physical address.</param>
    /// <returns>The value.</returns>
    public ulong ReadUInt64(ulong address) =>
        TryReadUInt64(address, out ulong value) ? value : throw Unbacked(address);

    /// <summary>Writes a 64-bit word; an unbacked address throws.</summary>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value.</param>
    public void WriteUInt64(ulong address, ulong value)
    {
        if (!TryWriteUInt64(address, value))
        {
            throw Unbacked(address);
        }
    }

    /// <summary>Reads a 32-bit word; an unbacked address throws.</summary>
    /// <param name="address">Physical address.</param>
    /// <returns>The value.</returns>
    public uint ReadUInt32(ulong address)
    {
        Span<byte> buffer = stackalloc byte[4];
        return TryRead(address, buffer) ? BinaryPrimitives.ReadUInt32LittleEndian(buffer) : throw Unbacked(address);
    }

    /// <summary>Writes a 32-bit word; an unbacked address throws.</summary>
    /// <param name="address">Physical address.</param>
    /// <param name="value">The value.</param>
    public void WriteUInt32(ulong address, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        if (!TryWrite(address, buffer))
        {
            throw Unbacked(address);
        }
    }

    /// <summary>Copies <paramref name="data"/> into memory; an unbacked address throws.</summary>
    /// <param name="address">Physical address of the first byte.</param>
    /// <param name="data">The bytes.</param>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (!TryWrite(address, data))
        {
            throw Unbacked(address);
        }
    }

    /// <summary>Fills [<paramref name="address"/>, +<paramref name="length"/>) with zeros.</summary>
    /// <param name="address">First address.</param>
    /// <param name="length">Number of bytes.</param>
    public void Clear(ulong address, ulong length)
    {
        if (Aborts(address, length))
        {
            throw Unbacked(address);
        }

        while (length > 0)
        {
            ulong offset = address & PageMask;
            ulong chunk = Math.Min(length, PageSize - offset);
            var page = FindPage(address >> PageShift);
            if (page is not null)
            {
                MemoryMarshal.AsBytes(page.AsSpan()).Slice((int)offset, (int)chunk).Clear();
            }

            address += chunk;
            length -= chunk;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FromLittleEndian(ulong raw) => BitConverter.IsLittleEndian ? raw : BinaryPrimitives.ReverseEndianness(raw);

    // The word of an aligned address in its page: every page holds PageSize / 8 words, so the offset's word index is in
    // range and needs no bounds check (two per descriptor read, with FindPage's below).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref ulong Word(ulong[] page, ulong address)
    {
        Debug.Assert(page.Length == (int)(PageSize / 8), "A page holds PageSize / 8 words.");
        return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(page), (nint)((address & PageMask) >> 3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong[]? FindPage(ulong pageNumber)
    {
        var recent = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_recent), (nint)(pageNumber & (RecentPages - 1)));
        return recent is not null && recent.Number == pageNumber ? recent.Data : FindPageSlow(pageNumber);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong[]? FindPageSlow(ulong pageNumber)
    {
        if (!_pages.TryGetValue(pageNumber, out var page))
        {
            return null;
        }

        _recent[(int)pageNumber & (RecentPages - 1)] = page;
        return page.Data;
    }

    private ulong[] GetOrAddPage(ulong pageNumber)
    {
        var page = FindPage(pageNumber);
        if (page is not null)
        {
            return page;
        }

        var added = _pages.GetOrAdd(pageNumber, static number => new Page(number, new ulong[PageSize / 8]));
        _recent[(int)pageNumber & (RecentPages - 1)] = added;
        return added.Data;
    }

    /// <summary>One 4 KiB page: its number and its words, neither ever replaced.</summary>
    private sealed class Page(ulong number, ulong[] data)
    {
        public readonly ulong Number = number;
        public readonly ulong[] Data = data;
    }

    private static InvalidOperationException Unbacked(ulong address) =>
        new($"Physical address 0x{address:X} is not backed by this SparseMemory (outside its size or inside an abort range).");
}
