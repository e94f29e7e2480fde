using System.Globalization;

namespace ArmSmmu.Device;

/// <summary>The completion status of a PCIe ATS Translation Completion (IHI0070 §3.9.1.2).</summary>
public enum AtsCompletionStatus : byte
{
    /// <summary>Success: the Completion Data Entry grants the permissions it lists, possibly none (R = W = 0).</summary>
    Success,

    /// <summary>Unsupported Request: ATS is disabled for the stream (SMMUEN = 0, effective EATS = 0b00, STE bypass or abort).</summary>
    UnsupportedRequest,

    /// <summary>Completer Abort: the request met a configuration error or an external abort (a C_BAD_* or F_*_FETCH, F_WALK_EABT).</summary>
    CompleterAbort,
}

/// <summary>
/// The SMMU's answer to an ATS Translation Request (IHI0070 §3.9.1, §13.6, §13.7): one Translation Completion Data
/// Entry. A Success that grants neither read nor write (<see cref="GrantsNothing"/>) is how the SMMU reports a
/// translation fault to an ATS device; a device with PRI then issues a page request.
/// </summary>
public readonly record struct AtsCompletion
{
    /// <summary>Success, Unsupported Request or Completer Abort.</summary>
    public AtsCompletionStatus Status { get; init; }

    /// <summary>Translated Address: the base of the translation (a PA, or an IPA under split-stage ATS, EATS = 0b10).</summary>
    public ulong TranslatedAddress { get; init; }

    /// <summary>log2 of the translation size in bytes (12 for one 4 KiB page; the smallest granule for a no-permission answer).</summary>
    public byte SizeShift { get; init; }

    /// <summary>R: read access granted.</summary>
    public bool Read { get; init; }

    /// <summary>W: write access granted.</summary>
    public bool Write { get; init; }

    /// <summary>Exe: execute access granted (only to a request with a PASID that asked for it).</summary>
    public bool Execute { get; init; }

    /// <summary>Priv: the privilege the permissions were granted for, as the request supplied it (IHI0070 §13.7.1).</summary>
    public bool Privileged { get; init; }

    /// <summary>U (Untranslated access only): always 0 from an SMMUv3, which returns identity completions with U = 0 (IHI0070 §13.6.4).</summary>
    public bool UntranslatedOnly { get; init; }

    /// <summary>Global: always 0, since a non-shared context must not match a shared one's global entries (IHI0070 §3.9.1).</summary>
    public bool Global { get; init; }

    /// <summary>The event recorded for the request (F_BAD_ATS_TREQ, or a configuration error when CR2.REC_CFG_ATS = 1); None otherwise.</summary>
    public EventType Event { get; init; }

    /// <summary>Success with R = W = 0: the address is not accessible through ATS (translation fault or no permission).</summary>
    public bool GrantsNothing => Status == AtsCompletionStatus.Success && !Read && !Write;

    /// <summary>Whether the completion lets the device perform <paramref name="access"/> with a Translated transaction.</summary>
    /// <param name="access">The access the device wants to make.</param>
    /// <returns>True when the matching permission was granted.</returns>
    public bool Permits(AccessKind access) => Status == AtsCompletionStatus.Success && access switch
    {
        AccessKind.Write => Write,
        AccessKind.Execute => Execute,
        _ => Read,
    };

    /// <summary>The output address for <paramref name="untranslatedAddress"/> inside this translation.</summary>
    /// <param name="untranslatedAddress">An address the request's translation covers.</param>
    /// <returns>Translated Address plus the offset below the translation size.</returns>
    public ulong Translate(ulong untranslatedAddress) => TranslatedAddress | (untranslatedAddress & Bits.Mask(SizeShift));

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        AtsCompletionStatus.UnsupportedRequest => "UR" + EventText,
        AtsCompletionStatus.CompleterAbort => "CA" + EventText,
        _ => string.Create(
            CultureInfo.InvariantCulture,
            $"Success 0x{TranslatedAddress:X} size 2^{SizeShift} {(Read ? "R" : "-")}{(Write ? "W" : "-")}{(Execute ? "X" : "-")}{(Privileged ? " Priv" : string.Empty)}"),
    };

    private string EventText => Event == EventType.None ? string.Empty : $" ({EventRecord.TypeName(Event)})";

    internal static AtsCompletion Unsupported(EventType recorded) => new() { Status = AtsCompletionStatus.UnsupportedRequest, Event = recorded };

    internal static AtsCompletion Abort(EventType recorded) => new() { Status = AtsCompletionStatus.CompleterAbort, Event = recorded };

    // IHI0070 §3.9.1.2: a translation fault is Success with R = W = 0, its size the STU (the smallest granule).
    internal static AtsCompletion NoAccess(ulong address, byte stuShift, bool privileged) =>
        new() { Status = AtsCompletionStatus.Success, TranslatedAddress = address & ~Bits.Mask(stuShift), SizeShift = stuShift, Privileged = privileged };
}
