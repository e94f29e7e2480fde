namespace ArmSmmu.Device;

/// <summary>
/// SMMU_GATOS_CTRL, _SID, _ADDR and _PAR: one address translation operation interface (IHI0070 chapter 9,
/// §6.3.37-§6.3.40). RUN is never seen at 1: an operation completes within the register write that starts it.
/// </summary>
internal partial struct AtosBank
{
    /// <summary>GATOS_SID: STREAMID, SUBSTREAMID, SSID_VALID.</summary>
    public ulong Sid;

    /// <summary>GATOS_ADDR: ADDR, TYPE, PnU, RnW, InD, HTTUI.</summary>
    public ulong Addr;

    /// <summary>GATOS_PAR: the last result.</summary>
    public ulong Par;
}
