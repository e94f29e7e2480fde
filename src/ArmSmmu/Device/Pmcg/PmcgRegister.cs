namespace ArmSmmu.Device;

/// <summary>
/// Offsets of the PMCG registers (IHI0070 §10.5.1) from the group's base, for
/// <see cref="SmmuPerformanceMonitor.ReadRegister32"/> and friends. With CFGR.RELOC_CTRS the counters, shadow values,
/// OVSCLR0/OVSSET0 and CAPR are at the same offsets in page 1 (add <see cref="Page1"/>). The offsets are the table in
/// Pmcg.table.md (docs/structure.md, "Tables").
/// </summary>
public static partial class PmcgRegister
{
    /// <summary>Offset of page 1.</summary>
    public const ulong Page1 = 0x10000;
}
