using System.Globalization;

namespace ArmSmmu.Structures;

// ID registers: IDR0-IDR5, IIDR, AIDR (IHI0070 §6.3.1-§6.3.8).

/// <summary>IDR0, features (IHI0070 §6.3.1, digest 1.3).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("RME_IMPL", 0, 30, 30, Doc = "RME features.", Set = "set", Clear = "clear")]
[Field("ST_LEVEL", 0, 28, 27, Doc = "00 linear Stream table only; 01 2-level supported.")]
[Field("TERM_MODEL", 0, 26, 26, Doc = "1: RAZ/WI termination not supported (CD.A must be 1).", Set = "abort only", Clear = "CD.A selects abort or RAZ/WI")]
[Field("STALL_MODEL", 0, 25, 24, Doc = "00 stall and terminate; 01 no stall; 10 stall forced.", Meaning = "StallModelText.Describe")]
[Field("ATSRECERR", 0, 23, 23, Doc = "extra ATS/PRI configuration-error events.", Set = "set", Clear = "clear")]
[Field("TTENDIAN", 0, 22, 21, Doc = "00 mixed endian; 10 little-endian only; 11 big-endian only.", Meaning = nameof(TtendianText))]
[Field("VATOS", 0, 20, 20, Doc = "virtual ATOS.", Set = "set", Clear = "clear")]
[Field("CD2L", 0, 19, 19, Doc = "2-level CD tables.", Set = "set", Clear = "clear")]
[Field("VMID16", 0, 18, 18, Doc = "16-bit VMID.", Set = "set", Clear = "clear")]
[Field("VMW", 0, 17, 17, Doc = "VMID wildcard for TLBI.", Set = "set", Clear = "clear")]
[Field("PRI", 0, 16, 16, Doc = "Page Request Interface.", Set = "set", Clear = "clear")]
[Field("ATOS", 0, 15, 15, Doc = "address translation operations.", Set = "set", Clear = "clear")]
[Field("SEV", 0, 14, 14, Doc = "WFE wake-up events.", Set = "set", Clear = "clear")]
[Field("MSI", 0, 13, 13, Doc = "MSIs.", Set = "set", Clear = "clear")]
[Field("ASID16", 0, 12, 12, Doc = "16-bit ASID.", Set = "set", Clear = "clear")]
[Field("NS1ATS", 0, 11, 11, Doc = "1: split-stage ATS NOT supported.", Set = "set", Clear = "clear")]
[Field("ATS", 0, 10, 10, Doc = "PCIe ATS.", Set = "set", Clear = "clear")]
[Field("Hyp", 0, 9, 9, Doc = "EL2 and EL2-E2H StreamWorlds.", Set = "set", Clear = "clear")]
[Field("DORMHINT", 0, 8, 8, Doc = "STATUSR.DORMANT implemented.", Set = "set", Clear = "clear")]
[Field("HTTU", 0, 7, 6, Doc = "00 none; 01 Access flag; 10 Access flag and dirty; 11 also AF in table descriptors.", Meaning = "HttuSupportText.Describe")]
[Field("BTM", 0, 5, 5, Doc = "broadcast TLB maintenance.", Set = "set", Clear = "clear")]
[Field("COHACC", 0, 4, 4, Doc = "coherent accesses.", Set = "set", Clear = "clear")]
[Field("TTF", 0, 3, 2, Doc = "01 VMSAv8-32 LPAE; 10 VMSAv8-64; 11 both.", Meaning = nameof(TtfText))]
[Field("S1P", 0, 1, 1, Doc = "stage 1 supported.", Set = "set", Clear = "clear")]
[Field("S2P", 0, 0, 0, Doc = "stage 2 supported.", Set = "set", Clear = "clear")]
public readonly partial record struct Idr0Register(uint Value)
{
    private static string TtendianText(ulong v) => FieldText.Bin(v, 2) + v switch { 0 => " mixed", 2 => " little-endian", 3 => " big-endian", _ => " reserved" };

    private static string TtfText(ulong v) => FieldText.Bin(v, 2) + v switch { 1 => " AArch32", 2 => " AArch64", 3 => " AArch32 and AArch64", _ => " reserved" };

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr0", Value, Describe());
}

