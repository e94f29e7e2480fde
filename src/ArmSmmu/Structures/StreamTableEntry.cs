using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// A Stream Table Entry: 64 bytes, 8 little-endian 64-bit words (IHI0070 §5.2, digest 2.1). Each property decodes
/// one field; its <c>init</c> accessor encodes it, so <c>ste with { V = false }</c> edits one field. The field table
/// below is the only declaration of the layout; ArmSmmu.Generators writes the accessors from it.
/// </summary>
[Record(8)]
[Field("V", 0, 0, 0, Doc = "entry valid.", Set = "valid", Clear = "invalid (C_BAD_STE)")]
[Field("Config", 0, 3, 1, Type = typeof(SteConfig), Meaning = "SteConfigText.Describe")]
[Field("S1Fmt", 0, 5, 4, Type = typeof(CdTableFormat), Doc = "CD table format (00 linear, 01 2-level 4 KB leaves, 10 2-level 64 KB leaves).", Meaning = "CdTableFormatText.Describe")]
[Field("S1ContextPtr", 0, 55, 6, Address = true)]
[Field("S1CDMax", 0, 63, 59, Doc = "log2 of the number of CDs.", Meaning = nameof(S1CDMaxText))]
[Field("S1DSS", 1, 1, 0, Type = typeof(DefaultSubstream), Doc = "default substream behaviour.", Meaning = "DefaultSubstreamText.Describe")]
[Field("S1CIR", 1, 3, 2, Doc = "CD fetch inner cacheability.", Meaning = "FieldText.Cacheability")]
[Field("S1COR", 1, 5, 4, Doc = "CD fetch outer cacheability.", Meaning = "FieldText.Cacheability")]
[Field("S1CSH", 1, 7, 6, Doc = "CD fetch shareability.", Meaning = "FieldText.Shareability")]
[Field("S2HWU59", 1, 8, 8, Doc = "(PBHA).")]
[Field("S2HWU60", 1, 9, 9, Doc = "(PBHA).")]
[Field("S2HWU61", 1, 10, 10, Doc = "(PBHA).")]
[Field("S2HWU62", 1, 11, 11, Doc = "(PBHA).")]
[Field("DRE", 1, 12, 12, Doc = "destructive read enable.", Set = "destructive reads allowed", Clear = "no destructive reads")]
[Field("CONT", 1, 16, 13, Doc = "contiguous hint, 2^CONT StreamIDs.")]
[Field("DCP", 1, 17, 17, Doc = "directed cache prefetch.", Set = "directed cache prefetch", Clear = "no directed cache prefetch")]
[Field("PPAR", 1, 18, 18, Doc = "PRI auto-responses carry a PASID.", Set = "PRI auto-responses with PASID", Clear = "PRI auto-responses without PASID")]
[Field("MEV", 1, 19, 19, Doc = "event merging permitted.", Set = "event merging permitted", Clear = "no event merging")]
[Field("SW_RESERVED", 1, 23, 20, Doc = "ignored by the SMMU.")]
[Field("S1PIE", 1, 24, 24, Doc = "(SMMUv3.4 permission indirection).", Set = "stage-1 permission indirection", Clear = "direct permissions")]
[Field("S2FWB", 1, 25, 25, Doc = "stage-2 forced write-back.", Set = "stage-2 forced write-back", Clear = "normal stage-2 combining")]
[Field("S1MPAM", 1, 26, 26, Set = "CD supplies MPAM", Clear = "STE supplies MPAM")]
[Field("S1STALLD", 1, 27, 27, Doc = "CDs may not select stall.", Set = "stalls disallowed in CDs", Clear = "CDs may stall")]
[Field("EATS", 1, 29, 28, Type = typeof(AtsEnable), Doc = "ATS enable.", Meaning = "AtsEnableText.Describe")]
[Field("STRW", 1, 31, 30, Type = typeof(StreamWorldEncoding), Doc = "StreamWorld (00 NS-EL1, 10 NS-EL2).", Meaning = "StreamWorldEncodingText.Describe")]
[Field("MemAttr", 1, 35, 32, Doc = "memory type override, used when MTCFG=1.", Meaning = "FieldText.MemAttr")]
[Field("MTCFG", 1, 36, 36, Doc = "replace the memory type by MemAttr.", Set = "memory type from MemAttr", Clear = "incoming memory type")]
[Field("ALLOCCFG", 1, 40, 37, Doc = "allocation hint override.", Meaning = "FieldText.AllocCfg")]
[Field("SHCFG", 1, 45, 44, Doc = "shareability override (01 = use incoming).", Meaning = "FieldText.ShareabilityOverride")]
[Field("NSCFG", 1, 47, 46, Doc = "NS attribute override (Secure STEs only).", Meaning = nameof(NsCfgText))]
[Field("PRIVCFG", 1, 49, 48, Doc = "privilege override.", Meaning = "FieldText.PrivCfg")]
[Field("INSTCFG", 1, 51, 50, Doc = "instruction/data override.", Meaning = "FieldText.InstCfg")]
[Field("S2VMID", 2, 15, 0, Type = typeof(ushort))]
[Field("S2T0SZ", 2, 37, 32, Doc = "stage-2 input size is 64 - S2T0SZ bits.", Meaning = nameof(S2T0szText))]
[Field("S2SL0", 2, 39, 38, Doc = "stage-2 starting level (VTCR_EL2.SL0 encoding).")]
[Field("S2IR0", 2, 41, 40, Doc = "stage-2 walk inner cacheability.", Meaning = "FieldText.Cacheability")]
[Field("S2OR0", 2, 43, 42, Doc = "stage-2 walk outer cacheability.", Meaning = "FieldText.Cacheability")]
[Field("S2SH0", 2, 45, 44, Doc = "stage-2 walk shareability.", Meaning = "FieldText.Shareability")]
[Field("S2TG", 2, 47, 46, Type = typeof(Tg0Granule), Doc = "stage-2 granule (00 4 KB, 01 64 KB, 10 16 KB).", Meaning = "Tg0GranuleText.Describe")]
[Field("S2PS", 2, 50, 48, Doc = "stage-2 output size.", Meaning = "FieldText.AddressSize")]
[Field("S2AA64", 2, 51, 51, Doc = "stage-2 tables are VMSAv8-64.", Set = "VMSAv8-64", Clear = "VMSAv8-32 LPAE")]
[Field("S2ENDI", 2, 52, 52, Doc = "stage-2 tables are big-endian.", Set = "big-endian tables", Clear = "little-endian tables")]
[Field("S2AFFD", 2, 53, 53, Doc = "stage-2 Access flag faults disabled.", Set = "no stage-2 Access flag faults", Clear = "stage-2 Access flag faults")]
[Field("S2PTW", 2, 54, 54, Doc = "stage-1 walks to stage-2 Device memory fault.", Set = "stage-1 walks to Device memory fault", Clear = "no walk-type check")]
[Field("S2HD", 2, 55, 55, Doc = "stage-2 hardware dirty-state update.", Set = "hardware dirty update", Clear = "no hardware dirty update")]
[Field("S2HA", 2, 56, 56, Doc = "stage-2 hardware Access-flag update.", Set = "hardware Access flag update", Clear = "no hardware Access flag update")]
[Field("S2S", 2, 57, 57, Doc = "stage-2 faults stall.", Set = "stage-2 faults stall", Clear = "stage-2 faults terminate")]
[Field("S2R", 2, 58, 58, Doc = "stage-2 faults are recorded.", Set = "stage-2 faults recorded", Clear = "stage-2 faults not recorded")]
[Field("S2NSW", 3, 0, 0, Doc = "(Secure STE only).", Set = "Non-secure walks", Clear = "Secure walks")]
[Field("S2NSA", 3, 1, 1, Doc = "(Secure STE only).", Set = "Non-secure output", Clear = "Secure output")]
[Field("S2TTB", 3, 55, 4, Address = true)]
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

    private static string NsCfgText(ulong v) => FieldText.Enumerated(v, 2, "use incoming", "use incoming", "Secure", "Non-secure");

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
