namespace ArmSmmu.Cli.Decoding;

/// <summary>The ID registers' field layouts (IHI0070 §6.3; digest §1.3-1.5), for decoding raw register values.</summary>
internal static class IdRegisterLayouts
{
    /// <summary>SMMU_IDR0 at 0x0000 (IHI0070 §6.3.1).</summary>
    public static RegisterLayout Idr0 { get; } = new("IDR0", 0x0000,
    [
        Flag("S2P", 0, "stage-2 translation"),
        Flag("S1P", 1, "stage-1 translation"),
        Field("TTF", 3, 2, v => v switch
        {
            1 => "VMSAv8-32 LPAE only",
            2 => "VMSAv8-64 only",
            3 => "VMSAv8-32 LPAE and VMSAv8-64",
            _ => "reserved",
        }),
        Flag("COHACC", 4, "coherent structure and walk accesses"),
        Flag("BTM", 5, "broadcast TLB maintenance"),
        Field("HTTU", 7, 6, v => v switch
        {
            0 => "no hardware table updates",
            1 => "Access flag",
            2 => "Access flag and dirty state",
            _ => "Access flag and dirty state, AF in table descriptors",
        }),
        Flag("DORMHINT", 8, "STATUSR.DORMANT hint"),
        Flag("Hyp", 9, "EL2 StreamWorlds"),
        Flag("ATS", 10, "PCIe ATS"),
        Field("NS1ATS", 11, 11, v => v == 1 ? "split-stage ATS not supported" : "split-stage ATS supported"),
        Field("ASID16", 12, 12, v => v == 1 ? "16-bit ASID" : "8-bit ASID"),
        Flag("MSI", 13, "MSIs"),
        Flag("SEV", 14, "WFE wake-up events"),
        Flag("ATOS", 15, "address translation operations"),
        Flag("PRI", 16, "Page Request Interface"),
        Flag("VMW", 17, "VMID wildcards in TLBI"),
        Field("VMID16", 18, 18, v => v == 1 ? "16-bit VMID" : "8-bit VMID"),
        Flag("CD2L", 19, "2-level CD tables"),
        Flag("VATOS", 20, "virtual ATOS page"),
        Field("TTENDIAN", 22, 21, v => v switch
        {
            0 => "mixed endian",
            2 => "little-endian only",
            3 => "big-endian only",
            _ => "reserved",
        }),
        Flag("ATSRECERR", 23, "ATS/PRI configuration-error events"),
        Field("STALL_MODEL", 25, 24, v => v switch
        {
            0 => "stall and terminate",
            1 => "terminate only (no stall)",
            2 => "stall forced",
            _ => "reserved",
        }),
        Field("TERM_MODEL", 26, 26, v => v == 1 ? "abort only (CD.A must be 1)" : "CD.A selects abort or RAZ/WI"),
        Field("ST_LEVEL", 28, 27, v => v switch
        {
            0 => "linear stream table",
            1 => "linear and 2-level stream tables",
            _ => "reserved",
        }),
        Flag("RME_IMPL", 30, "Realm Management Extension"),
    ]);

    /// <summary>SMMU_IDR1 at 0x0004 (IHI0070 §6.3.2).</summary>
    public static RegisterLayout Idr1 { get; } = new("IDR1", 0x0004,
    [
        Field("SIDSIZE", 5, 0, v => $"{v}-bit StreamID"),
        Field("SSIDSIZE", 10, 6, v => v == 0 ? "no substreams" : $"{v}-bit SubstreamID"),
        Field("PRIQS", 15, 11, Entries),
        Field("EVENTQS", 20, 16, Entries),
        Field("CMDQS", 25, 21, Entries),
        Flag("ATTR_PERMS_OVR", 26, "STE INSTCFG/PRIVCFG/NSCFG overrides"),
        Flag("ATTR_TYPES_OVR", 27, "STE MTCFG/MemAttr/ALLOCCFG/SHCFG overrides"),
        Flag("REL", 28, "preset bases relative to page 0"),
        Flag("QUEUES_PRESET", 29, "queue bases fixed"),
        Flag("TABLES_PRESET", 30, "stream table base fixed"),
        Flag("ECMDQ", 31, "enhanced command queues"),
    ]);

