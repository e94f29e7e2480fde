namespace ArmSmmu.Device;

/// <summary>
/// A Performance Monitor Counter Group attached to an <see cref="SmmuV3"/> (IHI0070 chapter 10): counters of the
/// architected events of the device's transactions, filtered by StreamID, with overflow status, capture into
/// shadow registers, and an overflow interrupt (wired line <see cref="SmmuInterrupt.PerformanceMonitor"/> or MSI).
/// Page 0 is at offset 0x0, page 1 (with CFGR.RELOC_CTRS) at 0x10000.
/// </summary>
/// <remarks>
/// The group serves the device's whole StreamID space (SMR.STREAMID implements SMMU_IDR1.SIDSIZE bits) and has no
/// Secure state (SCR is RAZ/WI): filterable events count Non-secure transactions only. Register accesses are
/// serialised; counting is lock-free and happens on the translating thread. Reset values the architecture calls
/// UNKNOWN are zero.
/// </remarks>
public sealed partial class SmmuPerformanceMonitor
{
    /// <summary>Size of the register space decoded: pages 0 and 1.</summary>
    public const ulong RegisterSpaceSize = 0x20000;

    private const ulong PageMask = 0xFFF;
    private const uint EventMask = 0xFFFF;
    private const uint FilterSidSpan = 1u << 29;
    private const uint OverflowCapture = 1u << 31;

    private readonly SmmuV3 _device;
    private readonly Lock _lock = new();
    private readonly ulong _implemented;
    private readonly ulong _valueMask;
    private readonly uint _streamIdMask;
    private readonly int _stride;
    private readonly ulong[] _counters;
    private readonly ulong[] _shadows;
    private readonly uint[] _eventTypes = new uint[64];
    private readonly uint[] _streamMatches = new uint[64];
    private ulong _counterEnables;
    private ulong _interruptEnables;
    private ulong _overflows;
    private uint _control;
    private uint _irqControl;
    private ulong _irqCfg0;
    private uint _irqCfg1;
    private uint _irqCfg2;
    private uint _irqStatus;

    internal SmmuPerformanceMonitor(SmmuV3 device, SmmuPmcgFeatures features)
    {
        features.Validate();
        _device = device;
        Features = features;
        _implemented = features.Counters == 64 ? ulong.MaxValue : (1UL << features.Counters) - 1;
        _valueMask = features.CounterBits == 64 ? ulong.MaxValue : (1UL << features.CounterBits) - 1;
        // IHI0070 §10.4.1: the PMCG StreamID is the low bits of the SMMU's; this group implements all SIDSIZE of them.
        int sidBits = device.Features.StreamIdBits;
        _streamIdMask = sidBits >= 32 ? uint.MaxValue : (1u << sidBits) - 1;
        _stride = features.CounterBits > 32 ? 8 : 4;
        _counters = new ulong[features.Counters];
        _shadows = new ulong[features.Counters];
        Reset();
    }

    /// <summary>What this group implements (CFGR).</summary>
    public SmmuPmcgFeatures Features { get; }

    /// <summary>SMMU_PMCG_CEID0 (IHI0070 §10.5.2.16): events 0-5 always, 6 and 7 when the SMMU advertises ATS (§10.3).</summary>
    public ulong Ceid0 => _device.Features.Ats ? 0xFFUL : 0x3FUL;

    /// <summary>Reads a 32-bit register (or one half of a 64-bit register).</summary>
    /// <param name="offset">Offset from the group's base, 4-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <returns>The value; RES0 and unimplemented locations read as zero.</returns>
    public uint ReadRegister32(ulong offset)
    {
        CheckOffset(offset, 4);
        lock (_lock)
        {
            if (Is64Bit(offset & ~7UL))
            {
                ulong value = Read64(offset & ~7UL);
                return (offset & 4) == 0 ? (uint)value : (uint)(value >> 32);
            }

            return Read32(offset);
        }
    }

    /// <summary>Reads a 64-bit register (or two adjacent 32-bit registers, low first).</summary>
    /// <param name="offset">Offset from the group's base, 8-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <returns>The value.</returns>
    public ulong ReadRegister64(ulong offset)
    {
        CheckOffset(offset, 8);
        lock (_lock)
        {
            return Is64Bit(offset) ? Read64(offset) : Read32(offset) | ((ulong)Read32(offset + 4) << 32);
        }
    }

