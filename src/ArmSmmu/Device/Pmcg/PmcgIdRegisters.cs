namespace ArmSmmu.Device;

/// <summary>
/// The PMCG identification space 0xFB0-0xFFC (IHI0070 §10.5.2.29), in the CoreSight layout Arm uses, derived from the
/// IIDR so that both agree: PIDR part number = IIDR.ProductID, PIDR designer = IIDR.Implementer.
/// </summary>
internal static class PmcgIdRegisters
{
    // ARCHITECT 0x23B [31:21], PRESENT [20], REVISION 0, ARCHID 0x2A56.
    private const uint DevArch = (0x23Bu << 21) | (1u << 20) | 0x2A56;

    // Sub-type 5 (associated with an SMMU), class 6 (performance monitor).
    private const uint DevType = 0x56;

    public static uint Read(ulong offset, uint iidr)
    {
        uint product = iidr >> 20;
        uint variant = (iidr >> 16) & 0xF;
        uint revision = (iidr >> 12) & 0xF;
        uint implementer = iidr & 0xFFF;
        return offset switch
        {
            PmcgRegister.PMDEVARCH => DevArch,
            PmcgRegister.PMDEVTYPE => DevType,
            PmcgRegister.PIDR4 => (implementer >> 8) & 0xF,                                   // DES_2
            PmcgRegister.PIDR0 => product & 0xFF,                                             // PART_0
            PmcgRegister.PIDR0 + 4 => ((implementer & 0xF) << 4) | ((product >> 8) & 0xF),    // DES_0, PART_1
            PmcgRegister.PIDR0 + 8 => (variant << 4) | 0x8 | ((implementer >> 4) & 0x7),      // REVISION, JEDEC, DES_1
            PmcgRegister.PIDR0 + 12 => revision << 4,                                         // REVAND
            PmcgRegister.CIDR0 => 0x0D,
            PmcgRegister.CIDR0 + 4 => 0x90,
            PmcgRegister.CIDR0 + 8 => 0x05,
            PmcgRegister.CIDR0 + 12 => 0xB1,
            _ => 0,
        };
    }
}
