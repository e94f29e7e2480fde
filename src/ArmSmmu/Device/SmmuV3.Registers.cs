using ArmSmmu.Structures;

namespace ArmSmmu;

// The register file (IHI0070 §6): reset values, writable masks, guards and side effects.
public sealed partial class SmmuV3
{
    /// <summary>Size of the register space this model decodes: pages 0 and 1 (IHI0070 §6.1).</summary>
    public const ulong RegisterSpaceSize = 0x20000;

    // Writable bits of each register: everything else is RES0 and reads as zero (IHI0070 §6.3).
    private const uint Cr0Mask = 0x1DF;            // VMW[8:6], ATSCHK, CMDQEN, EVENTQEN, PRIQEN, SMMUEN
    private const uint Cr1Mask = 0xFFF;
    private const uint GbpaMask = 0x001F_3F1F;     // without Update
    private const uint GbpaUpdate = 1u << 31;
    private const uint GerrorMask = 0x1FD;
    private const ulong IrqCfg0Mask = 0x00FF_FFFF_FFFF_FFFC;
    private const ulong StrtabBaseMask = 0x40FF_FFFF_FFFF_FFC0;
    private const uint StrtabBaseCfgMask = 0x3_07FF;
    private const ulong QueueBaseMask = 0x40FF_FFFF_FFFF_FFFF;
    private const uint QueuePointerMask = 0x800F_FFFF;

    private volatile uint _cr0;
    private uint _cr1;
    private volatile uint _cr2;
    private volatile uint _gbpa;
    private uint _irqCtrl;
    private uint _gerror;
    private uint _gerrorn;
    private ulong _gerrorIrqCfg0, _eventqIrqCfg0, _priqIrqCfg0;
    private uint _gerrorIrqCfg1, _eventqIrqCfg1, _priqIrqCfg1;
    private uint _gerrorIrqCfg2, _eventqIrqCfg2, _priqIrqCfg2;
    private ulong _strtabBase;
    private uint _strtabBaseCfg;
    private ulong _cmdqBase, _eventqBase, _priqBase;
    private uint _cmdqProd, _cmdqCons;
    private uint _eventqProd, _eventqCons;
    private uint _priqProd, _priqCons;

    private uint WritableCr0Mask =>
        Cr0Mask & ~(Features.Ats ? 0u : (uint)Cr0Flags.ATSCHK) & ~(Features.Pri && Features.Ats ? 0u : (uint)Cr0Flags.PRIQEN)
        & ~(Features.VmidWildcard && Features.Stage2 ? 0u : 0x1C0u);

    private uint Cr2Mask =>
        (Features.Hyp && Features.Stage1 && Features.Stage2 ? 1u : 0) | 2u | (Features.Btm ? 4u : 0);

    private uint IrqCtrlMask => Features.Pri && Features.Ats ? 7u : 5u;

    private bool Enabled(Cr0Flags flag) => (_cr0 & (uint)flag) != 0;

    private void ResetRegisters()
    {
        _cr0 = 0;
        _cr1 = 0;
        _cr2 = 0;
        // IHI0070 §6.3.14: GBPA resets to an IMPLEMENTATION DEFINED value; SHCFG = 01 (use incoming) and ABORT per the features.
        _gbpa = 0x1000 | (Features.GbpaAbortAtReset ? 1u << 20 : 0);
        _irqCtrl = 0;
        _gerror = 0;
        _gerrorn = 0;
        _gerrorIrqCfg0 = _eventqIrqCfg0 = _priqIrqCfg0 = 0;
        _gerrorIrqCfg1 = _eventqIrqCfg1 = _priqIrqCfg1 = 0;
        _gerrorIrqCfg2 = _eventqIrqCfg2 = _priqIrqCfg2 = 0;
        _strtabBase = 0;
        _strtabBaseCfg = 0;
        _cmdqBase = _eventqBase = _priqBase = 0;
        _cmdqProd = _cmdqCons = 0;
        _eventqProd = _eventqCons = 0;
        _priqProd = _priqCons = 0;
    }

