using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.NestedLayout;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Nested walks (IHI0070 §3.4, §3.13.5, §7.3) over the tables of <see cref="NestedLayout"/>; the stage-1 output IPA
/// 0x2000_0000 maps to PA 0x9000_0000 with a 4 KiB page.
/// </summary>
public class NestedWalkTests
{
    private readonly NestedLayout _layout = new();
    private readonly Walker _walker;

    public NestedWalkTests() => _walker = new Walker(_layout.Memory, 48);

    // IHI0070 §3.4: every stage-1 table address and the stage-1 output are IPAs translated by stage 2.
    [Fact]
    public void Nested_walk_translates_tables_and_output_through_stage2()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        var result = _walker.Walk(Va, _layout.Regime(), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(OutputPa | 0xABC, result.Entry.Translate(Va));
        Assert.Equal(OutputIpa, result.Entry.IntermediateBase);
        Assert.Equal(3, result.Entry.Level);
        Assert.Equal(3, result.Entry.Stage2Level);
        Assert.Equal(12, result.Entry.Shift);

        // 3 stage-1 levels, each needing a 2-read stage-2 walk (L1 table, L2 block) plus its own read; then a
        // 3-read stage-2 walk of the output.
        Assert.Equal((3 * (2 + 1)) + 3, result.DescriptorReads);
    }

