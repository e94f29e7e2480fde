using System.Globalization;

namespace ArmSmmu.Structures;

// ID registers: IDR0-IDR5, IIDR, AIDR (IHI0070 §6.3.1-§6.3.8).

/// <summary>IDR0, features (IHI0070 §6.3.1, digest 1.3).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr0Register(uint Value)
{
    /// <summary>RME_IMPL, [30]: RME features.</summary>
    public bool RME_IMPL { get => Bits.IsSet(Value, 30); init => Value = (uint)Bits.With(Value, 30, value); }

    /// <summary>ST_LEVEL, [28:27]: 00 linear Stream table only; 01 2-level supported.</summary>
    public uint ST_LEVEL { get => (uint)Bits.Extract(Value, 28, 27); init => Value = (uint)Bits.Insert(Value, 28, 27, value); }

    /// <summary>TERM_MODEL, [26]: 1: RAZ/WI termination not supported (CD.A must be 1).</summary>
    public bool TERM_MODEL { get => Bits.IsSet(Value, 26); init => Value = (uint)Bits.With(Value, 26, value); }

    /// <summary>STALL_MODEL, [25:24]: 00 stall and terminate; 01 no stall; 10 stall forced.</summary>
    public uint STALL_MODEL { get => (uint)Bits.Extract(Value, 25, 24); init => Value = (uint)Bits.Insert(Value, 25, 24, value); }

    /// <summary>ATSRECERR, [23]: extra ATS/PRI configuration-error events.</summary>
    public bool ATSRECERR { get => Bits.IsSet(Value, 23); init => Value = (uint)Bits.With(Value, 23, value); }

    /// <summary>TTENDIAN, [22:21]: 00 mixed endian; 10 little-endian only; 11 big-endian only.</summary>
    public uint TTENDIAN { get => (uint)Bits.Extract(Value, 22, 21); init => Value = (uint)Bits.Insert(Value, 22, 21, value); }

    /// <summary>VATOS, [20]: virtual ATOS.</summary>
    public bool VATOS { get => Bits.IsSet(Value, 20); init => Value = (uint)Bits.With(Value, 20, value); }

    /// <summary>CD2L, [19]: 2-level CD tables.</summary>
    public bool CD2L { get => Bits.IsSet(Value, 19); init => Value = (uint)Bits.With(Value, 19, value); }

    /// <summary>VMID16, [18]: 16-bit VMID.</summary>
    public bool VMID16 { get => Bits.IsSet(Value, 18); init => Value = (uint)Bits.With(Value, 18, value); }

    /// <summary>VMW, [17]: VMID wildcard for TLBI.</summary>
    public bool VMW { get => Bits.IsSet(Value, 17); init => Value = (uint)Bits.With(Value, 17, value); }

    /// <summary>PRI, [16]: Page Request Interface.</summary>
    public bool PRI { get => Bits.IsSet(Value, 16); init => Value = (uint)Bits.With(Value, 16, value); }

    /// <summary>ATOS, [15]: address translation operations.</summary>
    public bool ATOS { get => Bits.IsSet(Value, 15); init => Value = (uint)Bits.With(Value, 15, value); }

    /// <summary>SEV, [14]: WFE wake-up events.</summary>
    public bool SEV { get => Bits.IsSet(Value, 14); init => Value = (uint)Bits.With(Value, 14, value); }

    /// <summary>MSI, [13]: MSIs.</summary>
    public bool MSI { get => Bits.IsSet(Value, 13); init => Value = (uint)Bits.With(Value, 13, value); }

    /// <summary>ASID16, [12]: 16-bit ASID.</summary>
    public bool ASID16 { get => Bits.IsSet(Value, 12); init => Value = (uint)Bits.With(Value, 12, value); }

    /// <summary>NS1ATS, [11]: 1: split-stage ATS NOT supported.</summary>
    public bool NS1ATS { get => Bits.IsSet(Value, 11); init => Value = (uint)Bits.With(Value, 11, value); }

    /// <summary>ATS, [10]: PCIe ATS.</summary>
    public bool ATS { get => Bits.IsSet(Value, 10); init => Value = (uint)Bits.With(Value, 10, value); }

    /// <summary>Hyp, [9]: EL2 and EL2-E2H StreamWorlds.</summary>
    public bool Hyp { get => Bits.IsSet(Value, 9); init => Value = (uint)Bits.With(Value, 9, value); }

    /// <summary>DORMHINT, [8]: STATUSR.DORMANT implemented.</summary>
    public bool DORMHINT { get => Bits.IsSet(Value, 8); init => Value = (uint)Bits.With(Value, 8, value); }

    /// <summary>HTTU, [7:6]: 00 none; 01 Access flag; 10 Access flag and dirty; 11 also AF in table descriptors.</summary>
    public uint HTTU { get => (uint)Bits.Extract(Value, 7, 6); init => Value = (uint)Bits.Insert(Value, 7, 6, value); }

    /// <summary>BTM, [5]: broadcast TLB maintenance.</summary>
    public bool BTM { get => Bits.IsSet(Value, 5); init => Value = (uint)Bits.With(Value, 5, value); }

    /// <summary>COHACC, [4]: coherent accesses.</summary>
    public bool COHACC { get => Bits.IsSet(Value, 4); init => Value = (uint)Bits.With(Value, 4, value); }

    /// <summary>TTF, [3:2]: 01 VMSAv8-32 LPAE; 10 VMSAv8-64; 11 both.</summary>
    public uint TTF { get => (uint)Bits.Extract(Value, 3, 2); init => Value = (uint)Bits.Insert(Value, 3, 2, value); }

    /// <summary>S1P, [1]: stage 1 supported.</summary>
    public bool S1P { get => Bits.IsSet(Value, 1); init => Value = (uint)Bits.With(Value, 1, value); }

    /// <summary>S2P, [0]: stage 2 supported.</summary>
    public bool S2P { get => Bits.IsSet(Value, 0); init => Value = (uint)Bits.With(Value, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("RME_IMPL", 0, Value, 30, "set", "clear")
        .Add("ST_LEVEL", 0, Value, 28, 27)
        .Flag("TERM_MODEL", 0, Value, 26, "abort only", "CD.A selects abort or RAZ/WI")
        .Add("STALL_MODEL", 0, Value, 25, 24, v => FieldText.Bin(v, 2) + v switch { 0 => " stall and terminate", 1 => " terminate only", 2 => " stall forced", _ => " reserved" })
        .Flag("ATSRECERR", 0, Value, 23, "set", "clear")
        .Add("TTENDIAN", 0, Value, 22, 21, v => FieldText.Bin(v, 2) + v switch { 0 => " mixed", 2 => " little-endian", 3 => " big-endian", _ => " reserved" })
        .Flag("VATOS", 0, Value, 20, "set", "clear")
        .Flag("CD2L", 0, Value, 19, "set", "clear")
        .Flag("VMID16", 0, Value, 18, "set", "clear")
        .Flag("VMW", 0, Value, 17, "set", "clear")
        .Flag("PRI", 0, Value, 16, "set", "clear")
        .Flag("ATOS", 0, Value, 15, "set", "clear")
        .Flag("SEV", 0, Value, 14, "set", "clear")
        .Flag("MSI", 0, Value, 13, "set", "clear")
        .Flag("ASID16", 0, Value, 12, "set", "clear")
        .Flag("NS1ATS", 0, Value, 11, "set", "clear")
        .Flag("ATS", 0, Value, 10, "set", "clear")
        .Flag("Hyp", 0, Value, 9, "set", "clear")
        .Flag("DORMHINT", 0, Value, 8, "set", "clear")
        .Add("HTTU", 0, Value, 7, 6, v => FieldText.Bin(v, 2) + v switch { 0 => " none", 1 => " Access flag", 2 => " Access flag and dirty", _ => " AF, dirty, table AF" })
        .Flag("BTM", 0, Value, 5, "set", "clear")
        .Flag("COHACC", 0, Value, 4, "set", "clear")
        .Add("TTF", 0, Value, 3, 2, v => FieldText.Bin(v, 2) + v switch { 1 => " AArch32", 2 => " AArch64", 3 => " AArch32 and AArch64", _ => " reserved" })
        .Flag("S1P", 0, Value, 1, "set", "clear")
        .Flag("S2P", 0, Value, 0, "set", "clear")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr0", Value, Describe());
}

/// <summary>IDR1, table and queue sizes (IHI0070 §6.3.2, digest 1.4).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr1Register(uint Value)
{
    /// <summary>ECMDQ, [31]: enhanced command queues.</summary>
    public bool ECMDQ { get => Bits.IsSet(Value, 31); init => Value = (uint)Bits.With(Value, 31, value); }

    /// <summary>TABLES_PRESET, [30]: Stream table base registers fixed.</summary>
    public bool TABLES_PRESET { get => Bits.IsSet(Value, 30); init => Value = (uint)Bits.With(Value, 30, value); }

    /// <summary>QUEUES_PRESET, [29]: queue base registers fixed.</summary>
    public bool QUEUES_PRESET { get => Bits.IsSet(Value, 29); init => Value = (uint)Bits.With(Value, 29, value); }

    /// <summary>REL, [28]: preset bases are offsets from the register page.</summary>
    public bool REL { get => Bits.IsSet(Value, 28); init => Value = (uint)Bits.With(Value, 28, value); }

    /// <summary>ATTR_TYPES_OVR, [27]: STE/GBPA MTCFG, MemAttr, ALLOCCFG and SHCFG supported.</summary>
    public bool ATTR_TYPES_OVR { get => Bits.IsSet(Value, 27); init => Value = (uint)Bits.With(Value, 27, value); }

    /// <summary>ATTR_PERMS_OVR, [26]: STE/GBPA INSTCFG, PRIVCFG and NSCFG supported.</summary>
    public bool ATTR_PERMS_OVR { get => Bits.IsSet(Value, 26); init => Value = (uint)Bits.With(Value, 26, value); }

    /// <summary>CMDQS, [25:21]: log2 of the maximum command queue entries.</summary>
    public uint CMDQS { get => (uint)Bits.Extract(Value, 25, 21); init => Value = (uint)Bits.Insert(Value, 25, 21, value); }

    /// <summary>EVENTQS, [20:16]: log2 of the maximum event queue entries.</summary>
    public uint EVENTQS { get => (uint)Bits.Extract(Value, 20, 16); init => Value = (uint)Bits.Insert(Value, 20, 16, value); }

    /// <summary>PRIQS, [15:11]: log2 of the maximum PRI queue entries.</summary>
    public uint PRIQS { get => (uint)Bits.Extract(Value, 15, 11); init => Value = (uint)Bits.Insert(Value, 15, 11, value); }

    /// <summary>SSIDSIZE, [10:6]: SubstreamID bits.</summary>
    public uint SSIDSIZE { get => (uint)Bits.Extract(Value, 10, 6); init => Value = (uint)Bits.Insert(Value, 10, 6, value); }

    /// <summary>SIDSIZE, [5:0]: StreamID bits.</summary>
    public uint SIDSIZE { get => (uint)Bits.Extract(Value, 5, 0); init => Value = (uint)Bits.Insert(Value, 5, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("ECMDQ", 0, Value, 31, "set", "clear")
        .Flag("TABLES_PRESET", 0, Value, 30, "set", "clear")
        .Flag("QUEUES_PRESET", 0, Value, 29, "set", "clear")
        .Flag("REL", 0, Value, 28, "set", "clear")
        .Flag("ATTR_TYPES_OVR", 0, Value, 27, "set", "clear")
        .Flag("ATTR_PERMS_OVR", 0, Value, 26, "set", "clear")
        .Add("CMDQS", 0, Value, 25, 21, FieldText.Dec)
        .Add("EVENTQS", 0, Value, 20, 16, FieldText.Dec)
        .Add("PRIQS", 0, Value, 15, 11, FieldText.Dec)
        .Add("SSIDSIZE", 0, Value, 10, 6, FieldText.Dec)
        .Add("SIDSIZE", 0, Value, 5, 0, FieldText.Dec)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr1", Value, Describe());
}

/// <summary>IDR2 (IHI0070 §6.3.3, digest 1.5): where the VATOS page is.</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr2Register(uint Value)
{
    /// <summary>BA_VATOS, [9:0]: offset of the VATOS page from page 0, in 64 KB units (0 when VATOS is absent).</summary>
    public uint BA_VATOS => (uint)Bits.Extract(Value, 9, 0);

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("BA_VATOS", 0, Value, 9, 0, v => v == 0 ? "0 (no VATOS page)" : string.Create(CultureInfo.InvariantCulture, $"{v} (offset 0x{v << 16:X})"))
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr2", Value, Describe());
}

/// <summary>IDR3 (IHI0070 §6.3.4, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr3Register(uint Value)
{
    /// <summary>AIE, [23]: attribute index enhancement.</summary>
    public bool AIE { get => Bits.IsSet(Value, 23); init => Value = (uint)Bits.With(Value, 23, value); }

    /// <summary>MTEPERM, [22]: MTE permissions.</summary>
    public bool MTEPERM { get => Bits.IsSet(Value, 22); init => Value = (uint)Bits.With(Value, 22, value); }

    /// <summary>THE, [21]: translation hardening.</summary>
    public bool THE { get => Bits.IsSet(Value, 21); init => Value = (uint)Bits.With(Value, 21, value); }

    /// <summary>S2PO, [20]: stage-2 permission overlays.</summary>
    public bool S2PO { get => Bits.IsSet(Value, 20); init => Value = (uint)Bits.With(Value, 20, value); }

    /// <summary>S2PI, [19]: stage-2 permission indirection.</summary>
    public bool S2PI { get => Bits.IsSet(Value, 19); init => Value = (uint)Bits.With(Value, 19, value); }

    /// <summary>S1PI, [18]: stage-1 permission indirection.</summary>
    public bool S1PI { get => Bits.IsSet(Value, 18); init => Value = (uint)Bits.With(Value, 18, value); }

    /// <summary>EPAN, [17]: enhanced PAN.</summary>
    public bool EPAN { get => Bits.IsSet(Value, 17); init => Value = (uint)Bits.With(Value, 17, value); }

    /// <summary>PASIDTT, [16]: PASID translation tables.</summary>
    public bool PASIDTT { get => Bits.IsSet(Value, 16); init => Value = (uint)Bits.With(Value, 16, value); }

    /// <summary>DPT, [15]: device permission table.</summary>
    public bool DPT { get => Bits.IsSet(Value, 15); init => Value = (uint)Bits.With(Value, 15, value); }

    /// <summary>PTWNNC, [14]: walks to Device memory treated as Normal-NC.</summary>
    public bool PTWNNC { get => Bits.IsSet(Value, 14); init => Value = (uint)Bits.With(Value, 14, value); }

    /// <summary>E0PD, [13]: CD.E0PDx supported.</summary>
    public bool E0PD { get => Bits.IsSet(Value, 13); init => Value = (uint)Bits.With(Value, 13, value); }

    /// <summary>BBML, [12:11]: break-before-make level.</summary>
    public uint BBML { get => (uint)Bits.Extract(Value, 12, 11); init => Value = (uint)Bits.Insert(Value, 12, 11, value); }

    /// <summary>RIL, [10]: range invalidation and TTL hints.</summary>
    public bool RIL { get => Bits.IsSet(Value, 10); init => Value = (uint)Bits.With(Value, 10, value); }

    /// <summary>STT, [9]: small translation tables.</summary>
    public bool STT { get => Bits.IsSet(Value, 9); init => Value = (uint)Bits.With(Value, 9, value); }

    /// <summary>FWB, [8]: STE.S2FWB supported.</summary>
    public bool FWB { get => Bits.IsSet(Value, 8); init => Value = (uint)Bits.With(Value, 8, value); }

    /// <summary>MPAM, [7]: MPAM.</summary>
    public bool MPAM { get => Bits.IsSet(Value, 7); init => Value = (uint)Bits.With(Value, 7, value); }

    /// <summary>PPS, [5]: PRI responses always carry a PASID.</summary>
    public bool PPS { get => Bits.IsSet(Value, 5); init => Value = (uint)Bits.With(Value, 5, value); }

    /// <summary>XNX, [4]: stage-2 XN[1:0].</summary>
    public bool XNX { get => Bits.IsSet(Value, 4); init => Value = (uint)Bits.With(Value, 4, value); }

    /// <summary>PBHA, [3]: page-based hardware attributes.</summary>
    public bool PBHA { get => Bits.IsSet(Value, 3); init => Value = (uint)Bits.With(Value, 3, value); }

    /// <summary>HAD, [2]: CD.HAD0/HAD1 supported.</summary>
    public bool HAD { get => Bits.IsSet(Value, 2); init => Value = (uint)Bits.With(Value, 2, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("AIE", 0, Value, 23, "set", "clear")
        .Flag("MTEPERM", 0, Value, 22, "set", "clear")
        .Flag("THE", 0, Value, 21, "set", "clear")
        .Flag("S2PO", 0, Value, 20, "set", "clear")
        .Flag("S2PI", 0, Value, 19, "set", "clear")
        .Flag("S1PI", 0, Value, 18, "set", "clear")
        .Flag("EPAN", 0, Value, 17, "set", "clear")
        .Flag("PASIDTT", 0, Value, 16, "set", "clear")
        .Flag("DPT", 0, Value, 15, "set", "clear")
        .Flag("PTWNNC", 0, Value, 14, "set", "clear")
        .Flag("E0PD", 0, Value, 13, "set", "clear")
        .Add("BBML", 0, Value, 12, 11, FieldText.Dec)
        .Flag("RIL", 0, Value, 10, "set", "clear")
        .Flag("STT", 0, Value, 9, "set", "clear")
        .Flag("FWB", 0, Value, 8, "set", "clear")
        .Flag("MPAM", 0, Value, 7, "set", "clear")
        .Flag("PPS", 0, Value, 5, "set", "clear")
        .Flag("XNX", 0, Value, 4, "set", "clear")
        .Flag("PBHA", 0, Value, 3, "set", "clear")
        .Flag("HAD", 0, Value, 2, "set", "clear")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr3", Value, Describe());
}

/// <summary>IDR5 (IHI0070 §6.3.6, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr5Register(uint Value)
{
    /// <summary>STALL_MAX, [31:16]: maximum outstanding stalled transactions.</summary>
    public uint STALL_MAX { get => (uint)Bits.Extract(Value, 31, 16); init => Value = (uint)Bits.Insert(Value, 31, 16, value); }

    /// <summary>VAX, [11:10]: 00 48-bit VA; 01 52-bit; 10 56-bit.</summary>
    public uint VAX { get => (uint)Bits.Extract(Value, 11, 10); init => Value = (uint)Bits.Insert(Value, 11, 10, value); }

    /// <summary>D128, [8]: VMSAv9-128 descriptors.</summary>
    public bool D128 { get => Bits.IsSet(Value, 8); init => Value = (uint)Bits.With(Value, 8, value); }

    /// <summary>DS, [7]: 52-bit addresses with 4 KB / 16 KB granules.</summary>
    public bool DS { get => Bits.IsSet(Value, 7); init => Value = (uint)Bits.With(Value, 7, value); }

    /// <summary>GRAN64K, [6]: 64 KB granule.</summary>
    public bool GRAN64K { get => Bits.IsSet(Value, 6); init => Value = (uint)Bits.With(Value, 6, value); }

    /// <summary>GRAN16K, [5]: 16 KB granule.</summary>
    public bool GRAN16K { get => Bits.IsSet(Value, 5); init => Value = (uint)Bits.With(Value, 5, value); }

    /// <summary>GRAN4K, [4]: 4 KB granule.</summary>
    public bool GRAN4K { get => Bits.IsSet(Value, 4); init => Value = (uint)Bits.With(Value, 4, value); }

    /// <summary>OAS, [2:0]: output address size.</summary>
    public uint OAS { get => (uint)Bits.Extract(Value, 2, 0); init => Value = (uint)Bits.Insert(Value, 2, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("STALL_MAX", 0, Value, 31, 16, FieldText.Dec)
        .Add("VAX", 0, Value, 11, 10, v => FieldText.Bin(v, 2) + v switch { 0 => " 48-bit VA", 1 => " 52-bit VA", 2 => " 56-bit VA", _ => " reserved" })
        .Flag("D128", 0, Value, 8, "set", "clear")
        .Flag("DS", 0, Value, 7, "set", "clear")
        .Flag("GRAN64K", 0, Value, 6, "set", "clear")
        .Flag("GRAN16K", 0, Value, 5, "set", "clear")
        .Flag("GRAN4K", 0, Value, 4, "set", "clear")
        .Add("OAS", 0, Value, 2, 0, FieldText.AddressSize)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr5", Value, Describe());
}

/// <summary>IIDR, implementation identification (IHI0070 §6.3.7, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct IidrRegister(uint Value)
{
    /// <summary>ProductID, [31:20]: product identifier (MMU-600 = 0x483, MMU-700 = 0x487).</summary>
    public uint ProductID { get => (uint)Bits.Extract(Value, 31, 20); init => Value = (uint)Bits.Insert(Value, 31, 20, value); }

    /// <summary>Variant, [19:16]: major revision.</summary>
    public uint Variant { get => (uint)Bits.Extract(Value, 19, 16); init => Value = (uint)Bits.Insert(Value, 19, 16, value); }

    /// <summary>Revision, [15:12]: minor revision.</summary>
    public uint Revision { get => (uint)Bits.Extract(Value, 15, 12); init => Value = (uint)Bits.Insert(Value, 15, 12, value); }

    /// <summary>Implementer, [11:0]: JEP106 implementer code (Arm = 0x43B).</summary>
    public uint Implementer { get => (uint)Bits.Extract(Value, 11, 0); init => Value = (uint)Bits.Insert(Value, 11, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("ProductID", 0, Value, 31, 20, FieldText.Hex)
        .Add("Variant", 0, Value, 19, 16, FieldText.Dec)
        .Add("Revision", 0, Value, 15, 12, FieldText.Dec)
        .Add("Implementer", 0, Value, 11, 0, FieldText.Hex)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Iidr", Value, Describe());
}

/// <summary>AIDR, architecture revision (IHI0070 §6.3.8, digest 1.5).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct AidrRegister(uint Value)
{
    /// <summary>ArchMajorRev, [7:4]: 0 = SMMUv3.x.</summary>
    public uint ArchMajorRev { get => (uint)Bits.Extract(Value, 7, 4); init => Value = (uint)Bits.Insert(Value, 7, 4, value); }

    /// <summary>ArchMinorRev, [3:0]: 0..4 = SMMUv3.0..v3.4.</summary>
    public uint ArchMinorRev { get => (uint)Bits.Extract(Value, 3, 0); init => Value = (uint)Bits.Insert(Value, 3, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("ArchMajorRev", 0, Value, 7, 4, FieldText.Dec)
        .Add("ArchMinorRev", 0, Value, 3, 0, v => string.Create(CultureInfo.InvariantCulture, $"{v} (SMMUv3.{v})"))
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Aidr", Value, Describe());
}