    /// <summary>Reads a 32-bit register at <paramref name="offset"/> from the SMMU base (page 0 at 0x0, page 1 at 0x10000).</summary>
    /// <param name="offset">Register offset, 4-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <returns>The value; undefined and RES0 locations read as zero.</returns>
    public uint ReadRegister32(ulong offset)
    {
        CheckOffset(offset, 4);
        lock (_lock)
        {
            return Read32(offset);
        }
    }

    /// <summary>Writes a 32-bit register (a 64-bit register may be written as two 32-bit halves, low at +0, high at +4).</summary>
    /// <param name="offset">Register offset, 4-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <param name="value">The value; RES0 bits are ignored, writes to read-only, guarded or undefined locations are ignored.</param>
    public void WriteRegister32(ulong offset, uint value)
    {
        CheckOffset(offset, 4);
        lock (_lock)
        {
            if (Register64Slot(offset & ~7UL) is { } slot)
            {
                ulong old = Read64Slot(slot);
                ulong merged = (offset & 4) == 0
                    ? (old & 0xFFFF_FFFF_0000_0000) | value
                    : (old & 0xFFFF_FFFF) | ((ulong)value << 32);
                Write64(slot, merged);
            }
            else
            {
                Write32(offset, value);
            }
        }
    }

    /// <summary>Reads a 64-bit register (or two adjacent 32-bit registers, low first).</summary>
    /// <param name="offset">Register offset, 8-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <returns>The value.</returns>
    public ulong ReadRegister64(ulong offset)
    {
        CheckOffset(offset, 8);
        lock (_lock)
        {
            return Register64Slot(offset) is { } slot
                ? Read64Slot(slot)
                : Read32(offset) | ((ulong)Read32(offset + 4) << 32);
        }
    }

    /// <summary>Writes a 64-bit register in one single-copy atomic access (or two adjacent 32-bit registers, low first).</summary>
    /// <param name="offset">Register offset, 8-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <param name="value">The value.</param>
    public void WriteRegister64(ulong offset, ulong value)
    {
        CheckOffset(offset, 8);
        lock (_lock)
        {
            if (Register64Slot(offset) is { } slot)
            {
                Write64(slot, value);
            }
            else
            {
                Write32(offset, (uint)value);
                Write32(offset + 4, (uint)(value >> 32));
            }
        }
    }

    private static void CheckOffset(ulong offset, int width)
    {
        if (offset >= RegisterSpaceSize || offset + (ulong)width > RegisterSpaceSize)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Register offset 0x{offset:X} is outside the SMMU's two 64 KiB register pages (0x0-0x1FFFF).");
        }

