using System.Globalization;
using System.Text;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.State;

/// <summary>
/// A guest platform for save/restore tests: one SMMU over its own memory, brought up with small queues (so overflow,
/// held stall records and command errors happen within a few steps), streams that stall, record, bypass and abort,
/// and a stateless "driver" that reads the indexes it needs from the registers (so the device is the only state).
/// Every step appends what a platform would observe to <see cref="Log"/>.
/// </summary>
internal sealed class SnapshotRig
{
    public const ulong StreamTable = 0x1000_0000;
    public const ulong CommandQueue = 0x1100_0000;
    public const ulong EventQueue = 0x1200_0000;
    public const ulong PriQueue = 0x1280_0000;
    public const ulong CdTable = 0x1300_0000;
    public const ulong Msi = 0x1400_0000;          // MSI targets: GERROR +0, EVENTQ +0x10, PRIQ +0x20, SYNC +0x40..
    public const int CommandLog2 = 4;
    public const int EventLog2 = 2;
    public const int PriLog2 = 1;
    public const ulong PageBase = 0x4000_0000;    // VA pages 0..3 are mapped at stage 1 and stage 2

    private const ulong S1Root = 0x1500_0000;
    private const ulong S2Root = 0x1600_0000;

    public SnapshotRig(SmmuFeatures? features = null)
    {
        Memory = new SparseMemory();
        Smmu = new SmmuV3(Memory, features);
        Subscribe();
    }

    private SnapshotRig(SparseMemory memory, SmmuV3 smmu)
    {
        Memory = memory;
        Smmu = smmu;
        Subscribe();
    }

    public SparseMemory Memory { get; }

    public SmmuV3 Smmu { get; }

    public StringBuilder Log { get; } = new();

    /// <summary>A fresh device with the same features over this rig's memory (the saved device is then abandoned).</summary>
    public SnapshotRig Restored(Stream snapshot)
    {
        var device = new SmmuV3(Memory, Smmu.Features);
        device.RestoreState(snapshot);
        return new SnapshotRig(Memory, device);
    }

    /// <summary>Tables and queues in memory, then the register bring-up (digest §8.3) with every queue and MSI on.</summary>
    public void BringUp()
    {
        // SID 0: stage 1, faults stall (CD.S); SID 1: stage 1, faults recorded and aborted; SID 2: bypass;
        // SID 3: STE abort; SID 4: V = 0 (C_BAD_STE); SID 5: stage 2, faults stall (STE.S2S).
        var cd = DeviceHarness.LinuxCd(1, S1Root) with { S = true };
        Assert.True(cd.TryWrite(Memory, CdTable));
        Assert.True((DeviceHarness.LinuxCd(2, S1Root) with { R = true }).TryWrite(Memory, CdTable + 0x40));
        Assert.True((DeviceHarness.LinuxStage1Ste(CdTable) with { S1STALLD = false }).TryWrite(Memory, StreamTable));
        Assert.True(DeviceHarness.LinuxStage1Ste(CdTable + 0x40).TryWrite(Memory, StreamTable + 64));
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(Memory, StreamTable + (2 * 64)));
        Memory.WriteUInt64(StreamTable + (3 * 64), 1);
        Assert.True((DeviceHarness.Stage2Ste(S2Root, 7) with { S2S = true }).TryWrite(Memory, StreamTable + (5 * 64)));
        var tables = new DeviceHarness(memory: Memory); // its table writer only; intermediate tables from 0x2000_0000
        for (ulong page = 0; page < 4; page++)
        {
            // Page 2 is read-only at stage 1, so writes to it fault with F_PERMISSION.
            tables.Map4K(S1Root, PageBase + (page * 0x1000), 0x8000_0000 + (page * 0x1000), page == 2 ? DeviceHarness.S1ReadOnly : DeviceHarness.S1ReadWrite);
            tables.Map4K(S2Root, PageBase + (page * 0x1000), 0x9000_0000 + (page * 0x1000), DeviceHarness.S2ReadWrite);
        }

