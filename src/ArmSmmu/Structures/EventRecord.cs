using System.Globalization;
using ArmSmmu.Translation;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in EventRecord.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

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
