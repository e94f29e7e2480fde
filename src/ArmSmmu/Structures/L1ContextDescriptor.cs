using System.Globalization;

namespace ArmSmmu.Structures;

public readonly partial struct L1ContextDescriptor
{
    /// <summary>One-line summary.</summary>
    /// <returns>V and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1CD V={(V ? 1 : 0)} L2Ptr=0x{L2Ptr:X}");
}
