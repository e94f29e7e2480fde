using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

public class Stage1WalkTests
{
    private readonly SparseMemory _memory = new();
    private readonly TestTables _tables;
    private readonly Walker _walker;

    public Stage1WalkTests()
    {
        _tables = new TestTables(_memory, 0x10_0000);
        _walker = new Walker(_memory, 48);
    }

    internal static Granule G(int pageShift) => pageShift switch
    {
        12 => Granule.Size4K,
        14 => Granule.Size16K,
        _ => Granule.Size64K,
    };

    private ulong Root(int pageShift, int startLevel, int inputBits) =>
        _tables.Allocate(8UL << (inputBits - LowBit(pageShift, startLevel)));

    // DDI0487 D8.2 / digest §7.2: the starting level follows from TxSZ and the granule; one read per level.
    [Theory]
    [InlineData(12, 16, 0)]
    [InlineData(12, 25, 1)]
    [InlineData(12, 34, 2)]
    [InlineData(14, 16, 0)]
    [InlineData(14, 17, 1)]
    [InlineData(14, 28, 2)]
    [InlineData(16, 16, 1)]
    [InlineData(16, 22, 2)]
    [InlineData(16, 35, 3)]
    public void Page_walk_starts_at_the_level_TxSZ_selects(int pageShift, int t0sz, int startLevel)
    {
        int inputBits = 64 - t0sz;
        ulong va = 0x0000_5A5A_5A5A_5A5AUL & ((1UL << inputBits) - 1);
        ulong pa = 0x8_1234_0000UL;
        ulong root = Root(pageShift, startLevel, inputBits);
        _tables.Map(root, pageShift, startLevel, inputBits, va, 3, S1Leaf(pa, page: true));

        var result = _walker.Walk(va, Stage1(G(pageShift), t0sz, root), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(pa | (va & ((1UL << pageShift) - 1)), result.Entry.Translate(va));
        Assert.Equal(3, result.Entry.Level);
        Assert.Equal(pageShift, result.Entry.Shift);
        Assert.Equal(-1, result.Entry.Stage2Level);
        Assert.Equal(4 - startLevel, result.DescriptorReads);
        Assert.True(result.Cacheable);
    }

    // Digest §7.2: "SMMU treats low TTB bits below x as 0": 4K, T0SZ 36 starts at L2 with a 128-entry (1 KiB) table.
    [Fact]
    public void Ttb_is_aligned_down_to_the_start_table_size()
    {
        ulong root = _tables.Allocate(0x400);
        ulong va = 0x0ABC_D123;
        _tables.Map(root, 12, 2, 28, va, 3, S1Leaf(0x7000_0000, page: true));

        var result = _walker.Walk(va, Stage1(Granule.Size4K, 36, root + 0x3F8), Read);

        Assert.Equal(0x7000_0123UL, result.Entry.Translate(va));
    }

    // Digest §7.1, §7.5: 4K L1 (1 GB) and L2 (2 MB), 16K L2 (32 MB), 64K L2 (512 MB) blocks.
    [Theory]
    [InlineData(12, 25, 1, 1, 0x12_3456_789AUL, 0x8000_0000UL, 0xB456_789AUL, 30)]
    [InlineData(12, 25, 1, 2, 0x12_3456_789AUL, 0x4060_0000UL, 0x4076_789AUL, 21)]
    [InlineData(14, 28, 2, 2, 0x9_8765_4321UL, 0x1_0200_0000UL, 0x1_0365_4321UL, 25)]
    [InlineData(16, 22, 2, 2, 0x2AB_CDEF_1234UL, 0x20_0000_0000UL, 0x20_0DEF_1234UL, 29)]
    public void Blocks_map_at_the_levels_the_granule_allows(int pageShift, int t0sz, int start, int level, ulong va, ulong block, ulong expected, int shift)
    {
        ulong root = Root(pageShift, start, 64 - t0sz);
        _tables.Map(root, pageShift, start, 64 - t0sz, va, level, S1Leaf(block, page: false));

        var result = _walker.Walk(va, Stage1(G(pageShift), t0sz, root), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(expected, result.Entry.Translate(va));
        Assert.Equal(level, result.Entry.Level);
        Assert.Equal(shift, result.Entry.Shift);
        Assert.Equal(va & ~((1UL << shift) - 1), result.Entry.InputBase);
    }

    // Digest §7.4: a block where the granule allows none (4K L0, 16K L1, 64K L1 without 52-bit support) and the
    // reserved level-3 encoding 0b01 are Translation faults at that level.
    [Theory]
    [InlineData(12, 16, 0, 0)]
    [InlineData(14, 17, 1, 1)]
    [InlineData(16, 16, 1, 1)]
    [InlineData(12, 25, 1, 3)]
    public void Blocks_at_illegal_levels_are_translation_faults(int pageShift, int t0sz, int start, int level)
    {
        ulong va = 0x1234_5678UL;
        ulong root = Root(pageShift, start, 64 - t0sz);
        _tables.Map(root, pageShift, start, 64 - t0sz, va, level, S1Leaf(0, page: false));

        var result = _walker.Walk(va, Stage1(G(pageShift), t0sz, root), Read);

        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: (sbyte)level), result.Fault);
        Assert.False(result.Cacheable);
    }

