using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in L1ContextDescriptor.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct L1ContextDescriptor
{
    /// <summary>One-line summary.</summary>
    /// <returns>V and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1CD V={(V ? 1 : 0)} L2Ptr=0x{L2Ptr:X}");
}
