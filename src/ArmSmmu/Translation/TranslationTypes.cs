namespace ArmSmmu.Translation;

/// <summary>The access a walk is made for: what permission must be granted.</summary>
/// <remarks>
/// One 32-bit word of flags, not three bools: the walker and the device pass it down every level, and the three-byte
/// struct was spilled with a 32-bit store and reloaded with a 64-bit load, a store-forwarding stall that was a third of
/// the samples in <c>Walker.Walk</c> on a stage-1 miss (perf, <c>MissLoop s1miss</c>); a one-byte word was spilled as a
/// byte and reloaded as 32 bits, the same stall in <c>SmmuV3.AfterLookup</c>.
/// </remarks>
internal readonly record struct AccessIntent
{
    private const int WriteFlag = 1;
    private const int InstructionFlag = 2;
    private const int PrivilegedFlag = 4;
    private readonly int _flags;

    /// <summary>An access.</summary>
    /// <param name="write">A write (RnW = 0).</param>
    /// <param name="instruction">An instruction fetch (InD = 1).</param>
    /// <param name="privileged">A privileged access (PnU = 1).</param>
    public AccessIntent(bool write, bool instruction, bool privileged) =>
        _flags = (write ? WriteFlag : 0) | (instruction ? InstructionFlag : 0) | (privileged ? PrivilegedFlag : 0);

    /// <summary>A write (RnW = 0).</summary>
    public bool Write => (_flags & WriteFlag) != 0;

    /// <summary>An instruction fetch (InD = 1).</summary>
    public bool Instruction => (_flags & InstructionFlag) != 0;

    /// <summary>A privileged access (PnU = 1).</summary>
    public bool Privileged => (_flags & PrivilegedFlag) != 0;

    /// <summary>A privileged data read: how the SMMU reads descriptors and CDs through stage 2.</summary>
    public static AccessIntent TableRead => new(false, false, true);

    /// <summary>A privileged data write: a hardware Access-flag or dirty-state update of a stage-1 descriptor, checked by stage 2 (IHI0070 §3.13.5).</summary>
    public static AccessIntent TableWrite => new(true, false, true);
}

/// <summary>Permissions a cached translation grants; stage 1 and stage 2 are kept apart so a fault names its stage.</summary>
[Flags]
internal enum PagePermissions : byte
{
    /// <summary>No access.</summary>
    None = 0,

    /// <summary>Privileged data read.</summary>
    PrivilegedRead = 1 << 0,

    /// <summary>Privileged data write.</summary>
    PrivilegedWrite = 1 << 1,

    /// <summary>Privileged instruction fetch.</summary>
    PrivilegedExecute = 1 << 2,

    /// <summary>Unprivileged data read.</summary>
    UnprivilegedRead = 1 << 3,

    /// <summary>Unprivileged data write.</summary>
    UnprivilegedWrite = 1 << 4,

    /// <summary>Unprivileged instruction fetch.</summary>
    UnprivilegedExecute = 1 << 5,

    /// <summary>Everything (a stage that is bypassed).</summary>
    All = 0x3F,
}

/// <summary>Stage-1 translation parameters, taken from a CD (and the StreamWorld of its STE) (IHI0070 §5.4).</summary>
internal struct Stage1Config
{
    /// <summary>TTB0 (an IPA when stage 2 is enabled), bits below the start-table alignment are ignored by the walk.</summary>
    public ulong Ttb0;

    /// <summary>TTB1.</summary>
    public ulong Ttb1;

    /// <summary>T0SZ: the TTB0 region is 2^(64-T0SZ) bytes.</summary>
    public byte T0SZ;

    /// <summary>T1SZ.</summary>
    public byte T1SZ;

    /// <summary>Granule of TTB0 (decoded TG0).</summary>
    public Granule Granule0;

    /// <summary>Granule of TTB1 (decoded TG1).</summary>
    public Granule Granule1;

    /// <summary>EPD0: no walks through TTB0.</summary>
    public bool Epd0;

    /// <summary>EPD1: no walks through TTB1 (forced for EL2/EL3 StreamWorlds, which have no TTB1).</summary>
    public bool Epd1;

