namespace ArmSmmu.Structures;

/// <summary>Command opcodes, dw0[7:0] of a command (IHI0070 §4.1.1, digest 4.1). Other values are reserved (CERROR_ILL).</summary>
public enum CommandOpcode : byte
{
    /// <summary>CMD_PREFETCH_CONFIG.</summary>
    PrefetchConfig = 0x01,

    /// <summary>CMD_PREFETCH_ADDR.</summary>
    PrefetchAddr = 0x02,

    /// <summary>CMD_CFGI_STE.</summary>
    CfgiSte = 0x03,

    /// <summary>CMD_CFGI_STE_RANGE (CMD_CFGI_ALL is this with Range = 31).</summary>
    CfgiSteRange = 0x04,

    /// <summary>CMD_CFGI_CD.</summary>
    CfgiCd = 0x05,

    /// <summary>CMD_CFGI_CD_ALL.</summary>
    CfgiCdAll = 0x06,

    /// <summary>CMD_CFGI_VMS_PIDM (SMMUv3.2 MPAM).</summary>
    CfgiVmsPidm = 0x07,

    /// <summary>CMD_TLBI_NH_ALL.</summary>
    TlbiNhAll = 0x10,

    /// <summary>CMD_TLBI_NH_ASID.</summary>
    TlbiNhAsid = 0x11,

    /// <summary>CMD_TLBI_NH_VA.</summary>
    TlbiNhVa = 0x12,

    /// <summary>CMD_TLBI_NH_VAA.</summary>
    TlbiNhVaa = 0x13,

    /// <summary>CMD_TLBI_EL3_ALL (Secure queue only).</summary>
    TlbiEl3All = 0x18,

    /// <summary>CMD_TLBI_EL3_VA (Secure queue only).</summary>
    TlbiEl3Va = 0x1A,

    /// <summary>CMD_TLBI_EL2_ALL.</summary>
    TlbiEl2All = 0x20,

    /// <summary>CMD_TLBI_EL2_ASID.</summary>
    TlbiEl2Asid = 0x21,

    /// <summary>CMD_TLBI_EL2_VA.</summary>
    TlbiEl2Va = 0x22,

    /// <summary>CMD_TLBI_EL2_VAA.</summary>
    TlbiEl2Vaa = 0x23,

    /// <summary>CMD_TLBI_S12_VMALL.</summary>
    TlbiS12Vmall = 0x28,

    /// <summary>CMD_TLBI_S2_IPA.</summary>
    TlbiS2Ipa = 0x2A,

    /// <summary>CMD_TLBI_NSNH_ALL.</summary>
    TlbiNsnhAll = 0x30,

    /// <summary>CMD_ATC_INV.</summary>
    AtcInv = 0x40,

    /// <summary>CMD_PRI_RESP.</summary>
    PriResp = 0x41,

    /// <summary>CMD_RESUME.</summary>
    Resume = 0x44,

    /// <summary>CMD_STALL_TERM.</summary>
    StallTerm = 0x45,

    /// <summary>CMD_SYNC.</summary>
    Sync = 0x46,

    /// <summary>CMD_TLBI_S_EL2_ALL (Secure).</summary>
    TlbiSEl2All = 0x50,

    /// <summary>CMD_TLBI_S_EL2_ASID (Secure).</summary>
    TlbiSEl2Asid = 0x51,

    /// <summary>CMD_TLBI_S_EL2_VA (Secure).</summary>
    TlbiSEl2Va = 0x52,

    /// <summary>CMD_TLBI_S_EL2_VAA (Secure).</summary>
    TlbiSEl2Vaa = 0x53,

    /// <summary>CMD_TLBI_S_S12_VMALL (Secure).</summary>
    TlbiSS12Vmall = 0x58,

    /// <summary>CMD_TLBI_S_S2_IPA (Secure).</summary>
    TlbiSS2Ipa = 0x5A,

    /// <summary>CMD_TLBI_SNH_ALL (Secure).</summary>
    TlbiSnhAll = 0x60,

    /// <summary>CMD_DPTI_ALL (SMMUv3.3).</summary>
    DptiAll = 0x70,

    /// <summary>CMD_DPTI_PA (SMMUv3.3).</summary>
    DptiPa = 0x73,
}

/// <summary>CMD_SYNC.CS, dw0[13:12] (IHI0070 §4.7.3): how completion is signalled.</summary>
public enum SyncCompletionSignal
{
    /// <summary>0b00 SIG_NONE: completion only observable through CMDQ_CONS.</summary>
    None = 0,

    /// <summary>0b01 SIG_IRQ: write MSIData to MSIAddress (when MSIAddress is non-zero).</summary>
    Irq = 1,

    /// <summary>0b10 SIG_SEV: send a WFE wake-up event (as SIG_NONE when IDR0.SEV = 0).</summary>
    Sev = 2,

    /// <summary>0b11: reserved, CERROR_ILL.</summary>
    Reserved = 3,
}
