using System.Diagnostics;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>
/// A host driver for an <see cref="SmmuV3"/> in the manner of Linux's arm-smmu-v3: it probes the ID registers,
/// allocates the stream table and queues, runs the reset sequence, submits commands and drains events. It talks to
/// the device only through MMIO (<see cref="SmmuV3.ReadRegister32"/> and friends) and through memory, as an OS driver would.
/// </summary>
/// <remarks>All members are serialised by one lock; the device may translate concurrently.</remarks>
public sealed partial class SmmuDriver
{
    // IHI0070 §6.3.18: GERROR bits Linux treats as errors (everything but the reserved bit 1 and the v3.3+ bits).
    private const uint GerrorActiveMask = 0x1FD;
    private const int Split = 8;
    private const int MaxL1StreamTableBits = 17;

    private readonly Lock _lock = new();
    private SmmuCapabilities? _capabilities;
    private bool _initialized;

    /// <summary>Creates a driver for <paramref name="device"/>; nothing is touched until <see cref="Probe"/> or <see cref="Initialize"/>.</summary>
    /// <param name="device">The SMMU, reached only through its registers.</param>
    /// <param name="memory">The memory the SMMU masters, where the driver writes structures and reads queues.</param>
    /// <param name="allocator">Source of memory for structures and page tables (its memory must be <paramref name="memory"/>).</param>
    /// <param name="options">Driver choices; null for <see cref="SmmuDriverOptions.Default"/>.</param>
    public SmmuDriver(SmmuV3 device, IPhysicalMemory memory, PhysicalAllocator allocator, SmmuDriverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(allocator);
        if (!ReferenceEquals(allocator.Memory, memory))
        {
            throw new ArgumentException("The allocator must hand out ranges of the same memory the driver writes.", nameof(allocator));
        }

        Options = options ?? SmmuDriverOptions.Default;
        Options.Validate();
        Device = device;
        Memory = memory;
        Allocator = allocator;
    }

    /// <summary>The device.</summary>
    public SmmuV3 Device { get; }

    /// <summary>The memory structures live in.</summary>
    public IPhysicalMemory Memory { get; }

    /// <summary>The allocator for structures and page tables.</summary>
    public PhysicalAllocator Allocator { get; }

    /// <summary>The driver options.</summary>
    public SmmuDriverOptions Options { get; }

    /// <summary>The probed capabilities.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Probe"/>.</exception>
    public SmmuCapabilities Capabilities => _capabilities ?? throw new InvalidOperationException("Call Probe() or Initialize() first.");

    /// <summary>True once <see cref="Initialize"/> completed and until <see cref="Shutdown"/>.</summary>
    public bool IsInitialized => _initialized;