    /// <summary>TBI0: top byte ignored for TTB0 addresses.</summary>
    public bool Tbi0;

    /// <summary>TBI1.</summary>
    public bool Tbi1;

    /// <summary>Effective output size: min(CD.IPS, OAS) in bits.</summary>
    public byte OutputBits;

    /// <summary>AFFD: an Access flag of 0 never faults.</summary>
    public bool Affd;

    /// <summary>HA: hardware Access flag update.</summary>
    public bool Ha;

    /// <summary>HD: hardware dirty state update (only with HA).</summary>
    public bool Hd;

    /// <summary>HAD0: hierarchical attributes (APTable/XNTable) disabled for TTB0.</summary>
    public bool Had0;

    /// <summary>HAD1.</summary>
    public bool Had1;

    /// <summary>WXN: writable implies execute-never.</summary>
    public bool Wxn;

    /// <summary>PAN: privileged data accesses to unprivileged-accessible pages fault.</summary>
    public bool Pan;

    /// <summary>MAIR (Attr0 in bits [7:0]).</summary>
    public ulong Mair;

    /// <summary>Single-privilege regime (StreamWorld EL2 or EL3): AP[1] treated as 1, UXN is XN.</summary>
    public bool SingleExceptionLevel;

    /// <summary>A Secure stream's regime: NSTable and the descriptors' NS bits choose the PA space (IHI0070 §3.10.1, DDI0487 D8.4).</summary>
    public bool Secure;

    /// <summary>CD.NSCFG0: a Secure stream's TTB0 walk starts in the Non-secure PA space.</summary>
    public bool NonSecureStart0;

    /// <summary>CD.NSCFG1: as <see cref="NonSecureStart0"/> for TTB1.</summary>
    public bool NonSecureStart1;

    /// <summary>Effective CD.DS (IHI0070 §5.4): the 4K and 16K halves use FEAT_LPA2 descriptors (OA[51:50] in bits [9:8]) and may start at level -1.</summary>
    public bool Ds;

    /// <summary>CD.SH0: with <see cref="Ds"/>, the shareability of Normal cacheable memory TTB0 maps (descriptor bits [9:8] hold address bits).</summary>
    public byte Sh0;

    /// <summary>CD.SH1, as <see cref="Sh0"/> for TTB1.</summary>
    public byte Sh1;

    // DDI0487 D8.8 (TBI): with the top byte ignored for the half VA[55] selects, the top byte takes no part in
    // translation; walker output and TLB lookups both use this one canonical form (top byte = copies of bit 55).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal readonly ulong Canonical(ulong va)
    {
        bool upper = Bits.IsSet(va, 55);
        if (!(upper ? Tbi1 : Tbi0))
        {
            return va;
        }

        return upper ? va | 0xFF00_0000_0000_0000UL : va & 0x00FF_FFFF_FFFF_FFFFUL;
    }
}

/// <summary>Stage-2 translation parameters, taken from an STE (IHI0070 §5.2).</summary>
internal struct Stage2Config
{
    /// <summary>S2TTB.</summary>
    public ulong S2Ttb;

    /// <summary>S2T0SZ: the IPA space is 2^(64-S2T0SZ) bytes.</summary>
    public byte S2T0SZ;

    /// <summary>Starting level decoded from S2SL0 and the granule (digest §7.3).</summary>
    public sbyte StartLevel;

    /// <summary>Granule (decoded S2TG).</summary>
    public Granule Granule;

    /// <summary>Effective output size: min(S2PS, OAS) in bits.</summary>
    public byte OutputBits;

    /// <summary>S2AFFD.</summary>
    public bool Affd;

    /// <summary>S2PTW: stage-1 table walks and CD fetches to Device memory are stage-2 permission faults.</summary>
    public bool Ptw;

    /// <summary>S2HA.</summary>
    public bool Ha;

    /// <summary>S2HD.</summary>
    public bool Hd;

    /// <summary>IDR3.XNX and the regime interpret XN[1:0] (bits 54:53).</summary>
    public bool ExtendedExecuteNever;