/// <summary>IDR1, table and queue sizes (IHI0070 §6.3.2, digest 1.4).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("ECMDQ", 0, 31, 31, Doc = "enhanced command queues.", Set = "set", Clear = "clear")]
[Field("TABLES_PRESET", 0, 30, 30, Doc = "Stream table base registers fixed.", Set = "set", Clear = "clear")]
[Field("QUEUES_PRESET", 0, 29, 29, Doc = "queue base registers fixed.", Set = "set", Clear = "clear")]
[Field("REL", 0, 28, 28, Doc = "preset bases are offsets from the register page.", Set = "set", Clear = "clear")]
[Field("ATTR_TYPES_OVR", 0, 27, 27, Doc = "STE/GBPA MTCFG, MemAttr, ALLOCCFG and SHCFG supported.", Set = "set", Clear = "clear")]
[Field("ATTR_PERMS_OVR", 0, 26, 26, Doc = "STE/GBPA INSTCFG, PRIVCFG and NSCFG supported.", Set = "set", Clear = "clear")]
[Field("CMDQS", 0, 25, 21, Doc = "log2 of the maximum command queue entries.", Meaning = "FieldText.Dec")]
[Field("EVENTQS", 0, 20, 16, Doc = "log2 of the maximum event queue entries.", Meaning = "FieldText.Dec")]
[Field("PRIQS", 0, 15, 11, Doc = "log2 of the maximum PRI queue entries.", Meaning = "FieldText.Dec")]
[Field("SSIDSIZE", 0, 10, 6, Doc = "SubstreamID bits.", Meaning = "FieldText.Dec")]
[Field("SIDSIZE", 0, 5, 0, Doc = "StreamID bits.", Meaning = "FieldText.Dec")]
public readonly partial record struct Idr1Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr1", Value, Describe());
}

/// <summary>IDR2 (IHI0070 §6.3.3, digest 1.5): where the VATOS page is.</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("BA_VATOS", 0, 9, 0, Doc = "offset of the VATOS page from page 0, in 64 KB units (0 when VATOS is absent).", Meaning = nameof(BaVatosText))]
public readonly partial record struct Idr2Register(uint Value)
{
    private static string BaVatosText(ulong v) => v == 0 ? "0 (no VATOS page)" : string.Create(CultureInfo.InvariantCulture, $"{v} (offset 0x{v << 16:X})");

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr2", Value, Describe());
}

/// <summary>IDR3 (IHI0070 §6.3.4, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("AIE", 0, 23, 23, Doc = "attribute index enhancement.", Set = "set", Clear = "clear")]
[Field("MTEPERM", 0, 22, 22, Doc = "MTE permissions.", Set = "set", Clear = "clear")]
[Field("THE", 0, 21, 21, Doc = "translation hardening.", Set = "set", Clear = "clear")]
[Field("S2PO", 0, 20, 20, Doc = "stage-2 permission overlays.", Set = "set", Clear = "clear")]
[Field("S2PI", 0, 19, 19, Doc = "stage-2 permission indirection.", Set = "set", Clear = "clear")]
[Field("S1PI", 0, 18, 18, Doc = "stage-1 permission indirection.", Set = "set", Clear = "clear")]
[Field("EPAN", 0, 17, 17, Doc = "enhanced PAN.", Set = "set", Clear = "clear")]
[Field("PASIDTT", 0, 16, 16, Doc = "PASID translation tables.", Set = "set", Clear = "clear")]
[Field("DPT", 0, 15, 15, Doc = "device permission table.", Set = "set", Clear = "clear")]
[Field("PTWNNC", 0, 14, 14, Doc = "walks to Device memory treated as Normal-NC.", Set = "set", Clear = "clear")]
[Field("E0PD", 0, 13, 13, Doc = "CD.E0PDx supported.", Set = "set", Clear = "clear")]
[Field("BBML", 0, 12, 11, Doc = "break-before-make level.", Meaning = "FieldText.Dec")]
[Field("RIL", 0, 10, 10, Doc = "range invalidation and TTL hints.", Set = "set", Clear = "clear")]
[Field("STT", 0, 9, 9, Doc = "small translation tables.", Set = "set", Clear = "clear")]
[Field("FWB", 0, 8, 8, Doc = "STE.S2FWB supported.", Set = "set", Clear = "clear")]
[Field("MPAM", 0, 7, 7, Doc = "MPAM.", Set = "set", Clear = "clear")]
[Field("PPS", 0, 5, 5, Doc = "PRI responses always carry a PASID.", Set = "set", Clear = "clear")]
[Field("XNX", 0, 4, 4, Doc = "stage-2 XN[1:0].", Set = "set", Clear = "clear")]
[Field("PBHA", 0, 3, 3, Doc = "page-based hardware attributes.", Set = "set", Clear = "clear")]
[Field("HAD", 0, 2, 2, Doc = "CD.HAD0/HAD1 supported.", Set = "set", Clear = "clear")]
public readonly partial record struct Idr3Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr3", Value, Describe());
}

