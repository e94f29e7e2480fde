using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Caches;

/// <summary>
/// The SMMU TLB: a set-associative cache of successful translations, tagged as IHI0070 §3.17 describes
/// (StreamWorld, VMID, ASID, stage), holding entries of any page or block size.
/// </summary>
/// <remarks>
/// <para>Lookups take no lock and allocate nothing: every slot holds an entry object, published with
/// <see cref="Volatile.Write{T}(ref T, T)"/>. Insertions and invalidations serialise on one writer lock. An entry
/// object that leaves the slots (eviction, replacement, invalidation) is refilled by a later insertion, so a fill
/// allocates nothing once the TLB has held as many entries as it will: a reader that found an object just before it
/// left may see it refilled, so every lock-free read of an entry is bracketed by its version (<see cref="Slot.Version"/>,
/// a sequence lock) and counts as a miss when the version moved (a miss only costs a walk).</para>
/// <para>An entry of size 2^s lives in the set chosen by its index tag (StreamWorld, VMID, ASID, kind), its input
/// address shifted right by s, and s: consecutive pages of one tag and size go to consecutive sets. The ASID is part
/// of the index, so one IOVA used by two address spaces does not compete for one set; an entry that matches every ASID (a global stage-1 entry, §3.17) is indexed with ASID 0 and a
/// lookup probes that set too, only for the sizes that hold global entries. A lookup probes one set per size present.</para>
/// <para>Invalidation never scans the TLB unless asked to remove most of it. Every index tag heads an intrusive list
/// of its slots, so ASID and VMID scopes walk exactly their entries; address scopes probe the sets the range can live
/// in, for each size present and each live index tag in scope, and fall back to a scan only when that would make more
/// than 1.25 probes per set the TLB has (<see cref="ScanCrossover"/>, measured). Per-tag lists were chosen over
/// per-tag epochs because they keep <see cref="Count"/>, the invalidation statistics and the occupancy exact, and add nothing to the hit path.</para>
/// </remarks>
internal sealed partial class Tlb
{
    /// <summary>Smallest page or block size accepted, as log2 (a 4 KiB page).</summary>
    public const int MinShift = 12;

    /// <summary>Largest page or block size accepted, as log2 (beyond any VMSAv8-64 block, even a contiguous one).</summary>
    public const int MaxShift = 52;

    private const ulong AsidMask = 0xFFFF;

    // The multipliers of a set index: the index tag's and the size's (SetIndex, IndexHash).
    private const ulong TagHash = 0x9E37_79B9_7F4A_7C15UL;
    private const ulong ShiftHash = 0xC2B2_AE3D_27D4_EB4FUL;

    private readonly SetAssociativeSlots<Slot> _store;

    // The store's array and associativity, and the sizes present, held here: each is a load fewer in the chain of
    // dependent loads a TLB hit waits on (IHI0070 says nothing of this; it is the model's own speed).
    private readonly Slot?[] _slots;
    private readonly int _ways;
    private readonly int _setMask;
    private readonly int _waysShift;
    private SizeCounts _sizes = new();
    private SizeCounts _globalSizes = new();
    private SizeCounts _spans = new();
    private readonly TagLists _lists;
    private readonly List<ulong> _scratchTags = [];

    // Entry objects that left the slots, linked through Slot.NextFree; only the writer (under the lock) touches them.
    private Slot? _free;

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

        _store = new SetAssociativeSlots<Slot>(capacity / ways, ways);
        _slots = _store.Slots;
        _ways = ways;
        _setMask = _store.SetMask;

