using System.Runtime.CompilerServices;
using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Device;

/// <summary>A fetched, checked STE with everything the pipeline derives from it (what the configuration cache holds).</summary>
internal sealed class SteContext
{
    public required StreamTableEntry Ste { get; init; }

    /// <summary>STE.PRIVCFG when ATTR_PERMS_OVR is implemented, else 0 (use incoming).</summary>
    public required uint PrivCfg { get; init; }

    /// <summary>STE.INSTCFG when ATTR_PERMS_OVR is implemented, else 0 (use incoming).</summary>
    public required uint InstCfg { get; init; }

    /// <summary>Output PA space of bypassed traffic: Non-secure for a Non-secure STE; a Secure STE's NSCFG (IHI0070 §5.2).</summary>
    public bool OutputNonSecure { get; init; } = true;

    /// <summary>Memory attributes of incoming traffic after the STE's MTCFG/MemAttr, SHCFG and ALLOCCFG (IHI0070 §13.5).</summary>
    public required MemoryAttributes OverriddenMemory { get; init; }

    /// <summary>Where the STE was read from.</summary>
    public required ulong Address { get; init; }

    public required StreamWorld World { get; init; }

    /// <summary>VMID tag of this stream's translations (STE.S2VMID for NS-EL1, 0 otherwise).</summary>
    public required ushort Vmid { get; init; }

    /// <summary>Stage-2 parameters, valid when <see cref="StreamTableEntry.Stage2Enabled"/>.</summary>
    public required Stage2Config Stage2 { get; init; }

    /// <summary>The regime used when stage 1 is bypassed (Config 0b110, or S1DSS = 0b01): stage 2 only, or nothing.</summary>
    public required TranslationRegime Stage1BypassRegime { get; init; }

    /// <summary>TLB key of stage-1-bypassed translations.</summary>
    public required TlbKey Stage1BypassKey { get; init; }
}

/// <summary>A fetched, checked CD bound to the STE it was reached through.</summary>
internal sealed class CdContext
{
    public required ContextDescriptor Cd { get; init; }

    /// <summary>Where the CD was read from (an IPA when stage 2 is enabled).</summary>
    public required ulong Address { get; init; }

    /// <summary>The full regime: stage 1 from this CD, stage 2 from the STE when enabled.</summary>
    public required TranslationRegime Regime { get; init; }

    public required TlbKey Key { get; init; }
}

/// <summary>What a stream's configuration makes of its traffic.</summary>
internal enum StreamPathKind : byte
{
    /// <summary>Terminated without an event (STE Config 0b000).</summary>
    Abort,

    /// <summary>Identity with the STE's attribute overrides (Config 0b100).</summary>
    Bypass,

    /// <summary>Through the regime: stage 1 and/or stage 2.</summary>
    Translate,
}

/// <summary>
/// The resolved configuration of one (StreamID, SubstreamID): the STE and CD contexts and the regime and TLB key
/// they give, with what a TLB hit needs precomputed (the packed tag, the TBI masks, the access intent of every kind
/// of transaction). A derived cache over the STE and CD caches: dropping an entry early only costs a re-derivation
/// from them, so any CFGI of the StreamID drops all of its paths.
/// </summary>
/// <remarks>
/// A path is retired (<see cref="Retired"/>) when it leaves the path cache for any reason: invalidation, eviction,
/// replacement, or a fill refused because an invalidation raced its fetch. The front table of
/// <see cref="ConfigurationCaches.FindPath"/> holds paths without a lock and checks this flag on every use, so a path
/// it still holds after a CMD_CFGI_* is never used (IHI0070 §4.3: no stale configuration after the CFGI and a CMD_SYNC).
/// </remarks>
internal sealed class StreamPath
{
    /// <summary>TBI (DDI0487 D8.8): the top byte of a VA, set to copies of bit 55 by <see cref="Canonical"/>.</summary>
    private const ulong TopByte = 0xFF00_0000_0000_0000UL;

