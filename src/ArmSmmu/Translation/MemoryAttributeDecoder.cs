namespace ArmSmmu.Translation;

/// <summary>Decodes stage-1 MAIR attributes and stage-2 MemAttr, and combines the two stages (DDI0487 D8.6; digest §7.7).</summary>
internal static class MemoryAttributeDecoder
{
    // Every (MAIR byte, SH) pair decoded once: each stage-1 walk ends with this decode, which cost about as much as
    // the descriptor read itself.
    private static readonly MemoryAttributes[] s_mair = DecodeAllMair();

    /// <summary>Decodes a MAIR attribute byte with the descriptor SH field.</summary>
    /// <param name="attr">The MAIR byte selected by AttrIndx.</param>
    /// <param name="sh">SH[1:0] of the descriptor.</param>
    /// <returns>The attributes.</returns>
    public static MemoryAttributes FromMair(byte attr, uint sh) => s_mair[(attr << 2) | (int)(sh & 3)];

    private static MemoryAttributes[] DecodeAllMair()
    {
        var all = new MemoryAttributes[256 * 4];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = DecodeMair((byte)(i >> 2), (uint)i & 3);
        }

        return all;
    }

    private static MemoryAttributes DecodeMair(byte attr, uint sh)
    {
        uint outer = (uint)attr >> 4;
        uint inner = attr & 0xFu;
        if (outer == 0)
        {
            // 0b0000dd00 Device; 0b0000ddxx with xx != 00 is UNPREDICTABLE and is taken as the same Device type.
            return Device((MemoryType)((attr >> 2) & 3));
        }

        var innerCache = Nibble(inner, out bool innerTransient);
        var outerCache = Nibble(outer, out _);
        bool cacheable = innerCache != Cacheability.NonCacheable;
        return new MemoryAttributes(
            MemoryType.Normal,
            innerCache,
            outerCache,
            Shareability(sh, innerCache, outerCache),
            cacheable && (inner & 2) != 0,
            cacheable && (inner & 1) != 0,
            innerTransient);
    }

    // Every (MemAttr[3:0], SH) pair decoded once, as for MAIR: each stage-2 walk ends with this decode.
    private static readonly MemoryAttributes[] s_stage2 = DecodeAllStage2();

    private static MemoryAttributes[] DecodeAllStage2()
    {
        var all = new MemoryAttributes[16 * 4];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = DecodeStage2((uint)i >> 2, (uint)i & 3);
        }

        return all;
    }

    /// <summary>
    /// Decodes a stage-2 MemAttr[3:0] (S2FWB = 0) with the descriptor SH field. Cacheable results carry read and
    /// write allocate hints (stage 2 has none of its own; <see cref="Combine"/> takes stage 1's).
    /// Reserved encodings are taken as Device-nGnRnE, the most restrictive type.
    /// </summary>
    /// <param name="memAttr">MemAttr[3:0].</param>
    /// <param name="sh">SH[1:0].</param>
    /// <returns>The attributes.</returns>
    public static MemoryAttributes FromStage2(uint memAttr, uint sh) => s_stage2[(int)(((memAttr & 0xF) << 2) | (sh & 3))];

    private static MemoryAttributes DecodeStage2(uint memAttr, uint sh)
    {
        uint outer = (memAttr >> 2) & 3;
        uint inner = memAttr & 3;
        if (outer == 0)
        {
            return Device((MemoryType)inner);
        }

        if (inner == 0)
        {
            return Device(MemoryType.DeviceNGnRnE);
        }

        var innerCache = (Cacheability)(inner - 1);
        var outerCache = (Cacheability)(outer - 1);
        bool cacheable = innerCache != Cacheability.NonCacheable;
        return new MemoryAttributes(
            MemoryType.Normal, innerCache, outerCache, Shareability(sh, innerCache, outerCache), cacheable, cacheable);
    }

    /// <summary>
    /// Combines stage-1 and stage-2 attributes: the more restrictive type and cacheability win, the more shareable
    /// domain wins, and allocation and transient hints come from stage 1 (DDI0487 D8.6, S2FWB = 0).
    /// </summary>
    /// <param name="stage1">Stage-1 (or incoming) attributes.</param>
    /// <param name="stage2">Stage-2 attributes.</param>
    /// <returns>The combined attributes.</returns>
    // On the packed words (MemoryAttributes.Bits: type, inner, outer, shareability, then the three hints, a byte each):
    // read through the properties and rebuilt by the constructor, a nested walk's combination was 104 instructions.
    public static MemoryAttributes Combine(in MemoryAttributes stage1, in MemoryAttributes stage2)
    {
        ulong a = stage1.Bits;
        ulong b = stage2.Bits;
        if ((byte)a != (byte)MemoryType.Normal || (byte)b != (byte)MemoryType.Normal)
        {
            // Device types are ordered nGnRnE (most restrictive) .. GRE, and Normal sorts after all of them.
            return Device((MemoryType)Math.Min((byte)a, (byte)b));
        }

        // Cacheability is ordered Non-cacheable < Write-Through < Write-Back: the weaker is the smaller.
        uint inner = Math.Min((uint)(byte)(a >> 8), (uint)(byte)(b >> 8));
        uint outer = Math.Min((uint)(byte)(a >> 16), (uint)(byte)(b >> 16));
        // Outer Shareable (1) if either is, else Inner Shareable (2) if either is, else Non-shareable (0); and Outer
        // Shareable whenever both levels end Non-cacheable.
        uint either = (uint)(byte)(a >> 24) | (uint)(byte)(b >> 24);
        uint shareability = (inner | outer) == (uint)Cacheability.NonCacheable || (either & (uint)ArmSmmu.Shareability.OuterShareable) != 0
            ? (uint)ArmSmmu.Shareability.OuterShareable
            : either;
        // The allocation and transient hints (bytes 4 to 6) are stage 1's, while the inner result is cacheable.
        ulong hints = inner != (uint)Cacheability.NonCacheable ? a & 0x00FF_FFFF_0000_0000UL : 0;
        return MemoryAttributes.FromBits((ulong)MemoryType.Normal | (inner << 8) | (outer << 16) | ((ulong)shareability << 24) | hints);
    }

    private static MemoryAttributes Device(MemoryType type) =>
        new(type, Cacheability.NonCacheable, Cacheability.NonCacheable, ArmSmmu.Shareability.OuterShareable, false, false);

    // MAIR nibble: 0100 NC; 00RW WT transient; 01RW WB transient; 10RW WT; 11RW WB (RW != 00 for the transient rows).
    // 0000 as an inner nibble of Normal memory is UNPREDICTABLE and taken as Non-cacheable.
    private static Cacheability Nibble(uint nibble, out bool transient)
    {
        transient = nibble < 8 && nibble != 4 && nibble != 0;
        return nibble switch
        {
            0 or 4 => Cacheability.NonCacheable,
            < 4 => Cacheability.WriteThrough,
            < 8 => Cacheability.WriteBack,
            < 12 => Cacheability.WriteThrough,
            _ => Cacheability.WriteBack,
        };
    }

    // SH: 00 NSH, 01 reserved (taken as NSH), 10 OSH, 11 ISH. Normal Non-cacheable memory is always Outer Shareable.
    private static Shareability Shareability(uint sh, Cacheability inner, Cacheability outer)
    {
        if (inner == Cacheability.NonCacheable && outer == Cacheability.NonCacheable)
        {
            return ArmSmmu.Shareability.OuterShareable;
        }

        return (sh & 3) switch
        {
            2 => ArmSmmu.Shareability.OuterShareable,
            3 => ArmSmmu.Shareability.InnerShareable,
            _ => ArmSmmu.Shareability.NonShareable,
        };
    }
}