        // -1 unless both the set count and the ways are powers of two (every default geometry), so that FindFirst
        // tests one field for its shift-and-mask index.
        _waysShift = _setMask >= 0 ? _store.WaysShift : -1;
        _lists = new TagLists(capacity);
        ScanCrossover = _store.Sets + (_store.Sets / 4);
    }

    /// <summary>Number of entries the TLB can hold (0 = disabled).</summary>
    public int Capacity => _store.Length;

    /// <summary>Entries per set.</summary>
    public int Ways => _store.Ways;

    /// <summary>Hit, miss, insertion, eviction and invalidation counters.</summary>
    public CacheStatistics Statistics => _store.Statistics;

    /// <summary>
    /// Incremented by every invalidation. Read it before a walk and pass it to <see cref="Insert"/>, so that a walk racing
    /// an invalidation cannot leave a stale entry behind (IHI0070 §3.21, §4.7.3: after CMD_SYNC no stale entry may be used).
    /// </summary>
    public long Generation => _store.Generation;

    /// <summary>Number of valid entries.</summary>
    public int Count => _store.Count;

    /// <summary>
    /// Set probes above which an address-scoped invalidation scans every slot instead. Measured (docs/performance.md,
    /// <c>InvalidationCrossoverBenchmarks</c>): probing costs as much as a scan at 1.1 probes per set in a quarter-full
    /// TLB and 1.4 in a full one, at 4,096 and 16,384 entries alike; 1.25 per set is within 15% of the cheaper
    /// strategy at either fill. Settable so the benchmark can time both.
    /// </summary>
    internal long ScanCrossover { get; set; }

    /// <summary>Finds the entry translating <paramref name="inputAddress"/> for <paramref name="key"/>. Takes no lock and allocates nothing.</summary>
    /// <param name="key">Tag of the translation; fields its StreamWorld does not use are ignored.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <param name="entry">The cached entry, when found.</param>
    /// <returns>True on a hit.</returns>
    /// <remarks>A global entry (nG = 0) matches every ASID of the same StreamWorld, VMID and kind (IHI0070 §3.17).</remarks>
    public bool TryLookup(in TlbKey key, ulong inputAddress, out TranslationEntry entry) => TryLookup(key.Pack(), inputAddress, out entry);

    /// <summary>As <see cref="TryLookup(in TlbKey, ulong, out TranslationEntry)"/>, with the key already packed (<see cref="TlbKey.Pack"/>).</summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <param name="entry">The cached entry, when found.</param>
    /// <returns>True on a hit.</returns>
    public bool TryLookup(ulong tag, ulong inputAddress, out TranslationEntry entry)
    {
        bool hit = TryPeek(tag, inputAddress, out entry);
        RecordLookup(hit);
        return hit;
    }

    /// <summary>Counts a lookup made with <see cref="TryPeek"/>.</summary>
    /// <param name="hit">Whether it found an entry.</param>
    public void RecordLookup(bool hit)
    {
        if (hit)
        {
            Statistics.RecordHit();
        }
        else
        {
            Statistics.RecordMiss();
        }
    }

    /// <summary>As <see cref="TryLookup(ulong, ulong, out TranslationEntry)"/>, counting nothing: the caller counts the lookup.</summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <param name="entry">The cached entry, when found.</param>
    /// <returns>True on a hit.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPeek(ulong tag, ulong inputAddress, out TranslationEntry entry)
    {
        Slot? slot = Find(tag, inputAddress, out int version);
        return TryCopy(slot, version, out entry);
    }

    /// <summary>
    /// Copies the entry of a slot <see cref="Find(ulong, ulong, out int)"/> returned, if the slot still holds what it held then (it was not
    /// refilled meanwhile): true with the entry, or false with default, a miss.
    /// </summary>
    /// <param name="slot">The slot found, or null.</param>
    /// <param name="version">The version <see cref="Find(ulong, ulong, out int)"/> gave with it.</param>
    /// <param name="entry">The entry, or default.</param>
    /// <returns>True when the entry was read whole.</returns>
    public static bool TryCopy(Slot? slot, int version, out TranslationEntry entry)
    {
        if (slot is null)
        {
            entry = default;
            return false;
        }

        entry = slot.Entry;
        if (!slot.Holds(version))
        {
            entry = default;
            return false;
        }

        return true;
    }

    /// <summary>
    /// As <see cref="TryPeek"/>, returning the cached slot itself: the TLB-hit path reads the few fields it needs in
    /// place instead of copying the whole entry. Counts nothing, takes no lock and allocates nothing.
    /// </summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <param name="version">
    /// The slot's <see cref="Slot.Version"/> read before its fields: the caller reads the fields it needs, then uses
    /// them only if <see cref="Slot.Holds"/>(version) (else it is a miss).
    /// </param>
    /// <returns>The slot, or null on a miss.</returns>
    public Slot? Find(ulong tag, ulong inputAddress, out int version)
    {
        (var slot, version) = Lookup(tag, IndexHash(tag), inputAddress);
        return slot;
    }

    /// <summary>
    /// As <see cref="Find(ulong, ulong, out int)"/>, with the tag's <see cref="IndexHash"/> computed once by the caller
    /// (a stream path), and the slot and its version returned as a pair: <see cref="FindFirst"/>, then
    /// <see cref="FindBeyondFirstProbe"/> when there is anywhere else to look.
    /// </summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="tagHash"><see cref="IndexHash"/> of <paramref name="tag"/>.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <returns>The slot and its version (as <see cref="Find(ulong, ulong, out int)"/>), or null on a miss.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Slot? Slot, int Version) Lookup(ulong tag, ulong tagHash, ulong inputAddress)
    {
        var (slot, version) = FindFirst(tag, tagHash, inputAddress);
        if (slot is null && ProbesBeyondFirst)
        {
            (slot, version) = FindBeyondFirstProbe(tag, inputAddress);
        }

        return (slot, version);
    }

    /// <summary>
    /// The first probe of <see cref="Lookup"/>, inlined into the TLB-hit path: the set of the smallest size present under
    /// the lookup's own ASID, where a hit almost always is. The version comes back in a register (a pair, not an out
    /// parameter), so that nothing of the probe goes through the stack.
    /// </summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="tagHash"><see cref="IndexHash"/> of <paramref name="tag"/>.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <returns>The slot and its version, or null: not in this set, the other probes may still find it.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (Slot? Slot, int Version) FindFirst(ulong tag, ulong tagHash, ulong inputAddress)
    {
        ulong shifts = _sizes.Present;
        if (shifts == 0)
        {
            return default;
        }

        int shift = BitOperations.TrailingZeroCount(shifts);
        ulong page = inputAddress >> shift;
        ulong runHash = tagHash + ((ulong)shift * ShiftHash);

        // A power-of-two geometry (every default one): the set is the low bits of the run, the set's first slot a
        // shift of it, with no multiply in the chain of dependent operations a hit waits on.
        int first = _waysShift >= 0
            ? (int)(((uint)page + (uint)(runHash >> 32)) & (uint)_setMask) << _waysShift
            : _store.SetOfRun(page, runHash) * _ways;

        return ProbeSet(first, tag, page, shift);
    }

    /// <summary>
    /// Whether <see cref="FindBeyondFirstProbe"/> has anywhere to look: more than one size present, or a global entry
    /// (indexed under ASID 0). Read without the lock: a lookup racing an insertion may miss, which only costs a walk.
    /// </summary>
    public bool ProbesBeyondFirst
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ulong shifts = _sizes.Present;
            return (shifts & (shifts - 1)) != 0 || _globalSizes.Present != 0;
        }
    }

    /// <summary>The part of a set index that depends on the tag alone: a stream path computes it once for its tag.</summary>
    /// <param name="tag">The packed key.</param>
    /// <returns>The hash <see cref="Lookup"/> takes.</returns>
    public static ulong IndexHash(ulong tag) => (tag & ~TlbKey.AsetBit) * TagHash;

    /// <summary>
    /// What <see cref="FindFirst"/> leaves: the global (ASID 0) set of its size, then both sets of every larger size
    /// present. Sizes that appeared since the first probe may be skipped or probed twice: a lookup racing an insertion
    /// may miss, which only costs a walk.
    /// </summary>
    /// <param name="tag">The packed key.</param>
    /// <param name="inputAddress">VA (stage 1, nested) or IPA (stage 2 only).</param>
    /// <returns>The slot and its version, or null on a miss.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public (Slot? Slot, int Version) FindBeyondFirstProbe(ulong tag, ulong inputAddress)
    {
        ulong shifts = _sizes.Present;
        ulong firstShift = shifts & (0 - shifts);
        while (shifts != 0)
        {
            int shift = BitOperations.TrailingZeroCount(shifts);
            ulong page = inputAddress >> shift;
            Slot? slot;
            int version;
            if ((shifts & firstShift) == 0)
            {
                (slot, version) = Probe(tag & ~TlbKey.AsetBit, tag, page, shift);
                if (slot is not null)
                {
                    return (slot, version);
                }
            }

            shifts &= shifts - 1;

            // Global entries are indexed under ASID 0 of the lookup's ASET (IHI0070 §3.17.1): a second set unless that is the first.
            if ((tag & (AsidMask | TlbKey.AsetBit)) != 0 && ((_globalSizes.Present >> shift) & 1) != 0)
            {
                (slot, version) = Probe(tag & ~AsidMask, tag, page, shift);
                if (slot is not null)
                {
                    return (slot, version);
                }
            }
        }

        return default;
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
            ThrowBadShift(shift);
        }

        if (_store.Sets == 0)
        {
            return;
        }

        lock (_store.WriteLock)
        {
            if (!_store.MayFill(generationAtWalkStart))
            {
                return;
            }

            // An entry object that left the slots is refilled (Slot.Fill brackets the writes with its version).
            var slot = _free;
            if (slot is null)
            {
                slot = new Slot();
            }
            else
            {
                _free = slot.NextFree;
                slot.NextFree = null;
            }

            slot.Fill(key, entry);
            int index = _store.ChooseSlot(SetIndex(slot.IndexTag, slot.Page, shift), slot, SameTranslation, out bool evicting);
            Forget(index, _store.Store(index, slot));
            _lists.Link(index, slot.IndexTag);
            _sizes.Add(shift);
            if (slot.AnyAsid)
            {
                _globalSizes.Add(shift);
            }

            if (slot.SpanShift > shift)
            {
                _spans.Add(slot.SpanShift);
            }

            _store.RecordFill(evicting);
        }
    }

    // Out of line: the message's builder in Insert's frame cost every fill (see IoPageTable.ThrowUnbacked).
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadShift(int shift) =>
        throw new ArgumentOutOfRangeException("entry", shift, $"TLB entry size 2^{shift} is outside 2^{MinShift}..2^{MaxShift}.");

    /// <summary>Every valid entry with its tag, for diagnostics (a copy taken under the writer lock).</summary>
    /// <returns>The entries, in slot order.</returns>
    public IEnumerable<(TlbKey Key, TranslationEntry Entry)> Snapshot()
    {
        var result = new List<(TlbKey, TranslationEntry)>();
        lock (_store.WriteLock)
        {
            for (int i = 0; i < _store.Length; i++)
            {
                if (_store.Peek(i) is { } slot)
                {
                    result.Add((TlbKey.Unpack(slot.Tag), slot.Entry));
                }
            }
        }

        return result;
    }

    private static bool SameTranslation(Slot existing, Slot added) =>
        existing.Page == added.Page && existing.Shift == added.Shift && existing.Tag == added.Tag && existing.IndexTag == added.IndexTag;

    // The set of (indexTag, page, shift), searched for the entry of tag.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Slot? Slot, int Version) Probe(ulong indexTag, ulong tag, ulong page, int shift) =>
        ProbeSet(SetIndex(indexTag, page, shift) * _ways, tag, page, shift);

    // The ways of the set starting at slot `first`: the entry of tag for page at shift, with its version, or null.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Slot? Slot, int Version) ProbeSet(int first, ulong tag, ulong page, int shift)
    {
        // first + way < Sets * Ways by construction of the set index: no bounds check per way.
        ref Slot? way = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), first);
        for (int left = _ways; left > 0; left--, way = ref Unsafe.Add(ref way, 1))
        {
            Slot? slot = Volatile.Read(ref way);
            if (slot is null)
            {
                continue;
            }

            // The version first (an acquire read): the fields compared below, and those the caller reads, are then of
            // the fill that version ends, unless Holds later finds it moved.
            int version = slot.Version;
            if (slot.Page == page && slot.Shift == shift && ((slot.Tag ^ tag) & slot.MatchMask) == 0)
            {
                return (slot, version);
            }
        }

        return default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SetIndex(ulong indexTag, ulong page, int shift) =>
        _store.SetOfRun(page, (indexTag * TagHash) + ((ulong)shift * ShiftHash));

    // Under the writer lock: the bookkeeping of a slot that no longer holds `old`.
    private void Forget(int index, Slot? old)
    {
        if (old is null)
        {
            return;
        }

        _lists.Unlink(index, old.IndexTag);
        _sizes.Remove(old.Shift);
        if (old.AnyAsid)
        {
            _globalSizes.Remove(old.Shift);
        }

        if (old.SpanShift > old.Shift)
        {
            _spans.Remove(old.SpanShift);
        }

        // Out of the slots: the next insertion may refill it (readers still holding it see its version move).
        old.NextFree = _free;
        _free = old;
    }

    private bool RemoveAt(int index)
    {
        Forget(index, _store.Store(index, null));
        return true;
    }

    /// <summary>How many entries of each size (log2) the TLB holds, and the set of sizes present for lock-free readers.</summary>
    // A struct held in the TLB's fields: the hit path reads Present without first loading another object.
    private struct SizeCounts
    {
        private readonly int[] _counts;
        private ulong _present;

        public SizeCounts()
        {
            _counts = new int[64];
            _present = 0;
        }

        public ulong Present
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Volatile.Read(ref _present);
        }

        public int Largest => _present == 0 ? 0 : 63 - BitOperations.LeadingZeroCount(_present);

        public void Add(int shift)
        {
            if (_counts[shift]++ == 0)
            {
                Volatile.Write(ref _present, _present | (1UL << shift));
            }
        }

        public void Remove(int shift)
        {
            if (--_counts[shift] == 0)
            {
                Volatile.Write(ref _present, _present & ~(1UL << shift));
            }
        }
    }

    /// <summary>
    /// One cached translation. Written only under the writer lock, by <see cref="Fill"/>, which makes
    /// <see cref="Version"/> odd while it writes (a sequence lock): a lock-free reader reads the version, then the
    /// fields, then keeps what it read only if <see cref="Holds"/> finds the same even version.
    /// </summary>
    internal sealed class Slot
    {
        private int _version;

        /// <summary>Even when the fields are one fill's; odd while <see cref="Fill"/> writes them. Read with acquire semantics.</summary>
        public int Version
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Volatile.Read(ref _version);
        }

        /// <summary>The next free entry object, while this one is out of the slots (writer only).</summary>
        internal Slot? NextFree;

        /// <summary>True when the fields read since <paramref name="version"/> was read (<see cref="Version"/>) are all of that one fill.</summary>
        /// <param name="version">The version read before the fields.</param>
        /// <returns>False when a fill was under way or has happened since: what was read must not be used.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Holds(int version)
        {
            // No read of a field above may be satisfied after the version is read again.
            Volatile.ReadBarrier();
            return (version & 1) == 0 && Volatile.Read(ref _version) == version;
        }

        /// <summary>Under the writer lock: makes this object hold <paramref name="entry"/> for <paramref name="key"/>.</summary>
        /// <param name="key">The tag.</param>
        /// <param name="entry">The translation.</param>
        public void Fill(in TlbKey key, in TranslationEntry entry)
        {
            // Odd first, then a store barrier, so that no write below is visible before it; even after, with release, so
            // that a reader who sees the new even version sees every write below. The writer lock makes this the only
            // writer, so the odd store needs no atomic: the lock incq it replaced was a stall on every TLB fill
            // (WriteBarrier is no instruction on x64, dmb ishst on Arm64).
            Volatile.Write(ref _version, _version + 1);
            Volatile.WriteBarrier();
            Tag = key.Pack();
            Entry = entry;
            Shift = entry.Shift;
            Page = entry.InputBase >> Shift;
            OffsetMask = Bits.Mask(Shift);
            OutputBase = entry.OutputBase;
            Permitted = entry.Stage1Permissions & entry.Stage2Permissions;
            AttributeBits = new TransactionAttributes(entry.Attributes, false, false, !entry.Secure).Bits;

            // IHI0070 §3.17: a global stage-1 entry matches every ASID; it is indexed and listed under ASID 0. §3.17.1:
            // it matches only lookups of its own ASET, while a non-global entry matches its ASID under either ASET
            // ("ASID values with CD.ASET == 0 are considered equivalent to ASID values with CD.ASET == 1").
            AnyAsid = entry.Global && TlbKey.UsesAsid(key.World, key.Kind);
            MatchMask = AnyAsid ? ~AsidMask : ~TlbKey.AsetBit;
            IndexTag = AnyAsid ? Tag & ~AsidMask : Tag & ~TlbKey.AsetBit;
            SpanShift = Math.Max(Shift, entry.Stage1Shift);
            Volatile.Write(ref _version, _version + 1);
        }

        // Fields, not properties: a lookup reads them in place.

        /// <summary>The packed, normalised tag (<see cref="TlbKey.Pack"/>).</summary>
        public ulong Tag;

        /// <summary>Tag bits a lookup must match: all but ASET, or all but the ASID for a global entry.</summary>
        public ulong MatchMask;

        /// <summary>Input address shifted right by <see cref="Shift"/>.</summary>
        public ulong Page;
        public int Shift;

        /// <summary>The tag the entry is indexed and listed under.</summary>
        public ulong IndexTag;
        public bool AnyAsid;

        /// <summary>log2 of the stage-1 leaf the entry is a piece of (its own size unless a nested entry was split by stage 2).</summary>
        public int SpanShift;

        // What a permitted hit reads, precomputed next to the tag so that it needs no copy of Entry.

        /// <summary>Address bits below the entry's size: the input's, kept in the output.</summary>
        public ulong OffsetMask;

        /// <summary><see cref="TranslationEntry.OutputBase"/>.</summary>
        public ulong OutputBase;

        /// <summary>
        /// What both stages grant: an access is permitted when its one required bit is here (as
        /// <see cref="Translation.PermissionCheck.Check"/> finds it, stage 1 and stage 2 each granting it).
        /// </summary>
        public PagePermissions Permitted;

        /// <summary>The output attributes (memory type and NS) of every hit, PnU and InD clear (<see cref="TransactionAttributes.Bits"/>).</summary>
        public ulong AttributeBits;
        public TranslationEntry Entry;

        public TlbKey Key => TlbKey.Unpack(Tag);

        /// <summary>First input address the entry covers.</summary>
        public ulong First => Page << Shift;

        /// <summary>Last input address the entry covers.</summary>
        public ulong Last => First + Bits.Mask(Shift);
    }
}