    /// <summary>
    /// Reads IDR0/1/3/5 and decides how to drive the SMMU, refusing what Linux refuses (digest §8.1): no AArch64
    /// tables, neither stage, preset tables or queues, a command queue of fewer than 128 entries.
    /// </summary>
    /// <returns>The capabilities.</returns>
    /// <exception cref="NotSupportedException">The SMMU is one Linux would not drive.</exception>
    public SmmuCapabilities Probe()
    {
        lock (_lock)
        {
            var idr0 = new Idr0Register(Read32(SmmuRegister.IDR0));
            var idr1 = new Idr1Register(Read32(SmmuRegister.IDR1));
            var idr3 = new Idr3Register(Read32(SmmuRegister.IDR3));
            var idr5 = new Idr5Register(Read32(SmmuRegister.IDR5));

            if (!idr0.S1P && !idr0.S2P)
            {
                throw new NotSupportedException("IDR0: the SMMU implements neither stage 1 nor stage 2 (S1P = S2P = 0).");
            }

            if ((idr0.TTF & 0b10) == 0)
            {
                throw new NotSupportedException($"IDR0.TTF = {idr0.TTF}: AArch64 (VMSAv8-64) translation tables are not supported.");
            }

            if (idr1.TABLES_PRESET || idr1.QUEUES_PRESET || idr1.REL)
            {
                throw new NotSupportedException("IDR1: preset stream table or queue bases (TABLES_PRESET/QUEUES_PRESET/REL) are not supported.");
            }

            if (idr1.CMDQS < 7)
            {
                throw new NotSupportedException($"IDR1.CMDQS = {idr1.CMDQS}: the command queue must hold more than 64 entries (one batch).");
            }

            if (idr0.STALL_MODEL == 0b11)
            {
                throw new NotSupportedException("IDR0.STALL_MODEL = 0b11 is reserved.");
            }

            var granules = new List<Granule>();
            if (idr5.GRAN4K)
            {
                granules.Add(Granule.Size4K);
            }

            if (idr5.GRAN16K)
            {
                granules.Add(Granule.Size16K);
            }

            if (idr5.GRAN64K)
            {
                granules.Add(Granule.Size64K);
            }

            // Digest §8.1: OAS encodings above 52 bits are unknown to the driver and taken as 48.
            int oas = idr5.OAS <= 6 ? SmmuFeatures.DecodeAddressSize(idr5.OAS) : 48;
            int ias = Math.Max((idr0.TTF & 1) != 0 ? 40 : 0, oas);
            int sidBits = (int)idr1.SIDSIZE;
            bool hyp = idr0.Hyp;
            bool pri = idr0.PRI;

            _capabilities = new SmmuCapabilities
            {
                Stage1 = idr0.S1P,
                Stage2 = idr0.S2P,
                StreamIdBits = sidBits,
                SubstreamIdBits = (int)idr1.SSIDSIZE,
                TwoLevelStreamTable = idr0.ST_LEVEL == 0b01 && sidBits > Split,
                TwoLevelCdTable = idr0.CD2L,
                AsidBits = idr0.ASID16 ? 16 : 8,
                VmidBits = idr0.VMID16 ? 16 : 8,
                RangeInvalidation = idr3.RIL,
                StallModel = (StallModel)idr0.STALL_MODEL,
                Msi = idr0.MSI,
                Hyp = hyp,
                E2H = hyp && Options.UseE2H,
                Pri = pri,
                Ats = idr0.ATS,
                Coherent = idr0.COHACC,
                AttributeTypesOverride = idr1.ATTR_TYPES_OVR,
                AbortOnlyTermination = idr0.TERM_MODEL,
                OutputAddressBits = oas,
                InputAddressBits = ias,
                Granules = granules,
                CommandQueueLog2Size = Math.Min((int)idr1.CMDQS, Options.CommandQueueLog2Size),
                EventQueueLog2Size = Math.Min((int)idr1.EVENTQS, Options.EventQueueLog2Size),
                PriQueueLog2Size = Math.Min((int)idr1.PRIQS, Options.PriQueueLog2Size),
                PriQueue = pri && Options.EnablePri,
                ForcedWriteBack = idr3.FWB,
                BreakBeforeMakeLevel = (int)idr3.BBML,
                StallMax = (int)idr5.STALL_MAX,
                VirtualAddressExtension = idr5.VAX == 0b01,
                LargeAddresses2 = idr5.DS,
            };

            if (Options.SecureWorld)
            {
                _capabilities = SecureCapabilities(_capabilities); // SmmuDriver.Secure.cs
            }

            if (Options.UseE2H && !hyp)
            {
                throw new NotSupportedException("SmmuDriverOptions.UseE2H needs IDR0.Hyp = 1.");
            }

            return _capabilities;
        }
    }

    /// <summary>
    /// Probes, allocates the stream table (linear all-abort, or 2-level with lazily filled L1 descriptors) and the
    /// command, event and (PRI) queues, then runs the reset sequence of IHI0070 §3.11 / digest §8.3, polling every ACK.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already initialised, or the allocator ran out of memory.</exception>
    /// <exception cref="TimeoutException">A register never acknowledged a write; the message names it.</exception>
    public void Initialize()
    {
        lock (_lock)
        {
            if (_initialized)
            {
                throw new InvalidOperationException("The driver is already initialised; call Shutdown() first.");
            }

            Probe();
            CreateIdAllocators();
            AllocateStreamTable();
            AllocateQueues();
            ResetDevice();
            _initialized = true;
        }
    }

