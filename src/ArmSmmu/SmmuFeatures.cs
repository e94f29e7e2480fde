namespace ArmSmmu;

/// <summary>
/// The implementation choices of one SMMU: what its ID registers advertise and the sizes of its caches.
/// The default is a full-featured SMMUv3.2-class device. Use <c>with</c> to derive variants.
/// </summary>
public sealed partial record SmmuFeatures
{
    /// <summary>The full-featured default: stage 1 and 2, 2-level tables, 16-bit ASID/VMID, all granules, 48-bit OAS, 52-bit VAs (VAX, DS), RIL, HTTU, ATS, PRI, stall, MSI.</summary>
    public static SmmuFeatures Default { get; } = new();

    /// <summary>IDR0.S1P: stage-1 translation.</summary>
    public bool Stage1 { get; init; } = true;

    /// <summary>IDR0.S2P: stage-2 translation.</summary>
    public bool Stage2 { get; init; } = true;

    /// <summary>IDR0.ST_LEVEL = 01: 2-level stream tables.</summary>
    public bool TwoLevelStreamTable { get; init; } = true;

    /// <summary>IDR0.CD2L: 2-level CD tables.</summary>
    public bool TwoLevelCdTable { get; init; } = true;

    /// <summary>IDR0.TERM_MODEL = 1: RAZ/WI termination not supported (CD.A must be 1).</summary>
    public bool AbortOnlyTermination { get; init; }

    /// <summary>IDR0.STALL_MODEL.</summary>
    public StallModel StallModel { get; init; } = StallModel.StallAndTerminate;

    /// <summary>IDR0.ATSRECERR.</summary>
    public bool AtsRecordErrors { get; init; }

    /// <summary>IDR0.VMW: VMID wildcards in TLB invalidation.</summary>
    public bool VmidWildcard { get; init; } = true;

    /// <summary>IDR0.VMID16.</summary>
    public bool Vmid16 { get; init; } = true;

    /// <summary>IDR0.ASID16.</summary>
    public bool Asid16 { get; init; } = true;

    /// <summary>IDR0.PRI.</summary>
    public bool Pri { get; init; } = true;

    /// <summary>IDR0.ATS.</summary>
    public bool Ats { get; init; } = true;

    /// <summary>IDR0.NS1ATS = 0: split-stage ATS (STE.EATS = 0b10) is supported; needs ATS and both stages.</summary>
    public bool SplitStageAts { get; init; }

    /// <summary>IDR0.SEV.</summary>
    public bool Sev { get; init; } = true;

    /// <summary>IDR0.MSI.</summary>
    public bool Msi { get; init; } = true;

    /// <summary>IDR0.Hyp: EL2 and EL2-E2H StreamWorlds.</summary>
    public bool Hyp { get; init; } = true;

    /// <summary>
    /// Wired interrupt outputs are implemented (IHI0070 §3.18: their discovery is IMPLEMENTATION DEFINED). Each
    /// enabled interrupt source then pulses its line, and also sends an MSI when IDR0.MSI and its address is not 0
    /// (§3.18.2: an SMMU with both uses both). False: MSIs only, which needs <see cref="Msi"/>.
    /// </summary>
    public bool WiredInterrupts { get; init; } = true;

    /// <summary>IDR0.HTTU.</summary>
    public HttuSupport Httu { get; init; } = HttuSupport.AccessFlagAndDirty;

    /// <summary>IDR0.BTM: broadcast TLB maintenance (IHI0070 §3.17): <see cref="SmmuV3.ReceiveBroadcastInvalidation"/> acts while CR2.PTM = 0.</summary>
    public bool Btm { get; init; } = true;

    /// <summary>IDR0.ATOS: the SMMU_GATOS_* address translation operation registers (IHI0070 chapter 9).</summary>
    public bool Atos { get; init; } = true;

    /// <summary>IDR0.COHACC: coherent structure, queue and walk accesses.</summary>
    public bool Coherent { get; init; } = true;

    /// <summary>IDR1.ATTR_TYPES_OVR: STE MTCFG/MemAttr/ALLOCCFG/SHCFG honoured.</summary>
    public bool AttributeTypesOverride { get; init; } = true;

    /// <summary>IDR1.ATTR_PERMS_OVR: STE INSTCFG/PRIVCFG/NSCFG honoured.</summary>
    public bool AttributePermissionsOverride { get; init; } = true;

    /// <summary>IDR1.CMDQS: log2 of the maximum command queue entries (at most 19).</summary>
    public int CommandQueueLog2Size { get; init; } = 19;

