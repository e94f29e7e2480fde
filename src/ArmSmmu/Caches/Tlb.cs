using System.Numerics;
using System.Runtime.CompilerServices;
using ArmSmmu.Translation;

namespace ArmSmmu.Caches;

/// <summary>
/// The SMMU TLB: a set-associative cache of successful translations, tagged as IHI0070 §3.17 describes
/// (StreamWorld, VMID, ASID, stage), holding entries of any page or block size.
/// </summary>
/// <remarks>
/// Lookups take no lock and allocate nothing: every slot holds an immutable entry object, published with
/// <see cref="Volatile.Write{T}(ref T, T)"/>. Insertions and invalidations serialise on one writer lock.
/// An entry of size 2^s lives in the set chosen by its tag and its input address shifted right by s; a lookup
/// probes one set for each size currently present in the TLB.
/// </remarks>
internal sealed partial class Tlb
{
    /// <summary>Smallest page or block size accepted, as log2 (a 4 KiB page).</summary>
    public const int MinShift = 12;

    /// <summary>Largest page or block size accepted, as log2 (beyond any VMSAv8-64 block, even a contiguous one).</summary>
    public const int MaxShift = 52;

    private readonly Slot?[] _slots;
    private readonly int _sets;
    private readonly int _ways;
    private readonly byte[] _nextVictim;
    private readonly int[] _shiftCounts = new int[64];
    private readonly Lock _writeLock = new();
    private ulong _presentShifts;
    private long _generation;
    private int _count;

    /// <summary>Creates a TLB of <paramref name="capacity"/> entries in sets of <paramref name="ways"/> entries.</summary>
    /// <param name="capacity">Number of entries; 0 disables the TLB (nothing is cached). Must be a multiple of <paramref name="ways"/>.</param>
    /// <param name="ways">Associativity (entries per set), 1..255.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative capacity, or ways outside 1..255.</exception>
    /// <exception cref="ArgumentException">The capacity is not a multiple of the associativity.</exception>
    public Tlb(int capacity, int ways)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(ways, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ways, byte.MaxValue);
        if (capacity % ways != 0)
        {
            throw new ArgumentException($"TLB capacity {capacity} is not a multiple of its associativity {ways}.", nameof(capacity));
        }

