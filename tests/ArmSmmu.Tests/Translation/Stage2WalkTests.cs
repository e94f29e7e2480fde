using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

public class Stage2WalkTests
{
    private const ulong Ipa = 0x12_3456_789A;
    private const ulong Pa = 0x8000_0000;

    private readonly SparseMemory _memory = new();
    private readonly TestTables _tables;
    private readonly Walker _walker;
    private readonly ulong _root;

    public Stage2WalkTests()
    {
        _tables = new TestTables(_memory, 0x10_0000);
        _walker = new Walker(_memory, 48);
        _root = _tables.Allocate(0x1000);
    }

    // 4K granule, S2T0SZ 25 (39-bit IPA), SL0 = 01: start at level 1 (digest §7.3).
    private static Stage2Config Config(byte outputBits = 48) => Stage2(Granule.Size4K, 25, 1, 0, outputBits);

    private WalkResult WalkWith(ulong leaf, AccessIntent access, Func<Stage2Config, Stage2Config>? configure = null, FaultClass faultClass = FaultClass.IN)
    {
        _tables.Map(_root, 12, 1, 39, Ipa, 3, leaf);
        var config = Config() with { S2Ttb = _root };
        return _walker.WalkStage2(Ipa, configure is null ? config : configure(config), access, faultClass);
    }

    // Digest §7.3: S2SL0 gives the start level; when the start level resolves more bits than one table holds, 2..16
    // tables are concatenated and indexed by IPA[inputsize-1 : level_shift(start)].
    [Theory]
    [InlineData(12, 16, 0, 1)]
    [InlineData(12, 25, 1, 1)]
    [InlineData(12, 24, 1, 2)]
    [InlineData(12, 23, 1, 4)]
    [InlineData(12, 21, 1, 16)]
    [InlineData(12, 34, 2, 1)]
    [InlineData(12, 30, 2, 16)]
    [InlineData(14, 28, 2, 1)]
    [InlineData(14, 24, 2, 16)]
    [InlineData(16, 22, 2, 1)]
    [InlineData(16, 18, 2, 16)]
    [InlineData(16, 35, 3, 1)]
    public void Start_level_and_concatenated_tables(int pageShift, int s2t0sz, int start, int tables)
    {
        int inputBits = 64 - s2t0sz;
        int startLow = LowBit(pageShift, start);
        ulong rootSize = (8UL << (pageShift - 3)) * (ulong)tables;
        Assert.Equal(8UL << (inputBits - startLow), rootSize); // the case really has that many tables
        ulong root = _tables.Allocate(rootSize);
        ulong ipa = (0x5A5A_5A5A_5A5AUL & ((1UL << inputBits) - 1)) | (1UL << (inputBits - 1));
        _tables.Map(root, pageShift, start, inputBits, ipa, 3, S2Leaf(Pa, page: true));
        var trace = new WalkTrace();

        var result = _walker.WalkStage2(ipa, Stage2(Stage1WalkTests.G(pageShift), s2t0sz, start, root), Read, FaultClass.IN, trace);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(Pa | (ipa & ((1UL << pageShift) - 1)), result.Entry.Translate(ipa));
        Assert.Equal(4 - start, result.DescriptorReads);
        Assert.Equal(root + ((ipa >> startLow) * 8), trace.Steps[0].DescriptorAddress);
        Assert.Equal(3, result.Entry.Stage2Level);
        Assert.Equal(pageShift, result.Entry.Stage2Shift);
        Assert.True(result.Entry.Global);
        Assert.Equal(PagePermissions.All, result.Entry.Stage1Permissions);
    }

