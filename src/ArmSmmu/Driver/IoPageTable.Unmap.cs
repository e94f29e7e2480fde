using System.Diagnostics;
using static ArmSmmu.Driver.PageTableDescriptors;

namespace ArmSmmu.Driver;

/// <content>Unmapping: clearing leaves, splitting blocks, freeing emptied tables, and the TLB invalidations that follow.</content>
public sealed partial class IoPageTable
{
    /// <summary>
    /// Unmaps whatever is mapped in [<paramref name="iova"/>, +<paramref name="size"/>): leaves inside the range are
    /// cleared, a block only partly inside is split (its remainder remapped one level down), and tables left empty
    /// are freed. Unmapped holes in the range are skipped.
    /// </summary>
    /// <param name="iova">Input address, granule aligned.</param>
    /// <param name="size">Bytes, a non-zero multiple of the granule.</param>
    /// <returns>The bytes unmapped and the TLB invalidations the driver must issue before reusing the memory.</returns>
    /// <exception cref="ArgumentException">Misaligned or out-of-range range.</exception>
    /// <exception cref="InvalidOperationException">A split needed a table and the allocator had none.</exception>
    public UnmapResult Unmap(ulong iova, ulong size)
    {
        var invalidations = new List<TlbInvalidation>();
        ulong bytes;
        lock (_lock)
        {
            bytes = UnmapIntoLocked(iova, size, invalidations);
        }

        return new UnmapResult(bytes, invalidations);
    }

