namespace ArmSmmu.Device;

/// <summary>
/// The implementation choices of a Performance Monitor Counter Group (IHI0070 §10), as SMMU_PMCG_CFGR advertises
/// them. Set <see cref="SmmuFeatures.PerformanceMonitor"/> to null for an SMMU without one.
/// </summary>
public sealed record SmmuPmcgFeatures
{
    /// <summary>Eight 64-bit counters, page 1, MSI, capture, one StreamID filter per counter.</summary>
    public static SmmuPmcgFeatures Default { get; } = new();

    /// <summary>Number of counters, 1..64 (CFGR.NCTR + 1).</summary>
    public int Counters { get; init; } = 8;

    /// <summary>Counter width in bits: 32, 36, 40, 44, 48 or 64 (CFGR.SIZE + 1).</summary>
    public int CounterBits { get; init; } = 64;

    /// <summary>CFGR.RELOC_CTRS: counters, shadow values, overflow status and CAPR live in page 1 (at 0x10000).</summary>
    public bool RelocateCounters { get; init; } = true;

    /// <summary>CFGR.MSI: the group can signal overflow with an MSI (independent of SMMU_IDR0.MSI, IHI0070 §10.5.2.13).</summary>
    public bool Msi { get; init; } = true;

    /// <summary>CFGR.CAPTURE: SMMU_PMCG_CAPR and EVTYPER.OVFCAP copy every counter into its SVR.</summary>
    public bool Capture { get; init; } = true;

    /// <summary>CFGR.SID_FILTER_TYPE = 1: the filter of counter 0 (EVTYPER0, SMR0) applies to every counter.</summary>
    public bool GlobalFilter { get; init; }

    /// <summary>SMMU_PMCG_CFGR (IHI0070 §10.5.2.13): NCTR [5:0], SIZE [13:8], RELOC_CTRS [20], MSI [21], CAPTURE [22], SID_FILTER_TYPE [23].</summary>
    public uint Cfgr =>
        (uint)(Counters - 1)
        | ((uint)(CounterBits - 1) << 8)
        | (RelocateCounters ? 1u << 20 : 0)
        | (Msi ? 1u << 21 : 0)
        | (Capture ? 1u << 22 : 0)
        | (GlobalFilter ? 1u << 23 : 0);

    /// <summary>Throws when the description is not a legal PMCG (host misuse).</summary>
    public void Validate()
    {
        if (Counters is < 1 or > 64)
        {
            throw new ArgumentException($"A PMCG has 1..64 counters (CFGR.NCTR + 1), got {Counters}.");
        }

        // IHI0070 §10.5.2.13: SIZE is one of 31, 35, 39, 43, 47 or 63; other values are reserved.
        if (CounterBits is not (32 or 36 or 40 or 44 or 48 or 64))
        {
            throw new ArgumentException($"PMCG counters are 32, 36, 40, 44, 48 or 64 bits wide (CFGR.SIZE + 1), got {CounterBits}.");
        }
    }
}