    /// <summary>IDR1.EVENTQS: log2 of the maximum event queue entries (at most 19).</summary>
    public int EventQueueLog2Size { get; init; } = 19;

    /// <summary>IDR1.PRIQS: log2 of the maximum PRI queue entries (at most 19).</summary>
    public int PriQueueLog2Size { get; init; } = 19;

    /// <summary>IDR1.SSIDSIZE: SubstreamID bits (0..20).</summary>
    public int SubstreamIdBits { get; init; } = 20;

    /// <summary>IDR1.SIDSIZE: StreamID bits (0..32).</summary>
    public int StreamIdBits { get; init; } = 16;

    /// <summary>IDR3.RIL: range invalidation and TTL hints.</summary>
    public bool RangeInvalidation { get; init; } = true;

    /// <summary>IDR3.STT: small translation tables (TxSZ up to 48/47).</summary>
    public bool SmallTranslationTables { get; init; }

    /// <summary>IDR3.XNX: stage-2 XN[1:0] (SMMUv3.1 and later: IDR3.XNX is RES0 in SMMUv3.0).</summary>
    public bool StageTwoExecuteNever2 { get; init; }

    // IHI0070 §6.3.4 XNX: "In SMMUv3.0, this field is RES0" — and stage-2 XN[0] is then not decoded either.
    internal bool XnxImplemented => StageTwoExecuteNever2 && ArchitectureMinorRevision != 0;

    /// <summary>IDR3.HAD: CD.HAD0/HAD1 (hierarchical attribute disable).</summary>
    public bool HierarchicalAttributeDisable { get; init; } = true;

    /// <summary>IDR3.FWB: STE.S2FWB.</summary>
    public bool ForcedWriteBack { get; init; }

    /// <summary>IDR3.BBML: break-before-make level (0..2).</summary>
    public int BreakBeforeMakeLevel { get; init; } = 2;

    /// <summary>IDR5.STALL_MAX: maximum outstanding stalled transactions.</summary>
    public int StallMax { get; init; } = 256;

    /// <summary>IDR5.GRAN4K.</summary>
    public bool Granule4K { get; init; } = true;

    /// <summary>IDR5.GRAN16K.</summary>
    public bool Granule16K { get; init; } = true;

    /// <summary>IDR5.GRAN64K.</summary>
    public bool Granule64K { get; init; } = true;

    /// <summary>Output address size in bits: 32, 36, 40, 42, 44, 48 or 52 (IDR5.OAS).</summary>
    public int OutputAddressBits { get; init; } = 48;

    /// <summary>
    /// IDR5.VAX = 0b01: 52-bit VAs per CD.TTBx (CD.TxSZ down to 12) with the 64K granule, or with CD.DS (IHI0070 §3.4.1,
    /// §6.3.6). Advertised only where it can hold: from SMMUv3.1, with the 64K granule or <see cref="LargeAddresses2"/>.
    /// </summary>
    public bool VirtualAddressExtension { get; init; } = true;

    /// <summary>
    /// IDR5.DS: FEAT_LPA2 52-bit addresses with the 4K and 16K granules through CD.DS and STE.S2DS (IHI0070 §6.3.6).
    /// Advertised only with <see cref="VirtualAddressExtension"/>, the 4K or 16K granule, and from SMMUv3.1.
    /// </summary>
    public bool LargeAddresses2 { get; init; } = true;

    /// <summary>IIDR value.</summary>
    public uint Iidr { get; init; } = 0x0000_043B;

    /// <summary>AIDR minor revision (2 = SMMUv3.2).</summary>
    public int ArchitectureMinorRevision { get; init; } = 2;

    /// <summary>GBPA.ABORT at reset: true makes every transaction abort until the SMMU is enabled (IHI0070 §6.3.14 lets an implementation choose).</summary>
    public bool GbpaAbortAtReset { get; init; }

    /// <summary>The Performance Monitor Counter Group (IHI0070 chapter 10) attached to the SMMU; null for none.</summary>
    public SmmuPmcgFeatures? PerformanceMonitor { get; init; } = SmmuPmcgFeatures.Default;

    /// <summary>Number of translations the TLB holds (0 disables caching of translations).</summary>
    public int TlbEntries { get; init; } = 4096;

    /// <summary>TLB associativity (entries per set).</summary>
    public int TlbWays { get; init; } = 8;

    /// <summary>Number of STEs and of CDs the configuration cache holds (0 disables caching of configuration).</summary>
    public int ConfigCacheEntries { get; init; } = 1024;

