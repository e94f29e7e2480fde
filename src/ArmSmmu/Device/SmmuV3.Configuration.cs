namespace ArmSmmu;

// The registers configuration lookup (Configuration/ConfigurationLookup.cs) reads, read when it needs them so a
// fetch never pairs a cache generation with an older STRTAB_BASE (IHI0070 §6.3.23-§6.3.24, §6.3.12).
public sealed partial class SmmuV3 : IStreamTableRegisters
{
    ulong IStreamTableRegisters.StreamTableBase => _registers.StreamTable.Base;

    uint IStreamTableRegisters.StreamTableBaseCfg => _registers.StreamTable.BaseCfg;

    bool IStreamTableRegisters.E2H => Cr2.E2H;
}
