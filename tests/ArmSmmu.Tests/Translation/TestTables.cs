using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Test-only VMSAv8-64 table builder: writes descriptors into a <see cref="SparseMemory"/> from the descriptor formats
/// of DDI0487 D8.3 (digest §7.1, §7.4, §7.5), with its own per-granule index table (not the walker's code).
/// </summary>
internal sealed class TestTables
{
    // Descriptor bits (digest §7.5).
    public const ulong Valid = 1;
    public const ulong TableType = 0b11;
    public const ulong PageType = 0b11;
    public const ulong BlockType = 0b01;
    public const ulong ApEl0 = 1UL << 6;      // AP[1]
    public const ulong ApReadOnly = 1UL << 7; // AP[2]
    public const ulong S2ApRead = 1UL << 6;
    public const ulong S2ApWrite = 1UL << 7;
    public const ulong ShInner = 3UL << 8;
    public const ulong ShOuter = 2UL << 8;
    public const ulong AF = 1UL << 10;
    public const ulong NotGlobal = 1UL << 11;
    public const ulong Dbm = 1UL << 51;
    public const ulong Contiguous = 1UL << 52;
    public const ulong Pxn = 1UL << 53;
    public const ulong Uxn = 1UL << 54;
    public const ulong PxnTable = 1UL << 59;
    public const ulong UxnTable = 1UL << 60;
    public const ulong ApTableNoEl0 = 1UL << 61;
    public const ulong ApTableReadOnly = 1UL << 62;

    // Lowest VA bit each level resolves, per granule (digest §7.1 table): 4K [47:39] [38:30] [29:21] [20:12];
    // 16K [47] [46:36] [35:25] [24:14]; 64K - [47:42] [41:29] [28:16].
    private static readonly int[] Low4K = [39, 30, 21, 12];
    private static readonly int[] Low16K = [47, 36, 25, 14];
    private static readonly int[] Low64K = [-1, 42, 29, 16];

    private ulong _next;

    public TestTables(SparseMemory memory, ulong arena)
    {
        Memory = memory;
        _next = arena;
    }

    public SparseMemory Memory { get; }

    /// <summary>Lowest VA bit resolved at <paramref name="level"/>.</summary>
    public static int LowBit(int pageShift, int level) => pageShift switch
    {
        12 => Low4K[level],
        14 => Low16K[level],
        16 => Low64K[level],
        _ => throw new ArgumentOutOfRangeException(nameof(pageShift)),
    };

    /// <summary>A stage-1 leaf: OA | type | AF | SH inner | AttrIndx, plus <paramref name="extra"/> bits.</summary>
    public static ulong S1Leaf(ulong outputAddress, bool page, ulong extra = 0, uint attrIndx = 1) =>
        outputAddress | (page ? PageType : BlockType) | AF | ShInner | ((ulong)attrIndx << 2) | extra;

    /// <summary>A stage-2 leaf: OA | type | AF | SH inner | MemAttr | S2AP read+write unless <paramref name="s2ap"/> given.</summary>
    public static ulong S2Leaf(ulong outputAddress, bool page, ulong extra = 0, uint memAttr = 0xF, uint s2ap = 3) =>
        outputAddress | (page ? PageType : BlockType) | AF | ShInner | ((ulong)memAttr << 2) | ((ulong)s2ap << 6) | extra;

    /// <summary>A zeroed table of <paramref name="size"/> bytes aligned to its size (at least 4 KiB apart).</summary>
    public ulong Allocate(ulong size)
    {
        ulong align = Math.Max(size, 0x1000);
        _next = (_next + align - 1) & ~(align - 1);
        ulong address = _next;
        _next += align;
        Memory.Clear(address, size);
        return address;
    }

    /// <summary>
    /// Walks (creating tables where the entry is not a table descriptor) from <paramref name="root"/> at
    /// <paramref name="startLevel"/> down to <paramref name="leafLevel"/>, writes <paramref name="leaf"/> there and
    /// returns the leaf descriptor's address. <paramref name="tableBits"/> are ORed into new table descriptors.
    /// <paramref name="tableAddressOf"/> maps a new table's address to the value stored in the descriptor (identity
    /// unless the tables are addressed by IPA), and <paramref name="physicalOf"/> maps a stored address to where it
    /// lives in memory.
    /// </summary>
    public ulong Map(
        ulong root, int pageShift, int startLevel, int inputBits, ulong va, int leafLevel, ulong leaf,
        ulong tableBits = 0, Func<ulong, ulong>? physicalOf = null, Func<ulong, ulong>? allocateTable = null)
    {
        physicalOf ??= a => a;
        ulong table = root;
        for (int level = startLevel; ; level++)
        {
            int hi = level == startLevel ? inputBits - 1 : LowBit(pageShift, level - 1) - 1;
            int lo = LowBit(pageShift, level);
            ulong index = (va >> lo) & ((1UL << (hi - lo + 1)) - 1);
            ulong entryAddress = physicalOf(table + (index * 8));
            if (level == leafLevel)
            {
                Memory.WriteUInt64(entryAddress, leaf);
                return entryAddress;
            }

            ulong existing = Memory.ReadUInt64(entryAddress);
            if ((existing & 3) == TableType)
            {
                table = existing & 0x0000_FFFF_FFFF_F000UL & ~((1UL << pageShift) - 1);
                continue;
            }

            ulong next = allocateTable is null ? Allocate(1UL << pageShift) : allocateTable(1UL << pageShift);
            Memory.WriteUInt64(entryAddress, next | TableType | tableBits);
            table = next;
        }
    }

    /// <summary>A stage-1 configuration for TTB0 with AA64 defaults: 48-bit IPS, Linux MAIR (0xF404FF44).</summary>
    public static TranslationRegime Stage1(Granule granule, int t0sz, ulong ttb0, byte outputBits = 48) => new()
    {
        Stage1Enabled = true,
        Stage1 = new Stage1Config
        {
            Ttb0 = ttb0,
            T0SZ = (byte)t0sz,
            Granule0 = granule,
            Granule1 = granule,
            T1SZ = (byte)t0sz,
            Epd1 = true,
            OutputBits = outputBits,
            Mair = 0xF404FF44,
        },
    };

    /// <summary>A stage-2 configuration.</summary>
    public static Stage2Config Stage2(Granule granule, int s2t0sz, int startLevel, ulong s2ttb, byte outputBits = 48) => new()
    {
        S2Ttb = s2ttb,
        S2T0SZ = (byte)s2t0sz,
        StartLevel = (sbyte)startLevel,
        Granule = granule,
        OutputBits = outputBits,
    };

    public static AccessIntent Read => new(false, false, true);

    public static AccessIntent Write => new(true, false, true);

    public static AccessIntent UserRead => new(false, false, false);

    public static AccessIntent UserWrite => new(true, false, false);

    public static AccessIntent Exec => new(false, true, true);

    public static AccessIntent UserExec => new(false, true, false);
}
