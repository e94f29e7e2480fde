namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// One VMSAv8-64 translation regime as the reference sees it: granule, input size and the level the walk starts at
/// (Arm ARM D8.2, IHI0070 §3.4). Written from the architecture, independently of the model's Granule and Walker, so
/// a shared misreading cannot make both agree.
/// </summary>
internal readonly record struct TableFormat(int PageShift, int InputBits)
{
    /// <summary>Bits resolved per level: a table is one granule of 8-byte descriptors.</summary>
    public int BitsPerLevel => PageShift - 3;

    /// <summary>Bytes one entry at <paramref name="level"/> maps.</summary>
    public ulong EntrySize(int level) => 1UL << Shift(level);

    /// <summary>Lowest input-address bit resolved at <paramref name="level"/>.</summary>
    public int Shift(int level) => PageShift + (BitsPerLevel * (3 - level));

    /// <summary>The first level whose entries still cover the whole input range (no concatenation).</summary>
    public int StartLevel
    {
        get
        {
            int level = 3;
            while (Shift(level) + BitsPerLevel < InputBits)
            {
                level--;
            }

            return level;
        }
    }

    /// <summary>Entry index of <paramref name="input"/> in the table at <paramref name="level"/>.</summary>
    public ulong Index(ulong input, int level)
    {
        int width = level == StartLevel ? InputBits - Shift(level) : BitsPerLevel;
        return (input >> Shift(level)) & ((1UL << width) - 1);
    }

    /// <summary>Levels at which a leaf may sit: pages at 3, blocks at 2 (and at 1 for 4 KB) without FEAT_LPA (Arm ARM D8.3.1).</summary>
    public bool IsLeafLevel(int level) => level == 3 || level == 2 || (level == 1 && PageShift == 12 && StartLevel <= 1);

    /// <summary>The output-address bits of a descriptor for a table or leaf of <paramref name="size"/> bytes (48-bit OA).</summary>
    public static ulong OutputAddress(ulong descriptor, ulong size) => descriptor & 0x0000_FFFF_FFFF_FFFFUL & ~(size - 1);

    /// <summary>Human-readable granule, for counterexample logs.</summary>
    public override string ToString() => $"{1 << (PageShift - 10)}K/{InputBits}b/L{StartLevel}";
}