    // Digest §7.4, §7.8: an invalid descriptor (bit 0 clear) is F_TRANSLATION at its level.
    [Fact]
    public void Invalid_descriptor_is_a_translation_fault_at_its_level()
    {
        ulong root = Root(12, 1, 39);
        var result = _walker.Walk(0x1234_5000, Stage1(Granule.Size4K, 25, root), Read);
        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: 1), result.Fault);
        Assert.Equal(1, result.DescriptorReads);
    }

    // IHI0070 §3.4.1 / digest §3.2: VA[55] = 1 selects TTB1 when bits [63:64-T1SZ] are all ones.
    [Fact]
    public void Sign_extended_upper_va_walks_ttb1()
    {
        ulong root1 = Root(12, 1, 39);
        ulong va = 0xFFFF_FFC0_1234_5678UL;
        _tables.Map(root1, 12, 1, 39, va, 3, S1Leaf(0x6_0000_0000UL, page: true));
        var regime = Stage1(Granule.Size4K, 25, _tables.Allocate(0x1000));
        regime.Stage1.Ttb1 = root1;
        regime.Stage1.Epd1 = false;

        Assert.Equal(0x6_0000_0678UL, _walker.Walk(va, regime, Read).Entry.Translate(va));

        // Bits [63:39] not all equal to bit 55: outside both ranges.
        var bad = _walker.Walk(0xFFFF_0000_1234_5678UL, regime, Read);
        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN), bad.Fault);
        Assert.Equal(FaultKind.Translation, _walker.Walk(0x0001_0000_1234_5678UL, regime, Read).Fault.Kind);
        Assert.Equal(0, bad.DescriptorReads);
    }

    // IHI0070 §5.4 CD.EPD1 (digest §3.2): no walks through TTB1: F_TRANSLATION, stage 1.
    [Fact]
    public void Epd1_makes_the_upper_range_a_translation_fault()
    {
        ulong root1 = Root(12, 1, 39);
        ulong va = 0xFFFF_FFC0_1234_5678UL;
        _tables.Map(root1, 12, 1, 39, va, 3, S1Leaf(0x6_0000_0000UL, page: true));
        var regime = Stage1(Granule.Size4K, 25, _tables.Allocate(0x1000));
        regime.Stage1.Ttb1 = root1;
        regime.Stage1.Epd1 = true;

        var result = _walker.Walk(va, regime, Read);

        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN), result.Fault);
        Assert.Equal(0, result.DescriptorReads);
    }

    // IHI0070 §3.4.1 / digest §3.2: with TBI0 the top byte is excluded from the range check.
    [Fact]
    public void Tbi0_ignores_the_top_byte()
    {
        ulong root = Root(12, 1, 39);
        _tables.Map(root, 12, 1, 39, 0x1234_5678, 3, S1Leaf(0x7000_0000, page: true));
        var regime = Stage1(Granule.Size4K, 25, root);
        ulong tagged = 0x5A00_0000_1234_5678UL;

        Assert.Equal(FaultKind.Translation, _walker.Walk(tagged, regime, Read).Fault.Kind);

        regime.Stage1.Tbi0 = true;
        var result = _walker.Walk(tagged, regime, Read);
        Assert.Equal(0x7000_0678UL, result.Entry.Translate(tagged));
        Assert.Equal(0x1234_5000UL, result.Entry.InputBase);
    }

    // Digest §7.9: the contiguous hint widens the cached translation to the whole run (4K L3: 16 pages; 16K L3: 128
    // pages; 64K L2: 32 blocks), aligned to the run.
    [Theory]
    [InlineData(12, 25, 1, 3, 0x4_5678_9123UL, 0x9_0000_9000UL, 16, 0x9_0000_9123UL)]
    [InlineData(14, 28, 2, 3, 0x5_4321_ABCDUL, 0x1_0021_8000UL, 21, 0x1_0021_ABCDUL)]
    [InlineData(16, 22, 2, 2, 0x2AB_CDEF_1234UL, 0x7_C000_0000UL, 34, 0x7_CDEF_1234UL)]
    public void Contiguous_bit_widens_the_entry_to_the_run(int pageShift, int t0sz, int start, int level, ulong va, ulong output, int shift, ulong expected)
    {
        ulong root = Root(pageShift, start, 64 - t0sz);
        _tables.Map(root, pageShift, start, 64 - t0sz, va, level, S1Leaf(output, page: level == 3, Contiguous));

        var result = _walker.Walk(va, Stage1(G(pageShift), t0sz, root), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(shift, result.Entry.Shift);
        Assert.Equal(va & ~((1UL << shift) - 1), result.Entry.InputBase);
        Assert.Equal(expected & ~((1UL << shift) - 1), result.Entry.OutputBase);
        Assert.Equal(expected, result.Entry.Translate(va));
    }

    // Digest §7.8 / IHI0070 §7.3.14: output address above the effective IPS is F_ADDR_SIZE at the leaf level.
    [Fact]
    public void Output_address_above_ips_is_an_address_size_fault()
    {
        ulong root = Root(12, 1, 39);
        _tables.Map(root, 12, 1, 39, 0x1234_5000, 3, S1Leaf(1UL << 40, page: true));

        var result = _walker.Walk(0x1234_5000, Stage1(Granule.Size4K, 25, root, outputBits: 40), Read);

        Assert.Equal(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN, Level: 3), result.Fault);
        Assert.True(_walker.Walk(0x1234_5000, Stage1(Granule.Size4K, 25, root, outputBits: 44), Read).Success);
    }

    // Digest §7.8: a next-level table address above the effective IPS is F_ADDR_SIZE at the table descriptor's level.
    [Fact]
    public void Table_address_above_ips_is_an_address_size_fault()
    {
        ulong root = Root(12, 1, 39);
        ulong va = 0x1234_5000; // L1 index VA[38:30] = 0
        _memory.WriteUInt64(root, 0x200_0000_0000UL | TableType);

        var result = _walker.Walk(va, Stage1(Granule.Size4K, 25, root, outputBits: 40), Read);

        Assert.Equal(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN, Level: 1), result.Fault);
    }

    // Digest §7.9 (FEAT_LPA): with the 64K granule, OA[51:48] sits in descriptor bits [15:12].
    [Fact]
    public void Granule64K_52_bit_output_takes_oa_51_48_from_bits_15_12()
    {
        ulong root = Root(16, 2, 42);
        ulong va = 0x123_4567_89ABUL;
        ulong descriptor = 0x0000_1234_0000_0000UL | (0xAUL << 12) | PageType | AF | ShInner | (1UL << 2);
        _tables.Map(root, 16, 2, 42, va, 3, descriptor);

        var wide = _walker.Walk(va, Stage1(Granule.Size64K, 22, root, outputBits: 52), Read);
        Assert.Equal(0xA_1234_0000_89ABUL, wide.Entry.Translate(va));

        var narrow = _walker.Walk(va, Stage1(Granule.Size64K, 22, root, outputBits: 48), Read);
        Assert.Equal(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN, Level: 3), narrow.Fault);
    }

    // IHI0070 §7.3.12: an external abort reading a stage-1 descriptor is F_WALK_EABT, S2 = 0, CLASS = TT, with the
    // descriptor PA as FetchAddr.
    [Fact]
    public void Abort_reading_a_descriptor_is_walk_eabt_with_the_descriptor_address()
    {
        ulong root = Root(12, 2, 30);
        ulong va = 0x1234_5000; // L2 index VA[29:21] = 0x91
        _tables.Map(root, 12, 2, 30, va, 3, S1Leaf(0x7000_0000, page: true));
        _memory.AddAbortRange(root, 0x1000);

        var result = _walker.Walk(va, Stage1(Granule.Size4K, 34, root), Read);

        Assert.Equal(new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: root + (0x91 * 8), Level: 2), result.Fault);
        Assert.False(result.Cacheable);
    }

    // DDI0487 D8.6 / digest §7.7: AttrIndx selects a MAIR byte; Linux MAIR 0xF404FF44.
    [Theory]
    [InlineData(0u, MemoryType.Normal, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false)]
    [InlineData(1u, MemoryType.Normal, Cacheability.WriteBack, Cacheability.WriteBack, Shareability.InnerShareable, true)]
    [InlineData(2u, MemoryType.DeviceNGnRE, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false)]
    [InlineData(3u, MemoryType.Normal, Cacheability.NonCacheable, Cacheability.WriteBack, Shareability.InnerShareable, false)]
    public void Mair_attributes_are_decoded(uint attrIndx, MemoryType type, Cacheability inner, Cacheability outer, Shareability sh, bool allocate)
    {
        ulong root = Root(12, 1, 39);
        _tables.Map(root, 12, 1, 39, 0x1234_5000, 3, S1Leaf(0x7000_0000, page: true, attrIndx: attrIndx));

        var attributes = _walker.Walk(0x1234_5000, Stage1(Granule.Size4K, 25, root), Read).Entry.Attributes;

        Assert.Equal(new MemoryAttributes(type, inner, outer, sh, allocate, allocate), attributes);
    }

    // Digest §7.5: nG = 1 makes the entry ASID-specific.
    [Fact]
    public void Not_global_bit_clears_global()
    {
        ulong root = Root(12, 1, 39);
        _tables.Map(root, 12, 1, 39, 0x1234_5000, 3, S1Leaf(0x7000_0000, page: true, NotGlobal));
        _tables.Map(root, 12, 1, 39, 0x1234_6000, 3, S1Leaf(0x7000_1000, page: true));
        var regime = Stage1(Granule.Size4K, 25, root);

        Assert.False(_walker.Walk(0x1234_5000, regime, Read).Entry.Global);
        Assert.True(_walker.Walk(0x1234_6000, regime, Read).Entry.Global);
    }

    // IHI0070 §3.4 / §7.3.14: with stage 1 bypassed, an input above IAS is a stage-1 F_ADDR_SIZE, CLASS = IN.
    [Fact]
    public void Bypassed_stage1_input_above_ias_is_an_address_size_fault()
    {
        var walker = new Walker(_memory, 44);
        var regime = new TranslationRegime();

        Assert.Equal(new WalkFault(FaultKind.AddressSize, false, FaultClass.IN), walker.Walk(1UL << 44, regime, Read).Fault);
        Assert.Equal(0xFFF_1234_5678UL, walker.Walk(0xFFF_1234_5678UL, regime, Read).Entry.Translate(0xFFF_1234_5678UL));
    }

    // The trace records each descriptor read in order.
    [Fact]
    public void Trace_records_every_level()
    {
        ulong root = Root(12, 1, 39);
        ulong leafAddress = _tables.Map(root, 12, 1, 39, 0x1234_5000, 3, S1Leaf(0x7000_0000, page: true));
        var trace = new WalkTrace();

        _walker.Walk(0x1234_5000, Stage1(Granule.Size4K, 25, root), Read, trace);

        Assert.Equal(3, trace.Steps.Count);
        Assert.Equal(root, trace.Steps[0].DescriptorAddress);
        Assert.Equal(leafAddress, trace.Steps[2].PhysicalAddress);
        Assert.Equal(S1Leaf(0x7000_0000, page: true), trace.Steps[2].Descriptor);
        Assert.Equal(new sbyte[] { 1, 2, 3 }, trace.Steps.Select(s => s.Level).ToArray());
    }
}
