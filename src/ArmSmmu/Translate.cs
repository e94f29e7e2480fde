using ArmSmmu.Structures;

namespace ArmSmmu;

/// <summary>The kind of access a device transaction makes.</summary>
public enum AccessKind
{
    /// <summary>A data read.</summary>
    Read,

    /// <summary>A data write.</summary>
    Write,

    /// <summary>An instruction fetch (a read with InD = instruction).</summary>
    Execute,
}

/// <summary>One device transaction presented to the SMMU.</summary>
/// <param name="StreamId">StreamID of the requesting device.</param>
/// <param name="Address">Input address (a VA for stage 1, an IPA for stage-2-only streams).</param>
/// <param name="Access">Read, write or instruction fetch.</param>
/// <param name="SubstreamId">SubstreamID (PASID) when the transaction carries one (SSV = 1).</param>
/// <param name="Privileged">Incoming PnU: true for a privileged access.</param>
/// <param name="Secure">Incoming SEC_SID: true for a Secure stream, translated through the Secure Stream table (IHI0070 §3.10); F_UUT when the SMMU has no Secure programming interface (<see cref="SmmuFeatures.Secure"/>).</param>
/// <param name="Kind">An ordinary transaction, a PCIe ATS Translation Request, or an ATS Translated transaction (IHI0070 §3.9.1).</param>
public readonly record struct TranslationRequest(
    uint StreamId, ulong Address, AccessKind Access,
    uint? SubstreamId = null, bool Privileged = false, bool Secure = false,
    TransactionKind Kind = TransactionKind.Untranslated);

/// <summary>What a transaction is on the PCIe ATS interface (IHI0070 §3.9.1).</summary>
public enum TransactionKind : byte
{
    /// <summary>An ordinary transaction with an untranslated address: translated by the SMMU.</summary>
    Untranslated,

    /// <summary>An ATS Translation Request: answered with a Translation Completion (<see cref="SmmuV3.RequestAtsTranslation"/>), not performed.</summary>
    AtsTranslationRequest,

    /// <summary>An ATS Translated transaction: its address came from a Translation Completion; checked per CR0.ATSCHK and STE.EATS.</summary>
    AtsTranslated,
}

/// <summary>What happened to a transaction.</summary>
public enum TranslationOutcome
{
    /// <summary>Went through stage 1 and/or stage 2.</summary>
    Translated,

    /// <summary>Identity: STE bypass (Config 0b100) or GBPA bypass while SMMUEN = 0.</summary>
    Bypassed,

    /// <summary>Terminated: aborted (recorded or not) or RAZ/WI per CD.A.</summary>
    Faulted,

    /// <summary>Held until CMD_RESUME or CMD_STALL_TERM.</summary>
    Stalled,
}

/// <summary>How a faulted transaction was terminated (IHI0070 §5.5).</summary>
public enum Termination : byte
{
    /// <summary>Not terminated.</summary>
    None,

    /// <summary>Aborted back to the device.</summary>
    Abort,

    /// <summary>Completed as read-as-zero / write-ignored (CD.A = 0).</summary>
    RazWi,
}

