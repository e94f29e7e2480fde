using System.Runtime.CompilerServices;

namespace ArmSmmu.Translation;

/// <summary>VMSAv8-64 descriptor field positions and decoding shared by both stages (DDI0487 D8.3; digest §7.4, §7.5).</summary>
internal static class Descriptor
{
    /// <summary>AttrIndx[2:0] (stage 1) / MemAttr[3:0] starts here.</summary>
    public const int AttrLow = 2;

    /// <summary>AP[2:1] / S2AP[1:0] low bit.</summary>
    public const int ApLow = 6;

    /// <summary>AP[2]: read-only at stage 1.</summary>
    public const int Ap2 = 7;

    /// <summary>S2AP[1]: write permission at stage 2.</summary>
    public const int S2ApWrite = 7;

    /// <summary>SH[1:0] low bit.</summary>
    public const int ShLow = 8;

    /// <summary>NS (stage-1 block/page, Secure translations only): the output is Non-secure.</summary>
    public const int NS = 5;

    /// <summary>Access flag.</summary>
    public const int AF = 10;

    /// <summary>nG: not global (stage 1).</summary>
    public const int NG = 11;

    /// <summary>Dirty Bit Modifier (IHI0070 §3.13.3).</summary>
    public const int Dbm = 51;

    /// <summary>Contiguous hint.</summary>
    public const int Contiguous = 52;

    /// <summary>PXN (stage 1) / XN[0] (stage 2 with XNX).</summary>
    public const int Pxn = 53;

    /// <summary>UXN or XN (stage 1) / XN[1] or XN (stage 2).</summary>
    public const int Uxn = 54;

    /// <summary>PXNTable in stage-1 table descriptors.</summary>
    public const int PxnTable = 59;

    /// <summary>UXNTable (XNTable in single-EL regimes).</summary>
    public const int UxnTable = 60;

    /// <summary>APTable[1:0] low bit.</summary>
    public const int ApTableLow = 61;

    /// <summary>NSTable (table descriptor, Secure translations only): the next level and everything below is Non-secure.</summary>
    public const int NSTable = 63;

    /// <summary>
    /// The address a table, block or page descriptor holds: bits [47:<paramref name="lowBit"/>], plus bits [51:48] from
    /// descriptor bits [15:12] for the 64 KiB granule (FEAT_LPA; digest §7.9). With a smaller output size those upper
    /// bits make an address that fails the Address size check, which is the architected outcome.
    /// </summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="granule">Granule of the table holding it.</param>
    /// <param name="lowBit">The granule shift for table descriptors and pages, the level shift for blocks.</param>
    /// <returns>The physical (or intermediate) address.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong OutputAddress(ulong descriptor, Granule granule, int lowBit)
    {
        ulong address = descriptor & Bits.Mask(48) & ~Bits.Mask(lowBit);
        if (granule.PageShift == 16)
        {
            address |= Bits.Extract(descriptor, 15, 12) << 48;
        }

        return address;
    }

    /// <summary>
    /// The address a descriptor holds in the FEAT_LPA2 format (CD.DS / STE.S2DS = 1 with the 4K or 16K granule,
    /// DDI0487 D8.3): bits [49:<paramref name="lowBit"/>], with OA[51:50] in descriptor bits [9:8], where the other
    /// formats keep the shareability.
    /// </summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="lowBit">The granule shift for table descriptors and pages, the level shift for blocks.</param>
    /// <returns>The physical (or intermediate) address.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong OutputAddressLpa2(ulong descriptor, int lowBit) =>
        (descriptor & Bits.Mask(50) & ~Bits.Mask(lowBit)) | (Bits.Extract(descriptor, 9, 8) << 50);

    /// <summary>The address a descriptor holds, in the format the walk uses: FEAT_LPA2 when <paramref name="lpa2"/>, else the 48-bit/LPA one.</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="granule">Granule of the table holding it.</param>
    /// <param name="lowBit">The granule shift for table descriptors and pages, the level shift for blocks.</param>
    /// <param name="lpa2">Effective DS with the 4K or 16K granule.</param>
    /// <returns>The physical (or intermediate) address.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong OutputAddress(ulong descriptor, Granule granule, int lowBit, bool lpa2) =>
        lpa2 ? OutputAddressLpa2(descriptor, lowBit) : OutputAddress(descriptor, granule, lowBit);

    /// <summary>
    /// The shallowest level at which a block descriptor is permitted (DDI0487 D8.3, AArch64.BlockDescSupported):
    /// 4K level 1 (level 0 with DS), 16K level 2 (level 1 with DS), 64K level 2 (level 1 when the PA size is 52 bits).
    /// Level 3 holds pages; a block above the returned level is an invalid descriptor.
    /// </summary>
    /// <param name="granule">Granule.</param>
    /// <param name="lpa2">Effective DS.</param>
    /// <param name="physicalAddress52">The implemented PA size (OAS) is 52 bits.</param>
    /// <returns>0, 1 or 2.</returns>
    public static int FirstBlockLevel(Granule granule, bool lpa2, bool physicalAddress52) => granule.PageShift switch
    {
        12 => lpa2 ? 0 : 1,
        14 => lpa2 ? 1 : 2,
        _ => physicalAddress52 ? 1 : 2,
    };

    /// <summary>Whether a block descriptor is permitted at <paramref name="level"/> without FEAT_LPA2 / 52-bit blocks (digest §7.1, §7.4).</summary>
    /// <param name="granule">Granule.</param>
    /// <param name="level">Lookup level 0..2.</param>
    /// <returns>True for 4K levels 1 and 2, 16K and 64K level 2.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BlockAllowed(Granule granule, int level) =>
        level == 2 || (level == 1 && granule.PageShift == 12);

    /// <summary>log2 of the number of entries in a contiguous run at <paramref name="level"/> (digest §7.9; 0 where the bit is RES0).</summary>
    /// <param name="granule">Granule.</param>
    /// <param name="level">Level of the leaf.</param>
    /// <returns>4 (16 entries), 5 (32), 7 (128) or 0.</returns>
    public static int ContiguousLog2(Granule granule, int level) => granule.PageShift switch
    {
        12 => level >= 1 ? 4 : 0,
        14 => level == 3 ? 7 : level == 2 ? 5 : 0,
        _ => level >= 2 ? 5 : 0,
    };

    /// <summary>True when <paramref name="address"/> does not fit in <paramref name="bits"/> bits.</summary>
    /// <param name="address">An address.</param>
    /// <param name="bits">Address size in bits.</param>
    /// <returns>Whether any bit at or above <paramref name="bits"/> is set.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Exceeds(ulong address, int bits) => bits < 64 && (address >> bits) != 0;
}