    /// <summary>
    /// As <see cref="Unmap(ulong, ulong)"/>, by a caller that holds the lock these tables were created with (a domain's
    /// unmap, under the driver's lock), appending the invalidations to a list the caller reuses (no allocation once warm).
    /// </summary>
    internal ulong UnmapIntoLocked(ulong iova, ulong size, List<TlbInvalidation> invalidations)
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "UnmapIntoLocked is called under the tables' lock.");
        CheckRange(iova, size, _inputLimit, nameof(iova), "input");
        CheckGranuleAligned(iova, size);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var log = _unmapLog;
        log.Clear();
        ulong bytes = UnmapRange(iova, size, log);
        log.AppendInvalidations(invalidations, Config);
        return bytes;
    }

    /// <summary>
    /// The TLB invalidations covering [<paramref name="iova"/>, +<paramref name="size"/>) (IHI0070 §4.4.1.1, digest §4.4).
    /// With range support, Linux's algorithm: TG = the granule, each command takes NUM+1 units of 2^SCALE pages where
    /// SCALE is the lowest set bit of the remaining page count. Without it, one address-only command per
    /// <paramref name="leafLevel"/> block (one per page at level 3).
    /// </summary>
    /// <param name="iova">First address, granule aligned.</param>
    /// <param name="size">Bytes, a non-zero multiple of the granule.</param>
    /// <param name="granule">The translation granule.</param>
    /// <param name="leafLevel">Level of the entries being invalidated (the TTL hint for leaves); for a freed table, the level of its table descriptor.</param>
    /// <param name="rangeSupported">IDR3.RIL: the SMMU accepts range commands.</param>
    /// <param name="leaf">Leaf-only invalidation; <see langword="false"/> also clears walk caches (TTL is then 0).</param>
    /// <returns>The commands, in address order.</returns>
    /// <exception cref="ArgumentException">Misaligned range or bad level.</exception>
    public static IReadOnlyList<TlbInvalidation> RangeInvalidations(ulong iova, ulong size, Translation.Granule granule, int leafLevel, bool rangeSupported, bool leaf = true)
    {
        if (granule.PageShift is not (12 or 14 or 16))
        {
            throw new ArgumentException("Granule must be Granule.Size4K, Size16K or Size64K.", nameof(granule));
        }

        if (leafLevel is < 0 or > 3)
        {
            throw new ArgumentException($"Level must be 0..3, got {leafLevel}.", nameof(leafLevel));
        }

        ulong pageMask = granule.PageSize - 1;
        if (size == 0 || ((iova | size) & pageMask) != 0 || iova + size < iova)
        {
            throw new ArgumentException($"Range 0x{iova:X}+0x{size:X} must be non-empty, granule aligned and must not wrap.", nameof(size));
        }

        var commands = new List<TlbInvalidation>();
        AppendRangeInvalidations(commands, iova, size, granule, leafLevel, rangeSupported, leaf);
        return commands;
    }

    // RangeInvalidations without the checks (the unmap's own ranges are aligned by construction), into a list.
    private static void AppendRangeInvalidations(List<TlbInvalidation> commands, ulong iova, ulong size, Translation.Granule granule, int leafLevel, bool rangeSupported, bool leaf)
    {
        if (!rangeSupported)
        {
            ulong step = 1UL << granule.LevelShift(leafLevel);
            ulong end = iova + size;
            ulong address = iova;
            while (address < end)
            {
                ulong next = (address & ~(step - 1)) + step;
                ulong covered = (next == 0 || next > end ? end : next) - address;
                commands.Add(new TlbInvalidation(address, covered, leaf, 0, 0, 0, 0));
                address += covered;
            }

            return;
        }

        int tg = granule.PageShift;
        ulong pages = size >> tg;
        int ttl = leaf ? leafLevel : 0;

        // NUM=0, SCALE=0 with TTL=0 is reserved (digest §4.4): like Linux, a walk invalidation takes one page more.
        if (!leaf && (pages & 31) == 1)
        {
            pages++;
        }

        ulong cursor = iova;
        while (pages != 0)
        {
            // SCALE is a 5-bit field; a larger power of two is taken as 32 units of 2^31 pages.
            int scale = Math.Min(System.Numerics.BitOperations.TrailingZeroCount(pages), 31);
            int num = (int)((pages >> scale) & 31);
            if (num == 0)
            {
                num = 32;
            }

            ulong bytes = (ulong)num << (scale + tg);
            commands.Add(new TlbInvalidation(cursor, bytes, leaf, ttl, (int)granule.RangeTg, num - 1, scale));
            cursor += bytes;
            pages -= (ulong)num << scale;
        }
    }

    private ulong UnmapRange(ulong iova, ulong size, UnmapLog log) =>
        UnmapInTable(RootAddress, _startLevel, 0, iova, iova + size, log, visible: true, out _);

    /// <summary>
    /// Unmaps [lo, hi) inside the table at <paramref name="table"/> (covering input addresses from
    /// <paramref name="tableBase"/>). <paramref name="visible"/> is false inside a table not yet published, whose
    /// changes need no invalidation. <paramref name="empty"/>: the table holds no valid descriptor now.
    /// </summary>
    /// <remarks>
    /// The table's count of valid descriptors is looked up once, at the end, and only when the call removed some or
    /// saw none stay: one dictionary lookup per unmapped page where there was one per level (issue #12).
    /// </remarks>
    private ulong UnmapInTable(ulong table, int level, ulong tableBase, ulong lo, ulong hi, UnmapLog log, bool visible, out bool empty)
    {
        int removed = 0;
        bool keptAny = false;
        int shift = LevelShift(level);
        ulong entrySize = 1UL << shift;
        ulong first = (lo - tableBase) >> shift;
        ulong last = (hi - 1 - tableBase) >> shift;

        ulong bytes = 0;
        for (ulong i = first; i <= last; i++)
        {
            ulong slot = table + (i * 8);
            ulong entryLo = tableBase + (i * entrySize);
            ulong entryHi = entryLo + entrySize;
            ulong partLo = Math.Max(lo, entryLo);
            ulong partHi = Math.Min(hi, entryHi);
            ulong descriptor = Read(slot);
            DescriptorKind kind = Classify(descriptor, level, _blockLevels);
            if (kind == DescriptorKind.Leaf && Bits.IsSet(descriptor, ContiguousBit))
            {
                descriptor = BreakContiguousSetIfPartial(table, level, tableBase, i, lo, hi, log, visible, descriptor);
            }

            switch (kind)
            {
                case DescriptorKind.Leaf when partLo == entryLo && partHi == entryHi:
                    Write(slot, 0);
                    removed++;
                    if (visible)
                    {
                        log.Leaf(entryLo, entrySize, level);
                    }

                    bytes += entrySize;
                    break;
                case DescriptorKind.Leaf:
                    SplitBlock(slot, descriptor, level, entryLo, partLo, partHi, log, visible);
                    bytes += partHi - partLo;
                    keptAny = true;
                    break;
                case DescriptorKind.Table:
                    ulong child = Decode(descriptor);
                    bytes += UnmapInTable(child, level + 1, entryLo, partLo, partHi, log, visible, out bool childEmpty);
                    bool wholeTable = partLo == entryLo && partHi == entryHi;
                    if (childEmpty && (wholeTable || !_keepPartlyUnmappedTables))
                    {
                        // Unpublish before freeing, so the walker never follows a pointer into reused memory.
                        Write(slot, 0);
                        removed++;
                        FreeTable(child);
                        if (visible)
                        {
                            log.Table(entryLo, entrySize, level);
                        }
                    }
                    else
                    {
                        keptAny = true;
                    }

                    break;
                default:
                    break;
            }
        }

        if (removed != 0)
        {
            ref int valid = ref ValidEntries(table);
            valid -= removed;
            empty = valid == 0;
        }
        else
        {
            empty = !keptAny && ValidEntries(table) == 0;
        }

        return bytes;
    }

    /// <summary>Replaces a block partly inside [lo, hi) by a complete next-level table mapping the rest of it.</summary>
    private void SplitBlock(ulong slot, ulong block, int level, ulong blockBase, ulong lo, ulong hi, UnmapLog log, bool visible)
    {
        int childLevel = level + 1;
        ulong childSize = LevelSize(childLevel);
        ulong outputBase = Decode(block);
        ulong attributes = block & ~AddressMask(Config) & ~0b11UL & ~(1UL << ContiguousBit);
        ulong type = LeafType(childLevel);
        ulong entries = 1UL << Config.BitsPerLevel;

        ulong child = AllocateTable(Config.Granule.PageSize);
        for (ulong k = 0; k < entries; k++)
        {
            Write(child + (k * 8), EncodeAddress(Config, outputBase + (k * childSize)) | attributes | type);
        }

        _validEntries[child] = (int)entries;
        UnmapInTable(child, childLevel, blockBase, lo, hi, log, visible: false, out _);

        // The table is complete: publishing it is the single write that replaces the block.
        Write(slot, Table(Config, child));
        if (visible)
        {
            // The TLB may hold the old block: TTL names the block's level.
            log.Leaf(lo, hi - lo, level);
        }
    }

    /// <summary>
    /// Clears the Contiguous bit in the whole set of entry <paramref name="index"/> when the set is only partly inside
    /// [lo, hi), which would otherwise leave it misprogrammed (digest §7.9; VMSAv8-64 D8.6.1: every entry of a set must
    /// have the hint and map one aligned run). Returns the entry's descriptor without the bit.
    /// </summary>
    /// <remarks>
    /// Called for entries of the range that carry the bit. That is enough: these tables write a set whole or not at all
    /// and clear it whole, so a set has the bit in every valid entry or in none, and a set none of whose entries in the
    /// range has it needs nothing (checking each set's descriptors in full was most of a one-page unmap).
    /// </remarks>
    private ulong BreakContiguousSetIfPartial(ulong table, int level, ulong tableBase, ulong index, ulong lo, ulong hi, UnmapLog log, bool visible, ulong descriptor)
    {
        ulong setEntries = (ulong)Config.ContiguousEntries(level);
        ulong entrySize = LevelSize(level);
        ulong setStart = index & ~(setEntries - 1);
        ulong setLo = tableBase + (setStart * entrySize);
        ulong setHi = setLo + (setEntries * entrySize);
        if (setEntries <= 1 || setEntries > (ulong)EntriesAt(level) || (lo <= setLo && setHi <= hi))
        {
            return descriptor;
        }

        for (ulong j = 0; j < setEntries; j++)
        {
            ulong slot = table + ((setStart + j) * 8);
            ulong member = Read(slot);
            if (Classify(member, level, _blockLevels) == DescriptorKind.Leaf && Bits.IsSet(member, ContiguousBit))
            {
                Write(slot, Bits.With(member, ContiguousBit, false));
            }
        }

        if (visible)
        {
            // The TLB may hold the whole set as one entry.
            log.Leaf(setLo, setHi - setLo, level);
        }

        return Bits.With(descriptor, ContiguousBit, false);
    }

    /// <summary>What an unmap changed, turned into invalidation commands at the end.</summary>
    private sealed class UnmapLog
    {
        // One log per table, reused under the table's lock: an unmap allocates nothing once its lists have grown.
        private readonly List<(ulong Address, ulong Size, int Level)> _leaves = [];
        private readonly List<(ulong Address, ulong Size, int Level)> _tables = [];

        public void Leaf(ulong address, ulong size, int level) => _leaves.Add((address, size, level));

        public void Table(ulong address, ulong size, int level) => _tables.Add((address, size, level));

        public void Clear()
        {
            _leaves.Clear();
            _tables.Clear();
        }

        public void AppendInvalidations(List<TlbInvalidation> commands, IoPageTableConfig config)
        {
            Merge(_leaves);
            foreach (var (address, size, level) in _leaves)
            {
                AppendRangeInvalidations(commands, address, size, config.Granule, level, config.RangeInvalidation, leaf: true);
            }

            foreach (var (address, size, level) in _tables)
            {
                AppendRangeInvalidations(commands, address, size, config.Granule, level, config.RangeInvalidation, leaf: false);
            }
        }

        /// <summary>Joins touching or overlapping ranges of the same level in place, so that a range command covers a run in one go.</summary>
        private static void Merge(List<(ulong Address, ulong Size, int Level)> ranges)
        {
            if (ranges.Count < 2)
            {
                return;
            }

            // Unstable, but ranges with equal address and level merge into the same range whatever their order.
            ranges.Sort(static (a, b) => a.Address != b.Address ? a.Address.CompareTo(b.Address) : a.Level.CompareTo(b.Level));
            int kept = 0;
            for (int i = 1; i < ranges.Count; i++)
            {
                var previous = ranges[kept];
                var range = ranges[i];
                ulong previousEnd = previous.Address + previous.Size;
                if (previous.Level == range.Level && range.Address <= previousEnd)
                {
                    ulong end = Math.Max(previousEnd, range.Address + range.Size);
                    ranges[kept] = (previous.Address, end - previous.Address, previous.Level);
                }
                else
                {
                    ranges[++kept] = range;
                }
            }

            ranges.RemoveRange(kept + 1, ranges.Count - kept - 1);
        }
    }
}