    /// <summary>Stage-1 intermediate table entries the walk cache holds (IHI0070 §16.2; 0 disables it).</summary>
    public int Stage1WalkCacheEntries { get; init; } = 256;

    /// <summary>Stage-2 intermediate table entries the walk cache holds (0 disables it).</summary>
    public int Stage2WalkCacheEntries { get; init; } = 256;

    /// <summary>Stage-2 translations of stage-1 table IPAs the nested walker caches (0 disables it).</summary>
    public int TableIpaCacheEntries { get; init; } = 128;

    /// <summary>
    /// The driver-bug detector (docs/driver-developers.md): every use of a cached STE, CD, TLB or walk-cache entry is
    /// compared with memory, and the ordering mistakes of IHI0070 §3.21 are found, each reported once through
    /// <see cref="SmmuV3.DriverMistakeFound"/>; the SMMU's behaviour is unchanged. Off by default: a checked translation
    /// walks the tables afresh and serialises with other checked translations.
    /// </summary>
    public bool CheckDriver { get; init; }

    /// <summary>Input address size (IHI0070 §3.4): max(TTF[0] ? 40 : 0, OAS); this model implements AArch64 tables only.</summary>
    public int InputAddressBits => OutputAddressBits;

    /// <summary>IDR5.OAS encoding of <see cref="OutputAddressBits"/>.</summary>
    public uint OasEncoding => EncodeAddressSize(OutputAddressBits);