    /// <summary>
    /// Disables the SMMU (CR0 = 0, GBPA abort) and gives every structure the driver allocated back to the allocator.
    /// Domains and CD tables created through the driver must be disposed first.
    /// </summary>
    public void Shutdown()
    {
        lock (_lock)
        {
            if (!_initialized)
            {
                return;
            }

            SetGbpaAbort();
            WriteAndPoll(SmmuRegister.CR0, 0, SmmuRegister.CR0ACK, "CR0ACK");
            FreeStreamTable();
            FreeQueues();
            _asids.Clear();
            _vmids.Clear();
            _stage1Domains.Clear();
            _stage2Domains.Clear();
            _cdTables.Clear();
            _initialized = false;
        }
    }

    // Digest §8.3, IHI0070 §3.11.
    private void ResetDevice()
    {
        var caps = Capabilities;

        // 1: if the SMMU is on, make incoming traffic abort while it is turned off.
        if ((Read32(SmmuRegister.CR0) & (uint)Cr0Flags.SMMUEN) != 0)
        {
            SetGbpaAbort();
        }

        // 2: everything off.
        WriteAndPoll(SmmuRegister.CR0, 0, SmmuRegister.CR0ACK, "CR0ACK");

        // 3-4: inner-shareable write-back tables and queues; broadcast TLB maintenance as the options say (Linux
        // always sets PTM), record invalid StreamIDs.
        var cr1 = new Cr1Register(0) { TABLE_SH = 3, TABLE_OC = 1, TABLE_IC = 1, QUEUE_SH = 3, QUEUE_OC = 1, QUEUE_IC = 1 };
        Write32(SmmuRegister.CR1, cr1.Value);
        var cr2 = new Cr2Register(0) { PTM = !Options.BroadcastTlbMaintenance, RECINVSID = true, E2H = caps.E2H };
        Write32(SmmuRegister.CR2, cr2.Value);

        // 5: stream table.
        Write64(SmmuRegister.STRTAB_BASE, new StreamTableBaseRegister(0) { RA = true, Address = _streamTable }.Value);
        var cfg = new StreamTableBaseCfgRegister(0)
        {
            FMT = caps.TwoLevelStreamTable ? 1u : 0u,
            SPLIT = caps.TwoLevelStreamTable ? (uint)Split : 0u,
            LOG2SIZE = (uint)_streamTableLog2Size,
        };
        Write32(SmmuRegister.STRTAB_BASE_CFG, cfg.Value);

        // 6-7: command queue, then enable it.
        ProgramQueue(ref _commandQueue, SmmuRegister.CMDQ_BASE, SmmuRegister.CMDQ_PROD, SmmuRegister.CMDQ_CONS);
        uint cr0 = (uint)Cr0Flags.CMDQEN;
        WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK, "CR0ACK");

        // 8-9: configuration caches before TLBs (IHI0070 §3.11).
        SubmitAndSyncLocked([Command.CfgiAll()]);
        if (caps.Hyp)
        {
            SubmitAndSyncLocked([Command.TlbiEl2All()]);
        }

        SubmitAndSyncLocked(TlbResetCommands()); // TLBI_NSNH_ALL; on the Secure queue NH_ALL and EL3_ALL

