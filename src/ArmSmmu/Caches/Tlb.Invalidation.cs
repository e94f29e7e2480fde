namespace ArmSmmu.Caches;

// TLB invalidation: each method removes exactly the scope its command requires (IHI0070 §4.4).
internal sealed partial class Tlb
{
    /// <summary>Removes every entry (reset, or a model-wide flush).</summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateAll() => RemoveWhere(static _ => true);

    /// <summary>
    /// CMD_TLBI_NSNH_ALL (IHI0070 §4.4.4.1): every NS-EL1 entry, of every VMID, at every stage
    /// (not NS-EL2 or NS-EL2-E2H entries).
    /// </summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateNsnhAll() => RemoveWhere(static slot => slot.Key.World == StreamWorld.NsEl1);

    /// <summary>CMD_TLBI_EL2_ALL (IHI0070 §4.4.2.7): every NS-EL2 entry, ASID-tagged (EL2-E2H) or not.</summary>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateEl2All() => RemoveWhere(static slot => slot.Key.World is StreamWorld.NsEl2 or StreamWorld.NsEl2E2H);

    /// <summary>
    /// CMD_TLBI_NH_ALL (<paramref name="stage1Only"/> = true, IHI0070 §4.4.2.1): the NS-EL1 stage-1 and nested entries
    /// of a VMID, global ones included, leaving stage-2-only entries. CMD_TLBI_S12_VMALL (false, §4.4.3.2): every NS-EL1
    /// entry of the VMID at all stages.
    /// </summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="stage1Only">True for NH_ALL, false for S12_VMALL.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, IHI0070 §3.17.6): 0..4.</param>
    /// <returns>Number of entries removed.</returns>
    public int InvalidateVmid(ushort vmid, bool stage1Only, int vmidWildcardBits = 0)
    {
        ushort ignored = VmidWildcardMask(vmidWildcardBits);
        return RemoveWhere(slot =>
            slot.Key.World == StreamWorld.NsEl1
            && VmidMatches(slot.Key.Vmid, vmid, ignored)
            && (!stage1Only || slot.Key.Kind != TranslationKind.Stage2));
    }

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
        ushort ignored = VmidWildcardMask(vmidWildcardBits);

        // IHI0070 §4.4.2.10: EL2 entries without an ASID tag are not affected by an ASID invalidation.
        bool tagged = TlbKey.UsesAsid(world, TranslationKind.Stage1);
        return RemoveWhere(slot =>
            tagged
            && slot.Key.World == world
            && slot.Key.Kind != TranslationKind.Stage2
            && !slot.Entry.Global
            && slot.Key.Asid == asid
            && (!TlbKey.UsesVmid(world) || VmidMatches(slot.Key.Vmid, vmid, ignored)));
    }

    /// <summary>
    /// Invalidation by VA of stage-1 and nested (combined S1+S2) entries whose input range overlaps
    /// [<paramref name="address"/>, <paramref name="address"/> + <paramref name="size"/>):
    /// CMD_TLBI_NH_VA (NS-EL1, an ASID: entries of that ASID and global entries, IHI0070 §4.4.2.4),
    /// CMD_TLBI_NH_VAA (NS-EL1, <paramref name="asid"/> null: every ASID, §4.4.2.3),
    /// CMD_TLBI_EL2_VA / EL2_VAA (NS-EL2 or NS-EL2-E2H as SMMU_CR2.E2H selects, §4.4.2.8, §4.4.2.9; NS-EL2 has no ASID, so
    /// the ASID is ignored there).
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
        ushort ignored = VmidWildcardMask(vmidWildcardBits);
        ulong last = RangeLast(address, size);
        bool anyAsid = asid is null || !TlbKey.UsesAsid(world, TranslationKind.Stage1);
        ushort wanted = asid.GetValueOrDefault();
        return RemoveWhere(slot =>
            slot.Key.World == world
            && slot.Key.Kind != TranslationKind.Stage2
            && (!TlbKey.UsesVmid(world) || VmidMatches(slot.Key.Vmid, vmid, ignored))
            && (anyAsid || slot.Entry.Global || slot.Key.Asid == wanted)
            && (ttlLevel < 0 || slot.Entry.Level == ttlLevel)
            && OverlapsStage1Leaf(slot, address, last));
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
        ushort ignored = VmidWildcardMask(vmidWildcardBits);
        ulong last = RangeLast(ipa, size);
        return RemoveWhere(slot =>
            slot.Key.World == StreamWorld.NsEl1
            && slot.Key.Kind == TranslationKind.Stage2
            && VmidMatches(slot.Key.Vmid, vmid, ignored)
            && (ttlLevel < 0 || slot.Entry.Level == ttlLevel)
            && Overlaps(slot, ipa, last));
    }

    private static ushort VmidWildcardMask(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits, nameof(bits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 16, nameof(bits));
        return (ushort)Bits.Mask(bits);
    }

    private static bool VmidMatches(ushort tagged, ushort wanted, ushort ignored) => ((tagged ^ wanted) & ~ignored) == 0;

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

    private static bool Overlaps(Slot slot, ulong first, ulong last) => slot.First <= last && first <= slot.Last;

    // IHI0070 §4.4.2: a VA-scoped TLBI removes every cached copy of the stage-1 leaf that translates an address in the
    // range. A nested entry may be one stage-2-sized piece of a larger stage-1 leaf, so it is matched by that leaf's span.
    private static bool OverlapsStage1Leaf(Slot slot, ulong first, ulong last)
    {
        int span = Math.Max(slot.Shift, slot.Entry.Stage1Shift);
        ulong leafFirst = slot.First & ~Bits.Mask(span);
        return leafFirst <= last && first <= leafFirst + Bits.Mask(span);
    }

    private int RemoveWhere(Func<Slot, bool> match)
    {
        lock (_writeLock)
        {
            // Before removing anything, so a walk that may have read the retired tables cannot insert afterwards.
            Interlocked.Increment(ref _generation);
            int removed = 0;
            for (int i = 0; i < _slots.Length; i++)
            {
                Slot? slot = _slots[i];
                if (slot is not null && match(slot))
                {
                    Volatile.Write(ref _slots[i], null);
                    RemoveShift(slot.Shift);
                    removed++;
                }
            }

            Volatile.Write(ref _count, _count - removed);
            Statistics.RecordInvalidated(removed);
            return removed;
        }
    }
}