        if ((offset & ((ulong)width - 1)) != 0)
        {
            throw new ArgumentException($"A {width * 8}-bit register access must be {width}-byte aligned; offset 0x{offset:X} is not.", nameof(offset));
        }
    }

    // Page-1 offsets name the queue pointers; page 0 aliases them at the same low offsets (IHI0070 §6.2, as QEMU does).
    private static ulong Canonical(ulong offset) => offset switch
    {
        0xA8 or 0xAC or 0xC8 or 0xCC => offset | 0x10000,
        _ => offset,
    };

    private enum Reg64
    {
        GerrorIrqCfg0,
        StrtabBase,
        CmdqBase,
        EventqBase,
        EventqIrqCfg0,
        PriqBase,
        PriqIrqCfg0,
    }

    private static Reg64? Register64Slot(ulong offset) => offset switch
    {
        SmmuRegister.GERROR_IRQ_CFG0 => Reg64.GerrorIrqCfg0,
        SmmuRegister.STRTAB_BASE => Reg64.StrtabBase,
        SmmuRegister.CMDQ_BASE => Reg64.CmdqBase,
        SmmuRegister.EVENTQ_BASE => Reg64.EventqBase,
        SmmuRegister.EVENTQ_IRQ_CFG0 => Reg64.EventqIrqCfg0,
        SmmuRegister.PRIQ_BASE => Reg64.PriqBase,
        SmmuRegister.PRIQ_IRQ_CFG0 => Reg64.PriqIrqCfg0,
        _ => null,
    };

    private ulong Read64Slot(Reg64 slot) => slot switch
    {
        Reg64.GerrorIrqCfg0 => _gerrorIrqCfg0,
        Reg64.StrtabBase => _strtabBase,
        Reg64.CmdqBase => _cmdqBase,
        Reg64.EventqBase => _eventqBase,
        Reg64.EventqIrqCfg0 => _eventqIrqCfg0,
        Reg64.PriqBase => _priqBase,
        _ => _priqIrqCfg0,
    };

    private void Write64(Reg64 slot, ulong value)
    {
        // IHI0070 §6.3: guarded registers ignore writes while their enable or its ACK is set (v3.2 behaviour).
        switch (slot)
        {
            case Reg64.GerrorIrqCfg0 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.GERROR_IRQEN) == 0:
                _gerrorIrqCfg0 = value & IrqCfg0Mask;
                break;
            case Reg64.EventqIrqCfg0 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.EVENTQ_IRQEN) == 0:
                _eventqIrqCfg0 = value & IrqCfg0Mask;
                break;
            case Reg64.PriqIrqCfg0 when Features.Msi && PriImplemented && (_irqCtrl & (uint)IrqCtrlFlags.PRIQ_IRQEN) == 0:
                _priqIrqCfg0 = value & IrqCfg0Mask;
                break;
            case Reg64.StrtabBase when !Enabled(Cr0Flags.SMMUEN):
                _strtabBase = value & StrtabBaseMask;
                break;
            case Reg64.CmdqBase when !Enabled(Cr0Flags.CMDQEN):
                _cmdqBase = value & QueueBaseMask;
                break;
            case Reg64.EventqBase when !Enabled(Cr0Flags.EVENTQEN):
                _eventqBase = value & QueueBaseMask;
                break;
            case Reg64.PriqBase when PriImplemented && !Enabled(Cr0Flags.PRIQEN):
                _priqBase = value & QueueBaseMask;
                break;
            default:
                break;
        }
    }

    private bool PriImplemented => Features.Pri && Features.Ats;

    private uint Read32(ulong offset)
    {
        offset = Canonical(offset);
        if (Register64Slot(offset & ~7UL) is { } slot)
        {
            ulong v = Read64Slot(slot);
            return (offset & 4) == 0 ? (uint)v : (uint)(v >> 32);
        }

        return offset switch
        {
            SmmuRegister.IDR0 => Features.Idr0,
            SmmuRegister.IDR1 => Features.Idr1,
            SmmuRegister.IDR2 => Features.Idr2,
            SmmuRegister.IDR3 => Features.Idr3,
            SmmuRegister.IDR4 => Features.Idr4,
            SmmuRegister.IDR5 => Features.Idr5,
            SmmuRegister.IIDR => Features.Iidr,
            SmmuRegister.AIDR => Features.Aidr,
            SmmuRegister.CR0 or SmmuRegister.CR0ACK => _cr0,
            SmmuRegister.CR1 => _cr1,
            SmmuRegister.CR2 => _cr2,
            SmmuRegister.GBPA => _gbpa,
            SmmuRegister.IRQ_CTRL or SmmuRegister.IRQ_CTRLACK => _irqCtrl,
            SmmuRegister.GERROR => _gerror,
            SmmuRegister.GERRORN => _gerrorn,
            SmmuRegister.GERROR_IRQ_CFG1 => _gerrorIrqCfg1,
            SmmuRegister.GERROR_IRQ_CFG2 => _gerrorIrqCfg2,
            SmmuRegister.STRTAB_BASE_CFG => _strtabBaseCfg,
            SmmuRegister.CMDQ_PROD => _cmdqProd,
            SmmuRegister.CMDQ_CONS => _cmdqCons,
            SmmuRegister.EVENTQ_IRQ_CFG1 => _eventqIrqCfg1,
            SmmuRegister.EVENTQ_IRQ_CFG2 => _eventqIrqCfg2,
            SmmuRegister.PRIQ_IRQ_CFG1 => _priqIrqCfg1,
            SmmuRegister.PRIQ_IRQ_CFG2 => _priqIrqCfg2,
            SmmuRegister.EVENTQ_PROD => _eventqProd,
            SmmuRegister.EVENTQ_CONS => _eventqCons,
            SmmuRegister.PRIQ_PROD => PriImplemented ? _priqProd : 0,
            SmmuRegister.PRIQ_CONS => PriImplemented ? _priqCons : 0,
            _ => 0, // STATUSR (no DORMHINT), IDR6 and every undefined offset: RAZ
        };
    }

    private void Write32(ulong offset, uint value)
    {
        offset = Canonical(offset);
        switch (offset)
        {
            case SmmuRegister.CR0:
                WriteCr0(value);
                break;
            case SmmuRegister.CR1:
                WriteCr1(value);
                break;
            case SmmuRegister.CR2 when !Enabled(Cr0Flags.SMMUEN):
                _cr2 = value & Cr2Mask;
                break;
            case SmmuRegister.GBPA:
                WriteGbpa(value);
                break;
            case SmmuRegister.IRQ_CTRL:
                _irqCtrl = value & IrqCtrlMask;
                break;
            case SmmuRegister.GERRORN:
                _gerrorn = value & GerrorMask;
                // IHI0070 §7.5: acknowledging CMDQ_ERR lets the command queue continue from CMDQ_CONS, and
                // acknowledging EVENTQ_ABT_ERR makes the event queue writable again for held stall records.
                ProcessCommandQueue();
                FlushHeldStallRecords();
                break;
            case SmmuRegister.GERROR_IRQ_CFG1 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.GERROR_IRQEN) == 0:
                _gerrorIrqCfg1 = value;
                break;
            case SmmuRegister.GERROR_IRQ_CFG2 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.GERROR_IRQEN) == 0:
                _gerrorIrqCfg2 = value & 0x3F;
                break;
            case SmmuRegister.EVENTQ_IRQ_CFG1 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.EVENTQ_IRQEN) == 0:
                _eventqIrqCfg1 = value;
                break;
            case SmmuRegister.EVENTQ_IRQ_CFG2 when Features.Msi && (_irqCtrl & (uint)IrqCtrlFlags.EVENTQ_IRQEN) == 0:
                _eventqIrqCfg2 = value & 0x3F;
                break;
            case SmmuRegister.PRIQ_IRQ_CFG1 when Features.Msi && PriImplemented && (_irqCtrl & (uint)IrqCtrlFlags.PRIQ_IRQEN) == 0:
                _priqIrqCfg1 = value;
                break;
            case SmmuRegister.PRIQ_IRQ_CFG2 when PriImplemented && (_irqCtrl & (uint)IrqCtrlFlags.PRIQ_IRQEN) == 0:
                // IHI0070 §6.3.1 (MSI): LO is not affected by whether MSIs are implemented; SH/MemAttr are MSI fields.
                _priqIrqCfg2 = value & (Features.Msi ? 0x8000_003Fu : 0x8000_0000u);
                break;
            case SmmuRegister.STRTAB_BASE_CFG when !Enabled(Cr0Flags.SMMUEN):
                _strtabBaseCfg = value & StrtabBaseCfgMask;
                break;
            case SmmuRegister.CMDQ_PROD:
                // IHI0070 §6.3.27: bits above the wrap bit are RES0.
                _cmdqProd = value & WrapMask(CommandQueueLog2Size);
                ProcessCommandQueue();
                break;
            case SmmuRegister.CMDQ_CONS when !Enabled(Cr0Flags.CMDQEN):
                _cmdqCons = value & WrapMask(CommandQueueLog2Size);
                break;
            case SmmuRegister.EVENTQ_PROD when !Enabled(Cr0Flags.EVENTQEN):
                _eventqProd = value & QueuePointerMask;
                break;
            case SmmuRegister.EVENTQ_CONS:
                _eventqCons = value & QueuePointerMask;
                FlushHeldStallRecords(); // space may have been freed for held stall records (IHI0070 §7.4)
                break;
            case SmmuRegister.PRIQ_PROD when PriImplemented && !Enabled(Cr0Flags.PRIQEN):
                _priqProd = value & QueuePointerMask;
                break;
            case SmmuRegister.PRIQ_CONS when PriImplemented:
                _priqCons = value & QueuePointerMask;
                break;
            default:
                break; // read-only, guarded while enabled, or undefined: write ignored
        }
    }

    private void WriteCr0(uint value)
    {
        uint old = _cr0;
        uint next = value & WritableCr0Mask;
        _cr0 = next; // CR0ACK follows at once

        uint turnedOff = old & ~next;
        if ((turnedOff & (uint)Cr0Flags.SMMUEN) != 0)
        {
            // IHI0070 §6.3.9.6: disabling the SMMU terminates outstanding stalled transactions.
            TerminateAllStalls();
        }

        if ((next & (uint)Cr0Flags.EVENTQEN) != 0)
        {
            FlushHeldStallRecords();
        }

        if ((next & (uint)Cr0Flags.CMDQEN) != 0)
        {
            ProcessCommandQueue();
        }
    }

    private void WriteCr1(uint value)
    {
        // IHI0070 §6.3.11.1: TABLE_*[11:6] are guarded by SMMUEN alone.
        // IHI0070 §6.3.11.2: QUEUE_*[5:0] are guarded by CMDQEN, EVENTQEN and PRIQEN together.
        // Guarded writes are IGNORED (the only SMMUv3.2 behaviour); CR0ACK equals CR0 in this model.
        uint writable = 0;
        if (!Enabled(Cr0Flags.SMMUEN))
        {
            writable |= 0xFC0;
        }

        if ((_cr0 & (uint)(Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN | Cr0Flags.PRIQEN)) == 0)
        {
            writable |= 0x03F;
        }

        _cr1 = (_cr1 & ~writable) | (value & Cr1Mask & writable);
    }

    private void WriteGbpa(uint value)
    {
        // IHI0070 §6.3.14: only a write with Update = 1 changes GBPA; the update completes at once, so
        // Update reads back as 0 immediately.
        if ((value & GbpaUpdate) != 0)
        {
            _gbpa = value & GbpaMask;
        }
    }

    private static uint WrapMask(int log2Size) => (uint)((2UL << log2Size) - 1);

    private int CommandQueueLog2Size => Math.Min((int)(_cmdqBase & 0x1F), Features.CommandQueueLog2Size);

    private int EventQueueLog2Size => Math.Min((int)(_eventqBase & 0x1F), Features.EventQueueLog2Size);

    private int PriQueueLog2Size => Math.Min((int)(_priqBase & 0x1F), Features.PriQueueLog2Size);

    private static ulong QueueAddress(ulong baseRegister, int log2Size, int entryBytes)
    {
        // IHI0070 §6.3.26: the base is aligned to the queue size (at least 32 bytes); lower bits are ignored.
        ulong address = baseRegister & 0x00FF_FFFF_FFFF_FFE0;
        ulong size = Math.Max(32UL, (ulong)entryBytes << log2Size);
        return address & ~(size - 1);
    }

    private bool GlobalErrorActive(GerrorFlags flag) => ((_gerror ^ _gerrorn) & (uint)flag) != 0;
}
