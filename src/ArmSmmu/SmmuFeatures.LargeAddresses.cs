namespace ArmSmmu;

/// <content>The 52-bit address options (IHI0070 §3.4, §6.3.6 SMMU_IDR5.{OAS, VAX, DS}).</content>
public sealed partial record SmmuFeatures
{
    /// <summary>
    /// IDR5.DS as advertised: <see cref="LargeAddresses2"/> where its dependencies hold (IHI0070 §6.3.6: RES0 without the
    /// 4K and 16K granules, reserved in SMMUv3.0, and only with 52-bit VAs).
    /// </summary>
    internal bool DsImplemented => LargeAddresses2 && VirtualAddressExtension && (Granule4K || Granule16K) && ArchitectureMinorRevision != 0;

    /// <summary>IDR5.VAX = 0b01 as advertised: <see cref="VirtualAddressExtension"/> with the 64K granule or DS, from SMMUv3.1 (IHI0070 §6.3.6).</summary>
    internal bool VaxImplemented => VirtualAddressExtension && (Granule64K || DsImplemented) && ArchitectureMinorRevision != 0;

    /// <summary>Effective CD.DS / STE.S2DS for a granule: the field applies to the 4K and 16K granules and is RES0 without IDR5.DS (IHI0070 §5.2, §5.4).</summary>
    /// <param name="ds">The field.</param>
    /// <param name="granule">The granule of the table it applies to.</param>
    /// <returns>Whether the table uses FEAT_LPA2 descriptors.</returns>
    internal bool EffectiveDs(bool ds, Translation.Granule granule) => ds && DsImplemented && granule.PageShift != 16;

    /// <summary>The widest input one TTBx or stage-2 table may translate (IHI0070 §3.4, §3.4.1): 52 bits with the 64K granule or an effective DS, else 48.</summary>
    /// <param name="granule">The granule.</param>
    /// <param name="effectiveDs">The effective DS of the table.</param>
    /// <returns>48 or 52.</returns>
    internal static int MaxTableInputBits(Translation.Granule granule, bool effectiveDs) => granule.PageShift == 16 || effectiveDs ? 52 : 48;

    // IHI0070 §6.3.6: OAS = 52 needs the 64K granule or DS, and SMMUv3.1 (0b110 is reserved in SMMUv3.0).
    private void ValidateLargeAddresses()
    {
        if (OutputAddressBits == 52 && !Granule64K && !DsImplemented)
        {
            throw new ArgumentException("A 52-bit OAS needs the 64K granule or IDR5.DS (LargeAddresses2 with VirtualAddressExtension and the 4K or 16K granule).");
        }

        if (OutputAddressBits == 52 && ArchitectureMinorRevision == 0)
        {
            throw new ArgumentException("SMMUv3.0 (ArchitectureMinorRevision 0) has no 52-bit OAS: IDR5.OAS = 0b110 is reserved.");
        }
    }
}
