using ArmSmmu.Memory;
using ArmSmmu.Structures;
using ArmSmmu.Tests.Reliability;

namespace ArmSmmu.Soak;

/// <summary>One granule pairing under test: a stage-1 leaf size, and for nested streams the stage-2 page under it.</summary>
internal sealed record SoakConfig(string Name, int Stage1Shift, int Stage1Level, int Stage2Shift)
{
    public bool Nested => Stage2Shift != 0;

    public static IReadOnlyList<SoakConfig> All { get; } =
    [
        new("S1 4K", 12, 3, 0),
        new("S1 16K", 14, 3, 0),
        new("S1 64K", 16, 3, 0),
        new("S1 2M block", 12, 2, 0),
        new("nested 4K/4K", 12, 3, 12),
        new("nested 16K/4K", 14, 3, 12),
        new("nested 64K/4K", 16, 3, 12),
        new("nested 4K/64K", 12, 3, 16),
        new("nested 2M block/16K", 12, 2, 14),
    ];
}

/// <summary>
/// A stream whose stage-1 leaves (slots) are remapped over and over. Generation g of slot k sends the slot to a
/// fresh output; <see cref="Written"/> is the last generation whose PTE was written, <see cref="Completed"/> the last
/// whose TLBI + CMD_SYNC completed, and <see cref="History"/> remembers recent outputs per generation.
/// </summary>
internal sealed class SoakStream
{
    public const int Slots = 8;
    public const int HistoryLength = 1024;
    /// <summary>Where every table and CD of the soak is allocated.</summary>
    public const ulong TableRegion = 0x2000_0000;
    public const ulong TableRegionEnd = 0x2400_0000;
    private const ulong VaBase = 0x1000_0000;
    private const ulong IpaBase = 0x4000_0000;
    private const int IpaPool = 64;
    private const ulong PaBase = 0x10_0000_0000;

    public SoakStream(SoakConfig config, uint sid, ushort asid, ushort vmid, SparseMemory memory, Func<ulong, ulong> allocate)
    {
        Config = config;
        Sid = sid;
        Asid = asid;
        Vmid = vmid;
        Stage1 = new GuestTables(memory, allocate, new TableFormat(config.Stage1Shift, 40), stage2: false);
        LeafSize = Stage1.Format.EntrySize(config.Stage1Level);
        if (config.Nested)
        {
            Stage2 = new GuestTables(memory, allocate, new TableFormat(config.Stage2Shift, 40), stage2: true);
            // Stage-1 tables and CDs are IPAs in the table region: identity-mapped with blocks.
            for (ulong ipa = TableRegion; ipa < TableRegionEnd; ipa += Stage2.Format.EntrySize(2))
            {
                Stage2.Map(ipa, 2, ipa);
            }

            ulong page = 1UL << config.Stage2Shift;
            for (ulong ipa = IpaBase; ipa < IpaBase + (IpaPool * LeafSize); ipa += page)
            {
                Stage2.Map(ipa, 3, Stage2Output(ipa));
            }
        }

        for (int k = 0; k < Slots; k++)
        {
            History[k] = new ulong[HistoryLength];
            History[k][0] = Output(k, 0);
            Stage1.Map(SlotAddress(k), config.Stage1Level, History[k][0]);
        }
    }

    public SoakConfig Config { get; }

    public uint Sid { get; }

    public ushort Asid { get; }

    public ushort Vmid { get; }

    public GuestTables Stage1 { get; }

    public GuestTables? Stage2 { get; }

    public ulong LeafSize { get; }

    public long[] Written { get; } = new long[Slots];

    public long[] Completed { get; } = new long[Slots];

    public ulong[][] History { get; } = new ulong[Slots][];

    public static ulong SlotAddress(int slot, ulong leafSize) => VaBase + ((ulong)slot * leafSize);

    public ulong SlotAddress(int slot) => SlotAddress(slot, LeafSize);

    /// <summary>The stage-1 output of generation <paramref name="generation"/> of <paramref name="slot"/>: a fresh PA, or an IPA of the pool.</summary>
    public ulong Output(int slot, long generation)
    {
        ulong index = ((ulong)generation * Slots) + (ulong)slot;
        return Config.Nested ? IpaBase + ((index % IpaPool) * LeafSize) : PaBase + ((index % (1UL << 20)) * LeafSize);
    }

    /// <summary>The PA an input <paramref name="offset"/> bytes into a leaf whose stage-1 output is <paramref name="output"/> must reach.</summary>
    public ulong Expected(ulong output, ulong offset)
    {
        ulong ipa = output + offset;
        if (!Config.Nested)
        {
            return ipa;
        }

        ulong page = 1UL << Config.Stage2Shift;
        return Stage2Output(ipa & ~(page - 1)) + (ipa & (page - 1));
    }

    // Stage-2 pages go to PA 2 x IPA above 128 GB, so stage 1 and stage 2 outputs never coincide by accident.
    private static ulong Stage2Output(ulong ipaPage) => 0x20_0000_0000 + (2 * ipaPage);

    public StreamTableEntry Ste(ulong cdTable)
    {
        var ste = RegimeStructures.WithCdTable(new StreamTableEntry { V = true, Config = Config.Nested ? SteConfig.Nested : SteConfig.Stage1Translate }, cdTable, 1);
        return Stage2 is { } s2 ? RegimeStructures.WithStage2(ste, Vmid, s2) : ste;
    }

    public ContextDescriptor Cd() => RegimeStructures.Cd(Asid, Stage1, null);
}
