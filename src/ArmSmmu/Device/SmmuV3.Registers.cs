using System.Runtime.CompilerServices;
using ArmSmmu.Structures;

namespace ArmSmmu;

// The register file (IHI0070 §6): offsets, writable masks, guards and side effects over the register banks.
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
    private const uint IrqCfg2MsiMask = 0x3F;      // SH, MemAttr
    private const uint PriqIrqCfg2Lo = 1u << 31;
    private const ulong StrtabBaseMask = 0x40FF_FFFF_FFFF_FFC0;
    private const uint StrtabBaseCfgMask = 0x3_07FF;
    private const ulong QueueBaseMask = 0x40FF_FFFF_FFFF_FFFF;
    private const uint OutputQueuePointerMask = SmmuQueue.OverflowFlag | 0xF_FFFF; // OVFLG/OVACKFLG, WR/RD

    private RegisterBanks _registers;

    private uint WritableCr0Mask =>
        Cr0Mask & ~(Features.Ats ? 0u : (uint)Cr0Flags.ATSCHK) & ~(PriImplemented ? 0u : (uint)Cr0Flags.PRIQEN)
        & ~(Features.VmidWildcard && Features.Stage2 ? 0u : 0x1C0u);

    private uint Cr2Mask => new Cr2Register(0) { E2H = HypImplemented, RECINVSID = true, PTM = Features.Btm, REC_CFG_ATS = Features.AtsRecordErrors && Features.Ats }.Value;

    private uint IrqCtrlMask => PriImplemented ? 7u : 5u;

    private bool PriImplemented => Features.Pri && Features.Ats;

    private bool Enabled(Cr0Flags flag) => _registers.Control.Enabled(flag);

    // CR2 through its field view: RECINVSID (IHI0070 §6.3.11), E2H.
    private Cr2Register Cr2 => _registers.Control.Cr2Fields;

    private bool GlobalErrorActive(GerrorFlags flag) => _registers.GlobalError.IsActive(flag);

    /// <summary>Reads a 32-bit register at <paramref name="offset"/> from the SMMU base (page 0 at 0x0, page 1 at 0x10000).</summary>
    /// <param name="offset">Register offset, 4-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <returns>The value; undefined and RES0 locations read as zero.</returns>
    public uint ReadRegister32(ulong offset)
    {
        CheckOffset(offset, 4);
        if (offset == SmmuRegister.CMDQ_CONS)
        {
            // Polled after every command batch (IHI0070 §3.5.2): one 32-bit read needs no lock (a lock pair was 1.7 % of
            // a map + translate + unmap); CONS is written with release semantics (SmmuQueue.ConsAcquire).
            return _registers.CommandQueue.ConsAcquire;
        }

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
            ulong register64 = offset & ~7UL;
            if (Is64BitRegister(register64))
            {
                ulong old = Read64(register64);
                ulong merged = (offset & 4) == 0
                    ? (old & 0xFFFF_FFFF_0000_0000) | value
                    : (old & 0xFFFF_FFFF) | ((ulong)value << 32);
                Write64(register64, merged);
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
            return Is64BitRegister(offset)
                ? Read64(offset)
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
            if (Is64BitRegister(offset))
            {
                Write64(offset, value);
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
        if (offset >= RegisterSpaceSize || offset + (ulong)width > RegisterSpaceSize || (offset & ((ulong)width - 1)) != 0)
        {
            ThrowBadOffset(offset, width);
        }
    }

    // Out of line, so that the register accessors, which inline CheckOffset, carry no string builder in their frames.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadOffset(ulong offset, int width)
    {
        if (offset >= RegisterSpaceSize || offset + (ulong)width > RegisterSpaceSize)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"Register offset 0x{offset:X} is outside the SMMU's two 64 KiB register pages (0x0-0x1FFFF).");
        }

        throw new ArgumentException($"A {width * 8}-bit register access must be {width}-byte aligned; offset 0x{offset:X} is not.", nameof(offset));
    }

    // Page-1 offsets name the queue pointers; page 0 aliases them at the same low offsets (IHI0070 §6.2, as QEMU does).
    private static ulong Canonical(ulong offset) => offset switch
    {
        0xA8 or 0xAC or 0xC8 or 0xCC => offset | 0x10000,
        _ => offset,
    };

    private static bool Is64BitRegister(ulong offset) => IsSecure64BitRegister(offset) || offset is SmmuRegister.GERROR_IRQ_CFG0 or SmmuRegister.STRTAB_BASE
        or SmmuRegister.CMDQ_BASE or SmmuRegister.EVENTQ_BASE or SmmuRegister.EVENTQ_IRQ_CFG0 or SmmuRegister.PRIQ_BASE
        or SmmuRegister.PRIQ_IRQ_CFG0 or SmmuRegister.GATOS_SID or SmmuRegister.GATOS_ADDR or SmmuRegister.GATOS_PAR;

    // The interrupt source whose IRQ_CFG0/1/2 an offset names, by its IRQ_CTRL enable bit.
    private static IrqCtrlFlags IrqSourceOf(ulong offset) => offset switch
    {
        SmmuRegister.GERROR_IRQ_CFG0 or SmmuRegister.GERROR_IRQ_CFG1 or SmmuRegister.GERROR_IRQ_CFG2 => IrqCtrlFlags.GERROR_IRQEN,
        SmmuRegister.EVENTQ_IRQ_CFG0 or SmmuRegister.EVENTQ_IRQ_CFG1 or SmmuRegister.EVENTQ_IRQ_CFG2 => IrqCtrlFlags.EVENTQ_IRQEN,
        _ => IrqCtrlFlags.PRIQ_IRQEN,
    };

    private ref InterruptConfig IrqConfig(IrqCtrlFlags source)
    {
        if (source == IrqCtrlFlags.GERROR_IRQEN)
        {
            return ref _registers.GlobalError.Irq;
        }

        return ref source == IrqCtrlFlags.EVENTQ_IRQEN ? ref _registers.EventQueue.Irq : ref _registers.PriQueue.Irq;
    }

    // IHI0070 §6.3: a source's IRQ_CFG0-2 ignore writes while its IRQ_CTRL enable is set (v3.2 behaviour); the PRI
    // queue's exist only with PRI.
    private bool IrqConfigWritable(IrqCtrlFlags source) =>
        (source != IrqCtrlFlags.PRIQ_IRQEN || PriImplemented) && !_registers.Control.InterruptEnabled(source);

    // IHI0070 §6.3 (IDR0.MSI): without MSI, IRQ_CFG0/1 and the SH/MemAttr of IRQ_CFG2 are RES0; PRIQ_IRQ_CFG2.LO is not
    // an MSI field and stays writable.
    private uint IrqCfg2Mask(IrqCtrlFlags source) =>
        (Features.Msi ? IrqCfg2MsiMask : 0) | (source == IrqCtrlFlags.PRIQ_IRQEN ? PriqIrqCfg2Lo : 0);

    private ulong Read64(ulong offset) => offset switch
    {
        _ when IsSecurePage(offset) => _secure!.Read64(offset - SecurePageBase), // SMMU_S_* (SmmuV3.Secure.cs)
        SmmuRegister.STRTAB_BASE => _registers.StreamTable.Base,
        SmmuRegister.CMDQ_BASE => _registers.CommandQueue.Base,
        SmmuRegister.EVENTQ_BASE => _registers.EventQueue.Queue.Base,
        SmmuRegister.PRIQ_BASE => _registers.PriQueue.Queue.Base,
        SmmuRegister.GATOS_SID or SmmuRegister.GATOS_ADDR or SmmuRegister.GATOS_PAR => ReadAtos64(offset),
        _ => IrqConfig(IrqSourceOf(offset)).Cfg0,
    };

    private void Write64(ulong offset, ulong value)
    {
        // IHI0070 §6.3: guarded registers ignore writes while their enable or its ACK is set (v3.2 behaviour).
        switch (offset)
        {
            case var _ when IsSecurePage(offset):
                _secure!.Write64(offset - SecurePageBase, value); // SMMU_S_* (SmmuV3.Secure.cs)
                break;
            case SmmuRegister.STRTAB_BASE when !Enabled(Cr0Flags.SMMUEN):
                _registers.StreamTable.Base = value & StrtabBaseMask;
                break;
            case SmmuRegister.CMDQ_BASE when !Enabled(Cr0Flags.CMDQEN):
                _registers.CommandQueue.Base = value & QueueBaseMask;
                break;
            case SmmuRegister.EVENTQ_BASE when !Enabled(Cr0Flags.EVENTQEN):
                _registers.EventQueue.Queue.Base = value & QueueBaseMask;
                break;
            case SmmuRegister.PRIQ_BASE when PriImplemented && !Enabled(Cr0Flags.PRIQEN):
                _registers.PriQueue.Queue.Base = value & QueueBaseMask;
                break;
            case SmmuRegister.GERROR_IRQ_CFG0 or SmmuRegister.EVENTQ_IRQ_CFG0 or SmmuRegister.PRIQ_IRQ_CFG0
                when IrqConfigWritable(IrqSourceOf(offset)):
                IrqConfig(IrqSourceOf(offset)).Cfg0 = Features.Msi ? value & IrqCfg0Mask : 0;
                break;
            case SmmuRegister.GATOS_SID or SmmuRegister.GATOS_ADDR:
                WriteAtos64(offset, value);
                break;
            default:
                break;
        }
    }

    private uint Read32(ulong offset)
    {
        if (IsSecurePage(offset))
        {
            return ReadSecure32(offset); // SMMU_S_* (SmmuV3.Secure.cs)
        }

        offset = Canonical(offset);
        if (Is64BitRegister(offset & ~7UL))
        {
            ulong v = Read64(offset & ~7UL);
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
            SmmuRegister.CR0 or SmmuRegister.CR0ACK => _registers.Control.Cr0,
            SmmuRegister.CR1 => _registers.Control.Cr1,
            SmmuRegister.CR2 => _registers.Control.Cr2,
            SmmuRegister.GBPA => _registers.Control.Gbpa,
            SmmuRegister.IRQ_CTRL or SmmuRegister.IRQ_CTRLACK => _registers.Control.IrqCtrl,
            SmmuRegister.GERROR => _registers.GlobalError.Gerror,
            SmmuRegister.GERRORN => _registers.GlobalError.Gerrorn,
            SmmuRegister.GERROR_IRQ_CFG1 or SmmuRegister.EVENTQ_IRQ_CFG1 or SmmuRegister.PRIQ_IRQ_CFG1 => IrqConfig(IrqSourceOf(offset)).Cfg1,
            SmmuRegister.GERROR_IRQ_CFG2 or SmmuRegister.EVENTQ_IRQ_CFG2 or SmmuRegister.PRIQ_IRQ_CFG2 => IrqConfig(IrqSourceOf(offset)).Cfg2,
            SmmuRegister.STRTAB_BASE_CFG => _registers.StreamTable.BaseCfg,
            SmmuRegister.CMDQ_PROD => _registers.CommandQueue.Prod,
            SmmuRegister.CMDQ_CONS => _registers.CommandQueue.Cons,
            SmmuRegister.EVENTQ_PROD => _registers.EventQueue.Queue.Prod,
            SmmuRegister.EVENTQ_CONS => _registers.EventQueue.Queue.Cons,
            SmmuRegister.PRIQ_PROD => PriImplemented ? _registers.PriQueue.Queue.Prod : 0,
            SmmuRegister.PRIQ_CONS => PriImplemented ? _registers.PriQueue.Queue.Cons : 0,
            _ => 0, // STATUSR (no DORMHINT), IDR6 and every undefined offset: RAZ
        };
    }

    private void Write32(ulong offset, uint value)
    {
        if (IsSecurePage(offset))
        {
            WriteSecure32(offset, value); // SMMU_S_* (SmmuV3.Secure.cs)
            return;
        }

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
                _registers.Control.Cr2 = value & Cr2Mask;
                break;
            case SmmuRegister.GBPA:
                WriteGbpa(value);
                break;
            case SmmuRegister.IRQ_CTRL:
                _registers.Control.IrqCtrl = value & IrqCtrlMask;
                break;
            case SmmuRegister.GERRORN:
                _registers.GlobalError.Gerrorn = value & GerrorMask;
                // IHI0070 §7.5: acknowledging CMDQ_ERR lets the command queue continue from CMDQ_CONS, and
                // acknowledging EVENTQ_ABT_ERR makes the event queue writable again for held stall records.
                ProcessCommandQueue();
                FlushHeldStallRecords();
                break;
            case SmmuRegister.GERROR_IRQ_CFG1 or SmmuRegister.EVENTQ_IRQ_CFG1 or SmmuRegister.PRIQ_IRQ_CFG1
                when IrqConfigWritable(IrqSourceOf(offset)):
                IrqConfig(IrqSourceOf(offset)).Cfg1 = Features.Msi ? value : 0;
                break;
            case SmmuRegister.GERROR_IRQ_CFG2 or SmmuRegister.EVENTQ_IRQ_CFG2 or SmmuRegister.PRIQ_IRQ_CFG2
                when IrqConfigWritable(IrqSourceOf(offset)):
                IrqConfig(IrqSourceOf(offset)).Cfg2 = value & IrqCfg2Mask(IrqSourceOf(offset));
                break;
            case SmmuRegister.STRTAB_BASE_CFG when !Enabled(Cr0Flags.SMMUEN):
                _registers.StreamTable.BaseCfg = value & StrtabBaseCfgMask;
                break;
            case SmmuRegister.GATOS_CTRL:
                WriteAtosCtrl(value); // IHI0070 §9.1.1: completes before the write returns
                break;
            case SmmuRegister.CMDQ_PROD:
                // IHI0070 §6.3.27: bits above the wrap bit are RES0.
                _registers.CommandQueue.Prod = value & _registers.CommandQueue.IndexAndWrapMask;
                ProcessCommandQueue();
                break;
            case SmmuRegister.CMDQ_CONS when !Enabled(Cr0Flags.CMDQEN):
                _registers.CommandQueue.Cons = value & _registers.CommandQueue.IndexAndWrapMask;
                break;
            case SmmuRegister.EVENTQ_PROD when !Enabled(Cr0Flags.EVENTQEN):
                _registers.EventQueue.Queue.Prod = value & OutputQueuePointerMask;
                break;
            case SmmuRegister.EVENTQ_CONS:
                _registers.EventQueue.Queue.Cons = value & OutputQueuePointerMask;
                FlushHeldStallRecords(); // space may have been freed for held stall records (IHI0070 §7.4)
                break;
            case SmmuRegister.PRIQ_PROD when PriImplemented && !Enabled(Cr0Flags.PRIQEN):
                _registers.PriQueue.Queue.Prod = value & OutputQueuePointerMask;
                break;
            case SmmuRegister.PRIQ_CONS when PriImplemented:
                _registers.PriQueue.Queue.Cons = value & OutputQueuePointerMask;
                break;
            default:
                break; // read-only, guarded while enabled, or undefined: write ignored
        }
    }

    private void WriteCr0(uint value)
    {
        uint old = _registers.Control.Cr0;
        uint next = value & WritableCr0Mask;
        _registers.Control.Cr0 = next; // CR0ACK follows at once

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

        if ((_registers.Control.Cr0 & (uint)(Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN | Cr0Flags.PRIQEN)) == 0)
        {
            writable |= 0x03F;
        }

        _registers.Control.Cr1 = (_registers.Control.Cr1 & ~writable) | (value & Cr1Mask & writable);
    }

    private void WriteGbpa(uint value, uint secureMask = 0)
    {
        // IHI0070 §6.3.14: only a write with Update = 1 changes GBPA; the update completes at once, so
        // Update reads back as 0 immediately.
        if ((value & GbpaUpdate) != 0)
        {
            _registers.Control.Gbpa = value & (GbpaMask | secureMask);
        }
    }
}
