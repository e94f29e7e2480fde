namespace ArmSmmu.Device;

/// <summary>
/// The MSI configuration of one interrupt source (GERROR, event queue, PRI queue): *_IRQ_CFG0 = ADDR [55:2],
/// *_IRQ_CFG1 = DATA, *_IRQ_CFG2 = SH and MemAttr, plus LO [31] for the PRI queue (IHI0070 §6.3, digest 1.7).
/// An address of 0 means the wired interrupt line is used instead.
/// </summary>
internal partial struct InterruptConfig
{
    /// <summary>*_IRQ_CFG0: the MSI target address.</summary>
    public ulong Cfg0;

    /// <summary>*_IRQ_CFG1: the MSI payload.</summary>
    public uint Cfg1;

    /// <summary>*_IRQ_CFG2: the MSI attributes (and PRIQ_IRQ_CFG2.LO).</summary>
    public uint Cfg2;
}
