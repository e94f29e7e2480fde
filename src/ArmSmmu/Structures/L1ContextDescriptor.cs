using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>Level-1 Context Descriptor: 8 bytes (IHI0070 §5.3, digest 3.4).</summary>
[Record(1)]
[Field("V", 0, 0, 0, Doc = "valid; an invalid L1CD makes its SubstreamIDs C_BAD_SUBSTREAMID.", Set = "valid", Clear = "invalid (C_BAD_SUBSTREAMID)")]
[Field("L2Ptr", 0, 55, 12, Address = true, Doc = "the leaf CD table.")]
public readonly partial struct L1ContextDescriptor
{
    /// <summary>One-line summary.</summary>
    /// <returns>V and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1CD V={(V ? 1 : 0)} L2Ptr=0x{L2Ptr:X}");
}
