namespace ArmSmmu;

/// <summary>Event record numbers (IHI0070 §7.3, digest §5.2).</summary>
public enum EventType : byte
{
    /// <summary>No event.</summary>
    None = 0x00,

    /// <summary>F_UUT: unsupported upstream transaction.</summary>
    FUut = 0x01,

    /// <summary>C_BAD_STREAMID: StreamID out of range or its L1STD invalid.</summary>
    CBadStreamId = 0x02,

    /// <summary>F_STE_FETCH: external abort fetching an STE or L1STD.</summary>
    FSteFetch = 0x03,

    /// <summary>C_BAD_STE: STE invalid (V = 0) or ILLEGAL.</summary>
    CBadSte = 0x04,

    /// <summary>F_BAD_ATS_TREQ: ATS translation request rejected.</summary>
    FBadAtsTreq = 0x05,

    /// <summary>F_STREAM_DISABLED: no SubstreamID / SubstreamID 0 refused by S1DSS.</summary>
    FStreamDisabled = 0x06,

    /// <summary>F_TRANSL_FORBIDDEN: ATS-translated transaction not allowed.</summary>
    FTranslForbidden = 0x07,

    /// <summary>C_BAD_SUBSTREAMID: SubstreamID out of range or its L1CD invalid.</summary>
    CBadSubstreamId = 0x08,

    /// <summary>F_CD_FETCH: external abort fetching a CD or L1CD.</summary>
    FCdFetch = 0x09,

    /// <summary>C_BAD_CD: CD invalid (V = 0) or ILLEGAL.</summary>
    CBadCd = 0x0A,

    /// <summary>F_WALK_EABT: external abort reading or updating a translation table descriptor.</summary>
    FWalkEabt = 0x0B,

    /// <summary>F_TRANSLATION: translation fault.</summary>
    FTranslation = 0x10,

    /// <summary>F_ADDR_SIZE: address size fault.</summary>
    FAddrSize = 0x11,

    /// <summary>F_ACCESS: access flag fault.</summary>
    FAccess = 0x12,

    /// <summary>F_PERMISSION: permission fault.</summary>
    FPermission = 0x13,

    /// <summary>F_TLB_CONFLICT: TLB multi-hit.</summary>
    FTlbConflict = 0x20,

    /// <summary>F_CFG_CONFLICT: configuration cache multi-hit.</summary>
    FCfgConflict = 0x21,

    /// <summary>E_PAGE_REQUEST: speculative page request hint.</summary>
    EPageRequest = 0x24,

    /// <summary>F_VMS_FETCH: external abort fetching a VMS.</summary>
    FVmsFetch = 0x25,
}