        Smmu.WriteRegister32(SmmuRegister.CR1, 0xD75);
        Smmu.WriteRegister32(SmmuRegister.CR2, 0x6);
        Smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, StreamTable);
        Smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 4);
        Smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, CommandQueue | CommandLog2);
        Smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, EventQueue | EventLog2);
        Smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, PriQueue | PriLog2);
        Smmu.WriteRegister64(SmmuRegister.GERROR_IRQ_CFG0, Msi);
        Smmu.WriteRegister32(SmmuRegister.GERROR_IRQ_CFG1, 0x6E);
        Smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, Msi + 0x10);
        Smmu.WriteRegister32(SmmuRegister.EVENTQ_IRQ_CFG1, 0xE0);
        Smmu.WriteRegister64(SmmuRegister.PRIQ_IRQ_CFG0, Msi + 0x20);
        Smmu.WriteRegister32(SmmuRegister.PRIQ_IRQ_CFG1, 0x90);
        Smmu.WriteRegister32(SmmuRegister.IRQ_CTRL, 7);
        Smmu.WriteRegister32(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN | Cr0Flags.PRIQEN));
    }

    public void Translate(uint sid, int page, AccessKind access)
    {
        var r = Smmu.Translate(new TranslationRequest(sid, PageBase + ((ulong)page * 0x1000) + 0x24, access));
        Note($"translate sid {sid} page {page} {access}: {r.Outcome} 0x{r.PhysicalAddress:X} {r.Fault} stag {r.StallTag}");
    }

    /// <summary>Writes one command at CMDQ_PROD (as read from the device) unless the queue is full, then publishes PROD.</summary>
    public void Submit(in Command command)
    {
        uint prod = Smmu.ReadRegister32(SmmuRegister.CMDQ_PROD);
        uint cons = Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        uint wrapMask = (2u << CommandLog2) - 1;
        if (((prod - cons) & wrapMask) == 1u << CommandLog2)
        {
            Note("command queue full");
            return;
        }

        Assert.True(command.TryWrite(Memory, CommandQueue + ((prod & ((1u << CommandLog2) - 1)) * 16)));
        Smmu.WriteRegister32(SmmuRegister.CMDQ_PROD, (prod + 1) & wrapMask);
        Note($"command {command.Opcode}");
    }

    /// <summary>The consumer of the event queue moves CONS on by up to <paramref name="entries"/>, acknowledging overflow.</summary>
    public void ConsumeEvents(int entries, bool acknowledgeOverflow)
    {
        uint prod = Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        uint cons = Smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS);
        uint wrapMask = (2u << EventLog2) - 1;
        uint queued = (prod - cons) & wrapMask;
        uint next = (cons & SmmuQueue.OverflowFlag) | ((cons + (uint)Math.Min(entries, (int)queued)) & wrapMask);
        if (acknowledgeOverflow)
        {
            next = (next & ~SmmuQueue.OverflowFlag) | (prod & SmmuQueue.OverflowFlag);
        }

        Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, next);
        Note($"event CONS 0x{next:X}");
    }

    public void Write(ulong register, uint value)
    {
        Smmu.WriteRegister32(register, value);
        Note($"write 0x{register:X} = 0x{value:X}");
    }

    public void PageRequest(uint sid, int page, bool last)
    {
        bool queued = Smmu.SubmitPageRequest(new PriQueueEntry { StreamId = sid, Read = true, Last = last, PrgIndex = (uint)page, PageAddress = PageBase + ((ulong)page * 0x1000) });
        Note($"page request sid {sid} page {page}: {queued}");
    }

    /// <summary>Counter <paramref name="counter"/> counts <paramref name="pmcgEvent"/> of <paramref name="sid"/> (or of every StreamID with <paramref name="span"/>), enabled with its overflow interrupt (IHI0070 §10.5.2).</summary>
    public void ProgramCounter(int counter, PmcgEvent pmcgEvent, uint sid, bool span)
    {
        var pmcg = Smmu.PerformanceMonitor!;
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + ((ulong)counter * 4), (uint)pmcgEvent | (span ? 1u << 29 : 0));
        pmcg.WriteRegister32(PmcgRegister.SMR0 + ((ulong)counter * 4), span ? uint.MaxValue : sid);
        pmcg.WriteRegister64(PmcgRegister.CNTENSET0, 1UL << counter);
        pmcg.WriteRegister64(PmcgRegister.INTENSET0, 1UL << counter);
        pmcg.WriteRegister32(PmcgRegister.CR, 1);
        Note($"pmcg counter {counter} counts {pmcgEvent} sid {sid} span {span}");
    }

    /// <summary>The rest of the PMCG: capture, a counter about to overflow, OVS cleared, counters off, the MSI on or off.</summary>
    public void PmcgControl(int counter, int action)
    {
        var pmcg = Smmu.PerformanceMonitor!;
        switch (action % 5)
        {
            case 0:
                pmcg.WriteRegister32(PmcgRegister.Page1 + PmcgRegister.CAPR, 1);
                break;
            case 1:
                pmcg.WriteRegister64(PmcgRegister.Page1 + PmcgRegister.EVCNTR0 + ((ulong)counter * 8), ulong.MaxValue - (ulong)action);
                break;
            case 2:
                pmcg.WriteRegister64(PmcgRegister.Page1 + PmcgRegister.OVSCLR0, ulong.MaxValue);
                break;
            case 3:
                pmcg.WriteRegister64(PmcgRegister.CNTENCLR0, 1UL << counter);
                break;
            default:
                pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 0);
                pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, Msi + 0x80);
                pmcg.WriteRegister32(PmcgRegister.IRQ_CFG1, 0x77);
                pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, (uint)counter & 1);
                break;
        }

        Note($"pmcg control {counter} {action % 5}");
    }

    /// <summary>Every register a driver can read, page 0, the page-1 queue pointers and the PMCG's.</summary>
    public string Registers()
    {
        var s = new StringBuilder();
        for (ulong offset = 0; offset < 0x200; offset += 4)
        {
            s.Append(CultureInfo.InvariantCulture, $"{Smmu.ReadRegister32(offset):X} ");
        }

        foreach (ulong offset in (ulong[])[SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS])
        {
            s.Append(CultureInfo.InvariantCulture, $"{Smmu.ReadRegister32(offset):X} ");
        }

        // PMCG page 0 (types, filters, enables, control, interrupt) and page 1 (counters, shadows, overflow status).
        var pmcg = Smmu.PerformanceMonitor!;
        for (ulong offset = PmcgRegister.EVTYPER0; offset < 0xE80; offset += 4)
        {
            s.Append(CultureInfo.InvariantCulture, $"{pmcg.ReadRegister32(offset):X} ");
        }

        for (ulong offset = 0; offset < 0xD00; offset += 8)
        {
            s.Append(CultureInfo.InvariantCulture, $"{pmcg.ReadRegister64(PmcgRegister.Page1 + offset):X} ");
        }

        return s.ToString();
    }

    /// <summary>The memory the SMMU writes: event and PRI queues, MSI targets, and the page tables (HTTU).</summary>
    public string WrittenMemory()
    {
        var s = new StringBuilder();
        void Dump(ulong start, ulong bytes)
        {
            for (ulong a = start; a < start + bytes; a += 8)
            {
                s.Append(CultureInfo.InvariantCulture, $"{Memory.ReadUInt64(a):X} ");
            }
        }

        Dump(EventQueue, 32UL << EventLog2);
        Dump(PriQueue, 16UL << PriLog2);
        Dump(Msi, 0x100);
        Dump(0x2000_0000, 0x8000);
        return s.ToString();
    }

    public void Note(string line) => Log.AppendLine(line);

    private void Subscribe()
    {
        Smmu.InterruptRaised += (_, e) => Note($"interrupt {e.Source}");
        Smmu.StallResolved += (_, e) => Note($"stall resolved sid {e.StreamId} stag {e.StallTag} retry {e.Retry} abort {e.Abort}");
    }
}
