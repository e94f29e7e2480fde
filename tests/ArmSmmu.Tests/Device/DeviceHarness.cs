using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Drives an SmmuV3 the way Linux's arm-smmu-v3 driver does (digest §8.3-§8.6), with raw MMIO and memory writes
/// only, so the device tests never depend on the library's own host driver.
/// </summary>
internal sealed class DeviceHarness
{
    public const ulong StreamTableBase = 0x1000_0000;
    public const ulong CommandQueueBase = 0x1100_0000;
    public const ulong EventQueueBase = 0x1200_0000;
    public const ulong CdTableBase = 0x1300_0000;
    public const int CommandQueueLog2 = 8;
    public const int EventQueueLog2 = 7;

    private ulong _nextPage = 0x2000_0000;
    private uint _cmdProd;

    public DeviceHarness(SmmuFeatures? features = null, SparseMemory? memory = null)
    {
        Memory = memory ?? new SparseMemory();
        Smmu = new SmmuV3(Memory, features);
    }

    public SparseMemory Memory { get; }

    public SmmuV3 Smmu { get; }

    public int StreamIdBits { get; private set; }

    public List<SmmuInterrupt> Interrupts { get; } = [];

    /// <summary>Allocates a zeroed, aligned block of "guest RAM".</summary>
    public ulong AllocatePage(ulong size = 0x1000)
    {
        ulong address = (_nextPage + size - 1) & ~(size - 1);
        _nextPage = address + size;
        return address;
    }