    /// <summary>Maps an address size in bits to the 3-bit IPS/PS/OAS encoding.</summary>
    /// <param name="bits">32, 36, 40, 42, 44, 48, 52 or 56.</param>
    /// <returns>The encoding.</returns>
    public static uint EncodeAddressSize(int bits) => bits switch
    {
        32 => 0,
        36 => 1,
        40 => 2,
        42 => 3,
        44 => 4,
        48 => 5,
        52 => 6,
        56 => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "Address sizes are 32, 36, 40, 42, 44, 48, 52 or 56 bits."),
    };

    /// <summary>Maps a 3-bit IPS/PS/OAS encoding to bits (IHI0070 §5.4: 0b000 32 … 0b110 52, 0b111 56).</summary>
    /// <param name="encoding">The field value.</param>
    /// <returns>The size in bits.</returns>
    public static int DecodeAddressSize(uint encoding) => (encoding & 7) switch
    {
        0 => 32,
        1 => 36,
        2 => 40,
        3 => 42,
        4 => 44,
        5 => 48,
        6 => 52,
        _ => 56,
    };

    /// <summary>SMMU_IDR0 (IHI0070 §6.3.1).</summary>
    public uint Idr0
    {
        get
        {
            uint v = 0;
            v |= Stage2 ? 1u : 0;
            v |= Stage1 ? 1u << 1 : 0;
            v |= 0b10u << 2; // TTF: AArch64 tables only
            v |= Coherent ? 1u << 4 : 0;
            v |= Btm ? 1u << 5 : 0;
            v |= (uint)Httu << 6;
            v |= Hyp && Stage1 && Stage2 ? 1u << 9 : 0;
            v |= Ats ? 1u << 10 : 0;
            // NS1ATS = 1: split-stage ATS not supported; RES0 unless ATS, S1P and S2P (IHI0070 §6.3.1).
            v |= Ats && Stage1 && Stage2 && !SplitStageAts ? 1u << 11 : 0;
            v |= Asid16 ? 1u << 12 : 0;
            v |= Msi ? 1u << 13 : 0;
            v |= Sev ? 1u << 14 : 0;
            v |= Atos ? 1u << 15 : 0;
            v |= Pri && Ats ? 1u << 16 : 0;
            v |= VmidWildcard && Stage2 ? 1u << 17 : 0;
            v |= Vmid16 ? 1u << 18 : 0;
            v |= TwoLevelCdTable ? 1u << 19 : 0;
            v |= 0b10u << 21; // TTENDIAN: little-endian only
            v |= AtsRecordErrors && Ats ? 1u << 23 : 0; // RES0 when ATS == 0 (IHI0070 §6.3.1)
            v |= (uint)StallModel << 24;
            v |= AbortOnlyTermination ? 1u << 26 : 0;
            v |= TwoLevelStreamTable ? 1u << 27 : 0;
            return v;
        }
    }

    /// <summary>SMMU_IDR1 (IHI0070 §6.3.2).</summary>
    public uint Idr1 =>
        (uint)StreamIdBits
        | ((uint)SubstreamIdBits << 6)
        | ((uint)PriQueueLog2Size << 11)
        | ((uint)EventQueueLog2Size << 16)
        | ((uint)CommandQueueLog2Size << 21)
        | (AttributePermissionsOverride ? 1u << 26 : 0)
        | (AttributeTypesOverride ? 1u << 27 : 0);

    /// <summary>SMMU_IDR2: no VATOS.</summary>
    public uint Idr2 => 0;

    /// <summary>SMMU_IDR3 (IHI0070 §6.3.4).</summary>
    public uint Idr3 =>
        (HierarchicalAttributeDisable && Stage1 ? 1u << 2 : 0) // HAD is 0 without S1P (IHI0070 §6.3.4)
        | (XnxImplemented ? 1u << 4 : 0)
        | (ForcedWriteBack ? 1u << 8 : 0)
        | (SmallTranslationTables ? 1u << 9 : 0)
        | (RangeInvalidation ? 1u << 10 : 0)
        | ((uint)BreakBeforeMakeLevel << 11);

    /// <summary>SMMU_IDR4: IMPLEMENTATION DEFINED, zero.</summary>
    public uint Idr4 => 0;

    /// <summary>SMMU_IDR5 (IHI0070 §6.3.6).</summary>
    public uint Idr5 =>
        OasEncoding
        | (Granule4K ? 1u << 4 : 0)
        | (Granule16K ? 1u << 5 : 0)
        | (Granule64K ? 1u << 6 : 0)
        | (DsImplemented ? 1u << 7 : 0)
        | (VaxImplemented ? 1u << 10 : 0)
        | (StallModel == StallModel.TerminateOnly ? 0 : (uint)StallMax << 16); // RES0 without stall (IHI0070 §6.3.6)

    /// <summary>SMMU_AIDR: ArchMajorRev 0 (v3), ArchMinorRev.</summary>
    public uint Aidr => (uint)ArchitectureMinorRevision & 0xF;

    /// <summary>Throws when the description is not a legal SMMUv3 (host misuse).</summary>
    public void Validate()
    {
        if (!Stage1 && !Stage2)
        {
            throw new ArgumentException("An SMMU must support stage 1, stage 2 or both.");
        }

        if (SplitStageAts && !(Ats && Stage1 && Stage2))
        {
            throw new ArgumentException("Split-stage ATS (IDR0.NS1ATS = 0) needs ATS and both stages.");
        }

        if (StreamIdBits is < 0 or > 32)
        {
            throw new ArgumentException($"StreamIdBits must be 0..32, got {StreamIdBits}.");
        }

        if (SubstreamIdBits is < 0 or > 20)
        {
            throw new ArgumentException($"SubstreamIdBits must be 0..20, got {SubstreamIdBits}.");
        }

        if (StreamIdBits >= 7 && !TwoLevelStreamTable)
        {
            // IHI0070 §6.3.1: ST_LEVEL must be non-zero when SIDSIZE >= 7.
            throw new ArgumentException("IDR0.ST_LEVEL must advertise 2-level stream tables when StreamIdBits >= 7.");
        }

        foreach (var (name, value) in new[] { ("CommandQueueLog2Size", CommandQueueLog2Size), ("EventQueueLog2Size", EventQueueLog2Size), ("PriQueueLog2Size", PriQueueLog2Size) })
        {
            if (value is < 0 or > 19)
            {
                throw new ArgumentException($"{name} must be 0..19, got {value}.");
            }
        }

        if (!WiredInterrupts && !Msi)
        {
            // IHI0070 §3.18: an implementation supports wired interrupts, MSIs, or both.
            throw new ArgumentException("An SMMU must signal interrupts with wired lines, MSIs or both (WiredInterrupts or Msi).");
        }

        if (!Granule4K && !Granule16K && !Granule64K)
        {
            throw new ArgumentException("At least one translation granule must be supported.");
        }

        _ = EncodeAddressSize(OutputAddressBits);
        if (OutputAddressBits > 52)
        {
            throw new ArgumentException("OutputAddressBits above 52 needs VMSAv9-128 descriptors, which this model does not implement.");
        }

        ValidateLargeAddresses();

        if (TlbEntries < 0 || ConfigCacheEntries < 0 || TlbWays <= 0 || Stage1WalkCacheEntries < 0 || Stage2WalkCacheEntries < 0 || TableIpaCacheEntries < 0)
        {
            throw new ArgumentException("Cache sizes must be non-negative and TlbWays positive.");
        }

        if (StallMax is < 0 or > 0xFFFF)
        {
            throw new ArgumentException($"StallMax must be 0..65535, got {StallMax}.");
        }
    }
}
