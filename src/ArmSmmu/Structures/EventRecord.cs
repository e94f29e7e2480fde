using System.Globalization;
using ArmSmmu.Translation;

namespace ArmSmmu.Structures;

/// <summary>
/// An event queue record: 32 bytes, four little-endian 64-bit words (IHI0070 §7.3, digest 5.1/5.2). Fields
/// overlap between event types; <see cref="Describe"/> lists only the fields the type carries.
/// </summary>
[Record(4, CustomDescribe = true, OverlappingViews = true)]
[Field("Type", 0, 7, 0, Type = typeof(EventType), Doc = "the event number.", Meaning = nameof(TypeText))]
[Field("SSV", 0, 11, 11, Doc = "SubstreamID valid.", Set = "SubstreamID valid", Clear = "no SubstreamID")]
[Field("SubstreamId", 0, 31, 12, Spec = "SubstreamID", Doc = "SubstreamID of the transaction.", Meaning = "FieldText.Dec")]
[Field("StreamId", 0, 63, 32, Spec = "StreamID", Doc = "StreamID of the transaction.", Meaning = "FieldText.Hex")]
[Field("StallTag", 1, 15, 0, Type = typeof(ushort), Spec = "STAG", Doc = "stall tag to quote in CMD_RESUME (stall records only).", Meaning = "FieldText.Hex")]
[Field("Reason", 1, 15, 0, Type = typeof(ushort), Alias = "StallTag", Doc = "IMPLEMENTATION DEFINED reason (F_UUT, fetch and abort events); shares bits with STAG.", Meaning = "FieldText.Hex")]
[Field("GPCF", 1, 16, 16, Doc = "granule protection check fault (RME).", Set = "granule protection check fault", Clear = "no GPC fault")]
[Field("Stall", 1, 31, 31, Doc = "the transaction is stalled and awaits CMD_RESUME / CMD_STALL_TERM.", Set = "stalled, awaiting CMD_RESUME", Clear = "terminated")]
[Field("PnU", 1, 33, 33, Doc = "privileged transaction.", Set = "privileged", Clear = "unprivileged")]
[Field("InD", 1, 34, 34, Doc = "instruction fetch.", Set = "instruction", Clear = "data")]
[Field("RnW", 1, 35, 35, Doc = "read (0 = write).", Set = "read", Clear = "write")]
[Field("NSIPA", 1, 38, 38, Doc = "the IPA is Non-secure.", Set = "Non-secure IPA", Clear = "Secure IPA")]
[Field("S2", 1, 39, 39, Doc = "stage-2 fault.", Set = "stage 2", Clear = "stage 1")]
[Field("Class", 1, 41, 40, Type = typeof(FaultClass), Spec = "CLASS", Doc = "what was being accessed: CD fetch, stage-1 table walk or the input address.", Meaning = nameof(ClassText))]
[Field("TTRnW", 1, 44, 44, Doc = "F_PERMISSION on a stage-1 descriptor access: 1 read, 0 write (HTTU update).", Set = "descriptor read", Clear = "descriptor write")]
[Field("InputAddress", 2, 63, 0, Spec = "InputAddr", Doc = "the transaction's input address.", Meaning = "FieldText.Hex")]
[Field("Ipa", 3, 55, 12, Spec = "IPA", Address = true, Doc = "the IPA of a stage-2 fault.")]
[Field("FetchAddress", 3, 55, 3, Spec = "FetchAddr", Alias = "Ipa", Address = true, Doc = "the address of the structure or descriptor whose fetch failed.")]
public readonly partial struct EventRecord
{
    /// <summary>The specification's name of an event number, e.g. <c>F_TRANSLATION</c>.</summary>
    /// <param name="type">The event number.</param>
    /// <returns>The name, or <c>EVENT_0xNN</c> for reserved and IMPLEMENTATION DEFINED numbers.</returns>
    public static string TypeName(EventType type) =>
        EventTypeText.SpecName(type) ?? string.Create(CultureInfo.InvariantCulture, $"EVENT_0x{(byte)type:X2}");

    /// <summary>The fields the record's event type carries (digest 5.2 "Fields present").</summary>
    /// <returns>Type first, then the type's fields in bit order.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText("dw");
        DescribeType(f);
        switch (Type)
        {
            case EventType.FUut:
                StreamFields(f, substream: true);
                DescribeReason(f);
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
                DescribeGPCF(DescribeReason(f));
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
                DescribeRnW(f);
                Input(f);
                break;
            case EventType.CBadSubstreamId:
                DescribeSubstreamId(f);
                StreamFields(f, substream: false);
                break;
            case EventType.FCdFetch:
                StreamFields(f, substream: true);
                DescribeReason(f);
                Fetch(f);
                break;
            case EventType.FWalkEabt:
                StreamFields(f, substream: true);
                DescribeReason(f);
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
                DescribeStall(DescribeStallTag(f));
                Access(f);
                DescribeNSIPA(f);
                StageAndClass(f);
                if (Type == EventType.FPermission)
                {
                    DescribeTTRnW(f);
                }

                Input(f);
                DescribeIpa(f);
                break;
            case EventType.FTlbConflict:
                StreamFields(f, substream: true);
                DescribeReason(f);
                Access(f);
                DescribeS2(f);
                Input(f);
                DescribeIpa(f);
                break;
            case EventType.FCfgConflict:
                StreamFields(f, substream: true);
                DescribeReason(f);
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
            DescribeSubstreamId(DescribeSSV(f));
        }

        DescribeStreamId(f);
    }

    private void Access(FieldText f) => DescribeRnW(DescribeInD(DescribePnU(f)));

    private void StageAndClass(FieldText f) => DescribeClass(DescribeS2(f));

    private static string TypeText(ulong v) => FieldText.Hex(v) + " " + TypeName((EventType)v);

    private static string ClassText(ulong v) => FieldText.Enumerated(
        v, 2, "CD (CD fetch)", "TT (stage-1 table walk)", "IN (input address)", "reserved");

    private void Input(FieldText f) => DescribeInputAddress(f);

    private void Fetch(FieldText f) => DescribeFetchAddress(f);

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
}