    // IHI0070 §7.3.13: a stage-2 fault on a stage-1 table access is S2 = 1, CLASS = TT, IPA = descriptor IPA.
    [Fact]
    public void Stage2_fault_on_a_stage1_table_is_class_tt_with_the_descriptor_ipa()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));

        // Point the stage-1 L1 entry (index VA[38:30] = 0x48) at a table IPA stage 2 does not map.
        _layout.Memory.WriteUInt64(_layout.S1RootPa + (0x48 * 8), 0x3000_0000UL | TableType);

        var result = _walker.Walk(Va, _layout.Regime(), Read);

        // The L2 index is VA[29:21] = 0x1A2; stage 2 finds an invalid L2 entry for IPA 0x3000_0000.
        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.TT, 0x3000_0000UL + (0x1A2 * 8), Level: 2), result.Fault);
        Assert.False(result.Cacheable);
    }

    // IHI0070 §7.3.13: a stage-2 fault on the stage-1 output is CLASS = IN with the output IPA.
    [Fact]
    public void Stage2_fault_on_the_output_is_class_in_with_the_output_ipa()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(0x2100_0000, page: true));

        var result = _walker.Walk(Va, _layout.Regime(), Read);

        Assert.Equal(new WalkFault(FaultKind.Translation, true, FaultClass.IN, 0x2100_0ABC, Level: 2), result.Fault);
    }

    // IHI0070 §5.2 STE.S2PTW: stage-1 tables in stage-2 Device memory fault (stage 2, CLASS TT).
    [Fact]
    public void S2ptw_faults_stage1_walks_through_device_memory()
    {
        _layout.MapTables(memAttr: 0b0001);
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        var result = _walker.Walk(Va, _layout.Regime(c => c with { Ptw = true }), Read);

        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.TT, _layout.S1RootIpa + (0x48 * 8), Level: 2), result.Fault);
        Assert.True(_walker.Walk(Va, _layout.Regime(), Read).Success);
    }

    // Contract / IHI0070 §3.4: a nested entry covers the smaller of the two stages' sizes.
    [Fact]
    public void Nested_entry_size_is_the_smaller_stage()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 2, S1Leaf(OutputIpa, page: false)); // 2 MB stage-1 block
        _layout.MapS2(OutputIpa + 0x16_7000, 3, S2Leaf(OutputPa, page: true)); // VA[20:12] = 0x167

        var result = _walker.Walk(Va, _layout.Regime(), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(OutputPa | 0xABC, result.Entry.Translate(Va));
        Assert.Equal(12, result.Entry.Shift);
        Assert.Equal(2, result.Entry.Level);
        Assert.Equal(3, result.Entry.Stage2Level);
        Assert.Equal(12, result.Entry.Stage2Shift);
        Assert.Equal(OutputIpa + 0x16_7000, result.Entry.IntermediateBase);
        Assert.Equal(Va & ~0xFFFUL, result.Entry.InputBase);
    }

    // DDI0487 D8.6 / digest §7.7: the more restrictive type and cacheability win; the wider shareability wins.
    [Theory]
    [InlineData(1u, 0xFu, MemoryType.Normal, Cacheability.WriteBack, Shareability.OuterShareable, true)]
    [InlineData(1u, 0x5u, MemoryType.Normal, Cacheability.NonCacheable, Shareability.OuterShareable, false)]
    [InlineData(1u, 0xAu, MemoryType.Normal, Cacheability.WriteThrough, Shareability.OuterShareable, true)]
    [InlineData(2u, 0x0u, MemoryType.DeviceNGnRnE, Cacheability.NonCacheable, Shareability.OuterShareable, false)]
    [InlineData(1u, 0x3u, MemoryType.DeviceGRE, Cacheability.NonCacheable, Shareability.OuterShareable, false)]
    public void Stage1_and_stage2_attributes_combine(uint attrIndx, uint memAttr, MemoryType type, Cacheability cache, Shareability sh, bool allocate)
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true, attrIndx: attrIndx)); // SH inner
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true, memAttr: memAttr) & ~ShInner | ShOuter);

        var attributes = _walker.Walk(Va, _layout.Regime(), Read).Entry.Attributes;

        Assert.Equal(new MemoryAttributes(type, cache, cache, sh, allocate, allocate), attributes);
    }

    // IHI0070 §3.13.5 / §7.3.16: a stage-1 Access-flag update is a write to the descriptor IPA; a read-only stage-2
    // mapping makes it a stage-2 Permission fault, CLASS TT, TTRnW = 0.
    [Fact]
    public void Stage1_flag_update_needs_stage2_write_permission()
    {
        _layout.MapTables(s2ap: 1);
        ulong leafPa = _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true) & ~AF);
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        var result = _walker.Walk(Va, _layout.Regime(stage1: c => c with { Ha = true }), Read);

        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.TT, leafPa - Delta, Level: 2, DescriptorWrite: true), result.Fault);
        Assert.Equal(S1Leaf(OutputIpa, page: true) & ~AF, _layout.Memory.ReadUInt64(leafPa));

        _layout.MapTables();
        Assert.True(_walker.Walk(Va, _layout.Regime(stage1: c => c with { Ha = true }), Read).Success);
        Assert.Equal(S1Leaf(OutputIpa, page: true), _layout.Memory.ReadUInt64(leafPa));
    }

    // Contract: a stage-2 Permission fault on the output carries the nested entry; PermissionCheck reproduces it.
    [Fact]
    public void Stage2_permission_fault_on_the_output_is_cacheable()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true, s2ap: 1));

        var result = _walker.Walk(Va, _layout.Regime(), Write);

        var expected = new WalkFault(FaultKind.Permission, true, FaultClass.IN, OutputIpa | 0xABC, Level: 3);
        Assert.Equal(expected, result.Fault);
        Assert.True(result.Cacheable);
        Assert.Equal(expected, PermissionCheck.Check(result.Entry, Va, Write));
        Assert.Equal(default, PermissionCheck.Check(result.Entry, Va, Read));
    }

    // Fault priority (digest §5.3): the stage-1 Permission fault is reported, with the whole nested translation.
    [Fact]
    public void Stage1_permission_fault_in_nested_carries_the_full_entry()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true, ApReadOnly));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true, s2ap: 1));

        var result = _walker.Walk(Va, _layout.Regime(), Write);

        Assert.Equal(new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), result.Fault);
        Assert.True(result.Cacheable);
        Assert.Equal(OutputPa | 0xABC, result.Entry.Translate(Va));
        Assert.Equal(
            PagePermissions.PrivilegedRead | PagePermissions.UnprivilegedRead | PagePermissions.PrivilegedExecute | PagePermissions.UnprivilegedExecute,
            result.Entry.Stage2Permissions);
    }

    // IHI0070 §7.3.12: aborts on a stage-1 descriptor (S2 = 0, CLASS TT, FetchAddr = its PA) and on a stage-2
    // descriptor met while translating a stage-1 table (S2 = 1, CLASS TT, IPA = stage-1 descriptor IPA).
    [Fact]
    public void External_aborts_in_nested_walks()
    {
        ulong s2BlockPa = _layout.MapTables();
        ulong leafPa = _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        _layout.Memory.AddAbortRange(leafPa, 8);
        Assert.Equal(new WalkFault(FaultKind.ExternalAbort, false, FaultClass.TT, FetchAddress: leafPa, Level: 3), _walker.Walk(Va, _layout.Regime(), Read).Fault);

        _layout.Memory.ClearAbortRanges();
        _layout.Memory.AddAbortRange(s2BlockPa, 8);
        Assert.Equal(
            new WalkFault(FaultKind.ExternalAbort, true, FaultClass.TT, _layout.S1RootIpa + (0x48 * 8), s2BlockPa, 2),
            _walker.Walk(Va, _layout.Regime(), Read).Fault);
    }

    // Digest §7.6: stage-2 checks apply to stage-1 table reads; no read permission is a stage-2 Permission fault,
    // CLASS TT, caused by the descriptor read (TTRnW = 1).
    [Fact]
    public void Stage1_table_read_needs_stage2_read_permission()
    {
        _layout.MapTables(s2ap: 2);
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        var trace = new WalkTrace();

        var result = _walker.Walk(Va, _layout.Regime(), Read, trace);

        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.TT, _layout.S1RootIpa + (0x48 * 8), Level: 2), result.Fault);
        Assert.False(result.Cacheable);
        Assert.All(trace.Steps, s => Assert.True(s.Stage2 && s.Purpose == FaultClass.TT));
        Assert.Equal(2, trace.Steps.Count);
    }
}
