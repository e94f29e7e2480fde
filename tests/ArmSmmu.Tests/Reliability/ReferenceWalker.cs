namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// A second, deliberately plain VMSAv8-64 walk (Arm ARM D8.2-D8.3, IHI0070 §3.4): no caches, no attributes, no
/// permissions beyond validity, read straight from memory every time. It is the oracle the isolation property
/// compares the device against, so it shares no code with the model's Walker.
/// </summary>
internal static class ReferenceWalker
{
    /// <summary>
    /// Walks <paramref name="input"/> (already inside the regime's range) from <paramref name="root"/>;
    /// <paramref name="tableAddress"/> turns each table address into a physical one (identity, or a stage-2 walk
    /// for nested stage 1). Null is a translation fault.
    /// </summary>
    public static ulong? Walk(SparseMemory memory, TableFormat format, ulong root, ulong input, Func<ulong, ulong?> tableAddress)
    {
        ulong table = root;
        for (int level = format.StartLevel; level <= 3; level++)
        {
            if (tableAddress(table) is not ulong tablePa)
            {
                return null;
            }

            ulong descriptor = memory.ReadUInt64(tablePa + (format.Index(input, level) * 8));
            if ((descriptor & 1) == 0)
            {
                return null;
            }

            ulong size = format.EntrySize(level);
            bool tableOrPage = (descriptor & 2) != 0;
            if (level == 3 || !tableOrPage)
            {
                if ((level == 3 && !tableOrPage) || (level < 3 && !format.IsLeafLevel(level)))
                {
                    return null; // reserved encoding or a block where none is allowed
                }

                return TableFormat.OutputAddress(descriptor, size) | (input & (size - 1));
            }

            table = TableFormat.OutputAddress(descriptor, 1UL << format.PageShift);
        }

        return null;
    }
}
