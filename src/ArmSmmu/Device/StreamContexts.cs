using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

/// <summary>A fetched, checked STE with everything the pipeline derives from it (what the configuration cache holds).</summary>
internal sealed class SteContext
{
    public required StreamTableEntry Ste { get; init; }

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

/// <summary>Why configuration lookup failed: the event to record (IHI0070 §7.3) and its address fields.</summary>
internal readonly record struct ConfigError(EventType Type, ulong FetchAddress = 0, WalkFault Stage2Fault = default);
