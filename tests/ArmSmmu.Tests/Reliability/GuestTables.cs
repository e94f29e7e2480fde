namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// The test's own page-table writer for one regime (stage-1 or stage-2 leaf format, Arm ARM D8.3), independent of
/// the library's IoPageTable. Every change reports the input range whose translation it may alter, so the caller can
/// issue the invalidation the architecture prescribes for it.
/// </summary>
internal sealed class GuestTables(SparseMemory memory, Func<ulong, ulong> allocate, TableFormat format, bool stage2)
{
    /// <summary>Where a change landed: the input range that translated before (if any) and whether a whole table was dropped.</summary>
    public readonly record struct Change(ulong Base, ulong Size, bool WasMapped, bool DroppedTable);

    public TableFormat Format { get; } = format;

    public bool Stage2 { get; } = stage2;

    public ulong Root { get; } = allocate(1UL << format.PageShift);

    /// <summary>Writes a leaf for <paramref name="input"/> at <paramref name="level"/>, splitting a block or dropping a table in the way.</summary>
    public Change Map(ulong input, int level, ulong output)
    {
        var change = default(Change);
        ulong table = Root;
        for (int l = Format.StartLevel; l < level; l++)
        {
            ulong slot = table + (Format.Index(input, l) * 8);
            ulong descriptor = memory.ReadUInt64(slot);
            if ((descriptor & 3) == 3)
            {
                table = TableFormat.OutputAddress(descriptor, 1UL << Format.PageShift);
                continue;
            }

            if ((descriptor & 1) == 1)
            {
                // A block in the way: replacing it by a table removes the whole block's translation.
                change = new Change(AlignDown(input, Format.EntrySize(l)), Format.EntrySize(l), true, false);
            }

            table = allocate(1UL << Format.PageShift);
            memory.WriteUInt64(slot, table | 3);
        }

        ulong leafSlot = table + (Format.Index(input, level) * 8);
        ulong old = memory.ReadUInt64(leafSlot);
        if ((old & 1) == 1)
        {
            bool wasTable = level < 3 && (old & 3) == 3;
            change = new Change(AlignDown(input, Format.EntrySize(level)), Format.EntrySize(level), true, wasTable);
        }

        memory.WriteUInt64(leafSlot, Leaf(output, level));
        return change;
    }

    /// <summary>Clears the first leaf (or, at <paramref name="level"/>, the table) on the path to <paramref name="input"/>.</summary>
    public Change Unmap(ulong input, int level)
    {
        ulong table = Root;
        for (int l = Format.StartLevel; l <= level; l++)
        {
            ulong slot = table + (Format.Index(input, l) * 8);
            ulong descriptor = memory.ReadUInt64(slot);
            if ((descriptor & 1) == 0)
            {
                return default;
            }

            bool isTable = l < 3 && (descriptor & 3) == 3;
            if (!isTable || l == level)
            {
                memory.WriteUInt64(slot, 0);
                return new Change(AlignDown(input, Format.EntrySize(l)), Format.EntrySize(l), true, isTable);
            }

            table = TableFormat.OutputAddress(descriptor, 1UL << Format.PageShift);
        }

        return default;
    }

    public static ulong AlignDown(ulong value, ulong size) => value & ~(size - 1);

    // Stage 1: AF, nG (ASID-tagged), Inner Shareable, AttrIndx 1, AP[1] = 1 (EL0 read/write). Stage 2: AF, ISH,
    // MemAttr 0xF (write-back), S2AP read/write (Arm ARM D8.3.2, D8.5).
    private ulong Leaf(ulong output, int level)
    {
        ulong attributes = Stage2
            ? (1UL << 10) | (3UL << 8) | (3UL << 6) | (0xFUL << 2)
            : (1UL << 10) | (1UL << 11) | (3UL << 8) | (1UL << 6) | (1UL << 2);
        return output | attributes | (level == 3 ? 3UL : 1UL);
    }
}