        _ways = ways;
        _sets = capacity / ways;
        _slots = new Slot?[capacity];
        _nextVictim = new byte[_sets];
    }

    /// <summary>Number of entries the TLB can hold (0 = disabled).</summary>
    public int Capacity => _slots.Length;

    /// <summary>Entries per set.</summary>
    public int Ways => _ways;

    /// <summary>Hit, miss, insertion, eviction and invalidation counters.</summary>
    public CacheStatistics Statistics { get; } = new();

    /// <summary>
    /// Incremented by every invalidation. Read it before a walk and pass it to <see cref="Insert"/>, so that a walk racing
    /// an invalidation cannot leave a stale entry behind (IHI0070 §3.21, §4.7.3: after CMD_SYNC no stale entry may be used).
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Number of valid entries.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Finds the entry translating <paramref name="inputAddress"/> for <paramref name="key"/>. Takes no lock and allocates nothing.</summary>
    /// <param name="key">Tag of the translation; fields its StreamWorld does not use are ignored.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <param name="entry">The cached entry, when found.</param>
    /// <returns>True on a hit.</returns>
    /// <remarks>A global entry (nG = 0) matches every ASID of the same StreamWorld, VMID and kind (IHI0070 §3.17).</remarks>
    public bool TryLookup(in TlbKey key, ulong inputAddress, out TranslationEntry entry)
    {
        TlbKey tag = key.Normalize();
        ulong shifts = Volatile.Read(ref _presentShifts);
        while (shifts != 0)
        {
            int shift = BitOperations.TrailingZeroCount(shifts);
            shifts &= shifts - 1;
            ulong page = inputAddress >> shift;
            int first = SetIndex(tag, page, shift) * _ways;
            for (int way = 0; way < _ways; way++)
            {
                Slot? slot = Volatile.Read(ref _slots[first + way]);
                if (slot is not null && slot.Page == page && slot.Shift == shift && slot.Matches(tag))
                {
                    entry = slot.Entry;
                    Statistics.RecordHit();
                    return true;
                }
            }
        }

        entry = default;
        Statistics.RecordMiss();
        return false;
    }

    /// <summary>
    /// Caches the result of a successful walk, unless an invalidation happened since <paramref name="generationAtWalkStart"/>
    /// was read (the walk may have seen a table the invalidation was meant to retire). Never cache a faulting walk.
    /// </summary>
    /// <param name="key">Tag of the translation.</param>
    /// <param name="entry">The translation; its <see cref="TranslationEntry.Shift"/> gives the size it covers.</param>
    /// <param name="generationAtWalkStart"><see cref="Generation"/> read before the walk began.</param>
    /// <exception cref="ArgumentOutOfRangeException">The entry's Shift is outside <see cref="MinShift"/>..<see cref="MaxShift"/>.</exception>
    public void Insert(in TlbKey key, in TranslationEntry entry, long generationAtWalkStart)
    {
        int shift = entry.Shift;
        if (shift is < MinShift or > MaxShift)
        {
            throw new ArgumentOutOfRangeException(nameof(entry), shift, $"TLB entry size 2^{shift} is outside 2^{MinShift}..2^{MaxShift}.");
        }

        if (_sets == 0)
        {
            return;
        }

        TlbKey tag = key.Normalize();
        ulong page = entry.InputBase >> shift;
        lock (_writeLock)
        {
            if (_generation != generationAtWalkStart)
            {
                return;
            }

            int set = SetIndex(tag, page, shift);
            int first = set * _ways;
            int target = -1;
            for (int way = 0; way < _ways; way++)
            {
                Slot? existing = _slots[first + way];
                if (existing is null)
                {
                    target = target < 0 ? way : target;
                }
                else if (existing.Page == page && existing.Shift == shift && existing.Key == tag)
                {
                    target = way; // the same translation walked again: refresh it in place
                    break;
                }
            }

            bool evicting = false;
            if (target < 0)
            {
                target = _nextVictim[set];
                _nextVictim[set] = (byte)((target + 1) % _ways);
                evicting = true;
            }

            Slot? old = _slots[first + target];
            AddShift(shift);
            Volatile.Write(ref _slots[first + target], new Slot(tag, entry, page));
            if (old is null)
            {
                Volatile.Write(ref _count, _count + 1);
            }
            else
            {
                RemoveShift(old.Shift);
            }

            Statistics.RecordInsertion();
            if (evicting)
            {
                Statistics.RecordEviction();
            }
        }
    }

    /// <summary>Every valid entry with its tag, for diagnostics (a copy taken under the writer lock).</summary>
    /// <returns>The entries, in slot order.</returns>
    public IEnumerable<(TlbKey Key, TranslationEntry Entry)> Snapshot()
    {
        var result = new List<(TlbKey, TranslationEntry)>();
        lock (_writeLock)
        {
            foreach (Slot? slot in _slots)
            {
                if (slot is not null)
                {
                    result.Add((slot.Key, slot.Entry));
                }
            }
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetIndex(in TlbKey tag, ulong page, int shift)
    {
        // ASID is left out of the index so a global entry is found from any ASID (IHI0070 §3.17).
        ulong h = (page ^ ((ulong)tag.Vmid << 40) ^ ((ulong)tag.World << 56) ^ ((ulong)tag.Kind << 60) ^ ((ulong)shift << 32))
            * 0x9E37_79B9_7F4A_7C15UL;
        uint mixed = (uint)(h >> 32) ^ (uint)h;
        return (int)(((ulong)mixed * (uint)_sets) >> 32);
    }

    private void AddShift(int shift)
    {
        if (_shiftCounts[shift]++ == 0)
        {
            Volatile.Write(ref _presentShifts, _presentShifts | (1UL << shift));
        }
    }

    private void RemoveShift(int shift)
    {
        if (--_shiftCounts[shift] == 0)
        {
            Volatile.Write(ref _presentShifts, _presentShifts & ~(1UL << shift));
        }
    }

    /// <summary>One cached translation; immutable so a reader never sees it half-written.</summary>
    private sealed class Slot
    {
        public Slot(TlbKey key, in TranslationEntry entry, ulong page)
        {
            Key = key;
            Entry = entry;
            Page = page;
            Shift = entry.Shift;
        }

        // Fields, not properties: a lookup reads them in place instead of copying the entry.
        public readonly TlbKey Key;
        public readonly TranslationEntry Entry;

        /// <summary>Input address shifted right by <see cref="Shift"/>.</summary>
        public readonly ulong Page;
        public readonly int Shift;

        /// <summary>First input address the entry covers.</summary>
        public ulong First => Page << Shift;

        /// <summary>Last input address the entry covers.</summary>
        public ulong Last => First + (Bits.Mask(Shift));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(in TlbKey tag) =>
            Key.World == tag.World && Key.Vmid == tag.Vmid && Key.Kind == tag.Kind && (Key.Asid == tag.Asid || Entry.Global);
    }
}