    /// <summary>The reset sequence of digest §8.3, with a linear stream table of 2^sidBits STEs initialised to abort.</summary>
    public void Reset(int sidBits = 8, bool twoLevel = false)
    {
        StreamIdBits = sidBits;
        Smmu.InterruptRaised += (_, e) => Interrupts.Add(e.Source);

        // 1-2: GBPA abort while the SMMU is off, then CR0 = 0 and wait for CR0ACK.
        WriteAndPoll(SmmuRegister.CR0, 0, SmmuRegister.CR0ACK);
        Smmu.WriteRegister32(SmmuRegister.CR1, 0xD75);
        Smmu.WriteRegister32(SmmuRegister.CR2, 0x6);

        if (twoLevel)
        {
            // SPLIT 8, L1 descriptors zero until a device is added.
            Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, (1UL << 62) | StreamTableBase);
            Smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, (1u << 16) | (8u << 6) | (uint)sidBits);
        }
        else
        {
            for (uint sid = 0; sid < (1u << sidBits); sid++)
            {
                Memory.WriteUInt64(StreamTableBase + (sid * 64), 1); // V = 1, Config = abort
            }

            Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, (1UL << 62) | StreamTableBase);
            Smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, (uint)sidBits);
        }

        Smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, (1UL << 62) | CommandQueueBase | CommandQueueLog2);
        Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, 0);
        Smmu.WriteRegister32(SmmuRegister.CMDQ_CONS, 0);
        WriteAndPoll(SmmuRegister.CR0, 0x8, SmmuRegister.CR0ACK);
        Submit(Command.CfgiAll());
        if (Smmu.Features.Hyp && Smmu.Features.Stage1 && Smmu.Features.Stage2)
        {
            Submit(Command.TlbiEl2All()); // Linux issues it only with IDR0.Hyp (CERROR_ILL otherwise, IHI0070 §4.4.5)
        }

        Submit(Command.TlbiNsnhAll());

        Smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, (1UL << 62) | EventQueueBase | EventQueueLog2);
        Smmu.WriteRegister32(SmmuRegister.EVENTQ_PROD, 0);
        Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, 0);
        WriteAndPoll(SmmuRegister.CR0, 0xC, SmmuRegister.CR0ACK);

        WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        Smmu.WriteRegister64(SmmuRegister.GERROR_IRQ_CFG0, 0);
        Smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, 0);
        WriteAndPoll(SmmuRegister.IRQ_CTRL, 0x5, SmmuRegister.IRQ_CTRLACK);
        WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK);
    }

    /// <summary>Only the command queue (digest §8.3 step 4), for devices the full reset cannot drive (e.g. no Hyp: no TLBI_EL2_ALL).</summary>
    public void EnableCommandQueueOnly()
    {
        Smmu.InterruptRaised += (_, e) => Interrupts.Add(e.Source);
        Smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, (1UL << 62) | CommandQueueBase | CommandQueueLog2);
        Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, 0);
        Smmu.WriteRegister32(SmmuRegister.CMDQ_CONS, 0);
        WriteAndPoll(SmmuRegister.CR0, (uint)Cr0Flags.CMDQEN, SmmuRegister.CR0ACK);
    }

    /// <summary>Address of the command-queue slot that producer index <paramref name="index"/> names.</summary>
    public static ulong CommandSlot(uint index) => CommandQueueBase + ((index & ((1u << CommandQueueLog2) - 1)) * 16UL);

    public void WriteAndPoll(ulong register, uint value, ulong ack)
    {
        Smmu.WriteRegister32(register, value);
        for (int i = 0; i < 1000; i++)
        {
            if (Smmu.ReadRegister32(ack) == value)
            {
                return;
            }
        }

        throw new TimeoutException($"register 0x{ack:X} never acknowledged 0x{value:X}");
    }

    /// <summary>Writes the commands plus a CMD_SYNC, publishes PROD, and waits for CONS to pass the SYNC (digest §8.4).</summary>
    public void Submit(params Command[] commands)
    {
        SubmitRaw([.. commands, Command.Sync(SyncCompletionSignal.None)]);
        uint cons = Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        if ((cons & 0xFFFFF) != _cmdProd)
        {
            throw new InvalidOperationException($"CMD_SYNC did not complete: CONS 0x{cons:X}, PROD 0x{_cmdProd:X}, GERROR 0x{Smmu.ReadRegister32(SmmuRegister.GERROR):X}");
        }
    }

    /// <summary>Writes the commands and publishes PROD, without waiting.</summary>
    public void SubmitRaw(params Command[] commands)
    {
        uint mask = (1u << CommandQueueLog2) - 1;
        foreach (var command in commands)
        {
            Assert.True(command.TryWrite(Memory, CommandQueueBase + ((_cmdProd & mask) * 16)));
            _cmdProd = (_cmdProd + 1) & ((2u << CommandQueueLog2) - 1);
        }

        Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, _cmdProd);
    }

    /// <summary>CMDQ_CONS.ERR [30:24]: the error of the command the queue stopped on (IHI0070 §6.3.27, §4.1.3).</summary>
    public CommandError CommandQueueError => (CommandError)((Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS) >> 24) & 0x7F);

    /// <summary>Resets the harness's shadow producer index after a test rewound CMDQ_PROD itself.</summary>
    public uint CommandProducer
    {
        get => _cmdProd;
        set => _cmdProd = value;
    }

    /// <summary>The STE update sequence of Linux 6.1 (digest §8.5 old rule): dw1..7, CFGI, dw0, CFGI, PREFETCH.</summary>
    public void InstallSte(uint sid, in StreamTableEntry ste)
    {
        ulong address = SteAddress(sid);
        for (int i = 1; i < 8; i++)
        {
            Memory.WriteUInt64(address + ((ulong)i * 8), Word(ste, i));
        }

        Submit(Command.CfgiSte(sid, leaf: true));
        Memory.WriteUInt64(address, ste.Dw0);
        Submit(Command.CfgiSte(sid, leaf: true));
        SubmitRaw(Command.PrefetchConfig(sid));
    }

    public ulong SteAddress(uint sid) => StreamTableBase + (sid * 64UL);

    private static ulong Word(in StreamTableEntry ste, int i) => i switch
    {
        0 => ste.Dw0,
        1 => ste.Dw1,
        2 => ste.Dw2,
        3 => ste.Dw3,
        4 => ste.Dw4,
        5 => ste.Dw5,
        6 => ste.Dw6,
        _ => ste.Dw7,
    };

    /// <summary>The CD Linux builds for a 4K, 48-bit stage-1 DMA domain (digest §8.5 step 1).</summary>
    public static ContextDescriptor LinuxCd(ushort asid, ulong ttb0) => new()
    {
        T0SZ = 16,
        TG0 = 0,
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
        ASID = asid,
        TTB0 = ttb0,
        MAIR = 0xF404FF44,
    };

    /// <summary>The STE Linux builds for a stage-1 domain with a single CD (digest §8.5 step 3).</summary>
    public static StreamTableEntry LinuxStage1Ste(ulong cdTable, uint s1CdMax = 0, uint s1dss = 0) => new()
    {
        V = true,
        Config = SteConfig.Stage1Translate,
        S1ContextPtr = cdTable,
        S1CDMax = s1CdMax,
        S1DSS = (DefaultSubstream)s1dss,
        S1CIR = 1,
        S1COR = 1,
        S1CSH = 3,
        S1STALLD = true,
    };

    /// <summary>A test-only 4K-granule, 4-level page-table writer (stage 1 or stage 2 leaf formats, digest §7.5).</summary>
    public ulong NewTable() => AllocatePage();

    public void Map4K(ulong root, ulong va, ulong pa, ulong leafAttributes, int startLevel = 0)
    {
        ulong table = root;
        for (int level = startLevel; level < 3; level++)
        {
            int shift = 12 + (9 * (3 - level));
            ulong slot = table + (((va >> shift) & 0x1FF) * 8);
            ulong descriptor = Memory.ReadUInt64(slot);
            if ((descriptor & 3) != 3)
            {
                ulong next = AllocatePage();
                descriptor = next | 3;
                Memory.WriteUInt64(slot, descriptor);
            }

            table = descriptor & 0x0000_FFFF_FFFF_F000;
        }

        Memory.WriteUInt64(table + (((va >> 12) & 0x1FF) * 8), (pa & 0x0000_FFFF_FFFF_F000) | leafAttributes | 3);
    }

    public void Unmap4K(ulong root, ulong va, int startLevel = 0)
    {
        ulong table = root;
        for (int level = startLevel; level < 3; level++)
        {
            int shift = 12 + (9 * (3 - level));
            ulong descriptor = Memory.ReadUInt64(table + (((va >> shift) & 0x1FF) * 8));
            if ((descriptor & 3) != 3)
            {
                return;
            }

            table = descriptor & 0x0000_FFFF_FFFF_F000;
        }

        Memory.WriteUInt64(table + (((va >> 12) & 0x1FF) * 8), 0);
    }

    /// <summary>Stage-1 leaf as Linux io-pgtable writes it for read/write cacheable memory: AF, nG, AP[1]=1 (EL0), SH ISH, AttrIndx 1.</summary>
    public const ulong S1ReadWrite = (1UL << 10) | (1UL << 11) | (1UL << 6) | (3UL << 8) | (1UL << 2);

    /// <summary>As <see cref="S1ReadWrite"/> with AP[2] = 1 (read-only).</summary>
    public const ulong S1ReadOnly = S1ReadWrite | (1UL << 7);

    /// <summary>Stage-2 leaf: S2AP read/write, MemAttr 0xF, SH ISH, AF.</summary>
    public const ulong S2ReadWrite = (3UL << 6) | (0xFUL << 2) | (3UL << 8) | (1UL << 10);

    /// <summary>Writes a whole STE (any table format: the caller gives the address) and issues CFGI_STE + SYNC.</summary>
    public void WriteSte(ulong address, uint sid, in StreamTableEntry ste)
    {
        Assert.True(ste.TryWrite(Memory, address));
        Submit(Command.CfgiSte(sid, leaf: true));
    }

    /// <summary>Writes a whole STE into the linear table and issues CFGI_STE + SYNC.</summary>
    public void SetSte(uint sid, in StreamTableEntry ste) => WriteSte(SteAddress(sid), sid, ste);

    /// <summary>Writes SMMU_CR2 the way a driver must: with SMMUEN = 0, then enables the SMMU again (IHI0070 §6.3.12).</summary>
    public void SetCr2(uint value)
    {
        uint cr0 = Smmu.ReadRegister32(SmmuRegister.CR0);
        WriteAndPoll(SmmuRegister.CR0, cr0 & ~1u, SmmuRegister.CR0ACK);
        Smmu.WriteRegister32(SmmuRegister.CR2, value);
        WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK);
    }

    /// <summary>Reprograms STRTAB_BASE/STRTAB_BASE_CFG with SMMUEN = 0 (IHI0070 §6.3.23-§6.3.24), then CFGI_ALL and enable.</summary>
    public void SetStreamTable(ulong tableBase, uint cfg)
    {
        uint cr0 = Smmu.ReadRegister32(SmmuRegister.CR0);
        WriteAndPoll(SmmuRegister.CR0, cr0 & ~1u, SmmuRegister.CR0ACK);
        Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, (1UL << 62) | tableBase);
        Smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, cfg);
        Submit(Command.CfgiAll());
        WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK);
    }

    /// <summary>A stage-2-only STE: 4K granule, 48-bit IPA starting at level 0, 48-bit PS, faults recorded (digest §2.2).</summary>
    public static StreamTableEntry Stage2Ste(ulong s2ttb, ushort vmid) => new()
    {
        V = true,
        Config = SteConfig.Stage2Translate,
        S2VMID = vmid,
        S2T0SZ = 16,
        S2SL0 = 2,
        S2IR0 = 1,
        S2OR0 = 1,
        S2SH0 = 3,
        S2TG = 0,
        S2PS = 5,
        S2AA64 = true,
        S2R = true,
        S2TTB = s2ttb,
    };

    /// <summary>Identity-maps every 4K page of [from, to) at stage 2 (so stage-1 tables and CDs are reachable as IPAs).</summary>
    public void IdentityMapS2(ulong s2Root, ulong from, ulong to)
    {
        for (ulong page = from & ~0xFFFUL; page < to; page += 0x1000)
        {
            Map4K(s2Root, page, page, S2ReadWrite);
        }
    }

    /// <summary>The next address <see cref="AllocatePage"/> would hand out (to bracket the pages a test allocated).</summary>
    public ulong AllocationMark => _nextPage;

    /// <summary>Drains the event queue as Linux's event thread does (digest §8.6).</summary>
    public List<EventRecord> DrainEvents()
    {
        var events = new List<EventRecord>();
        uint mask = (1u << EventQueueLog2) - 1;
        uint wrapMask = (2u << EventQueueLog2) - 1;
        while (true)
        {
            uint prod = Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
            uint cons = Smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS);
            if ((prod & wrapMask) == (cons & wrapMask))
            {
                if ((prod >> 31) != (cons >> 31))
                {
                    // Acknowledge the overflow by copying OVFLG into OVACKFLG.
                    Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, (cons & wrapMask) | (prod & (1u << 31)));
                }

                return events;
            }

            Assert.True(EventRecord.TryRead(Memory, EventQueueBase + ((cons & mask) * 32), out var record));
            events.Add(record);
            uint next = ((cons & wrapMask) + 1) & wrapMask;
            Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, next | (cons & (1u << 31)));
        }
    }

    public TranslationResult Read(uint sid, ulong address, uint? ssid = null) =>
        Smmu.Translate(new TranslationRequest(sid, address, AccessKind.Read, ssid));

    public TranslationResult Write(uint sid, ulong address, uint? ssid = null) =>
        Smmu.Translate(new TranslationRequest(sid, address, AccessKind.Write, ssid));
}
