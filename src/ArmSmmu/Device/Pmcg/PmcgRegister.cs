namespace ArmSmmu.Device;

/// <summary>
/// Offsets of the PMCG registers (IHI0070 §10.5.1) from the group's base, for
/// <see cref="SmmuPerformanceMonitor.ReadRegister32"/> and friends. With CFGR.RELOC_CTRS the counters, shadow values,
/// OVSCLR0/OVSSET0 and CAPR are at the same offsets in page 1 (add <see cref="Page1"/>).
/// </summary>
public static class PmcgRegister
{
    /// <summary>Offset of page 1.</summary>
    public const ulong Page1 = 0x10000;

    /// <summary>EVCNTR0: counter 0 (32 or 64, RW); counter n at + n × 4 (SIZE ≤ 31) or + n × 8.</summary>
    public const ulong EVCNTR0 = 0x000;

    /// <summary>EVTYPER0: event and filter of counter 0 (32, RW); counter n at + n × 4.</summary>
    public const ulong EVTYPER0 = 0x400;

    /// <summary>SVR0: shadow value of counter 0 (32 or 64, RO); same stride as EVCNTR.</summary>
    public const ulong SVR0 = 0x600;

    /// <summary>SMR0: StreamID filter of counter 0 (32, RW); counter n at + n × 4.</summary>
    public const ulong SMR0 = 0xA00;

    /// <summary>CNTENSET0: counter enables, write 1 to set (64).</summary>
    public const ulong CNTENSET0 = 0xC00;

    /// <summary>CNTENCLR0: counter enables, write 1 to clear (64).</summary>
    public const ulong CNTENCLR0 = 0xC20;

    /// <summary>INTENSET0: overflow interrupt enables, write 1 to set (64).</summary>
    public const ulong INTENSET0 = 0xC40;

    /// <summary>INTENCLR0: overflow interrupt enables, write 1 to clear (64).</summary>
    public const ulong INTENCLR0 = 0xC60;

    /// <summary>OVSCLR0: overflow status, write 1 to clear (64).</summary>
    public const ulong OVSCLR0 = 0xC80;

    /// <summary>OVSSET0: overflow status, write 1 to set (64).</summary>
    public const ulong OVSSET0 = 0xCC0;

    /// <summary>CAPR: write CAPTURE = 1 to copy every counter into its SVR (32, WO).</summary>
    public const ulong CAPR = 0xD88;

    /// <summary>SCR: Secure control (32); RAZ/WI here, the group has no Secure state.</summary>
    public const ulong SCR = 0xDF8;

    /// <summary>CFGR: what the group implements (32, RO).</summary>
    public const ulong CFGR = 0xE00;

    /// <summary>CR: E, the global counter enable (32, RW).</summary>
    public const ulong CR = 0xE04;

    /// <summary>IIDR: implementation identification (32, RO).</summary>
    public const ulong IIDR = 0xE08;

    /// <summary>CEID0: events 0-63 this group counts (64, RO).</summary>
    public const ulong CEID0 = 0xE20;

    /// <summary>CEID1: events 64-127 this group counts (64, RO).</summary>
    public const ulong CEID1 = 0xE28;

    /// <summary>IRQ_CTRL: IRQEN (32, RW).</summary>
    public const ulong IRQ_CTRL = 0xE50;

    /// <summary>IRQ_CTRLACK: acknowledges IRQ_CTRL (32, RO).</summary>
    public const ulong IRQ_CTRLACK = 0xE54;

    /// <summary>IRQ_CFG0: MSI address [55:2] (64, RW while IRQEN = 0).</summary>
    public const ulong IRQ_CFG0 = 0xE58;

    /// <summary>IRQ_CFG1: MSI data (32, RW while IRQEN = 0).</summary>
    public const ulong IRQ_CFG1 = 0xE60;

    /// <summary>IRQ_CFG2: MSI SH and MemAttr (32, RW while IRQEN = 0).</summary>
    public const ulong IRQ_CFG2 = 0xE64;

    /// <summary>IRQ_STATUS: IRQ_ABT, an MSI write aborted (32, RO).</summary>
    public const ulong IRQ_STATUS = 0xE68;

    /// <summary>AIDR: architecture revision the group conforms to (32, RO).</summary>
    public const ulong AIDR = 0xE70;

    /// <summary>PMDEVARCH: CoreSight device architecture (32, RO).</summary>
    public const ulong PMDEVARCH = 0xFBC;

    /// <summary>PMDEVTYPE: CoreSight device type (32, RO).</summary>
    public const ulong PMDEVTYPE = 0xFCC;

    /// <summary>PIDR4: peripheral ID 4 (32, RO); PIDR5-7 follow, then PIDR0-3 at 0xFE0.</summary>
    public const ulong PIDR4 = 0xFD0;

    /// <summary>PIDR0: peripheral ID 0 (32, RO).</summary>
    public const ulong PIDR0 = 0xFE0;

    /// <summary>CIDR0: component ID 0 (32, RO); CIDR1-3 follow.</summary>
    public const ulong CIDR0 = 0xFF0;
}
