using System.Globalization;
using ArmSmmu.Translation;

namespace ArmSmmu.Structures;

/// <summary>
/// An event queue record: 32 bytes, four little-endian 64-bit words (IHI0070 §7.3, digest 5.1/5.2). Fields
/// overlap between event types; <see cref="Describe"/> lists only the fields the type carries.
/// </summary>
public readonly struct EventRecord : IEquatable<EventRecord>
{
    /// <summary>Size of an event record in bytes.</summary>
    public const int Size = 32;

    /// <summary>Number of 64-bit words.</summary>
    public const int WordCount = 4;

    private readonly ulong _w0, _w1, _w2, _w3;

    /// <summary>Creates a record from its words.</summary>
    /// <param name="dw0">Word 0 (event number in [7:0]).</param>
    /// <param name="dw1">Word 1.</param>
    /// <param name="dw2">Word 2.</param>
    /// <param name="dw3">Word 3.</param>
    public EventRecord(ulong dw0, ulong dw1 = 0, ulong dw2 = 0, ulong dw3 = 0)
    {
        _w0 = dw0;
        _w1 = dw1;
        _w2 = dw2;
        _w3 = dw3;
    }

    /// <summary>Creates a record from at least 4 words.</summary>
    /// <param name="words">The words, dw0 first.</param>
    /// <exception cref="ArgumentException">Fewer than 4 words.</exception>
    public EventRecord(ReadOnlySpan<ulong> words)
    {
        RecordIo.RequireLength(words, WordCount, nameof(EventRecord));
        (_w0, _w1, _w2, _w3) = (words[0], words[1], words[2], words[3]);
    }

    /// <summary>Word 0.</summary>
    public ulong Dw0 => _w0;

    /// <summary>Word 1.</summary>
    public ulong Dw1 => _w1;

    /// <summary>Word 2.</summary>
    public ulong Dw2 => _w2;

    /// <summary>Word 3.</summary>
    public ulong Dw3 => _w3;

    /// <summary>Type, dw0[7:0]: the event number.</summary>
    public EventType Type { get => (EventType)Bits.Extract(_w0, 7, 0); init => _w0 = Bits.Insert(_w0, 7, 0, (ulong)value); }

    /// <summary>Ssv, dw0[11]: SubstreamID valid.</summary>
    public bool Ssv { get => Bits.IsSet(_w0, 11); init => _w0 = Bits.With(_w0, 11, value); }

    /// <summary>SubstreamId, dw0[31:12]: SubstreamID of the transaction.</summary>
    public uint SubstreamId { get => (uint)Bits.Extract(_w0, 31, 12); init => _w0 = Bits.Insert(_w0, 31, 12, value); }

    /// <summary>StreamId, dw0[63:32]: StreamID of the transaction.</summary>
    public uint StreamId { get => (uint)Bits.Extract(_w0, 63, 32); init => _w0 = Bits.Insert(_w0, 63, 32, value); }

    /// <summary>Stag, dw1[15:0]: stall tag to quote in CMD_RESUME (stall records only).</summary>
    public ushort Stag { get => (ushort)Bits.Extract(_w1, 15, 0); init => _w1 = Bits.Insert(_w1, 15, 0, value); }

    /// <summary>Reason, dw1[15:0]: IMPLEMENTATION DEFINED reason (F_UUT, fetch and abort events); shares bits with STAG.</summary>
    public ushort Reason { get => (ushort)Bits.Extract(_w1, 15, 0); init => _w1 = Bits.Insert(_w1, 15, 0, value); }

    /// <summary>GPCF, dw1[16]: granule protection check fault (RME).</summary>
    public bool GPCF { get => Bits.IsSet(_w1, 16); init => _w1 = Bits.With(_w1, 16, value); }

    /// <summary>Stall, dw1[31]: the transaction is stalled and awaits CMD_RESUME / CMD_STALL_TERM.</summary>
    public bool Stall { get => Bits.IsSet(_w1, 31); init => _w1 = Bits.With(_w1, 31, value); }

    /// <summary>PnU, dw1[33]: privileged transaction.</summary>
    public bool PnU { get => Bits.IsSet(_w1, 33); init => _w1 = Bits.With(_w1, 33, value); }

    /// <summary>InD, dw1[34]: instruction fetch.</summary>
    public bool InD { get => Bits.IsSet(_w1, 34); init => _w1 = Bits.With(_w1, 34, value); }

    /// <summary>RnW, dw1[35]: read (0 = write).</summary>
    public bool RnW { get => Bits.IsSet(_w1, 35); init => _w1 = Bits.With(_w1, 35, value); }

    /// <summary>NSIPA, dw1[38]: the IPA is Non-secure.</summary>
    public bool NSIPA { get => Bits.IsSet(_w1, 38); init => _w1 = Bits.With(_w1, 38, value); }

    /// <summary>S2, dw1[39]: stage-2 fault.</summary>
    public bool S2 { get => Bits.IsSet(_w1, 39); init => _w1 = Bits.With(_w1, 39, value); }

    /// <summary>Class, dw1[41:40]: what was being accessed: CD fetch, stage-1 table walk or the input address.</summary>
    public FaultClass Class { get => (FaultClass)Bits.Extract(_w1, 41, 40); init => _w1 = Bits.Insert(_w1, 41, 40, (ulong)value); }

    /// <summary>TTRnW, dw1[44]: F_PERMISSION on a stage-1 descriptor access: 1 read, 0 write (HTTU update).</summary>
    public bool TTRnW { get => Bits.IsSet(_w1, 44); init => _w1 = Bits.With(_w1, 44, value); }

    /// <summary>InputAddr, dw2: the transaction's input address.</summary>
    public ulong InputAddress { get => _w2; init => _w2 = value; }

    /// <summary>Ipa, dw3[55:12], as an address kept in place (bits [11:0] zero): the IPA of a stage-2 fault.</summary>
    public ulong Ipa { get => Bits.Address(_w3, 55, 12); init => _w3 = Bits.Insert(_w3, 55, 12, value >> 12); }

    /// <summary>FetchAddress, dw3[55:3], as an address kept in place (bits [2:0] zero): the address of the structure or descriptor whose fetch failed.</summary>
    public ulong FetchAddress { get => Bits.Address(_w3, 55, 3); init => _w3 = Bits.Insert(_w3, 55, 3, value >> 3); }

    /// <summary>Reads a record.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Address of dw0.</param>
    /// <param name="value">The record, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out EventRecord value)
    {
        Span<ulong> w = stackalloc ulong[WordCount];
        bool ok = RecordIo.TryRead(memory, address, w);
        value = new EventRecord(w);
        return ok;
    }

    /// <summary>Writes the record (32 bytes in one access).</summary>
    /// <param name="memory">Memory to write.</param>
    /// <param name="address">Address of dw0.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWrite(IPhysicalMemory memory, ulong address) => RecordIo.TryWrite(memory, address, [_w0, _w1, _w2, _w3]);

    /// <summary>The specification's name of an event number, e.g. <c>F_TRANSLATION</c>.</summary>
    /// <param name="type">The event number.</param>
    /// <returns>The name, or <c>EVENT_0xNN</c> for reserved and IMPLEMENTATION DEFINED numbers.</returns>
    public static string TypeName(EventType type) => type switch
    {
        EventType.FUut => "F_UUT",
        EventType.CBadStreamId => "C_BAD_STREAMID",
        EventType.FSteFetch => "F_STE_FETCH",
        EventType.CBadSte => "C_BAD_STE",
        EventType.FBadAtsTreq => "F_BAD_ATS_TREQ",
        EventType.FStreamDisabled => "F_STREAM_DISABLED",
        EventType.FTranslForbidden => "F_TRANSL_FORBIDDEN",
        EventType.CBadSubstreamId => "C_BAD_SUBSTREAMID",
        EventType.FCdFetch => "F_CD_FETCH",
        EventType.CBadCd => "C_BAD_CD",
        EventType.FWalkEabt => "F_WALK_EABT",
        EventType.FTranslation => "F_TRANSLATION",
        EventType.FAddrSize => "F_ADDR_SIZE",
        EventType.FAccess => "F_ACCESS",
        EventType.FPermission => "F_PERMISSION",
        EventType.FTlbConflict => "F_TLB_CONFLICT",
        EventType.FCfgConflict => "F_CFG_CONFLICT",
        EventType.EPageRequest => "E_PAGE_REQUEST",
        EventType.FVmsFetch => "F_VMS_FETCH",
        _ => string.Create(CultureInfo.InvariantCulture, $"EVENT_0x{(byte)type:X2}"),
    };

    /// <summary>The fields the record's event type carries (digest 5.2 "Fields present").</summary>
    /// <returns>Type first, then the type's fields in bit order.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText("dw");
        f.Add("Type", 0, _w0, 7, 0, v => FieldText.Hex(v) + " " + TypeName((EventType)v));
        switch (Type)
        {
            case EventType.FUut:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex);
                Access(f);
                Input(f);
                break;
            case EventType.CBadStreamId:
            case EventType.CBadSte:
            case EventType.CBadCd:
                StreamFields(f, substream: true);
                break;
            case EventType.FSteFetch:
            case EventType.FVmsFetch:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex)
                    .Flag("GPCF", 1, _w1, 16, "granule protection check fault", "no GPC fault");
                Fetch(f);
                break;
            case EventType.FBadAtsTreq:
                StreamFields(f, substream: true);
                Input(f);
                break;
            case EventType.FStreamDisabled:
                StreamFields(f, substream: false);
                break;
            case EventType.FTranslForbidden:
                StreamFields(f, substream: false);
                f.Flag("RnW", 1, _w1, 35, "read", "write");
                Input(f);
                break;
            case EventType.CBadSubstreamId:
                f.Add("SubstreamID", 0, _w0, 31, 12, FieldText.Dec);
                StreamFields(f, substream: false);
                break;
            case EventType.FCdFetch:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex);
                Fetch(f);
                break;
            case EventType.FWalkEabt:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex);
                Access(f);
                StageAndClass(f);
                Input(f);
                Fetch(f);
                break;
            case EventType.FTranslation:
            case EventType.FAddrSize:
            case EventType.FAccess:
            case EventType.FPermission:
                StreamFields(f, substream: true);
                f.Add("STAG", 1, _w1, 15, 0, FieldText.Hex)
                    .Flag("Stall", 1, _w1, 31, "stalled, awaiting CMD_RESUME", "terminated");
                Access(f);
                f.Flag("NSIPA", 1, _w1, 38, "Non-secure IPA", "Secure IPA");
                StageAndClass(f);
                if (Type == EventType.FPermission)
                {
                    f.Flag("TTRnW", 1, _w1, 44, "descriptor read", "descriptor write");
                }

                Input(f);
                f.Address("IPA", 3, _w3, 55, 12);
                break;
            case EventType.FTlbConflict:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex);
                Access(f);
                f.Flag("S2", 1, _w1, 39, "stage 2", "stage 1");
                Input(f);
                f.Address("IPA", 3, _w3, 55, 12);
                break;
            case EventType.FCfgConflict:
                StreamFields(f, substream: true);
                f.Add("Reason", 1, _w1, 15, 0, FieldText.Hex);
                break;
            case EventType.EPageRequest:
                StreamFields(f, substream: true);
                Input(f);
                break;
            default:
                StreamFields(f, substream: true);
                f.Add("dw1", 1, _w1, 63, 0, FieldText.Hex).Add("dw2", 2, _w2, 63, 0, FieldText.Hex).Add("dw3", 3, _w3, 63, 0, FieldText.Hex);
                break;
        }

        return f.Fields;
    }

    private void StreamFields(FieldText f, bool substream)
    {
        if (substream)
        {
            f.Flag("SSV", 0, _w0, 11, "SubstreamID valid", "no SubstreamID")
                .Add("SubstreamID", 0, _w0, 31, 12, FieldText.Dec);
        }

        f.Add("StreamID", 0, _w0, 63, 32, FieldText.Hex);
    }

    private void Access(FieldText f) => f
        .Flag("PnU", 1, _w1, 33, "privileged", "unprivileged")
        .Flag("InD", 1, _w1, 34, "instruction", "data")
        .Flag("RnW", 1, _w1, 35, "read", "write");

    private void StageAndClass(FieldText f) => f
        .Flag("S2", 1, _w1, 39, "stage 2", "stage 1")
        .Add("CLASS", 1, _w1, 41, 40, v => FieldText.Bin(v, 2) + v switch
        {
            0 => " CD (CD fetch)",
            1 => " TT (stage-1 table walk)",
            2 => " IN (input address)",
            _ => " reserved",
        });

    private void Input(FieldText f) => f.Add("InputAddr", 2, _w2, 63, 0, FieldText.Hex);

    private void Fetch(FieldText f) => f.Address("FetchAddr", 3, _w3, 55, 3);

    /// <summary>One-line summary: event name and its fields.</summary>
    /// <returns>e.g. <c>F_TRANSLATION StreamID=0x5 ... InputAddr=0x1000</c>.</returns>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder(TypeName(Type));
        foreach (DecodedField field in Describe())
        {
            if (field.Name != "Type")
            {
                text.Append(' ').Append(field.Name).Append('=').Append(field.Value < 10 ? FieldText.Dec(field.Value) : FieldText.Hex(field.Value));
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(EventRecord other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EventRecord other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Word-wise equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when all words are equal.</returns>
    public static bool operator ==(EventRecord left, EventRecord right) => left.Equals(right);

    /// <summary>Word-wise inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when a word differs.</returns>
    public static bool operator !=(EventRecord left, EventRecord right) => !left.Equals(right);
}
