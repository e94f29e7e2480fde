using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// 52-bit addresses in the walker (IHI0070 §3.4, §5.2 S2DS, §5.4 DS; DDI0487 D8.3 FEAT_LPA / FEAT_LPA2): level -1 of
/// the 4K granule, the 5-bit level 0 of 16K, the 10-bit level 1 of 64K, the FEAT_LPA2 descriptor format (OA[51:50] in
/// bits [9:8], SH from the CD or STE), the 64K FEAT_LPA format (OA[51:48] in bits [15:12]), blocks one level higher,
/// and the Address size faults at the output-size boundary. The tables are written here from the descriptor formats,
/// with their own index arithmetic.
/// </summary>
public class LargeAddressWalkTests
{
    private static readonly AccessIntent Read = new(false, false, true);

    private readonly SparseMemory _memory = new();
    private readonly TestTables _arena;
    private readonly Walker _walker;

    public LargeAddressWalkTests()
    {
        _arena = new TestTables(_memory, 0x20_0000);
        _walker = new Walker(_memory, 52);
    }

    // DDI0487 D8.3: FEAT_LPA2 table/page/block descriptor: address bits [49:g] in place, [51:50] in bits [9:8].
    private static ulong Lpa2(ulong address) => (address & 0x0003_FFFF_FFFF_F000UL) | (((address >> 50) & 3) << 8);

    // DDI0487 D8.3: FEAT_LPA 64K descriptor: address bits [47:16] in place, [51:48] in bits [15:12].
    private static ulong Lpa64K(ulong address) => (address & 0x0000_FFFF_FFFF_0000UL) | (((address >> 48) & 0xF) << 12);

    // Leaf attributes: AF, AttrIndx 1 (MAIR Attr1 0xFF, Normal write-back), AP[1] = 1 (EL0 read/write).
    private const ulong S1LeafBits = (1UL << 10) | (1UL << 2) | (1UL << 6);

    // Stage-2 leaf: AF, S2AP read/write, MemAttr 0xF (write-back).
    private const ulong S2LeafBits = (1UL << 10) | (3UL << 6) | (0xFUL << 2);

    // The lowest input bit level L resolves: g + (g - 3) * (3 - L) (digest §7.1), so 4K level -1 is 48.
    private static int LowBit(int pageShift, int level) => pageShift + ((pageShift - 3) * (3 - level));

    // A zeroed table aligned to its size, at least 64 KiB apart (so one allocation fits every granule).
    private ulong Allocate(ulong bytes) => _arena.Allocate(Math.Max(bytes, 0x1_0000));

    // Writes a path of table descriptors from the root to leafLevel; the table addresses are placed above 2^48 when
    // highTables, so every next-level address exercises the upper address bits of the format.
    private ulong MapPath(ulong root, int pageShift, int start, int inputBits, ulong input, int leafLevel, ulong leaf, Func<ulong, ulong> encode, bool highTables = false)
    {
        ulong table = root;
        for (int level = start; level < leafLevel; level++)
        {
            int low = LowBit(pageShift, level);
            int bits = level == start ? inputBits - low : pageShift - 3;
            ulong slot = table + (((input >> low) & ((1UL << bits) - 1)) * 8);
            ulong existing = _memory.ReadUInt64(slot);
            if ((existing & 0b11) == 0b11)
            {
                table = Decode(existing, encode);
                continue;
            }

            ulong next = Allocate(1UL << pageShift) | (highTables ? 0x000C_0000_0000_0000UL : 0);
            if (highTables)
            {
                _memory.Clear(next, 1UL << pageShift);
            }

            _memory.WriteUInt64(slot, encode(next) | 0b11);
            table = next;
        }

        int leafLow = LowBit(pageShift, leafLevel);
        int leafBits = leafLevel == start ? inputBits - leafLow : pageShift - 3;
        ulong leafSlot = table + (((input >> leafLow) & ((1UL << leafBits) - 1)) * 8);
        _memory.WriteUInt64(leafSlot, leaf);
        return leafSlot;
    }

    private static TranslationRegime Stage1(Granule granule, int t0sz, ulong ttb0, bool ds, byte outputBits = 52, byte sh0 = 0b10) => new()
    {
        Stage1Enabled = true,
        Stage1 = new Stage1Config
        {
            Ttb0 = ttb0,
            T0SZ = (byte)t0sz,
            Granule0 = granule,
            Granule1 = Granule.Size4K,
            Epd1 = true,
            OutputBits = outputBits,
            Mair = 0xFFFF, // Attr0 and Attr1 Normal write-back
            Ds = ds,
            Sh0 = sh0,
        },
    };

