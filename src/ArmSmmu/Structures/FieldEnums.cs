namespace ArmSmmu.Structures;

// Enumerated record fields (IHI0070 §4, §5.2, §5.4). Reserved encodings have no member but still round-trip as
// casts, so a guest's reserved value reaches the decoder unchanged and becomes the architected error there.

/// <summary>STE.S1Fmt: the CD table format (IHI0070 §5.2).</summary>
public enum CdTableFormat : uint
{
    /// <summary>0b00: linear table of 2^S1CDMax CDs.</summary>
    Linear = 0,

    /// <summary>0b01: 2-level, 4 KB leaf tables of 64 CDs.</summary>
    TwoLevel4K = 1,

    /// <summary>0b10: 2-level, 64 KB leaf tables of 1024 CDs.</summary>
    TwoLevel64K = 2,
}

/// <summary>STE.S1DSS: what traffic without a SubstreamID does when S1CDMax != 0 (IHI0070 §5.2).</summary>
public enum DefaultSubstream : uint
{
    /// <summary>0b00: terminate with F_STREAM_DISABLED.</summary>
    Terminate = 0,

    /// <summary>0b01: bypass stage 1.</summary>
    Bypass = 1,

    /// <summary>0b10: use CD 0; transactions with SubstreamID 0 then fault.</summary>
    Substream0 = 2,
}

/// <summary>STE.EATS: ATS enable (IHI0070 §5.2).</summary>
public enum AtsEnable : uint
{
    /// <summary>0b00: ATS disabled.</summary>
    Disabled = 0,

    /// <summary>0b01: full ATS.</summary>
    Full = 1,

    /// <summary>0b10: split-stage ATS.</summary>
    SplitStage = 2,

    /// <summary>0b11: full ATS with DPT checks (SMMUv3.3).</summary>
    FullWithDpt = 3,
}

/// <summary>STE.STRW: the StreamWorld encoding (IHI0070 §5.2); 0b01 and 0b11 are ILLEGAL for a Non-secure stream.</summary>
public enum StreamWorldEncoding : uint
{
    /// <summary>0b00: NS-EL1.</summary>
    El1 = 0,

    /// <summary>0b10: NS-EL2 (EL2-E2H when CR2.E2H = 1).</summary>
    El2 = 2,
}

/// <summary>CMD_PRI_RESP.Resp: the PCIe page request response code (IHI0070 §4.7.1).</summary>
public enum PriResponseCode : uint
{
    /// <summary>0b00: Response Failure (the function stops issuing page requests).</summary>
    Failure = 0,

    /// <summary>0b01: Invalid Request.</summary>
    InvalidRequest = 1,

    /// <summary>0b10: Success.</summary>
    Success = 2,
}

/// <summary>CD.TG0 and STE.S2TG: the translation granule, TCR_ELx.TG0 encoding (IHI0070 §5.2, §5.4); 0b11 is reserved.</summary>
public enum Tg0Granule : uint
{
    /// <summary>0b00: 4 KB.</summary>
    Size4K = 0,

    /// <summary>0b01: 64 KB.</summary>
    Size64K = 1,

    /// <summary>0b10: 16 KB.</summary>
    Size16K = 2,
}

/// <summary>CD.TG1: the TTB1 granule, TCR_ELx.TG1 encoding, which differs from TG0 (IHI0070 §5.4); 0b00 is reserved.</summary>
public enum Tg1Granule : uint
{
    /// <summary>0b01: 16 KB.</summary>
    Size16K = 1,

    /// <summary>0b10: 4 KB.</summary>
    Size4K = 2,

    /// <summary>0b11: 64 KB.</summary>
    Size64K = 3,
}

/// <summary>TLBI TG: the granule of a range invalidation (IHI0070 §4.4.1.1); 0b00 means a single address, no range.</summary>
public enum RangeGranule : uint
{
    /// <summary>0b00: no range; NUM, SCALE and TTL are RES0.</summary>
    None = 0,

    /// <summary>0b01: 4 KB.</summary>
    Size4K = 1,

    /// <summary>0b10: 16 KB.</summary>
    Size16K = 2,

    /// <summary>0b11: 64 KB.</summary>
    Size64K = 3,
}
