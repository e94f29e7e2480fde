using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// A Context Descriptor: 64 bytes, 8 little-endian 64-bit words (IHI0070 §5.4, digest 3.1). Each property decodes
/// one field; its <c>init</c> accessor encodes it, so <c>cd with { V = false }</c> edits one field. The field table
/// below is the only declaration of the layout; ArmSmmu.Generators writes the accessors from it.
/// </summary>
[Record(8)]
[Field("T0SZ", 0, 5, 0, Doc = "TTB0 region is 2^(64-T0SZ) bytes.", Meaning = nameof(TxszText))]
[Field("TG0", 0, 7, 6, Type = typeof(Tg0Granule), Doc = "TTB0 granule (00 4 KB, 01 64 KB, 10 16 KB, 11 reserved).", Meaning = "Tg0GranuleText.Describe")]
[Field("IR0", 0, 9, 8, Doc = "TTB0 walk inner cacheability (RGN encoding).", Meaning = "FieldText.Cacheability")]
[Field("OR0", 0, 11, 10, Doc = "TTB0 walk outer cacheability (RGN encoding).", Meaning = "FieldText.Cacheability")]
[Field("SH0", 0, 13, 12, Doc = "TTB0 walk shareability.", Meaning = "FieldText.Shareability")]
[Field("EPD0", 0, 14, 14, Doc = "no walks through TTB0.", Set = "TTB0 walks disabled", Clear = "TTB0 walks enabled")]
[Field("ENDI", 0, 15, 15, Doc = "translation tables are big-endian.", Set = "big-endian tables", Clear = "little-endian tables")]
[Field("T1SZ", 0, 21, 16, Doc = "TTB1 region is 2^(64-T1SZ) bytes.", Meaning = nameof(TxszText))]
[Field("TG1", 0, 23, 22, Type = typeof(Tg1Granule), Doc = "TTB1 granule (TCR TG1 encoding: 00 reserved, 01 16 KB, 10 4 KB, 11 64 KB).", Meaning = "Tg1GranuleText.Describe")]
[Field("IR1", 0, 25, 24, Doc = "TTB1 walk inner cacheability.", Meaning = "FieldText.Cacheability")]
[Field("OR1", 0, 27, 26, Doc = "TTB1 walk outer cacheability.", Meaning = "FieldText.Cacheability")]
[Field("SH1", 0, 29, 28, Doc = "TTB1 walk shareability.", Meaning = "FieldText.Shareability")]
[Field("EPD1", 0, 30, 30, Doc = "no walks through TTB1.", Set = "TTB1 walks disabled", Clear = "TTB1 walks enabled")]
[Field("V", 0, 31, 31, Doc = "CD valid.", Set = "valid", Clear = "invalid (C_BAD_CD)")]
[Field("IPS", 0, 34, 32, Doc = "intermediate (stage-1 output) size.", Meaning = "FieldText.AddressSize")]
[Field("AFFD", 0, 35, 35, Doc = "Access flag faults disabled.", Set = "no Access flag faults", Clear = "Access flag faults")]
[Field("WXN", 0, 36, 36, Doc = "writable implies execute-never.", Set = "writable implies XN", Clear = "no WXN")]
[Field("UWXN", 0, 37, 37, Doc = "unprivileged writable implies privileged execute-never (AArch32 only).", Set = "unprivileged writable implies PXN", Clear = "no UWXN")]
[Field("TBI0", 0, 38, 38, Doc = "top byte ignored for the TTB0 range.", Set = "top byte ignored (TTB0)", Clear = "top byte used (TTB0)")]
[Field("TBI1", 0, 39, 39, Doc = "top byte ignored for the TTB1 range.", Set = "top byte ignored (TTB1)", Clear = "top byte used (TTB1)")]
[Field("PAN", 0, 40, 40, Doc = "privileged access never.", Set = "privileged access never", Clear = "no PAN")]
[Field("AA64", 0, 41, 41, Doc = "VMSAv8-64 tables.", Set = "VMSAv8-64", Clear = "VMSAv8-32 LPAE")]
[Field("HD", 0, 42, 42, Doc = "hardware dirty-state update.", Set = "hardware dirty update", Clear = "no hardware dirty update")]
[Field("HA", 0, 43, 43, Doc = "hardware Access flag update.", Set = "hardware Access flag update", Clear = "no hardware Access flag update")]
[Field("S", 0, 44, 44, Doc = "stage-1 faults stall.", Set = "faults stall", Clear = "faults terminate")]
[Field("R", 0, 45, 45, Doc = "stage-1 faults are recorded.", Set = "faults recorded", Clear = "faults not recorded")]
[Field("A", 0, 46, 46, Doc = "stage-1 faults abort (else RAZ/WI).", Set = "terminate with abort", Clear = "terminate as RAZ/WI")]
[Field("ASET", 0, 47, 47, Doc = "ASID is SMMU-private (not shared with the PE).", Set = "SMMU-private ASID", Clear = "ASID shared with PE")]
[Field("ASID", 0, 63, 48, Type = typeof(ushort), Doc = "address space identifier.", Meaning = "FieldText.Dec")]
[Field("NSCFG0", 1, 0, 0, Doc = "TTB0 walk starts Non-secure (Secure streams only).", Set = "TTB0 walk Non-secure", Clear = "TTB0 walk Secure")]
[Field("HAD0", 1, 1, 1, Doc = "hierarchical attributes disabled for TTB0.", Set = "hierarchical attributes disabled (TTB0)", Clear = "hierarchical attributes enabled (TTB0)")]
[Field("E0PD0", 1, 2, 2, Doc = "EL0 accesses to the TTB0 range fault.", Set = "EL0 access to TTB0 range faults", Clear = "no E0PD (TTB0)")]
[Field("TTB0", 1, 55, 4, Address = true, Doc = "TTB0 table base.")]
[Field("NSCFG1", 2, 0, 0, Doc = "TTB1 walk starts Non-secure (Secure streams only).", Set = "TTB1 walk Non-secure", Clear = "TTB1 walk Secure")]
[Field("HAD1", 2, 1, 1, Doc = "hierarchical attributes disabled for TTB1.", Set = "hierarchical attributes disabled (TTB1)", Clear = "hierarchical attributes enabled (TTB1)")]
[Field("E0PD1", 2, 2, 2, Doc = "EL0 accesses to the TTB1 range fault.", Set = "EL0 access to TTB1 range faults", Clear = "no E0PD (TTB1)")]
[Field("TTB1", 2, 55, 4, Address = true, Doc = "TTB1 table base.")]
[Field("DS", 2, 58, 58, Doc = "52-bit addresses with 4 KB / 16 KB granules.", Set = "52-bit with 4 KB/16 KB", Clear = "no DS")]
[Field("MAIR", 3, 63, 0, Doc = "the 64-bit memory attribute indirection register (MAIR0 in [31:0], MAIR1 in [63:32]).", Meaning = "FieldText.Hex")]
[Field("AMAIR", 4, 63, 0, Doc = "auxiliary memory attributes (IMPLEMENTATION DEFINED).", Meaning = "FieldText.Hex")]
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
