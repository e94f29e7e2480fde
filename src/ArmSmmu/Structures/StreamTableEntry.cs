using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in StreamTableEntry.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct StreamTableEntry
{
    /// <summary>The abort STE Linux fills unused entries with: V=1, Config=0b000 (dw0 = 0x1).</summary>
    public static StreamTableEntry Abort => new(0x1);

    /// <summary>The bypass STE Linux writes: V=1, Config=0b100 (dw0 = 0x9), SHCFG=01 "use incoming" (dw1 bit 44).</summary>
    public static StreamTableEntry BypassEntry => new(0x9, 1UL << 44);

    /// <summary>Valid and Config = 0b1x1: stage 1 translates (IHI0070 §5.2: Config[0] with Config[2]).</summary>
    public bool Stage1Enabled => V && ((uint)Config & 0b101) == 0b101;

    /// <summary>Valid and Config = 0b11x: stage 2 translates.</summary>
    public bool Stage2Enabled => V && ((uint)Config & 0b110) == 0b110;

    private static string S1CDMaxText(ulong v) =>
        v == 0 ? "0 single CD, no substreams" : string.Create(CultureInfo.InvariantCulture, $"{v} ({1UL << (int)v} CDs)");

    private static string S2T0szText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({64 - (long)v}-bit IPA)");

    /// <summary>One-line summary.</summary>
    /// <returns>V, Config and the pointers in use.</returns>
    public override string ToString()
    {
        if (!V)
        {
            return "STE invalid";
        }

        string text = "STE V=1 Config=" + SteConfigText.Describe((uint)Config);
        if (((uint)Config & 0b101) == 0b101)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" S1ContextPtr=0x{S1ContextPtr:X} S1Fmt={(uint)S1Fmt} S1CDMax={S1CDMax} S1DSS={(uint)S1DSS}");
        }

        if (((uint)Config & 0b110) == 0b110)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" S2VMID={S2VMID} S2TTB=0x{S2TTB:X} S2T0SZ={S2T0SZ} S2SL0={S2SL0} S2TG={(uint)S2TG}");
        }

        return text;
    }
}
