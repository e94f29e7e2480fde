using System.Globalization;

namespace ArmSmmu.Structures;

// PMCG identification registers (IHI0070 §10.5.2.13, §10.5.2.16).
// Declared, with every field and its docs, by the tables in PmcgRegisters.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial record struct PmcgCfgrRegister
{
    private static string SizeText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({v + 1}-bit counters)");

    private static string NctrText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({v + 1} counters)");
}