    /// <summary>Effective STE.S2DS (IHI0070 §5.2): FEAT_LPA2 descriptors with the 4K or 16K granule.</summary>
    public bool Ds;

    /// <summary>STE.S2SH0: with <see cref="Ds"/>, the shareability of Normal cacheable memory the tables map.</summary>
    public byte Sh;
}

/// <summary>Which stages translate, with their parameters.</summary>
internal struct TranslationRegime
{
    /// <summary>Stage 1 enabled.</summary>
    public bool Stage1Enabled;

    /// <summary>Stage-1 parameters (when enabled).</summary>
    public Stage1Config Stage1;

    /// <summary>Stage 2 enabled.</summary>
    public bool Stage2Enabled;

    /// <summary>Stage-2 parameters (when enabled).</summary>
    public Stage2Config Stage2;
}

/// <summary>The fault types a walk can end in (digest §7.8); the device maps them to event numbers.</summary>
internal enum FaultKind : byte
{
    /// <summary>No fault.</summary>
    None,

    /// <summary>F_TRANSLATION.</summary>
    Translation,

    /// <summary>F_ADDR_SIZE.</summary>
    AddressSize,

    /// <summary>F_ACCESS.</summary>
    Access,

    /// <summary>F_PERMISSION.</summary>
    Permission,

    /// <summary>F_WALK_EABT.</summary>
    ExternalAbort,
}

/// <summary>Event record CLASS (IHI0070 §7.3): what the faulting access was doing.</summary>
public enum FaultClass : byte
{
    /// <summary>CD fetch (stage-2 fault on a CD or L1CD IPA).</summary>
    CD = 0,

    /// <summary>Stage-1 translation table walk (stage-2 fault on a descriptor IPA).</summary>
    TT = 1,

    /// <summary>The input address itself.</summary>
    IN = 2,
}

/// <summary>A walk fault with everything an event record needs.</summary>
/// <param name="Kind">Fault type.</param>
/// <param name="Stage2">The fault was raised by stage 2 (event S2 bit).</param>
/// <param name="Class">CLASS field.</param>
/// <param name="Ipa">IPA of the stage-2 fault (the stage-1 output, or the descriptor/CD IPA for TT/CD classes).</param>
/// <param name="FetchAddress">Physical address of the descriptor whose access aborted (F_WALK_EABT).</param>
/// <param name="Level">Translation level at which the fault was found (-1 when not level-specific).</param>
/// <param name="DescriptorWrite">F_PERMISSION or F_WALK_EABT caused by a hardware descriptor update rather than the access (TTRnW = 0).</param>
internal readonly record struct WalkFault(
    FaultKind Kind, bool Stage2, FaultClass Class, ulong Ipa = 0, ulong FetchAddress = 0, sbyte Level = -1, bool DescriptorWrite = false);

