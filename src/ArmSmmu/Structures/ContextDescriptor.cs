using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in ContextDescriptor.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct ContextDescriptor
{
    /// <summary>The all-zero CD (V = 0).</summary>
    public static ContextDescriptor Invalid => default;

    private static string TxszText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({64 - (long)v}-bit region)");

    /// <summary>One-line summary.</summary>
    /// <returns>V, ASID and the TTB0 configuration.</returns>
    public override string ToString() => !V
        ? "CD invalid"
        : string.Create(CultureInfo.InvariantCulture, $"CD V=1 ASID={ASID} TTB0=0x{TTB0:X} T0SZ={T0SZ} TG0={(uint)TG0} EPD0={(EPD0 ? 1 : 0)} EPD1={(EPD1 ? 1 : 0)} IPS={IPS} AA64={(AA64 ? 1 : 0)} R={(R ? 1 : 0)} A={(A ? 1 : 0)} S={(S ? 1 : 0)}");
}