    // Digest §7.3, §7.8: an IPA at or above 2^(64 - S2T0SZ) is a stage-2 F_TRANSLATION with the IPA recorded.
    [Fact]
    public void Ipa_above_the_input_size_is_a_stage2_translation_fault()
    {
        var result = _walker.WalkStage2(1UL << 39, Config() with { S2Ttb = _root }, Read, FaultClass.IN);

        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, 1UL << 39), result.Fault);
        Assert.Equal(0, result.DescriptorReads);
    }

    // Digest §7.6: S2AP 00 none, 01 read-only, 10 write-only, 11 read/write.
    [Theory]
    [InlineData(0u, false, false)]
    [InlineData(1u, true, false)]
    [InlineData(2u, false, true)]
    [InlineData(3u, true, true)]
    public void S2ap_grants_reads_and_writes(uint s2ap, bool read, bool write)
    {
        var expectedFault = new WalkFault(FaultKind.Permission, true, FaultClass.IN, Ipa, Level: 3);
        var readResult = WalkWith(S2Leaf(Pa, page: true, s2ap: s2ap), Read);
        var writeResult = WalkWith(S2Leaf(Pa, page: true, s2ap: s2ap), UserWrite);

        Assert.Equal(read ? default : expectedFault, readResult.Fault);
        Assert.Equal(write ? default : expectedFault, writeResult.Fault);
        Assert.True(writeResult.Cacheable);
        Assert.Equal(Pa | 0x89A, writeResult.Entry.Translate(Ipa));
    }

    // Digest §7.6: stage-2 XN (bit 54) forbids execution; with XNX, XN[1:0] = 01 not EL1, 10 neither, 11 not EL0.
    [Theory]
    [InlineData(false, 0UL, true, true)]
    [InlineData(false, Uxn, false, false)]
    [InlineData(true, 0UL, true, true)]
    [InlineData(true, Pxn, false, true)]
    [InlineData(true, Uxn, false, false)]
    [InlineData(true, Uxn | Pxn, true, false)]
    public void Stage2_execute_never(bool xnx, ulong bits, bool privileged, bool unprivileged)
    {
        Func<Stage2Config, Stage2Config> configure = c => c with { ExtendedExecuteNever = xnx };

        Assert.Equal(privileged, WalkWith(S2Leaf(Pa, page: true, bits), Exec, configure).Success);
        Assert.Equal(unprivileged, WalkWith(S2Leaf(Pa, page: true, bits), UserExec, configure).Success);
        Assert.True(WalkWith(S2Leaf(Pa, page: true, bits), Read, configure).Success);
    }

    // Digest §7.8 / IHI0070 §3.13: stage-2 AF = 0 faults unless S2AFFD; S2HA sets it.
    [Fact]
    public void Stage2_access_flag_affd_and_ha()
    {
        ulong leaf = S2Leaf(Pa, page: true) & ~AF;

        Assert.Equal(new WalkFault(FaultKind.Access, true, FaultClass.IN, Ipa, Level: 3), WalkWith(leaf, Read).Fault);
        Assert.True(WalkWith(leaf, Read, c => c with { Affd = true }).Success);

        ulong leafAddress = _tables.Map(_root, 12, 1, 39, Ipa, 3, leaf);
        Assert.True(_walker.WalkStage2(Ipa, Config() with { S2Ttb = _root, Ha = true }, Read, FaultClass.IN).Success);
        Assert.Equal(leaf | AF, _memory.ReadUInt64(leafAddress));
    }

    // IHI0070 §3.13.3: S2HD with DBM sets S2AP[1] on a write; never for a CD fetch.
    [Fact]
    public void Stage2_dirty_update_sets_s2ap_write()
    {
        ulong leaf = S2Leaf(Pa, page: true, Dbm, s2ap: 1);
        ulong leafAddress = _tables.Map(_root, 12, 1, 39, Ipa, 3, leaf);
        var config = Config() with { S2Ttb = _root, Ha = true, Hd = true };

        var read = _walker.WalkStage2(Ipa, config, Read, FaultClass.IN);
        Assert.True(read.Entry.Stage2DirtyUpdatable);
        Assert.Equal(leaf, _memory.ReadUInt64(leafAddress));

        Assert.Equal(FaultKind.Permission, _walker.WalkStage2(Ipa, config, Write, FaultClass.CD).Fault.Kind);
        Assert.Equal(leaf, _memory.ReadUInt64(leafAddress));

        var write = _walker.WalkStage2(Ipa, config, Write, FaultClass.IN);
        Assert.True(write.Success);
        Assert.Equal(leaf | S2ApWrite, _memory.ReadUInt64(leafAddress));
        Assert.False(write.Entry.Stage2DirtyUpdatable);
    }

    // IHI0070 §5.2 STE.S2PTW: a CD fetch or stage-1 walk to stage-2 Device memory is a stage-2 Permission fault.
    [Fact]
    public void S2ptw_faults_table_and_cd_accesses_to_device_memory()
    {
        ulong device = S2Leaf(Pa, page: true, memAttr: 0b0001);
        Func<Stage2Config, Stage2Config> ptw = c => c with { Ptw = true };

        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.CD, Ipa, Level: 3), WalkWith(device, AccessIntent.TableRead, ptw, FaultClass.CD).Fault);
        Assert.True(WalkWith(device, AccessIntent.TableRead, null, FaultClass.CD).Success);
        Assert.True(WalkWith(device, Read, ptw, FaultClass.IN).Success);
        Assert.True(WalkWith(S2Leaf(Pa, page: true), AccessIntent.TableRead, ptw, FaultClass.CD).Success);
    }

    // IHI0070 §7.3.12: an abort reading a stage-2 descriptor is F_WALK_EABT, S2 = 1, with the descriptor PA.
    [Fact]
    public void Abort_reading_a_stage2_descriptor_is_walk_eabt()
    {
        _tables.Map(_root, 12, 1, 39, Ipa, 3, S2Leaf(Pa, page: true));
        _memory.AddAbortRange(_root, 0x1000);

        var result = _walker.WalkStage2(Ipa, Config() with { S2Ttb = _root }, Read, FaultClass.IN);

        // L1 index = IPA[38:30] = 0x48.
        Assert.Equal(new WalkFault(FaultKind.ExternalAbort, true, FaultClass.IN, Ipa, _root + (0x48 * 8), 1), result.Fault);
    }

    // Digest §7.8: stage-2 output or table address above the effective S2PS is a stage-2 F_ADDR_SIZE.
    [Fact]
    public void Stage2_address_size_faults()
    {
        _tables.Map(_root, 12, 1, 39, Ipa, 3, S2Leaf(1UL << 40, page: true));
        Assert.Equal(
            new WalkFault(FaultKind.AddressSize, true, FaultClass.IN, Ipa, Level: 3),
            _walker.WalkStage2(Ipa, Config(40) with { S2Ttb = _root }, Read, FaultClass.IN).Fault);

        _memory.WriteUInt64(_root + (0x48 * 8), (1UL << 41) | TableType);
        Assert.Equal(
            new WalkFault(FaultKind.AddressSize, true, FaultClass.IN, Ipa, Level: 1),
            _walker.WalkStage2(Ipa, Config(40) with { S2Ttb = _root }, Read, FaultClass.IN).Fault);
    }

    // DDI0487 D8.6 / digest §7.7: stage-2 MemAttr[3:0] decoding.
    [Theory]
    [InlineData(0xFu, MemoryType.Normal, Cacheability.WriteBack, Cacheability.WriteBack, Shareability.InnerShareable)]
    [InlineData(0x5u, MemoryType.Normal, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable)]
    [InlineData(0xDu, MemoryType.Normal, Cacheability.NonCacheable, Cacheability.WriteBack, Shareability.InnerShareable)]
    [InlineData(0xAu, MemoryType.Normal, Cacheability.WriteThrough, Cacheability.WriteThrough, Shareability.InnerShareable)]
    [InlineData(0x1u, MemoryType.DeviceNGnRE, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable)]
    public void Stage2_memattr_is_decoded(uint memAttr, MemoryType type, Cacheability inner, Cacheability outer, Shareability sh)
    {
        var attributes = WalkWith(S2Leaf(Pa, page: true, memAttr: memAttr), Read).Entry.Attributes;

        Assert.Equal(type, attributes.Type);
        Assert.Equal(inner, attributes.Inner);
        Assert.Equal(outer, attributes.Outer);
        Assert.Equal(sh, attributes.Shareability);
    }

    // Digest §7.1: a 1 GB stage-2 block at level 1; a stage-2-only walk through Walker reports the stage-2 level.
    [Fact]
    public void Stage2_only_regime_maps_blocks()
    {
        _tables.Map(_root, 12, 1, 39, Ipa, 1, S2Leaf(0x1_C000_0000, page: false));
        var regime = new TranslationRegime { Stage2Enabled = true, Stage2 = Config() with { S2Ttb = _root } };

        var result = _walker.Walk(Ipa, regime, Read);

        Assert.True(result.Success);
        Assert.Equal(0x1_C000_0000UL | (Ipa & 0x3FFF_FFFF), result.Entry.Translate(Ipa));
        Assert.Equal(30, result.Entry.Shift);
        Assert.Equal(1, result.Entry.Level);
        Assert.Equal(1, result.Entry.Stage2Level);
        Assert.Equal(result.Entry.InputBase, result.Entry.IntermediateBase);
    }
}
