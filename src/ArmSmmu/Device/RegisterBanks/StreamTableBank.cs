namespace ArmSmmu.Device;

/// <summary>STRTAB_BASE and STRTAB_BASE_CFG: where the Stream table is and its shape (IHI0070 §6.3.23-§6.3.24).</summary>
internal partial struct StreamTableBank
{
    /// <summary>STRTAB_BASE: RA and ADDR.</summary>
    public ulong Base;

    /// <summary>STRTAB_BASE_CFG: FMT, SPLIT, LOG2SIZE.</summary>
    public uint BaseCfg;
}