    /// <summary>Writes a 32-bit register (or one half of a 64-bit register, IHI0070 §10.5: aligned 32-bit accesses are permitted).</summary>
    /// <param name="offset">Offset from the group's base, 4-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <param name="value">The value; RES0 bits, read-only and guarded registers ignore the write.</param>
    public void WriteRegister32(ulong offset, uint value)
    {
        CheckOffset(offset, 4);
        lock (_lock)
        {
            ulong register = offset & ~7UL;
            if (Is64Bit(register))
            {
                // The other half of a set/clear register is written as zeros, so that it changes nothing.
                ulong other = IsSetOrClear(register) ? 0 : Read64(register);
                ulong merged = (offset & 4) == 0
                    ? (other & 0xFFFF_FFFF_0000_0000) | value
                    : (other & 0xFFFF_FFFF) | ((ulong)value << 32);
                Write64(register, merged);
            }
            else
            {
                Write32(offset, value);
            }
        }
    }

    /// <summary>Writes a 64-bit register (or two adjacent 32-bit registers, low first).</summary>
    /// <param name="offset">Offset from the group's base, 8-byte aligned, below <see cref="RegisterSpaceSize"/>.</param>
    /// <param name="value">The value.</param>
    public void WriteRegister64(ulong offset, ulong value)
    {
        CheckOffset(offset, 8);
        lock (_lock)
        {
            if (Is64Bit(offset))
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

    /// <summary>The value of counter <paramref name="index"/> (SMMU_PMCG_EVCNTRn), wherever its page is.</summary>
    /// <param name="index">Counter number, below <see cref="SmmuPmcgFeatures.Counters"/>.</param>
    /// <returns>The counter value.</returns>
    public ulong ReadCounter(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _counters.Length);
        return Volatile.Read(ref _counters[index]);
    }

    /// <summary>Returns every register and counter to its reset state.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Array.Clear(_counters);
            Array.Clear(_shadows);
            Array.Clear(_eventTypes);
            Array.Clear(_streamMatches);
            _counterEnables = _interruptEnables = _overflows = 0;
            _control = _irqControl = _irqCfg1 = _irqCfg2 = _irqStatus = 0;
            _irqCfg0 = 0;
            Reprogram();
        }
    }

    private static void CheckOffset(ulong offset, int width)
    {
        if (offset + (ulong)width > RegisterSpaceSize)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"PMCG register offset 0x{offset:X} is outside its two 64 KiB pages (0x0-0x1FFFF).");
        }

        if ((offset & ((ulong)width - 1)) != 0)
        {
            throw new ArgumentException($"A {width * 8}-bit PMCG register access must be {width}-byte aligned; offset 0x{offset:X} is not.", nameof(offset));
        }
    }

    private static bool IsSetOrClear(ulong register) =>
        register is PmcgRegister.CNTENSET0 or PmcgRegister.CNTENCLR0 or PmcgRegister.INTENSET0 or PmcgRegister.INTENCLR0
            or PmcgRegister.OVSSET0 or PmcgRegister.OVSCLR0;

    // IHI0070 §10.5.1: the counters, shadow values, OVSCLR0/OVSSET0 and CAPR move to page 1 with RELOC_CTRS.
    private static bool Relocatable(ulong local) =>
        local < 0x200 || local is (>= 0x600 and < 0x800) or PmcgRegister.OVSCLR0 or PmcgRegister.OVSSET0 or PmcgRegister.CAPR;

    // The page-0 offset an access names, or null where the location is RES0 (the wrong page, or beyond the 4 KiB page).
    private ulong? Local(ulong offset)
    {
        bool page1 = offset >= PmcgRegister.Page1;
        ulong local = offset & ~PmcgRegister.Page1;
        if (local > PageMask)
        {
            return null;
        }

        bool inPage1 = Features.RelocateCounters && Relocatable(local & ~7UL);
        return page1 == inPage1 ? local : null;
    }

    private bool Is64Bit(ulong offset) => Local(offset) switch
    {
        ulong local when local < 0x200 || local is >= 0x600 and < 0x800 => _stride == 8,
        PmcgRegister.CNTENSET0 or PmcgRegister.CNTENCLR0 or PmcgRegister.INTENSET0 or PmcgRegister.INTENCLR0
            or PmcgRegister.OVSCLR0 or PmcgRegister.OVSSET0 or PmcgRegister.CEID0 or PmcgRegister.CEID1 or PmcgRegister.IRQ_CFG0 => true,
        _ => false,
    };

    // The counter an EVCNTR or SVR offset names, or -1 when unimplemented (RES0).
    private int CounterAt(ulong local, ulong arrayBase)
    {
        ulong index = (local - arrayBase) / (ulong)_stride;
        return index < (ulong)_counters.Length && (local - arrayBase) % (ulong)_stride == 0 ? (int)index : -1;
    }

    // The counter an EVTYPER or SMR offset names (4-byte stride), or -1 when unimplemented.
    private int TypeAt(ulong local, ulong arrayBase)
    {
        ulong index = (local - arrayBase) / 4;
        return index < (ulong)_counters.Length ? (int)index : -1;
    }

    private ulong Read64(ulong offset)
    {
        switch (Local(offset))
        {
            case ulong local when local < 0x200:
                int counter = CounterAt(local, PmcgRegister.EVCNTR0);
                return counter < 0 ? 0 : Volatile.Read(ref _counters[counter]);
            case ulong local when local is >= 0x600 and < 0x800:
                int shadow = CounterAt(local, PmcgRegister.SVR0);
                return shadow < 0 ? 0 : _shadows[shadow];
            case PmcgRegister.CNTENSET0 or PmcgRegister.CNTENCLR0:
                return _counterEnables;
            case PmcgRegister.INTENSET0 or PmcgRegister.INTENCLR0:
                return _interruptEnables;
            case PmcgRegister.OVSSET0 or PmcgRegister.OVSCLR0:
                return Interlocked.Read(ref _overflows);
            case PmcgRegister.CEID0:
                return Ceid0;
            case PmcgRegister.IRQ_CFG0:
                return _irqCfg0;
            default:
                return 0; // CEID1: no event 64-127 is implemented
        }
    }

    private void Write64(ulong offset, ulong value)
    {
        switch (Local(offset))
        {
            case ulong local when local < 0x200:
                int counter = CounterAt(local, PmcgRegister.EVCNTR0);
                if (counter >= 0)
                {
                    Interlocked.Exchange(ref _counters[counter], value & _valueMask);
                }

                break;
            case PmcgRegister.CNTENSET0:
                _counterEnables |= value & _implemented;
                Reprogram();
                break;
            case PmcgRegister.CNTENCLR0:
                _counterEnables &= ~value;
                Reprogram();
                break;
            case PmcgRegister.INTENSET0:
                _interruptEnables |= value & _implemented;
                break;
            case PmcgRegister.INTENCLR0:
                _interruptEnables &= ~value;
                break;
            case PmcgRegister.OVSSET0:
                // IHI0070 §10.5.2.10: whether a software-set OVS bit interrupts or captures is IMPLEMENTATION
                // SPECIFIC; here it only sets the status.
                Interlocked.Or(ref _overflows, value & _implemented);
                break;
            case PmcgRegister.OVSCLR0:
                Interlocked.And(ref _overflows, ~value);
                break;
            case PmcgRegister.IRQ_CFG0 when IrqConfigWritable:
                // IHI0070 §10.5.2.21: ADDR [55:2]; bits above the SMMU's OAS are RES0.
                _irqCfg0 = value & ((1UL << _device.Features.OutputAddressBits) - 1) & ~3UL;
                break;
            default:
                break; // SVRn, CEIDn: read-only; RES0 locations and guarded IRQ_CFG0: ignored
        }
    }

    // IHI0070 §10.5.2.21-23: IRQ_CFG0-2 exist with CFGR.MSI and are read-only while IRQEN (or its ACK) is 1.
    private bool IrqConfigWritable => Features.Msi && (_irqControl & 1) == 0;

    private uint Read32(ulong offset)
    {
        ulong? at = Local(offset);
        return at switch
        {
            ulong local when local is >= PmcgRegister.EVTYPER0 and < PmcgRegister.EVTYPER0 + 0x100 =>
                TypeAt(local, PmcgRegister.EVTYPER0) is int n and >= 0 ? _eventTypes[n] : 0,
            ulong local when local is >= PmcgRegister.SMR0 and < PmcgRegister.SMR0 + 0x100 =>
                TypeAt(local, PmcgRegister.SMR0) is int n and >= 0 ? _streamMatches[n] : 0,
            ulong local when local < 0x200 || local is >= 0x600 and < 0x800 => (uint)Read64(offset), // 32-bit counters
            PmcgRegister.CFGR => Features.Cfgr,
            PmcgRegister.CR => _control,
            PmcgRegister.IIDR => _device.Features.Iidr,
            PmcgRegister.IRQ_CTRL or PmcgRegister.IRQ_CTRLACK => _irqControl,
            PmcgRegister.IRQ_CFG1 => _irqCfg1,
            PmcgRegister.IRQ_CFG2 => _irqCfg2,
            // IHI0070 §10.5.2.24: IRQ_STATUS is RES0 without MSI and in SMMUv3.0.
            PmcgRegister.IRQ_STATUS => _device.Features.ArchitectureMinorRevision > 0 ? _irqStatus : 0,
            PmcgRegister.AIDR => _device.Features.Aidr,
            ulong local when local >= 0xFB0 => PmcgIdRegisters.Read(local, _device.Features.Iidr),
            _ => 0, // CAPR (write-only), SCR (no Secure state), GMPAM/MPAMIDR/ROOTCR (not implemented), RES0
        };
    }

    private void Write32(ulong offset, uint value)
    {
        switch (Local(offset))
        {
            case ulong local when local < 0x200:
                Write64(offset, value); // a 32-bit counter
                break;
            case ulong local when local is >= PmcgRegister.EVTYPER0 and < PmcgRegister.EVTYPER0 + 0x100:
                if (TypeAt(local, PmcgRegister.EVTYPER0) is int type and >= 0)
                {
                    _eventTypes[type] = value & EventTypeMask(type);
                    Reprogram();
                }

                break;
            case ulong local when local is >= PmcgRegister.SMR0 and < PmcgRegister.SMR0 + 0x100:
                // IHI0070 §10.5.2.4: with SID_FILTER_TYPE = 1 only SMR0 exists; STREAMID bits beyond the PMCG's
                // StreamID size are RAZ/WI.
                if (TypeAt(local, PmcgRegister.SMR0) is int match and >= 0 && (match == 0 || !Features.GlobalFilter))
                {
                    _streamMatches[match] = value & _streamIdMask;
                    Reprogram();
                }

                break;
            case PmcgRegister.CAPR when Features.Capture && (value & 1) != 0:
                Capture();
                break;
            case PmcgRegister.CR:
                _control = value & 1;
                Reprogram();
                break;
            case PmcgRegister.IRQ_CTRL:
                // IHI0070 §10.5.2.24: an Update of IRQEN from 0 to 1 clears IRQ_STATUS.IRQ_ABT. IRQ_CTRLACK follows at once.
                if ((_irqControl & 1) == 0 && (value & 1) != 0)
                {
                    _irqStatus = 0;
                }

                _irqControl = value & 1;
                break;
            case PmcgRegister.IRQ_CFG1 when IrqConfigWritable:
                _irqCfg1 = value;
                break;
            case PmcgRegister.IRQ_CFG2 when IrqConfigWritable:
                _irqCfg2 = value & 0x3F; // SH [5:4], MEMATTR [3:0]
                break;
            default:
                break;
        }
    }

    // IHI0070 §10.5.2.2: EVENT [15:0]; FILTER_SID_SPAN exists in EVTYPER0 or with per-counter filters; OVFCAP with
    // CAPTURE. FILTER_SEC_SID is RES0 (no Secure state), FILTER_REALM_SID and the MPAM filters are not implemented.
    private uint EventTypeMask(int counter) =>
        EventMask
        | (counter == 0 || !Features.GlobalFilter ? FilterSidSpan : 0)
        | (Features.Capture ? OverflowCapture : 0);
}
