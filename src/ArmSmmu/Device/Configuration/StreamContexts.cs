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
/// they give. A derived cache over the STE and CD caches: dropping an entry early only costs a re-derivation from
/// them, so any CFGI of the StreamID drops all of its paths.
/// </summary>
internal sealed class StreamPath
{
    private StreamPath(StreamPathKind kind, SteContext ste, CdContext? cd, in TranslationRegime regime, in TlbKey key)
    {
        Kind = kind;
        Ste = ste;
        Cd = cd;
        Regime = regime;
        Key = key;
        Tag = key.Pack();
    }

    // Fields rather than properties: the hot path passes Regime and Key by reference without copying them.
    public readonly StreamPathKind Kind;
    public readonly SteContext Ste;

    /// <summary>The CD when stage 1 translates; null when stage 1 is bypassed or disabled.</summary>
    public readonly CdContext? Cd;
    public readonly TranslationRegime Regime;
    public readonly TlbKey Key;

    /// <summary><see cref="Key"/> packed once here, so a TLB lookup does not normalise it per transaction.</summary>
    public readonly ulong Tag;

    public static StreamPath Abort(SteContext ste) => new(StreamPathKind.Abort, ste, null, default, default);

    public static StreamPath Bypass(SteContext ste) => new(StreamPathKind.Bypass, ste, null, default, default);

    // S1DSS = 0b01 without stage 2 leaves nothing to translate: the traffic is treated as an STE bypass.
    public static StreamPath Stage1Bypassed(SteContext ste) => ste.Ste.Stage2Enabled
        ? new(StreamPathKind.Translate, ste, null, ste.Stage1BypassRegime, ste.Stage1BypassKey)
        : Bypass(ste);

    public static StreamPath Translated(SteContext ste, CdContext cd) => new(StreamPathKind.Translate, ste, cd, cd.Regime, cd.Key);
}

/// <summary>Why configuration lookup failed: the event to record (IHI0070 §7.3) and its address fields.</summary>
internal readonly record struct ConfigError(EventType Type, ulong FetchAddress = 0, WalkFault Stage2Fault = default);
