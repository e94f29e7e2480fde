using System.Buffers.Binary;

namespace ArmSmmu.Memory;

/// <summary>
/// A copy-on-write view of another memory: reads see the underlying memory until a page is written, writes stay in
/// the overlay and never reach it. <see cref="SmmuV3.Explain"/> translates through one so that a diagnostic walk can
/// make the same hardware updates (Access flag, dirty state, event records) as a real one without side effects.
/// </summary>
internal sealed class OverlayMemory : IAtomicPhysicalMemory
{
    private const int PageShift = 12;
    private const int PageSize = 1 << PageShift;

    private readonly IPhysicalMemory _lower;
    private readonly Dictionary<ulong, byte[]> _pages = [];
    private readonly Lock _lock = new();

    /// <summary>Creates an overlay over <paramref name="lower"/>.</summary>
    /// <param name="lower">The memory to read through to; never written.</param>
    public OverlayMemory(IPhysicalMemory lower)
    {
        ArgumentNullException.ThrowIfNull(lower);
        _lower = lower;
    }

    /// <summary>Number of 4 KiB pages written through the overlay.</summary>
    public int PagesWritten
    {
        get
        {
            lock (_lock)
            {
                return _pages.Count;
            }
        }
    }

    /// <inheritdoc />
    public bool TryRead(ulong address, Span<byte> destination)
    {
        lock (_lock)
        {
            while (!destination.IsEmpty)
            {
                int offset = (int)(address & (PageSize - 1));
                int chunk = Math.Min(destination.Length, PageSize - offset);
                if (_pages.TryGetValue(address >> PageShift, out var page))
                {
                    page.AsSpan(offset, chunk).CopyTo(destination);
                }
                else if (!_lower.TryRead(address, destination[..chunk]))
                {
                    return false;
                }

                destination = destination[chunk..];
                address += (ulong)chunk;
            }

            return true;
        }
    }

    /// <inheritdoc />
    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        lock (_lock)
        {
            // Copy every touched page in first, so an aborting page leaves the overlay unchanged.
            for (ulong page = address >> PageShift; page <= (address + (ulong)Math.Max(source.Length - 1, 0)) >> PageShift; page++)
            {
                if (!_pages.ContainsKey(page))
                {
                    var copy = new byte[PageSize];
                    if (!_lower.TryRead(page << PageShift, copy))
                    {
                        return false;
                    }

                    _pages[page] = copy;
                }
            }

            while (!source.IsEmpty)
            {
                int offset = (int)(address & (PageSize - 1));
                int chunk = Math.Min(source.Length, PageSize - offset);
                source[..chunk].CopyTo(_pages[address >> PageShift].AsSpan(offset, chunk));
                source = source[chunk..];
                address += (ulong)chunk;
            }

            return true;
        }
    }

    /// <inheritdoc />
    public bool TryCompareExchange64(ulong address, ulong value, ulong comparand, out ulong original)
    {
        lock (_lock)
        {
            Span<byte> bytes = stackalloc byte[8];
            if (!TryRead(address, bytes))
            {
                original = 0;
                return false;
            }

            original = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (original != comparand)
            {
                return true;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
            return TryWrite(address, bytes);
        }
    }
}
