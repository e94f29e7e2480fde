namespace ArmSmmu;

// The Secure programming interface (IHI0070 §3.10, §6.3.45-§6.3.48): the SMMU_S_IDRn values and the features the
// Secure side of the device runs with.
public sealed partial record SmmuFeatures
{
    /// <summary>
    /// SMMU_S_IDR1.SECURE_IMPL: the Secure programming interface (the SMMU_S_* page at 0x8000) and Secure streams
    /// (SEC_SID = 1) are implemented. Without it a Secure transaction is F_UUT (IHI0070 §3.10).
    /// </summary>
    /// <remarks>Secure EL2 (S_IDR1.SEL2) is not implemented: Secure streams translate with stage 1 only, or bypass.</remarks>
    public bool Secure { get; init; } = true;

    /// <summary>SMMU_S_IDR0 (IHI0070 §6.3.45): STALL_MODEL and MSI as the Non-secure side; no Secure ECMDQ.</summary>
    public uint SIdr0 => !Secure ? 0 : ((uint)StallModel << 24) | (Msi ? 1u << 13 : 0);

    /// <summary>SMMU_S_IDR1 (IHI0070 §6.3.46): SECURE_IMPL, SEL2 = 0, S_SIDSIZE = the Non-secure SIDSIZE.</summary>
    public uint SIdr1 => !Secure ? 0 : (1u << 31) | (uint)StreamIdBits;

    /// <summary>SMMU_S_IDR2-S_IDR4 (IHI0070 §6.3.47-§6.3.48): no Secure VATOS, nothing IMPLEMENTATION DEFINED.</summary>
    public uint SIdr2 => 0;

    // The features of the device's Secure side: the same implementation, seen by Secure software. Without SEL2 it
    // has no stage 2 for Secure streams, no Hyp, and no ATS, PRI or PMCG of its own (IHI0070 §3.10.1, §6.3.45); its
    // ATOS group is SMMU_S_GATOS_* (present with IDR0.ATOS, §6.3.83).
    // A stage-2-only SMMU keeps S2P here only so the record stays valid; the decoder rejects stage 2 for Secure STEs.
    internal SmmuFeatures SecureSide => this with
    {
        Stage2 = !Stage1,
        Hyp = false,
        Ats = false,
        Pri = false,
        SplitStageAts = false,
        AtsRecordErrors = false,
        VmidWildcard = false,
        PerformanceMonitor = null,
        Secure = false,
        SecureView = true,
    };

    // True for the features of a Secure side: STEs and CDs are Secure, STRW 0b01 is EL3 (IHI0070 §5.2).
    internal bool SecureView { get; init; }
}
