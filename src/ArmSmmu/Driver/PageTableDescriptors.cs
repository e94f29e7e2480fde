using System.Runtime.CompilerServices;

namespace ArmSmmu.Driver;

/// <summary>The kinds of VMSAv8-64 descriptor the host tables hold (digest §7.4).</summary>
internal enum DescriptorKind
{
    Invalid,
    Table,
    Leaf,
}

/// <summary>
/// Encoders and decoders for the VMSAv8-64 descriptors an <see cref="IoPageTable"/> writes (digest §7.4, §7.5, §7.10).
/// This is deliberately a second copy of the bit map in <c>Translation/Descriptor.cs</c>, written independently from
/// the digest: the driver is an oracle for the walker, so a wrong bit in either fails the driver-against-device tests
/// (docs/vocabulary.md).
/// </summary>
internal static class PageTableDescriptors
{
    /// <summary>Bits [1:0] of a table descriptor, and of a level-3 page descriptor.</summary>
    public const ulong TypeTableOrPage = 0b11;

    /// <summary>Bits [1:0] of a block descriptor.</summary>
    public const ulong TypeBlock = 0b01;

    /// <summary>The Contiguous bit (digest §7.5).</summary>
    public const int ContiguousBit = 52;

    // Stage-1 leaf fields (digest §7.5).
    public const int AttrIndxLo = 2;
    public const int ApUnprivilegedBit = 6; // AP[1]
    public const int ApReadOnlyBit = 7;     // AP[2]
    public const int ShLo = 8;
    public const int AccessFlagBit = 10;
    public const int NotGlobalBit = 11;
    public const int PxnBit = 53;
    public const int UxnBit = 54;

    // Stage-2 leaf fields (digest §7.5, §7.10).
    public const int MemAttrLo = 2;
    public const int S2ApReadBit = 6;
    public const int S2ApWriteBit = 7;
    public const int XnBit = 54;

    // AttrIndx values for the Linux MAIR 0xF404FF44 (digest §7.7).
    public const ulong AttrIndxNonCacheable = 0;
    public const ulong AttrIndxCacheable = 1;
    public const ulong AttrIndxDevice = 2;

    // Stage-2 MemAttr values (digest §7.7).
    public const ulong MemAttrDeviceNGnRE = 0x1;
    public const ulong MemAttrNonCacheable = 0x5;
    public const ulong MemAttrWriteBack = 0xF;

    public const ulong ShOuter = 0b10;
    public const ulong ShInner = 0b11;

    /// <summary>
    /// The levels of <paramref name="config"/> that may hold a block, as <see cref="Classify"/> takes them: bit L + 1 for
    /// level L (-1..2). Worked out once per table, as every level of every map and unmap classifies a descriptor.
    /// </summary>
    public static int BlockLevels(IoPageTableConfig config)
    {
        int levels = 0;
        for (int level = -1; level < 3; level++)
        {
            levels |= config.BlockAllowed(level) ? 1 << (level + 1) : 0;
        }

        return levels;
    }

    /// <summary>Whether level <paramref name="level"/> may hold a block, in the <see cref="BlockLevels"/> form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool BlockAllowed(int blockLevels, int level) => ((blockLevels >> (level + 1)) & 1) != 0;

    /// <summary>Classifies <paramref name="descriptor"/> found at <paramref name="level"/> (digest §7.4).</summary>
    /// <param name="descriptor">The descriptor.</param>
    /// <param name="level">Its level.</param>
    /// <param name="blockLevels">The configuration's <see cref="BlockLevels"/>.</param>
    /// <returns>Its kind.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DescriptorKind Classify(ulong descriptor, int level, int blockLevels)
    {
        if ((descriptor & 1) == 0)
        {
            return DescriptorKind.Invalid;
        }

        bool bit1 = (descriptor & 2) != 0;
        if (level == 3)
        {
            return bit1 ? DescriptorKind.Leaf : DescriptorKind.Invalid;
        }

        if (bit1)
        {
            return DescriptorKind.Table;
        }

        return BlockAllowed(blockLevels, level) ? DescriptorKind.Leaf : DescriptorKind.Invalid;
    }

    /// <summary>Whether the 64K granule packs address bits [51:48] into descriptor bits [15:12] (digest §7.9, FEAT_LPA).</summary>
    public static bool PacksHighAddressBits(IoPageTableConfig config) => config.OutputBits == 52 && config.Granule.PageShift == 16;

