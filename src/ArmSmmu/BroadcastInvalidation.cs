using ArmSmmu.Structures;

namespace ArmSmmu;

/// <summary>
/// A TLB invalidation a processor broadcasts to the Inner Shareable domain (DVM), named as the Arm ARM names the
/// TLBI instruction that sends it (DDI0487 D8.13). The SMMU receives it when SMMU_IDR0.BTM = 1 and SMMU_CR2.PTM = 0
/// (IHI0070 §3.17). The range forms (R…) exist when the processor implements FEAT_TLBIRANGE.
/// </summary>
public enum BroadcastTlbiOperation
{
    /// <summary>TLBI VAE1IS: by VA and ASID (and global entries), EL1&amp;0 regime, any level.</summary>
    VAE1IS,

    /// <summary>TLBI VALE1IS: as VAE1IS, last level only.</summary>
    VALE1IS,

    /// <summary>TLBI VAAE1IS: by VA, every ASID, EL1&amp;0 regime.</summary>
    VAAE1IS,

    /// <summary>TLBI VAALE1IS: as VAAE1IS, last level only.</summary>
    VAALE1IS,

    /// <summary>TLBI ASIDE1IS: every non-global entry of an ASID, EL1&amp;0 regime.</summary>
    ASIDE1IS,

    /// <summary>TLBI VMALLE1IS: every stage-1 entry of the current VMID, EL1&amp;0 regime.</summary>
    VMALLE1IS,

    /// <summary>TLBI IPAS2E1IS: stage-2 entries of the current VMID by IPA (issued from EL2 or EL3).</summary>
    IPAS2E1IS,

    /// <summary>TLBI IPAS2LE1IS: as IPAS2E1IS, last level only.</summary>
    IPAS2LE1IS,

    /// <summary>TLBI VMALLS12E1IS: every stage-1 and stage-2 entry of the current VMID (issued from EL2 or EL3).</summary>
    VMALLS12E1IS,

    /// <summary>TLBI ALLE1IS: every EL1&amp;0 entry of every VMID, both stages (issued from EL2 or EL3).</summary>
    ALLE1IS,

    /// <summary>TLBI ALLE2IS: every EL2 and EL2&amp;0 entry (issued from EL2 or EL3).</summary>
    ALLE2IS,

    /// <summary>TLBI VAE2IS: by VA in the EL2 regime (with an ASID when the issuer runs with E2H).</summary>
    VAE2IS,

    /// <summary>TLBI VALE2IS: as VAE2IS, last level only.</summary>
    VALE2IS,

    /// <summary>TLBI RVAE1IS (FEAT_TLBIRANGE): a range of VAs of an ASID.</summary>
    RVAE1IS,

    /// <summary>TLBI RVALE1IS: as RVAE1IS, last level only.</summary>
    RVALE1IS,

    /// <summary>TLBI RVAAE1IS: a range of VAs, every ASID.</summary>
    RVAAE1IS,

    /// <summary>TLBI RVAALE1IS: as RVAAE1IS, last level only.</summary>
    RVAALE1IS,

    /// <summary>TLBI RIPAS2E1IS: a range of IPAs at stage 2.</summary>
    RIPAS2E1IS,

    /// <summary>TLBI RIPAS2LE1IS: as RIPAS2E1IS, last level only.</summary>
    RIPAS2LE1IS,

    /// <summary>TLBI VAE3IS: by VA in the EL3 regime (issued from EL3; IHI0070 §3.17.2).</summary>
    VAE3IS,

    /// <summary>TLBI VALE3IS: as VAE3IS, last level only.</summary>
    VALE3IS,

    /// <summary>TLBI ALLE3IS: every EL3 entry (issued from EL3).</summary>
    ALLE3IS,
}

/// <summary>The Exception level a broadcast TLBI was executed at.</summary>
public enum ExceptionLevel
{
    /// <summary>EL1 (a guest or non-virtualised kernel).</summary>
    EL1 = 1,

    /// <summary>EL2 (a hypervisor, or a VHE host).</summary>
    EL2 = 2,

    /// <summary>EL3 (the monitor).</summary>
    EL3 = 3,
}

/// <summary>The Security state whose translation regimes a broadcast TLBI targets.</summary>
public enum SecurityState
{
    /// <summary>Non-secure.</summary>
    NonSecure,

    /// <summary>Secure.</summary>
    Secure,
}