    private static Stage2Config Stage2(Granule granule, int s2t0sz, int startLevel, ulong s2ttb, bool ds, byte outputBits = 52) => new()
    {
        S2Ttb = s2ttb,
        S2T0SZ = (byte)s2t0sz,
        StartLevel = (sbyte)startLevel,
        Granule = granule,
        OutputBits = outputBits,
        Ds = ds,
        Sh = 0b11,
    };

    // IHI0070 §3.4.1, §5.4 CD.DS; DDI0487 D8.2: a 52-bit VA (T0SZ 12) starts at level -1 with 4K + DS (16 entries, 5 reads),
    // at level 0 with 16K + DS (32 entries, 4 reads) and at level 1 with 64K (1024 entries, 3 reads); PA bits [51:48] come
    // from bits [9:8] and [49:48] (FEAT_LPA2) or [15:12] (FEAT_LPA).
    [Theory]
    [InlineData(12, -1, 5)]
    [InlineData(14, 0, 4)]
    [InlineData(16, 1, 3)]
    public void Section_3_4_1_a_52_bit_va_translates_to_a_52_bit_pa_from_the_start_level_the_granule_gives(int pageShift, int start, int reads)
    {
        var granule = GranuleOf(pageShift);
        bool ds = pageShift != 16;
        Func<ulong, ulong> encode = ds ? Lpa2 : Lpa64K;
        ulong va = 0x000F_8765_4321_0000UL | 0x1234;
        ulong pa = 0x000B_5678_9ABC_0000UL;
        ulong root = Allocate(8UL << (52 - LowBit(pageShift, start)));
        MapPath(root, pageShift, start, 52, va, 3, encode(pa) | S1LeafBits | 0b11, encode, highTables: true);

        var result = _walker.Walk(va, Stage1(granule, 12, root, ds), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(pa | (va & ((1UL << pageShift) - 1)), result.Entry.Translate(va));
        Assert.Equal(reads, result.DescriptorReads);
        Assert.Equal(3, result.Entry.Level);
    }

    // IHI0070 §3.4.1: without DS a 4K or 16K TTBx translates at most 48 bits, so a 52-bit input is a Translation fault
    // before any table is read (the CD checks make such a CD ILLEGAL; the walker refuses it on its own too).
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    public void Section_3_4_1_a_52_bit_input_without_ds_is_a_translation_fault(int pageShift)
    {
        var result = _walker.Walk(0x1000, Stage1(GranuleOf(pageShift), 12, Allocate(0x1000), ds: false), Read);

        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: -1), result.Fault);
        Assert.Equal(0, result.DescriptorReads);
    }

    // IHI0070 §3.4 check 2, §5.4 CD.IPS: with DS, a leaf or table address whose bits [51:50] (descriptor bits [9:8]) or
    // [49:48] lie above the effective IPS is a stage-1 Address size fault at that level.
    [Theory]
    [InlineData(0x0004_0000_0000_0000UL, 3)] // OA[50] in descriptor bit 8
    [InlineData(0x0001_0000_0000_0000UL, 3)] // OA[48] in place
    [InlineData(0x0008_0000_0000_0000UL, 1)] // the level-1 table descriptor's next-level address has bit 51 set
    public void Section_3_4_an_lpa2_address_above_the_ips_is_an_address_size_fault(ulong high, int level)
    {
        ulong va = 0x4000_1000UL;
        ulong root = Allocate(0x1000);
        ulong leafSlot = MapPath(root, 12, 0, 48, va, 3, Lpa2(0x8000_0000UL | (level == 3 ? high : 0)) | S1LeafBits | 0b11, Lpa2);
        if (level == 1)
        {
            // Re-point the level-1 entry at a level-2 table address with bit 51 set (the walk stops there).
            ulong l1Slot = _memory.ReadUInt64(root + (((va >> 39) & 0x1FF) * 8));
            ulong l1 = l1Slot & 0x0003_FFFF_FFFF_F000UL;
            ulong slot = l1 + (((va >> 30) & 0x1FF) * 8);
            _memory.WriteUInt64(slot, Lpa2((_memory.ReadUInt64(slot) & 0x0003_FFFF_FFFF_F000UL) | high) | 0b11);
        }

        Assert.NotEqual(0UL, leafSlot);
        var result = _walker.Walk(va, Stage1(Size4K, 16, root, ds: true, outputBits: 48), Read);

        Assert.Equal(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN, Level: (sbyte)level), result.Fault);
    }

    // DDI0487 D8.3: the same page descriptor without DS keeps the shareability in bits [9:8] and only OA[47:12]; with DS
    // those bits are OA[51:50] and the shareability is CD.SH0 (IHI0070 §5.4 CD.DS).
    [Fact]
    public void Section_5_4_ds_moves_shareability_from_the_descriptor_to_cd_sh0()
    {
        ulong va = 0x4000_1000UL;
        ulong root = Allocate(0x1000);
        MapPath(root, 12, 0, 48, va, 3, 0x8000_0000UL | (0b11UL << 8) | S1LeafBits | 0b11, Lpa2);

        var plain = _walker.Walk(va, Stage1(Size4K, 16, root, ds: false, outputBits: 52, sh0: 0b10), Read);
        var lpa2 = _walker.Walk(va, Stage1(Size4K, 16, root, ds: true, outputBits: 52, sh0: 0b10), Read);

        Assert.Equal(0x8000_0000UL, plain.Entry.OutputBase);
        Assert.Equal(Shareability.InnerShareable, plain.Entry.Attributes.Shareability);
        Assert.Equal(0x000C_0000_8000_0000UL, lpa2.Entry.OutputBase);
        Assert.Equal(Shareability.OuterShareable, lpa2.Entry.Attributes.Shareability);
    }

    // DDI0487 D8.3 (AArch64.BlockDescSupported): with DS a 4K level-0 block (512 GB) and a 16K level-1 block (64 GB) are
    // legal; a 64K level-1 block (4 TB) is legal when the PA size is 52 bits. Without them they are Translation faults.
    [Theory]
    [InlineData(12, 16, 0, 0, true, 52, true)]
    [InlineData(12, 16, 0, 0, false, 52, false)]
    [InlineData(14, 16, 0, 1, true, 52, true)]
    [InlineData(14, 16, 0, 1, false, 52, false)]
    [InlineData(16, 16, 1, 1, false, 52, true)]
    [InlineData(16, 16, 1, 1, false, 48, false)]
    public void Section_5_4_blocks_one_level_higher_with_52_bit_addresses(int pageShift, int t0sz, int start, int level, bool ds, int pas, bool legal)
    {
        var walker = new Walker(_memory, pas);
        int shift = LowBit(pageShift, level);
        ulong va = (0x5UL << shift) | 0x1234;
        ulong block = 0x000A_0000_0000_0000UL & (pas == 52 ? ~0UL : 0x0000_FFFF_FFFF_FFFFUL);
        block &= ~((1UL << shift) - 1);
        Func<ulong, ulong> encode = ds ? Lpa2 : pageShift == 16 ? Lpa64K : a => a & 0x0000_FFFF_FFFF_F000UL;
        ulong root = Allocate(8UL << (64 - t0sz - LowBit(pageShift, start)));
        MapPath(root, pageShift, start, 64 - t0sz, va, level, encode(block) | S1LeafBits | 0b01, encode);

        var result = walker.Walk(va, Stage1(GranuleOf(pageShift), t0sz, root, ds, outputBits: (byte)pas), Read);

        if (legal)
        {
            Assert.True(result.Success, result.Fault.ToString());
            Assert.Equal(block | (va & ((1UL << shift) - 1)), result.Entry.Translate(va));
            Assert.Equal(shift, result.Entry.Shift);
        }
        else
        {
            Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: (sbyte)level), result.Fault);
        }
    }

    // IHI0070 §3.4 (stage 2), §5.2 S2DS/S2SL0_2: a 52-bit IPA walks from level -1 (4K, SL2:SL0 = 0b100), level 0 (16K,
    // SL0 = 0b11) or level 1 (64K) to a 52-bit PA; with S2PS 48 the same leaf is a stage-2 Address size fault.
    [Theory]
    [InlineData(12, -1)]
    [InlineData(14, 0)]
    [InlineData(16, 1)]
    public void Section_5_2_a_52_bit_ipa_walks_stage_2_to_a_52_bit_pa(int pageShift, int start)
    {
        bool ds = pageShift != 16;
        Func<ulong, ulong> encode = ds ? Lpa2 : Lpa64K;
        ulong ipa = 0x000E_0123_4567_0000UL | 0x88;
        ulong pa = 0x0009_8765_4321_0000UL;
        ulong root = Allocate(8UL << (52 - LowBit(pageShift, start)));
        MapPath(root, pageShift, start, 52, ipa, 3, encode(pa) | S2LeafBits | 0b11, encode);

        var ok = _walker.WalkStage2(ipa, Stage2(GranuleOf(pageShift), 12, start, root, ds), Read, FaultClass.IN);
        var narrow = _walker.WalkStage2(ipa, Stage2(GranuleOf(pageShift), 12, start, root, ds, outputBits: 48), Read, FaultClass.IN);

        Assert.True(ok.Success, ok.Fault.ToString());
        Assert.Equal(pa | 0x88, ok.Entry.Translate(ipa));
        Assert.Equal(new WalkFault(FaultKind.AddressSize, true, FaultClass.IN, ipa, Level: 3), narrow.Fault);
    }

    // IHI0070 §3.4 (nested): a stage-1 4K DS walk whose tables and output are IPAs above 2^48, each translated by a 64K
    // stage 2 with a 52-bit IPA space, reaches a PA above 2^48.
    [Fact]
    public void Section_3_4_nested_52_bit_stage_1_output_goes_through_a_52_bit_stage_2()
    {
        // Stage 2: 64K, 52-bit IPA, identity for the low arena (where the stage-1 tables are) and IPA 0xF_xxxx -> PA.
        ulong s2Root = Allocate(8UL << (52 - LowBit(16, 1)));
        ulong s1Root = Allocate(8UL << (52 - 48));
        ulong s1Level0 = Allocate(0x1000);
        ulong s1Level1 = Allocate(0x1000);
        ulong s1Level2 = Allocate(0x1000);
        ulong s1Level3 = Allocate(0x1000);
        ulong arenaEnd = s1Level3 + 0x1_0000;
        for (ulong page = 0x20_0000; page < arenaEnd; page += 0x1_0000)
        {
            MapPath(s2Root, 16, 1, 52, page, 3, Lpa64K(page) | S2LeafBits | 0b11, Lpa64K);
        }

        ulong va = 0x000D_0000_1234_5000UL;
        ulong ipa = 0x000F_0000_0000_0000UL;
        ulong pa = 0x000A_0000_0000_0000UL;
        MapPath(s2Root, 16, 1, 52, ipa, 3, Lpa64K(pa) | S2LeafBits | 0b11, Lpa64K);
        _memory.WriteUInt64(s1Root + (((va >> 48) & 0xF) * 8), Lpa2(s1Level0) | 0b11);
        _memory.WriteUInt64(s1Level0 + (((va >> 39) & 0x1FF) * 8), Lpa2(s1Level1) | 0b11);
        _memory.WriteUInt64(s1Level1 + (((va >> 30) & 0x1FF) * 8), Lpa2(s1Level2) | 0b11);
        _memory.WriteUInt64(s1Level2 + (((va >> 21) & 0x1FF) * 8), Lpa2(s1Level3) | 0b11);
        _memory.WriteUInt64(s1Level3 + (((va >> 12) & 0x1FF) * 8), Lpa2(ipa) | S1LeafBits | 0b11);
        var regime = Stage1(Size4K, 12, s1Root, ds: true);
        regime.Stage2Enabled = true;
        regime.Stage2 = Stage2(Size64K, 12, 1, s2Root, ds: false);

        var result = _walker.Walk(va, regime, Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(pa | 0x321, result.Entry.Translate(va | 0x321));
        Assert.Equal(ipa, result.Entry.IntermediateBase);
        Assert.Equal(5 + (6 * 3), result.DescriptorReads); // 5 stage-1 reads, 6 stage-2 walks of 3 reads
    }

    private static Granule Size4K => Granule.Size4K;

    private static Granule Size64K => Granule.Size64K;

    private static Granule GranuleOf(int pageShift) => pageShift switch
    {
        12 => Granule.Size4K,
        14 => Granule.Size16K,
        _ => Granule.Size64K,
    };

    // The inverse of the two encodings above, for following a path already written.
    private static ulong Decode(ulong descriptor, Func<ulong, ulong> encode) => encode == Lpa64K
        ? (descriptor & 0x0000_FFFF_FFFF_0000UL) | (((descriptor >> 12) & 0xF) << 48)
        : (descriptor & 0x0003_FFFF_FFFF_F000UL) | (((descriptor >> 8) & 3) << 50);
}