/// <summary>The answer of <see cref="SmmuV3.Translate"/> for one transaction.</summary>
public readonly record struct TranslationResult
{
    /// <summary>Translated or Bypassed: the transaction may proceed to <see cref="PhysicalAddress"/>.</summary>
    public bool IsSuccess => Outcome is TranslationOutcome.Translated or TranslationOutcome.Bypassed;

    /// <summary>Output physical address; valid when <see cref="IsSuccess"/>.</summary>
    public ulong PhysicalAddress { get; init; }

    /// <summary>What happened.</summary>
    public TranslationOutcome Outcome { get => (TranslationOutcome)StatusByte(OutcomeByte); init => _status = WithStatus(OutcomeByte, (ulong)value, 0xFF); }

    /// <summary>The fault or configuration error that terminated or stalled the transaction (<see cref="EventType.None"/> otherwise), whether or not it was recorded.</summary>
    public EventType Fault { get => (EventType)StatusByte(FaultByte); init => _status = WithStatus(FaultByte, (byte)value, 0xFF); }

    /// <summary>True when the fault was recorded as an event record (it may still have been discarded if the event queue was not writable).</summary>
    public bool FaultRecorded { get => StatusByte(RecordedByte) != 0; init => _status = WithStatus(RecordedByte, value ? 1UL : 0, 0xFF); }

    /// <summary>For a faulted transaction: abort or RAZ/WI.</summary>
    public Termination Termination { get => (Termination)StatusByte(TerminationByte); init => _status = WithStatus(TerminationByte, (byte)value, 0xFF); }

    /// <summary>STAG of a stalled transaction, to be named by CMD_RESUME.</summary>
    public ushort StallTag { get => (ushort)(_status >> (StallTagByte * 8)); init => _status = WithStatus(StallTagByte, value, 0xFFFF); }

    /// <summary>log2 of the size of the translation that produced the result (12 for a 4 KiB page, 21 for a 2 MiB block, 64 when bypassed).</summary>
    public byte PageShift { get => StatusByte(PageShiftByte); init => _status = WithStatus(PageShiftByte, value, 0xFF); }

    /// <summary>The event record the fault produced (Type <see cref="EventType.None"/> when there was none), whether or not the event queue accepted it: the answer to "why did this transaction fault?".</summary>
    /// <remarks>
    /// Held by reference: only a fault has one, and a successful translation (the hot path) then returns a result
    /// 32 bytes smaller, which the caller and the C ABI copy.
    /// </remarks>
    public EventRecord Event
    {
        get => _event is null ? default : _event.Record;
        init => _event = new EventHolder(value);
    }

    /// <summary>Attributes of the outgoing transaction after translation and STE overrides.</summary>
    public TransactionAttributes Attributes { get; init; }

    /// <summary>A successful translation.</summary>
    /// <param name="physicalAddress">Output address.</param>
    /// <param name="pageShift">log2 of the translation size.</param>
    /// <param name="attributes">Output attributes.</param>
    /// <returns>The result.</returns>
    internal static TranslationResult Translated(ulong physicalAddress, byte pageShift, in TransactionAttributes attributes) =>
        new(TranslationOutcome.Translated, physicalAddress, pageShift, attributes);

    /// <summary>An identity (bypass) result.</summary>
    /// <param name="address">The input address, passed through.</param>
    /// <param name="attributes">Output attributes.</param>
    /// <returns>The result.</returns>
    internal static TranslationResult Bypassed(ulong address, in TransactionAttributes attributes) =>
        new(TranslationOutcome.Bypassed, address, 64, attributes);

    /// <summary>A terminated transaction.</summary>
    /// <param name="fault">The fault or configuration error.</param>
    /// <param name="recorded">Whether an event record was produced.</param>
    /// <param name="termination">Abort or RAZ/WI.</param>
    /// <returns>The result.</returns>
    internal static TranslationResult Faulted(EventType fault, bool recorded, Termination termination = Termination.Abort) =>
        new() { Outcome = TranslationOutcome.Faulted, Fault = fault, FaultRecorded = recorded, Termination = termination };

    // Outcome, fault, recorded, termination, STAG and page shift share one word, so that a result is four words
    // (address, status, attributes, event) that the TLB-hit path writes straight into the caller's result; with a
    // field each the result was built in a temporary and copied whole, which stalled store forwarding.
    private const int OutcomeByte = 0;
    private const int FaultByte = 1;
    private const int RecordedByte = 2;
    private const int TerminationByte = 3;
    private const int StallTagByte = 4; // two bytes
    private const int PageShiftByte = 6;

    private readonly ulong _status;
    private readonly EventHolder? _event;

    private TranslationResult(TranslationOutcome outcome, ulong physicalAddress, byte pageShift, in TransactionAttributes attributes)
    {
        PhysicalAddress = physicalAddress;
        _status = (ulong)outcome | ((ulong)pageShift << (PageShiftByte * 8));
        Attributes = attributes;
    }

    /// <summary>Equal when every property is equal (the event compared by value).</summary>
    /// <param name="other">The other result.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(TranslationResult other) =>
        PhysicalAddress == other.PhysicalAddress
        && Outcome == other.Outcome
        && Fault == other.Fault
        && FaultRecorded == other.FaultRecorded
        && Termination == other.Termination
        && StallTag == other.StallTag
        && PageShift == other.PageShift
        && Attributes == other.Attributes
        && EqualityComparer<EventRecord>.Default.Equals(Event, other.Event);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(PhysicalAddress, Outcome, Fault, FaultRecorded, Termination, StallTag, PageShift, HashCode.Combine(Attributes, Event));

    private byte StatusByte(int index) => (byte)(_status >> (index * 8));

    private ulong WithStatus(int index, ulong value, ulong mask) => (_status & ~(mask << (index * 8))) | ((value & mask) << (index * 8));

    /// <inheritdoc />
    public override string ToString() => Outcome switch
    {
        TranslationOutcome.Translated => $"Translated -> 0x{PhysicalAddress:X} ({Attributes})",
        TranslationOutcome.Bypassed => $"Bypassed -> 0x{PhysicalAddress:X}",
        TranslationOutcome.Stalled => $"Stalled ({Fault}, STAG {StallTag})",
        _ => $"Faulted ({Fault}, {Termination}{(FaultRecorded ? ", recorded" : string.Empty)})",
    };
}

/// <summary>An event record held by reference, so results without one stay small.</summary>
internal sealed class EventHolder(EventRecord record)
{
    /// <summary>The record.</summary>
    public EventRecord Record { get; } = record;
}
