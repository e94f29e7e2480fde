namespace ArmSmmu.Caches;

// TLB invalidation: each method removes exactly the scope its command requires (IHI0070 §4.4), visiting only the
// entries of the index tags in scope (ASID, VMID, StreamWorld scopes) or the sets an address range can live in.
internal sealed partial class Tlb
{
    /// <summary>Removes every entry (reset, or a model-wide flush).</summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateAll() => Invalidate(new AllScope());

    /// <summary>
    /// CMD_TLBI_NSNH_ALL (IHI0070 §4.4.4.1): every NS-EL1 entry, of every VMID, at every stage
    /// (not NS-EL2 or NS-EL2-E2H entries).
    /// </summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateNsnhAll() =>
        Invalidate(new WorldScope(StreamWorld.NsEl1, StreamWorld.NsEl1));

    /// <summary>CMD_TLBI_EL2_ALL (IHI0070 §4.4.2.7): every NS-EL2 entry, ASID-tagged (EL2-E2H) or not.</summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateEl2All() =>
        Invalidate(new WorldScope(StreamWorld.NsEl2, StreamWorld.NsEl2E2H));

    /// <summary>
    /// CMD_TLBI_NH_ALL (<paramref name="stage1Only"/> = true, IHI0070 §4.4.2.1): the NS-EL1 stage-1 and nested entries
    /// of a VMID, global ones included, leaving stage-2-only entries. CMD_TLBI_S12_VMALL (false, §4.4.3.2): every NS-EL1
    /// entry of the VMID at all stages.
    /// </summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="stage1Only">True for NH_ALL, false for S12_VMALL.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, IHI0070 §3.17.6): 0..4.</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateVmid(ushort vmid, bool stage1Only, int vmidWildcardBits = 0) =>
        Invalidate(new VmidScope(vmid, VmidWildcardMask(vmidWildcardBits), stage1Only));

    /// <summary>
    /// CMD_TLBI_NH_ASID (<paramref name="world"/> NS-EL1, IHI0070 §4.4.2.2) and CMD_TLBI_EL2_ASID (NS-EL2-E2H, §4.4.2.10):
    /// the non-global stage-1 and nested entries of an ASID (and, for NS-EL1, a VMID). Global entries stay (§3.17.1);
    /// EL2 entries without ASID tag are not affected.
    /// </summary>
    /// <param name="world">StreamWorld whose entries are invalidated.</param>
    /// <param name="vmid">VMID (ignored for EL2 StreamWorlds).</param>
    /// <param name="asid">ASID.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, IHI0070 §3.17.6).</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateAsid(StreamWorld world, ushort vmid, ushort asid, int vmidWildcardBits = 0)
    {
        var scope = new AsidScope(world, vmid, VmidWildcardMask(vmidWildcardBits), asid);

        // IHI0070 §4.4.2.10: EL2 entries without an ASID tag are not affected by an ASID invalidation.
        bool tagged = TlbKey.UsesAsid(world, TranslationKind.Stage1);
        return Invalidate(scope with { Tagged = tagged });
    }