    /// <summary>The descriptor bits that hold an output or next-level table address at page granularity.</summary>
    public static ulong AddressMask(IoPageTableConfig config)
    {
        if (config.Ds)
        {
            // FEAT_LPA2 (digest §7.9): address bits [49:12] in place, [51:50] in descriptor bits [9:8].
            return (Bits.Mask(50) & ~Bits.Mask(config.Granule.PageShift)) | (0b11UL << 8);
        }

        ulong mask = Bits.Mask(48) & ~Bits.Mask(config.Granule.PageShift);
        return PacksHighAddressBits(config) ? mask | (0xFUL << 12) : mask;
    }

    /// <summary>Places the physical address <paramref name="address"/> (granule aligned) in descriptor form.</summary>
    public static ulong EncodeAddress(IoPageTableConfig config, ulong address)
    {
        if (config.Ds)
        {
            return Bits.Address(address, 49, config.Granule.PageShift) | (Bits.Extract(address, 51, 50) << 8);
        }

        ulong field = Bits.Address(address, 47, config.Granule.PageShift);
        if (PacksHighAddressBits(config))
        {
            field = Bits.Insert(field, 15, 12, Bits.Extract(address, 51, 48));
        }

        return field;
    }

    /// <summary>The physical address held in a table, block or page descriptor.</summary>
    public static ulong DecodeAddress(IoPageTableConfig config, ulong descriptor)
    {
        if (config.Ds)
        {
            return Bits.Address(descriptor, 49, config.Granule.PageShift) | (Bits.Extract(descriptor, 9, 8) << 50);
        }

        ulong address = Bits.Address(descriptor, 47, config.Granule.PageShift);
        if (PacksHighAddressBits(config))
        {
            address |= Bits.Extract(descriptor, 15, 12) << 48;
        }

        return address;
    }

    /// <summary>A table descriptor pointing at the next-level table at <paramref name="tableAddress"/> (digest §7.10: PA | 0b11).</summary>
    public static ulong Table(IoPageTableConfig config, ulong tableAddress) => EncodeAddress(config, tableAddress) | TypeTableOrPage;

    /// <summary>Bits [1:0] of a leaf at <paramref name="level"/>: page at level 3, block above.</summary>
    public static ulong LeafType(int level) => level == 3 ? TypeTableOrPage : TypeBlock;

    /// <summary>The attribute and permission bits of a leaf (everything but the address, the type and the Contiguous bit).</summary>
    public static ulong LeafAttributes(IoPageTableConfig config, IoPagePermissions permissions)
    {
        bool mmio = (permissions & IoPagePermissions.Mmio) != 0;
        bool cacheable = !mmio && (permissions & IoPagePermissions.NoCache) == 0;
        bool read = (permissions & IoPagePermissions.Read) != 0;
        bool write = (permissions & IoPagePermissions.Write) != 0;
        bool execute = (permissions & IoPagePermissions.Execute) != 0;

        ulong d = 0;
        if (!config.Ds)
        {
            // With DS, bits [9:8] hold address bits and the CD/STE walk shareability applies (IHI0070 §5.4 CD.DS).
            d = Bits.Insert(d, 9, ShLo, cacheable ? ShInner : ShOuter);
        }

        d = Bits.With(d, AccessFlagBit, true);
        if (config.Stage == PageTableStage.Stage1)
        {
            // IHI0070 §3.4 / digest §7.10: Linux's stage-1 leaf.
            ulong attrIndx = mmio ? AttrIndxDevice : cacheable ? AttrIndxCacheable : AttrIndxNonCacheable;
            d = Bits.Insert(d, 4, AttrIndxLo, attrIndx);
            d = Bits.With(d, ApUnprivilegedBit, (permissions & IoPagePermissions.Privileged) == 0);
            d = Bits.With(d, ApReadOnlyBit, !write);
            d = Bits.With(d, NotGlobalBit, !config.Global);
            d = Bits.With(d, PxnBit, !execute);
            d = Bits.With(d, UxnBit, !execute);
        }
        else
        {
            // Digest §7.10: Linux's stage-2 leaf.
            ulong memAttr = mmio ? MemAttrDeviceNGnRE : cacheable ? MemAttrWriteBack : MemAttrNonCacheable;
            d = Bits.Insert(d, 5, MemAttrLo, memAttr);
            d = Bits.With(d, S2ApReadBit, read);
            d = Bits.With(d, S2ApWriteBit, write);
            d = Bits.With(d, XnBit, !execute);
        }

        return d;
    }
}