/// <summary>
/// One broadcast TLB invalidation as the interconnect delivers it to the SMMU: the operation, its operands, and
/// where it came from (IHI0070 §3.17.2-§3.17.6).
/// </summary>
/// <param name="Operation">The TLBI instruction.</param>
/// <param name="Address">
/// VA (VA forms) or IPA (IPAS2 forms) as a byte address; the start of the range for the range forms. Bits below
/// the page are ignored, as the instruction's operand carries only VA[55:12].
/// </param>
/// <param name="Asid">ASID operand (VA, ASID and E2H EL2 forms); a PE with 8-bit ASIDs sends it zero-extended.</param>
/// <param name="Vmid">The issuer's current VMID (VTTBR_EL2.VMID): 0 for a PE without EL2 or with stage 2 off.</param>
/// <param name="LastLevel">
/// FEAT_TTL / range TTL hint: the level (0-3) of the leaf entries to invalidate; null for no hint (any level).
/// </param>
/// <param name="RangeGranule">Range forms: TG, the translation granule the range is counted in.</param>
/// <param name="RangeScale">Range forms: SCALE, 0-3.</param>
/// <param name="RangeNum">Range forms: NUM, 0-31. The range is (NUM+1) × 2^(5×SCALE+1) granules (DDI0487 D8.13.6).</param>
/// <param name="IssuedFrom">Exception level the TLBI was executed at.</param>
/// <param name="Security">
/// Security state of the targeted regime: Secure EL1 operations reach the Secure side's StreamWorld Secure entries
/// (IHI0070 §3.17.2), Non-secure ones never do. Not consulted for the EL3 forms.
/// </param>
/// <param name="HostE2H">
/// The issuing PE runs EL2 as a VHE host (HCR_EL2.E2H = 1 and, for *E1IS operations issued at EL2, TGE = 1): its
/// EL2 operations carry an ASID and target the EL2&amp;0 regime (IHI0070 §3.17.5).
/// </param>
public readonly record struct BroadcastInvalidation(
    BroadcastTlbiOperation Operation,
    ulong Address = 0,
    ushort Asid = 0,
    ushort Vmid = 0,
    int? LastLevel = null,
    RangeGranule RangeGranule = RangeGranule.None,
    int RangeScale = 0,
    int RangeNum = 0,
    ExceptionLevel IssuedFrom = ExceptionLevel.EL1,
    SecurityState Security = SecurityState.NonSecure,
    bool HostE2H = false)
{
    /// <summary>True for the FEAT_TLBIRANGE forms.</summary>
    public bool IsRange => Operation is >= BroadcastTlbiOperation.RVAE1IS and <= BroadcastTlbiOperation.RIPAS2LE1IS;

    /// <summary>True for the EL3 forms (VAE3IS, VALE3IS, ALLE3IS), which target the EL3 regime whatever <see cref="Security"/> says.</summary>
    public bool IsEl3 => Operation is >= BroadcastTlbiOperation.VAE3IS;

    /// <summary>True for the last-level (…L…) forms.</summary>
    public bool LeafOnly => Operation is BroadcastTlbiOperation.VALE1IS or BroadcastTlbiOperation.VAALE1IS
        or BroadcastTlbiOperation.IPAS2LE1IS or BroadcastTlbiOperation.VALE2IS or BroadcastTlbiOperation.RVALE1IS
        or BroadcastTlbiOperation.RVAALE1IS or BroadcastTlbiOperation.RIPAS2LE1IS or BroadcastTlbiOperation.VALE3IS;

    /// <summary>
    /// Bytes the operation covers from <see cref="Address"/>: one page for the single-address forms (any entry that
    /// holds the address), (NUM+1) × 2^(5×SCALE+1) granules for the range forms.
    /// </summary>
    /// <exception cref="ArgumentException">A range form without a granule, or SCALE/NUM out of range.</exception>
    public ulong RangeBytes
    {
        get
        {
            if (!IsRange)
            {
                return 1;
            }

            if (RangeGranule == RangeGranule.None || RangeScale is < 0 or > 3 || RangeNum is < 0 or > 31)
            {
                throw new ArgumentException($"TLBI {Operation} needs a granule, SCALE 0-3 and NUM 0-31 (got {RangeGranule}, {RangeScale}, {RangeNum}).");
            }

            int shift = 10 + (2 * (int)RangeGranule) + (5 * RangeScale) + 1;
            return (ulong)(RangeNum + 1) << shift;
        }
    }
}