    /// <summary>
    /// Invalidation by VA of stage-1 and nested (combined S1+S2) entries whose stage-1 leaf overlaps
    /// [<paramref name="address"/>, <paramref name="address"/> + <paramref name="size"/>):
    /// CMD_TLBI_NH_VA (NS-EL1, an ASID: entries of that ASID and global entries, IHI0070 §4.4.2.4),
    /// CMD_TLBI_NH_VAA (NS-EL1, <paramref name="asid"/> null: every ASID, §4.4.2.3),
    /// CMD_TLBI_EL2_VA / EL2_VAA (NS-EL2 or NS-EL2-E2H as SMMU_CR2.E2H selects, §4.4.2.8, §4.4.2.9; NS-EL2 has no ASID, so
    /// the ASID is ignored there). A nested entry split into stage-2-sized pieces goes whole: every piece of the
    /// stage-1 leaf that translates an address of the range is removed (§4.4.2).
    /// </summary>
    /// <param name="world">StreamWorld whose entries are invalidated.</param>
    /// <param name="vmid">VMID (ignored for EL2 StreamWorlds).</param>
    /// <param name="asid">ASID, or null for every ASID.</param>
    /// <param name="address">First VA of the range (need not be aligned to an entry: an entry is hit when it overlaps the range, §4.4).</param>
    /// <param name="size">Bytes in the range (§4.4.1.1: (NUM+1) * 2^SCALE * granule; one byte is enough for a non-range command).</param>
    /// <param name="leafOnly">Leaf = 1. Only walk caches care; every TLB entry is a leaf.</param>
    /// <param name="ttlLevel">TTL hint: only entries whose stage-1 leaf level equals it are removed; -1 = any level (§4.4.1.1).</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, IHI0070 §3.17.6).</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateVa(
        StreamWorld world, ushort vmid, ushort? asid, ulong address, ulong size, bool leafOnly, int ttlLevel, int vmidWildcardBits = 0)
    {
        _ = leafOnly;
        bool anyAsid = asid is null || !TlbKey.UsesAsid(world, TranslationKind.Stage1);
        var scope = new AddressScope(
            world, Stage2: false, vmid, VmidWildcardMask(vmidWildcardBits), anyAsid, asid.GetValueOrDefault(), ttlLevel, address, RangeLast(address, size));
        return Invalidate(scope);
    }

    /// <summary>
    /// CMD_TLBI_S2_IPA (IHI0070 §4.4.3.1): NS-EL1 stage-2-only entries of a VMID whose IPA range overlaps
    /// [<paramref name="ipa"/>, <paramref name="ipa"/> + <paramref name="size"/>). Nested (combined S1+S2) entries are
    /// left alone: §4.4.3.1 does not require this command to invalidate combined stage 1 and stage 2 information and
    /// expects software to follow it with CMD_TLBI_NH_ALL or CMD_TLBI_NH_VAA.
    /// </summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="ipa">First IPA of the range (bits [11:0] are treated as 0 by the command).</param>
    /// <param name="size">Bytes in the range.</param>
    /// <param name="leafOnly">Leaf = 1. Only walk caches care; every TLB entry is a leaf.</param>
    /// <param name="ttlLevel">TTL hint: only entries whose stage-2 leaf level equals it are removed; -1 = any level.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, IHI0070 §3.17.6).</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateIpa(ushort vmid, ulong ipa, ulong size, bool leafOnly, int ttlLevel, int vmidWildcardBits = 0)
    {
        _ = leafOnly;
        var scope = new AddressScope(
            StreamWorld.NsEl1, Stage2: true, vmid, VmidWildcardMask(vmidWildcardBits), AnyAsid: true, 0, ttlLevel, ipa, RangeLast(ipa, size));
        return Invalidate(scope);
    }

    private static ushort VmidWildcardMask(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits, nameof(bits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 16, nameof(bits));
        return (ushort)Bits.Mask(bits);
    }

    private static bool VmidMatches(ulong tag, ushort wanted, ushort ignored) => ((TlbKey.VmidOf(tag) ^ wanted) & ~ignored) == 0;

    /// <summary>Last address of [first, first + size); an empty size means the single byte at first, a range past the top stops there.</summary>
    private static ulong RangeLast(ulong first, ulong size)
    {
        if (size == 0)
        {
            return first;
        }

        ulong last = first + (size - 1);
        return last < first ? ulong.MaxValue : last; // IHI0070 §4.4.1.1: the range does not wrap
    }

    // Holds the writer lock, retires the generation first (so a walk that read the retired tables cannot insert
    // afterwards), runs the scope's removal and counts it. The scope is a struct passed by reference down to the
    // removal: a delegate taking it by value copied it in 16-byte moves from the narrower stores that had just built
    // it, a store-forwarding stall that was half of this method's samples in a TLBI by VA.
    private int Invalidate<TScope>(in TScope scope)
        where TScope : struct, IScope
    {
        lock (_store.WriteLock)
        {
            _store.BeginInvalidation();
            int removed = scope.RemoveFrom(this);
            Statistics.RecordInvalidated(removed);
            return removed;
        }
    }

    // The index tags in scope, copied so their lists may empty (and the tags go) while they are walked.
    private List<ulong> TagsIn<TScope>(in TScope scope)
        where TScope : struct, IScope
    {
        _scratchTags.Clear();
        foreach (ulong tag in _lists.Tags)
        {
            if (scope.CoversTag(tag))
            {
                _scratchTags.Add(tag);
            }
        }

        return _scratchTags;
    }

    // Up to this many tags, testing each is cheaper than the six dictionary lookups of TagsNamedBy (callgrind,
    // bench/callgrind/miss.sh mtu: 364 against 223 instructions with four tags).
    private const int NamedTagsCrossover = 12;

    // An address scope of one ASID and one VMID names its tags: stage 1 and nested, of the ASID, and of ASID 0 under
    // either ASET (global entries are listed there, keeping their ASET: Slot.Fill). Looking those up rather than testing
    // every tag keeps a TLBI by VA independent of the number of ASIDs and VMIDs the TLB holds.
    private List<ulong> TagsNamedBy(in AddressScope scope)
    {
        _scratchTags.Clear();
        ushort vmid = TlbKey.UsesVmid(scope.World) ? scope.Vmid : (ushort)0;
        foreach (var kind in (ReadOnlySpan<TranslationKind>)[TranslationKind.Stage1, TranslationKind.Nested])
        {
            ulong asidTag = new TlbKey(scope.World, vmid, scope.Asid, kind).Pack();
            ulong globalTag = asidTag & ~(ulong)ushort.MaxValue;
            if (asidTag != globalTag)
            {
                AddIfListed(asidTag);
            }

            AddIfListed(globalTag);
            AddIfListed(globalTag | TlbKey.AsetBit);
        }

        return _scratchTags;

        void AddIfListed(ulong tag)
        {
            if (_lists.Has(tag))
            {
                _scratchTags.Add(tag);
            }
        }
    }

    // ASID, VMID and StreamWorld scopes: walk the lists of the tags in scope; the cost is their entries.
    private int RemoveByTag<TScope>(in TScope scope)
        where TScope : struct, IScope
    {
        int removed = 0;
        foreach (ulong tag in TagsIn(scope))
        {
            for (int index = _lists.Head(tag); index >= 0;)
            {
                int next = _lists.Next(index);
                if (scope.Covers(_store.Peek(index)!) && RemoveAt(index))
                {
                    removed++;
                }

                index = next;
            }
        }

        return removed;
    }

    // Address scopes: probe the sets where an entry overlapping the range can live, for every size present and every
    // tag in scope; scan instead when that is more sets than the TLB has.
    private int RemoveInRange(in AddressScope scope)
    {
        var tags = scope.NamesItsTags && _lists.TagCount > NamedTagsCrossover ? TagsNamedBy(scope) : TagsIn(scope);
        if (tags.Count == 0)
        {
            return 0;
        }

        // A split nested entry is matched by its stage-1 leaf (IHI0070 §4.4.2), which may reach outside the range:
        // widen the pages probed to the largest such leaf present.
        int widest = _spans.Largest;
        ulong first = scope.First & ~Bits.Mask(widest);
        ulong last = scope.Last | Bits.Mask(widest);
        ulong shifts = _sizes.Present;
        ulong probesPerTag = 0;
        for (ulong s = shifts; s != 0; s &= s - 1)
        {
            int shift = System.Numerics.BitOperations.TrailingZeroCount(s);
            probesPerTag += (last >> shift) - (first >> shift) + 1;
            if (probesPerTag > (ulong)ScanCrossover)
            {
                return Scan(scope);
            }
        }

        if (probesPerTag * (ulong)tags.Count > (ulong)ScanCrossover)
        {
            return Scan(scope);
        }

        int removed = 0;
        int ways = _store.Ways;
        foreach (ulong tag in tags)
        {
            for (ulong s = shifts; s != 0; s &= s - 1)
            {
                int shift = System.Numerics.BitOperations.TrailingZeroCount(s);
                for (ulong page = first >> shift; ; page++)
                {
                    int setIndex = SetIndex(tag, page, shift);
                    int set = setIndex * ways;
                    var slots = _store.WaysFrom(set);
                    for (int way = 0, unseen = _store.Occupied(setIndex); way < slots.Length && unseen > 0; way++)
                    {
                        if (slots[way] is not { } slot)
                        {
                            continue;
                        }

                        unseen--;
                        if (slot.IndexTag == tag && scope.Covers(slot) && RemoveAt(set + way))
                        {
                            removed++;
                        }
                    }

                    if (page == last >> shift)
                    {
                        break;
                    }
                }
            }
        }

        return removed;
    }

    private int Scan<TScope>(in TScope scope)
        where TScope : struct, IScope
    {
        int removed = 0;
        for (int i = 0; i < _store.Length; i++)
        {
            if (_store.Peek(i) is { } slot && scope.CoversTag(slot.IndexTag) && scope.Covers(slot) && RemoveAt(i))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>What one invalidation removes: the index tags whose lists may hold such entries, and the entries.</summary>
    private interface IScope
    {
        bool CoversTag(ulong indexTag);

        bool Covers(Slot slot);

        // Under the writer lock: removes what the scope covers, by the strategy that fits it.
        int RemoveFrom(Tlb tlb);
    }

    private readonly record struct AllScope : IScope
    {
        public bool CoversTag(ulong indexTag) => true;

        public bool Covers(Slot slot) => true;

        public int RemoveFrom(Tlb tlb) => tlb.RemoveByTag(this);
    }

    private readonly record struct WorldScope(StreamWorld A, StreamWorld B) : IScope
    {
        public bool CoversTag(ulong indexTag) => TlbKey.WorldOf(indexTag) == A || TlbKey.WorldOf(indexTag) == B;

        public bool Covers(Slot slot) => true;

        public int RemoveFrom(Tlb tlb) => tlb.RemoveByTag(this);
    }

    private readonly record struct VmidScope(ushort Vmid, ushort Ignored, bool Stage1Only) : IScope
    {
        public bool CoversTag(ulong indexTag) =>
            TlbKey.WorldOf(indexTag) == StreamWorld.NsEl1
            && VmidMatches(indexTag, Vmid, Ignored)
            && (!Stage1Only || TlbKey.KindOf(indexTag) != TranslationKind.Stage2);

        public bool Covers(Slot slot) => true;

        public int RemoveFrom(Tlb tlb) => tlb.RemoveByTag(this);
    }

    // Global entries are listed under ASID 0 with the ASID-0 entries; Covers keeps them (IHI0070 §3.17.1).
    private readonly record struct AsidScope(StreamWorld World, ushort Vmid, ushort Ignored, ushort Asid, bool Tagged = true) : IScope
    {
        public bool CoversTag(ulong indexTag) =>
            TlbKey.WorldOf(indexTag) == World
            && TlbKey.KindOf(indexTag) != TranslationKind.Stage2
            && TlbKey.AsidOf(indexTag) == Asid
            && (!TlbKey.UsesVmid(World) || VmidMatches(indexTag, Vmid, Ignored));

        public bool Covers(Slot slot) => !slot.Entry.Global;

        // IHI0070 §4.4.2.10: an ASID invalidation of an EL2 StreamWorld without ASID tags removes nothing.
        public int RemoveFrom(Tlb tlb) => Tagged ? tlb.RemoveByTag(this) : 0;
    }

    private readonly record struct AddressScope(
        StreamWorld World, bool Stage2, ushort Vmid, ushort Ignored, bool AnyAsid, ushort Asid, int TtlLevel, ulong First, ulong Last) : IScope
    {
        // A global entry's list is the ASID-0 one, so ASID 0 is always in scope of an ASID-specific command.
        public bool CoversTag(ulong indexTag) =>
            TlbKey.WorldOf(indexTag) == World
            && (TlbKey.KindOf(indexTag) == TranslationKind.Stage2) == Stage2
            && (!TlbKey.UsesVmid(World) || VmidMatches(indexTag, Vmid, Ignored))
            && (AnyAsid || TlbKey.AsidOf(indexTag) == Asid || TlbKey.AsidOf(indexTag) == 0);

        public int RemoveFrom(Tlb tlb) => tlb.RemoveInRange(this);

        /// <summary>One ASID of one VMID (no wildcard) at stage 1: <see cref="TagsNamedBy"/> lists exactly the tags <see cref="CoversTag"/> accepts.</summary>
        public bool NamesItsTags => !AnyAsid && Ignored == 0 && !Stage2;

        // IHI0070 §4.4.2: matched by the stage-1 leaf the entry is a piece of, not only by the piece.
        public bool Covers(Slot slot)
        {
            ulong leafFirst = slot.First & ~Bits.Mask(slot.SpanShift);
            ulong leafLast = leafFirst + Bits.Mask(slot.SpanShift);
            return (AnyAsid || slot.Entry.Global || TlbKey.AsidOf(slot.Tag) == Asid)
                && (TtlLevel < 0 || slot.Entry.Level == TtlLevel)
                && leafFirst <= Last
                && First <= leafLast;
        }
    }
}
