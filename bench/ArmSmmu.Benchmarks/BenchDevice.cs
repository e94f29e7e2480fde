using ArmSmmu.Structures;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// A device brought up with raw MMIO and memory writes (the Linux order of digest §8.3), with one stage-1 stream,
/// one stage-2 stream and one nested stream, each mapping <see cref="Pages"/> 4 KiB pages from IOVA 0.
/// </summary>
internal sealed class BenchDevice
{
    public const uint Stage1Sid = 1;
    public const uint Stage2Sid = 2;
    public const uint NestedSid = 3;
    public const int Pages = 512;
    public const ulong CommandQueue = 0x1100_0000;
    public const int CommandQueueLog2 = 10;

    private const ulong StreamTable = 0x1000_0000;
    private const ulong EventQueue = 0x1200_0000;
    private ulong _next = 0x2000_0000;
    private uint _prod;

    public BenchDevice(SmmuFeatures features)
    {
        Memory = new SparseMemory();
        Smmu = new SmmuV3(Memory, features);
        Smmu.WriteRegister32(SmmuRegister.CR1, 0xD75);
        Smmu.WriteRegister32(SmmuRegister.CR2, 0x2);
        for (uint sid = 0; sid < 16; sid++)
        {
            Memory.WriteUInt64(StreamTable + (sid * 64), StreamTableEntry.Abort.Dw0);
        }

        Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, StreamTable);
        Smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 4);
        Smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, CommandQueue | CommandQueueLog2);
        Smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, EventQueue | 8);

        // Stage-2 tables: IPA == PA + 0x1_0000_0000 offset for data, identity for the stage-1 structures.
        ulong s2Root = Allocate();
        const ulong ipaOffset = 0x1_0000_0000;
        ulong s1Root = Allocate();
        ulong cd = Allocate();
        for (ulong page = 0; page < Pages; page++)
        {
            ulong va = page << 12;
            ulong pa = 0x8000_0000 + va;
            Map(s1Root, va, pa, stage2: false);
            Map(s2Root, pa, pa + ipaOffset, stage2: true);
            Map(s2Root, va, pa, stage2: true);
        }

        // Nested: the CD, the stage-1 tables and the stage-1 outputs must be reachable through stage 2.
        for (ulong page = 0x2000_0000; page < _next; page += 0x1000)
        {
            Map(s2Root, page, page, stage2: true);
        }

        var cdWords = new ContextDescriptor
        {
            T0SZ = 16,
            IR0 = 1,
            OR0 = 1,
            SH0 = 3,
            EPD1 = true,
            V = true,
            IPS = 5,
            AA64 = true,
            R = true,
            A = true,
            ASET = true,
            ASID = 1,
            TTB0 = s1Root,
            MAIR = 0xF404FF44,
        };
        cdWords.TryWrite(Memory, cd);
        var s1 = new StreamTableEntry { V = true, Config = SteConfig.Stage1Translate, S1ContextPtr = cd, S1CIR = 1, S1COR = 1, S1CSH = 3 };
        var s2 = new StreamTableEntry
        {
            V = true,
            Config = SteConfig.Stage2Translate,
            S2VMID = 1,
            S2T0SZ = 16,
            S2SL0 = 2,
            S2IR0 = 1,
            S2OR0 = 1,
            S2SH0 = 3,
            S2PS = 5,
            S2AA64 = true,
            S2R = true,
            S2TTB = s2Root,
        };
        s1.TryWrite(Memory, StreamTable + (Stage1Sid * 64));
        s2.TryWrite(Memory, StreamTable + (Stage2Sid * 64));
        (s2 with { Config = SteConfig.Nested, S2VMID = 2, S1ContextPtr = cd, S1CIR = 1, S1COR = 1, S1CSH = 3 })
            .TryWrite(Memory, StreamTable + (NestedSid * 64));

        Smmu.WriteRegister32(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN));
    }

    public SparseMemory Memory { get; }

    public SmmuV3 Smmu { get; }

    /// <summary>Writes the commands at PROD and publishes it: the device consumes them before the write returns.</summary>
    public void Submit(ReadOnlySpan<Command> commands)
    {
        uint mask = (1u << CommandQueueLog2) - 1;
        foreach (var command in commands)
        {
            command.TryWrite(Memory, CommandQueue + ((_prod & mask) * 16UL));
            _prod = (_prod + 1) & ((2u << CommandQueueLog2) - 1);
        }

        Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, _prod);
    }

    private ulong Allocate()
    {
        ulong page = _next;
        _next += 0x1000;
        return page;
    }

    // A 4-level, 4 KiB-granule table writer with Linux's leaf attributes (digest §7.10).
    private void Map(ulong root, ulong va, ulong pa, bool stage2)
    {
        ulong table = root;
        for (int level = 0; level < 3; level++)
        {
            ulong slot = table + (((va >> (39 - (9 * level))) & 0x1FF) * 8);
            ulong descriptor = Memory.ReadUInt64(slot);
            if ((descriptor & 3) != 3)
            {
                descriptor = Allocate() | 3;
                Memory.WriteUInt64(slot, descriptor);
            }

            table = descriptor & 0x0000_FFFF_FFFF_F000;
        }

        ulong leaf = stage2
            ? (3UL << 6) | (0xFUL << 2) | (3UL << 8) | (1UL << 10) | 3
            : (1UL << 10) | (1UL << 11) | (1UL << 6) | (3UL << 8) | (1UL << 2) | 3;
        Memory.WriteUInt64(table + (((va >> 12) & 0x1FF) * 8), pa | leaf);
    }
}
