using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in L1StreamTableDescriptor.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct L1StreamTableDescriptor
{
    private static string SpanText(ulong v) => v switch
    {
        0 => "0 invalid",
        <= 11 => string.Create(CultureInfo.InvariantCulture, $"{v} ({1UL << (int)(v - 1)} STEs)"),
        _ => FieldText.Dec(v) + " reserved (invalid)",
    };

    /// <summary>One-line summary.</summary>
    /// <returns>Span and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1STD Span={Span} L2Ptr=0x{L2Ptr:X}");
}