        // 10-11: event queue.
        ProgramQueue(ref _eventQueue, SmmuRegister.EVENTQ_BASE, SmmuRegister.EVENTQ_PROD, SmmuRegister.EVENTQ_CONS);
        cr0 |= (uint)Cr0Flags.EVENTQEN;
        WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK, "CR0ACK");

        // 12: PRI queue.
        if (caps.PriQueue)
        {
            ProgramQueue(ref _priQueue, SmmuRegister.PRIQ_BASE, SmmuRegister.PRIQ_PROD, SmmuRegister.PRIQ_CONS);
            cr0 |= (uint)Cr0Flags.PRIQEN;
            WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK, "CR0ACK");
        }

        // 14: wired interrupts (IRQ_CFG0 = 0 means no MSI), event queue and global errors (and PRI).
        WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK, "IRQ_CTRLACK");
        Write64(SmmuRegister.GERROR_IRQ_CFG0, 0);
        Write64(SmmuRegister.EVENTQ_IRQ_CFG0, 0);
        if (caps.PriQueue)
        {
            Write64(SmmuRegister.PRIQ_IRQ_CFG0, 0);
        }

        uint irq = (uint)(IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.GERROR_IRQEN) | (caps.PriQueue ? (uint)IrqCtrlFlags.PRIQ_IRQEN : 0);
        WriteAndPoll(SmmuRegister.IRQ_CTRL, irq, SmmuRegister.IRQ_CTRLACK, "IRQ_CTRLACK");

        // 15: translate through the stream table.
        cr0 |= (uint)Cr0Flags.SMMUEN;
        WriteAndPoll(SmmuRegister.CR0, cr0, SmmuRegister.CR0ACK, "CR0ACK");
    }

    // Digest §1.6 GBPA protocol: wait for Update = 0, write the value with Update, wait again.
    private void SetGbpaAbort()
    {
        PollUntil(() => (Read32(SmmuRegister.GBPA) & (1u << 31)) == 0, "GBPA.Update");
        uint gbpa = Read32(SmmuRegister.GBPA);
        Write32(SmmuRegister.GBPA, new GbpaRegister(gbpa) { ABORT = true, Update = true }.Value);
        PollUntil(() => (Read32(SmmuRegister.GBPA) & (1u << 31)) == 0, "GBPA.Update");
    }

    // IHI0070 §6.3.26: a queue's BASE, then PROD and CONS, are programmed before its enable is set; both start empty.
    private void ProgramQueue(ref SmmuQueue queue, ulong baseRegister, ulong prodRegister, ulong consRegister)
    {
        Write64(baseRegister, queue.Base);
        Write32(prodRegister, 0);
        Write32(consRegister, 0);
        queue.Prod = 0;
        queue.Cons = 0;
    }

    /// <summary>Writes <paramref name="value"/> and polls <paramref name="ack"/> until it reads the same value.</summary>
    private void WriteAndPoll(ulong register, uint value, ulong ack, string ackName)
    {
        Write32(register, value);
        PollUntil(() => Read32(ack) == value, $"{ackName} (waiting for 0x{value:X})");
    }

    private void PollUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > Options.PollTimeout)
            {
                throw new TimeoutException($"The SMMU did not update {what} within {Options.PollTimeout.TotalMilliseconds:0} ms.");
            }

            Thread.Yield();
        }
    }

    private uint Read32(ulong offset) => Device.ReadRegister32(Page(offset));

    private void Write32(ulong offset, uint value) => Device.WriteRegister32(Page(offset), value);

    private void Write64(ulong offset, ulong value) => Device.WriteRegister64(Page(offset), value);

    private void RequireInitialized()
    {
        if (!_initialized)
        {
            throw new InvalidOperationException("The driver is not initialised; call Initialize() first.");
        }
    }

    private ulong AllocateZeroed(ulong size, ulong alignment) => Allocator.Allocate(size, alignment);

    private void WriteWord(ulong address, ulong value)
    {
        if (!Memory.TryWriteUInt64(address, value))
        {
            throw new InvalidOperationException($"Structure memory at 0x{address:X} is not writable.");
        }
    }

    private ulong ReadWord(ulong address) =>
        Memory.TryReadUInt64(address, out ulong value) ? value : throw new InvalidOperationException($"Structure memory at 0x{address:X} is not readable.");
}