/// <summary>
/// A successful translation as the TLB caches it: the input region of 2^<see cref="Shift"/> bytes at
/// <see cref="InputBase"/> maps to <see cref="OutputBase"/>.
/// </summary>
internal readonly record struct TranslationEntry
{
    /// <summary>Input address of the region, aligned to 2^<see cref="Shift"/>.</summary>
    public ulong InputBase { get; init; }

    /// <summary>Output address of the region (aligned like <see cref="InputBase"/>).</summary>
    public ulong OutputBase { get; init; }

    /// <summary>log2 of the region size: the page or block size (nested: the smaller of the two stages).</summary>
    public byte Shift { get; init; }

    /// <summary>
    /// log2 of the stage-1 page or block (with its contiguous run) this entry is a piece of, for nested entries whose
    /// stage-1 leaf is larger than the stage-2 leaf; 0 means the entry is the whole stage-1 leaf (or stage 1 does not
    /// translate). A VA-scoped TLBI must remove every piece of the stage-1 leaf that translates its address (IHI0070 §4.4.2).
    /// </summary>
    public byte Stage1Shift { get; init; }

    /// <summary>Level of the leaf descriptor (stage 1 for nested entries, stage 2 for stage-2-only).</summary>
    public sbyte Level { get; init; }

    /// <summary>Level of the stage-2 leaf descriptor (-1 when stage 2 does not translate).</summary>
    public sbyte Stage2Level { get; init; }

    /// <summary>log2 of the stage-2 page or block (with its contiguous run) that maps the output; 0 when stage 2 does not translate.</summary>
    public byte Stage2Shift { get; init; }

    /// <summary>Granule of the leaf.</summary>
    public Granule Granule { get; init; }

    /// <summary>Stage-1 leaf had nG = 0: the entry matches every ASID.</summary>
    public bool Global { get; init; }

    /// <summary>What stage 1 grants (All for stage-2-only).</summary>
    public PagePermissions Stage1Permissions { get; init; }

    /// <summary>What stage 2 grants (All for stage-1-only).</summary>
    public PagePermissions Stage2Permissions { get; init; }

    /// <summary>A write would be permitted after a hardware dirty-state update (DBM = 1, HD on, still clean) at stage 1: a write hit must walk again.</summary>
    public bool Stage1DirtyUpdatable { get; init; }

    /// <summary>As <see cref="Stage1DirtyUpdatable"/>, for stage 2.</summary>
    public bool Stage2DirtyUpdatable { get; init; }

    /// <summary>IPA of the output of stage 1 (nested entries), aligned like <see cref="InputBase"/>.</summary>
    public ulong IntermediateBase { get; init; }

    /// <summary>Final memory attributes (stage 1 and 2 combined).</summary>
    public MemoryAttributes Attributes { get; init; }

    /// <summary>The output is in the Secure PA space (a Secure stream whose walk stayed Secure and whose leaf has NS = 0).</summary>
    public bool Secure { get; init; }

    /// <summary>Output address for <paramref name="inputAddress"/> inside this entry.</summary>
    /// <param name="inputAddress">An address inside the region.</param>
    /// <returns>The translated address.</returns>
    public ulong Translate(ulong inputAddress) => OutputBase | (inputAddress & Bits.Mask(Shift));
}

/// <summary>The result of a walk: a translation entry, or a fault.</summary>
internal readonly record struct WalkResult
{
    /// <summary>True when <see cref="Entry"/> is valid.</summary>
    public bool Success => Fault.Kind == FaultKind.None;

    /// <summary>The translation (valid when <see cref="Success"/>).</summary>
    public TranslationEntry Entry { get; init; }

    /// <summary>The fault (Kind None on success).</summary>
    public WalkFault Fault { get; init; }

    /// <summary>
    /// True when <see cref="Entry"/> may be cached: a success, or a Permission fault with a complete translation that
    /// merely denies this access. Translation, Address size, Access flag and external-abort faults are never cached.
    /// </summary>
    public bool Cacheable => Success || (Fault.Kind == FaultKind.Permission && Entry.Shift != 0);

    /// <summary>Number of descriptor reads the walk made (both stages), for statistics.</summary>
    public int DescriptorReads { get; init; }

    /// <summary>A successful result.</summary>
    /// <param name="entry">The translation.</param>
    /// <param name="reads">Descriptor reads made.</param>
    /// <returns>The result.</returns>
    public static WalkResult Ok(in TranslationEntry entry, int reads) => new() { Entry = entry, DescriptorReads = reads };

    /// <summary>A faulting result.</summary>
    /// <param name="fault">The fault.</param>
    /// <param name="reads">Descriptor reads made.</param>
    /// <returns>The result.</returns>
    public static WalkResult Failed(in WalkFault fault, int reads) => new() { Fault = fault, DescriptorReads = reads };

    /// <summary>A Permission fault that still carries the (cacheable) translation that denied the access.</summary>
    /// <param name="fault">The Permission fault.</param>
    /// <param name="entry">The translation.</param>
    /// <param name="reads">Descriptor reads made.</param>
    /// <returns>The result.</returns>
    public static WalkResult Denied(in WalkFault fault, in TranslationEntry entry, int reads) =>
        new() { Fault = fault, Entry = entry, DescriptorReads = reads };
}
