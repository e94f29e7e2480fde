namespace ArmSmmu.Translation;

/// <summary>The StreamWorld of a translation (IHI0070 §3.17.1): the exception level and security whose TLB tags it uses.</summary>
internal enum StreamWorld : byte
{
    /// <summary>Non-secure EL1 (tagged by VMID and ASID).</summary>
    NsEl1,

    /// <summary>Non-secure EL2 (no ASID, no VMID).</summary>
    NsEl2,

    /// <summary>Non-secure EL2 with E2H (tagged by ASID).</summary>
    NsEl2E2H,

    /// <summary>Secure EL1 (tagged by ASID; without Secure EL2 its VMID is 0): the Secure side's STRW 0b00 (IHI0070 §5.2).</summary>
    Secure,

    /// <summary>EL3 (no ASID, no VMID): the Secure side's STRW 0b01 (IHI0070 §5.2, §3.17.1).</summary>
    El3,
}