    // Bits of an intent byte (IntentOf): the permission the access needs, then its PnU and InD after the STE overrides.
    private const int IntentPrivileged = 6;
    private const int IntentInstruction = IntentPrivileged + 1; // above PnU, as in TransactionAttributes (AttributeBits)

    private readonly ulong _topSet;
    private readonly ulong _topClear;
    private readonly bool _tbi; // either half ignores the top byte: the one test Canonical makes when neither does
    private readonly ulong _intents;
    private volatile bool _retired;
    private StrongBox<WalkPlan>? _walkPlan;

    private StreamPath(StreamPathKind kind, SteContext ste, CdContext? cd, in TranslationRegime regime, in TlbKey key)
    {
        Kind = kind;
        Ste = ste;
        Cd = cd;
        Regime = regime;
        Key = key;
        Tag = key.Pack();
        ThroughCd = kind == StreamPathKind.Translate && cd is not null;
        TagHash = Tlb.IndexHash(Tag);
        if (regime.Stage1Enabled)
        {
            _topSet = regime.Stage1.Tbi1 ? TopByte : 0;
            _topClear = regime.Stage1.Tbi0 ? TopByte : 0;
            _tbi = regime.Stage1.Tbi0 || regime.Stage1.Tbi1;
        }

        for (int kindIndex = 0; kindIndex <= (int)AccessKind.Execute; kindIndex++)
        {
            for (int privileged = 0; privileged < 2; privileged++)
            {
                var access = SmmuV3.Intent(new TranslationRequest(0, 0, (AccessKind)kindIndex, Privileged: privileged != 0), ste);
                ulong intent = (ulong)PermissionCheck.Required(access)
                    | (access.Privileged ? 1UL << IntentPrivileged : 0)
                    | (access.Instruction ? 1UL << IntentInstruction : 0);
                _intents |= intent << (((kindIndex * 2) + privileged) * 8);
            }
        }
    }

    // Fields rather than properties: the hot path passes Regime and Key by reference without copying them.
    public readonly StreamPathKind Kind;
    public readonly SteContext Ste;

    /// <summary>The CD when stage 1 translates; null when stage 1 is bypassed or disabled.</summary>
    public readonly CdContext? Cd;

    /// <summary>A translating path through a CD (<see cref="Kind"/> Translate, <see cref="Cd"/> set): what the TLB-hit fast path serves.</summary>
    public readonly bool ThroughCd;
    public readonly TranslationRegime Regime;
    public readonly TlbKey Key;

    /// <summary><see cref="Key"/> packed once here, so a TLB lookup does not normalise it per transaction.</summary>
    public readonly ulong Tag;

    /// <summary><see cref="Tlb.IndexHash"/> of <see cref="Tag"/>: the part of the TLB set index a hit need not compute.</summary>
    public readonly ulong TagHash;

    /// <summary>The StreamID the path was resolved for (set once, before the path is cached).</summary>
    public uint StreamId => (uint)BoundTo;

    /// <summary>The substream key (SubstreamID, or <see cref="ConfigCache{T}.NoSubstream"/>) it was resolved for.</summary>
    public uint SubstreamKey => (uint)(BoundTo >> 32);

    /// <summary>True once the path left the path cache: it must not be used for another transaction.</summary>
    public bool Retired => _retired;

    public static StreamPath Abort(SteContext ste) => new(StreamPathKind.Abort, ste, null, default, default);

    public static StreamPath Bypass(SteContext ste) => new(StreamPathKind.Bypass, ste, null, default, default);

    // S1DSS = 0b01 without stage 2 leaves nothing to translate: the traffic is treated as an STE bypass.
    public static StreamPath Stage1Bypassed(SteContext ste) => ste.Ste.Stage2Enabled
        ? new(StreamPathKind.Translate, ste, null, ste.Stage1BypassRegime, ste.Stage1BypassKey)
        : Bypass(ste);

