using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>What <see cref="SmmuDriver.Probe"/> learnt from IDR0/1/3/5 and what the driver chose from it (digest §8.1).</summary>
public sealed record SmmuCapabilities
{
    /// <summary>IDR0.S1P: stage-1 translation.</summary>
    public bool Stage1 { get; init; }

    /// <summary>IDR0.S2P: stage-2 translation.</summary>
    public bool Stage2 { get; init; }

    /// <summary>IDR1.SIDSIZE: StreamID bits.</summary>
    public int StreamIdBits { get; init; }

    /// <summary>IDR1.SSIDSIZE: SubstreamID (PASID) bits; 0 = no substreams.</summary>
    public int SubstreamIdBits { get; init; }

    /// <summary>The driver uses a 2-level stream table: IDR0.ST_LEVEL = 01 and SIDSIZE &gt; 8 (Linux's rule).</summary>
    public bool TwoLevelStreamTable { get; init; }

    /// <summary>IDR0.CD2L: 2-level CD tables.</summary>
    public bool TwoLevelCdTable { get; init; }

    /// <summary>ASID width: 16 with IDR0.ASID16, else 8.</summary>
    public int AsidBits { get; init; }

    /// <summary>VMID width: 16 with IDR0.VMID16, else 8.</summary>
    public int VmidBits { get; init; }

    /// <summary>IDR3.RIL: range TLB invalidation.</summary>
    public bool RangeInvalidation { get; init; }

    /// <summary>IDR0.STALL_MODEL.</summary>
    public StallModel StallModel { get; init; }

    /// <summary>IDR0.MSI.</summary>
    public bool Msi { get; init; }

    /// <summary>IDR0.Hyp: EL2 StreamWorlds.</summary>
    public bool Hyp { get; init; }

    /// <summary>The driver runs stage-1-only streams in EL2-E2H (Hyp and <see cref="SmmuDriverOptions.UseE2H"/>).</summary>
    public bool E2H { get; init; }

    /// <summary>IDR0.PRI.</summary>
    public bool Pri { get; init; }

    /// <summary>IDR0.ATS.</summary>
    public bool Ats { get; init; }

    /// <summary>IDR0.COHACC: coherent structure and table walks.</summary>
    public bool Coherent { get; init; }

    /// <summary>IDR1.ATTR_TYPES_OVR: STE.SHCFG and friends are usable.</summary>
    public bool AttributeTypesOverride { get; init; }

    /// <summary>IDR0.TERM_MODEL: RAZ/WI termination not supported.</summary>
    public bool AbortOnlyTermination { get; init; }

    /// <summary>IDR5.OAS in bits.</summary>
    public int OutputAddressBits { get; init; }

    /// <summary>IAS: max(40 if AArch32 tables, OAS) (IHI0070 §3.4).</summary>
    public int InputAddressBits { get; init; }

    /// <summary>IDR5.GRAN4K/16K/64K: the supported translation granules.</summary>
    public IReadOnlyList<Granule> Granules { get; init; } = [];

    /// <summary>log2 entries of the command queue the driver allocates: min(IDR1.CMDQS, option).</summary>
    public int CommandQueueLog2Size { get; init; }

    /// <summary>log2 entries of the event queue: min(IDR1.EVENTQS, option).</summary>
    public int EventQueueLog2Size { get; init; }

    /// <summary>log2 entries of the PRI queue: min(IDR1.PRIQS, option).</summary>
    public int PriQueueLog2Size { get; init; }

    /// <summary>The driver enables the PRI queue.</summary>
    public bool PriQueue { get; init; }

    /// <summary>IDR3.FWB.</summary>
    public bool ForcedWriteBack { get; init; }

    /// <summary>IDR3.BBML: break-before-make level.</summary>
    public int BreakBeforeMakeLevel { get; init; }

    /// <summary>IDR5.STALL_MAX.</summary>
    public int StallMax { get; init; }

    /// <summary>IDR5.VAX = 0b01: stage-1 tables may translate 52-bit VAs (64K granule, or 4K/16K with <see cref="LargeAddresses2"/>).</summary>
    public bool VirtualAddressExtension { get; init; }

    /// <summary>IDR5.DS: the 4K and 16K granules take 52-bit addresses through CD.DS / STE.S2DS (FEAT_LPA2 descriptors).</summary>
    public bool LargeAddresses2 { get; init; }

    /// <summary>Whether <paramref name="granule"/> is in <see cref="Granules"/>.</summary>
    /// <param name="granule">A granule.</param>
    /// <returns>True when supported.</returns>
    public bool Supports(Granule granule) => Granules.Contains(granule);
}
