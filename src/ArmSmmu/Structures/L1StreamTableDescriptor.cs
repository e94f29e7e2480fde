using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>Level-1 Stream Table Descriptor: 8 bytes (IHI0070 §5.1, digest 2.4).</summary>
[Record(1)]
[Field("Span", 0, 4, 0, Doc = "0 invalid; 1..11 = the L2 array holds 2^(Span-1) STEs; 12..31 reserved.", Meaning = nameof(SpanText))]
[Field("L2Ptr", 0, 55, 6, Address = true, Doc = "the level-2 STE array.")]
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