/// <summary>IDR5 (IHI0070 §6.3.6, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("STALL_MAX", 0, 31, 16, Doc = "maximum outstanding stalled transactions.", Meaning = "FieldText.Dec")]
[Field("VAX", 0, 11, 10, Doc = "00 48-bit VA; 01 52-bit; 10 56-bit.", Meaning = nameof(VaxText))]
[Field("D128", 0, 8, 8, Doc = "VMSAv9-128 descriptors.", Set = "set", Clear = "clear")]
[Field("DS", 0, 7, 7, Doc = "52-bit addresses with 4 KB / 16 KB granules.", Set = "set", Clear = "clear")]
[Field("GRAN64K", 0, 6, 6, Doc = "64 KB granule.", Set = "set", Clear = "clear")]
[Field("GRAN16K", 0, 5, 5, Doc = "16 KB granule.", Set = "set", Clear = "clear")]
[Field("GRAN4K", 0, 4, 4, Doc = "4 KB granule.", Set = "set", Clear = "clear")]
[Field("OAS", 0, 2, 0, Doc = "output address size.", Meaning = "FieldText.AddressSize")]
public readonly partial record struct Idr5Register(uint Value)
{
    private static string VaxText(ulong v) => FieldText.Bin(v, 2) + v switch { 0 => " 48-bit VA", 1 => " 52-bit VA", 2 => " 56-bit VA", _ => " reserved" };

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr5", Value, Describe());
}

/// <summary>IIDR, implementation identification (IHI0070 §6.3.7, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("ProductID", 0, 31, 20, Doc = "product identifier (MMU-600 = 0x483, MMU-700 = 0x487).", Meaning = "FieldText.Hex")]
[Field("Variant", 0, 19, 16, Doc = "major revision.", Meaning = "FieldText.Dec")]
[Field("Revision", 0, 15, 12, Doc = "minor revision.", Meaning = "FieldText.Dec")]
[Field("Implementer", 0, 11, 0, Doc = "JEP106 implementer code (Arm = 0x43B).", Meaning = "FieldText.Hex")]
public readonly partial record struct IidrRegister(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Iidr", Value, Describe());
}

/// <summary>AIDR, architecture revision (IHI0070 §6.3.8, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("ArchMajorRev", 0, 7, 4, Doc = "0 = SMMUv3.x.", Meaning = "FieldText.Dec")]
[Field("ArchMinorRev", 0, 3, 0, Doc = "0..4 = SMMUv3.0..v3.4.", Meaning = nameof(ArchminorrevText))]
public readonly partial record struct AidrRegister(uint Value)
{
    private static string ArchminorrevText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} (SMMUv3.{v})");

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Aidr", Value, Describe());
}