    public static StreamPath Translated(SteContext ste, CdContext cd) => new(StreamPathKind.Translate, ste, cd, cd.Regime, cd.Key);

    /// <summary>Names the (StreamID, substream key) the path serves; called once, before the path is published.</summary>
    public void Bind(uint streamId, uint substreamKey) => BoundTo = Binding(streamId, substreamKey);

    /// <summary>The (StreamID, substream key) of <see cref="Bind"/> as one word (<see cref="Binding"/>), which the front table compares at once.</summary>
    public ulong BoundTo { get; private set; }

    /// <summary>The word <see cref="BoundTo"/> holds for a (StreamID, substream key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Binding(uint streamId, uint substreamKey) => ((ulong)substreamKey << 32) | streamId;

    /// <summary>
    /// The start of every walk through this path (<see cref="Translation.WalkPlan"/>), made on the first miss. It
    /// depends only on <see cref="Regime"/>, <see cref="Key"/> and the walker's IAS, all fixed for the path's life, so
    /// two threads racing to make it make the same plan and either may be kept.
    /// </summary>
    /// <param name="walker">The device's walker.</param>
    /// <returns>The plan.</returns>
    public ref readonly WalkPlan WalkPlan(Walker walker)
    {
        var box = Volatile.Read(ref _walkPlan);
        if (box is null)
        {
            box = new StrongBox<WalkPlan>(walker.Plan(Regime, WalkTag.From(Key)));
            Volatile.Write(ref _walkPlan, box);
        }

        return ref box.Value;
    }

    /// <summary>Under the path cache's writer lock: the path left the cache.</summary>
    public void Retire() => _retired = true;

    /// <summary>
    /// The intent of a transaction through this STE (IHI0070 §13.5: PRIVCFG and INSTCFG applied), precomputed for
    /// the six kinds of transaction: the one <see cref="PagePermissions"/> bit it needs in bits [5:0], then PnU and InD.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint IntentOf(AccessKind access, bool privileged)
    {
        // Values outside the enum are reads, as SmmuV3.Intent treats them.
        uint kind = (uint)access <= (uint)AccessKind.Execute ? (uint)access : 0;
        return (byte)(_intents >> (int)((((kind * 2) + (privileged ? 1u : 0u)) * 8) & 63));
    }

    /// <summary>The permission bit an intent from <see cref="IntentOf"/> needs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static PagePermissions Required(uint intent) => (PagePermissions)(intent & (uint)PagePermissions.All);

    /// <summary>The access an intent from <see cref="IntentOf"/> stands for: <c>SmmuV3.Intent</c> of the same transaction.</summary>
    /// <param name="access">The transaction's access (a write is the one the intent does not tell).</param>
    /// <param name="intent">Its intent.</param>
    /// <returns>Write, then InD and PnU after the STE overrides.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static AccessIntent Access(AccessKind access, uint intent) =>
        new(access == AccessKind.Write, ((intent >> IntentInstruction) & 1) != 0, ((intent >> IntentPrivileged) & 1) != 0);

    /// <summary>The PnU and InD attribute bits of an intent from <see cref="IntentOf"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AttributeBits(uint intent) => TransactionAttributes.AccessBitsAt(intent, IntentPrivileged);

    /// <summary>
    /// The VA as the TLB caches it: with the top byte ignored for the half VA[55] selects, the top byte becomes copies
    /// of bit 55 (as <see cref="Stage1Config.Canonical"/>; the address itself when stage 1 does not translate).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Canonical(ulong address)
    {
        if (!_tbi)
        {
            return address; // no TBI in either half (Linux's CDs): the common case, one test
        }

        ulong upper = (ulong)((long)(address << 8) >> 63);
        return (address | (_topSet & upper)) & ~(_topClear & ~upper);
    }
}

/// <summary>Why configuration lookup failed: the event to record (IHI0070 §7.3) and its address fields.</summary>
internal readonly record struct ConfigError(EventType Type, ulong FetchAddress = 0, WalkFault Stage2Fault = default);