    /// <summary>SMMU_IDR3 at 0x000C (IHI0070 §6.3.4).</summary>
    public static RegisterLayout Idr3 { get; } = new("IDR3", 0x000C,
    [
        Flag("HAD", 2, "hierarchical attribute disable"),
        Flag("PBHA", 3, "page-based hardware attributes"),
        Flag("XNX", 4, "stage-2 XN[1:0]"),
        Flag("PPS", 5, "PRI responses always carry a PASID"),
        Flag("MPAM", 7, "MPAM"),
        Flag("FWB", 8, "stage-2 forced write-back"),
        Flag("STT", 9, "small translation tables"),
        Flag("RIL", 10, "range invalidation and TTL hints"),
        Field("BBML", 12, 11, v => v == 3 ? "reserved" : $"break-before-make level {v}"),
        Flag("E0PD", 13, "CD.E0PDx"),
        Flag("PTWNNC", 14, "walks to Device memory as Normal-NC"),
        Flag("DPT", 15, "device permission table"),
        Flag("PASIDTT", 16, "PASID TLB tagging"),
        Flag("EPAN", 17, "enhanced PAN"),
        Flag("S1PI", 18, "stage-1 permission indirection"),
        Flag("S2PI", 19, "stage-2 permission indirection"),
        Flag("S2PO", 20, "stage-2 permission overlays"),
        Flag("THE", 21, "translation hardening"),
        Flag("MTEPERM", 22, "MTE permissions"),
        Flag("AIE", 23, "attribute index enhancement"),
    ]);

    /// <summary>SMMU_IDR5 at 0x0014 (IHI0070 §6.3.6).</summary>
    public static RegisterLayout Idr5 { get; } = new("IDR5", 0x0014,
    [
        Field("OAS", 2, 0, v => v switch
        {
            0 => "32-bit output addresses",
            1 => "36-bit output addresses",
            2 => "40-bit output addresses",
            3 => "42-bit output addresses",
            4 => "44-bit output addresses",
            5 => "48-bit output addresses",
            6 => "52-bit output addresses",
            _ => "56-bit output addresses",
        }),
        Flag("GRAN4K", 4, "4KB granule"),
        Flag("GRAN16K", 5, "16KB granule"),
        Flag("GRAN64K", 6, "64KB granule"),
        Flag("DS", 7, "52-bit addresses with 4KB/16KB granules"),
        Flag("D128", 8, "VMSAv9-128 descriptors"),
        Field("VAX", 11, 10, v => v switch
        {
            0 => "48-bit VA per TTB",
            1 => "52-bit VA per TTB",
            2 => "56-bit VA per TTB",
            _ => "reserved",
        }),
        Field("STALL_MAX", 31, 16, v => $"{v} outstanding stalls"),
    ]);

    /// <summary>SMMU_IIDR at 0x0018 (IHI0070 §6.3).</summary>
    public static RegisterLayout Iidr { get; } = new("IIDR", 0x0018,
    [
        Field("Implementer", 11, 0, v => v == 0x43B ? "0x43B (Arm)" : $"0x{v:X3}"),
        Field("Revision", 15, 12, v => $"r{v}"),
        Field("Variant", 19, 16, v => $"variant {v}"),
        Field("ProductID", 31, 20, v => v switch
        {
            0x483 => "0x483 (MMU-600)",
            0x487 => "0x487 (MMU-700)",
            _ => $"0x{v:X3}",
        }),
    ]);

    /// <summary>SMMU_AIDR at 0x001C (IHI0070 §6.3).</summary>
    public static RegisterLayout Aidr { get; } = new("AIDR", 0x001C,
    [
        Field("ArchMinorRev", 3, 0, v => $"minor revision {v}"),
        Field("ArchMajorRev", 7, 4, v => v == 0 ? "SMMUv3.x" : $"major revision {v}"),
    ]);

    /// <summary>The registers <c>smmu info</c> shows, in offset order.</summary>
    public static IReadOnlyList<RegisterLayout> Shown { get; } = [Idr0, Idr1, Idr3, Idr5, Iidr, Aidr];

    private static RegisterField Flag(string name, int bit, string meaning) =>
        new(name, bit, bit, v => v == 1 ? $"yes: {meaning}" : $"no: {meaning}");

    private static RegisterField Field(string name, int hi, int lo, Func<uint, string> explain) => new(name, hi, lo, explain);

    private static string Entries(uint log2) => $"up to 2^{log2} entries";
}
