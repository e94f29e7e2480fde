using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.NestedLayout;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Nested walks with walk caches and walk traces (IHI0070 §3.4, §3.13.5, §3.17, §16.2) over the tables of
/// <see cref="NestedLayout"/>; the stage-1 output IPAs 0x2000_0000 and 0x2000_1000 map to PA 0x9000_0000 and
/// 0x9000_5000 with 4 KiB pages.
/// </summary>
public class NestedWalkCacheTests
{
    private const ulong OutputPa2 = 0x9000_5000;
    private const ulong Va2 = Va + 0x1000; // L3 index 0x168
    private static readonly WalkTag Tag = new(StreamWorld.NsEl1, 1, 7);

    private readonly NestedLayout _layout = new();

    // The stage-1 table addresses (IPAs) of Va's walk, from the descriptors the test wrote (DDI0487 D8.3: [47:12]).
    private (ulong L2Table, ulong L3Table) S1Tables()
    {
        ulong l2 = _layout.Memory.ReadUInt64(_layout.S1RootPa + (0x48 * 8)) & 0x0000_FFFF_FFFF_F000UL;
        ulong l3 = _layout.Memory.ReadUInt64(l2 + Delta + (0x1A2 * 8)) & 0x0000_FFFF_FFFF_F000UL;
        return (l2, l3);
    }

    private void MapBoth()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS1(Va2, 3, S1Leaf(OutputIpa + 0x1000, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));
        _layout.MapS2(OutputIpa + 0x1000, 3, S2Leaf(OutputPa2, page: true));
    }

    private static (WalkFault Fault, TranslationEntry Entry, int Reads, WalkTrace Trace) Walk(Walker walker, ulong va, TranslationRegime regime)
    {
        var trace = new WalkTrace();
        var fault = walker.Walk(va, regime, Read, Tag, trace, out var entry, out int reads);
        return (fault, entry, reads, trace);
    }

    // IHI0070 §3.4, §16.2. First walk: each stage-1 descriptor IPA is translated by stage 2 (CLASS TT) before it is
    // read; the table-IPA cache answers per 4 KiB page of table, and the stage-2 L1 descriptor cached by the first
    // TT walk lets the later stage-2 walks start at L2:
    //   L1: S2 L1 + S2 L2 block, S1 L1 (3); L2: S2 L2 block, S1 L2 (2); L3: S2 L2 block, S1 L3 (2);
    //   output IPA: S2 L2 table, S2 L3 page (2) = 9.
    // Second walk (Va2, same stage-1 L3 table, output in the same stage-2 L3 table): stage 1 resumes at L3, the L3
    // table's page is in the table-IPA cache, stage 2 resumes at L3: S1 L3 + S2 L3 = 2 reads.
    [Fact]
    public void Nested_walk_reuses_cached_tables_of_both_stages_and_table_ipas()
    {
        MapBoth();
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_layout.Memory, 48, caches);
        var (l2Table, l3Table) = S1Tables();

        var first = Walk(walker, Va, _layout.Regime());
        Assert.Equal(FaultKind.None, first.Fault.Kind);
        Assert.Equal(OutputPa | 0xABC, first.Entry.Translate(Va));
        Assert.Equal(9, first.Reads);
        Assert.Equal(3, caches.TableIpa.Count);

        var second = Walk(walker, Va2, _layout.Regime());
        Assert.Equal(FaultKind.None, second.Fault.Kind);
        Assert.Equal(OutputPa2 | 0xABC, second.Entry.Translate(Va2));
        Assert.Equal(OutputIpa + 0x1000, second.Entry.IntermediateBase);
        Assert.Equal(2, second.Reads);

        // The stage-1 step names the descriptor's IPA and the PA the table-IPA cache gave for it.
        var s1Step = second.Trace.Steps[0];
        Assert.False(s1Step.Stage2);
        Assert.Equal(3, s1Step.Level);
        Assert.Equal(l3Table + (0x168 * 8), s1Step.DescriptorAddress);
        Assert.Equal(l3Table + (0x168 * 8) + Delta, s1Step.PhysicalAddress);
        var s2Step = second.Trace.Steps[1];
        Assert.True(s2Step.Stage2);
        Assert.Equal(FaultClass.IN, s2Step.Purpose);
        Assert.Equal(3, s2Step.Level);
        Assert.Equal(2, second.Trace.Steps.Count);
        Assert.NotEqual(l2Table, l3Table);
        Assert.Equal(1, caches.TableIpa.Statistics.Hits);
        Assert.Equal(3, caches.TableIpa.Statistics.Misses);
    }

    // IHI0070 §4.4.3.1: CMD_TLBI_S2_IPA (even Leaf = 1) of any address in the stage-2 block that maps the stage-1
    // tables removes their table-IPA entries, so the next walk translates its stage-1 table address through stage 2
    // again (1 read: the stage-2 L1 descriptor stays cached with Leaf = 1): S2 L2 block + S1 L3 + S2 L3 = 3 reads.
    [Fact]
    public void Ipa_invalidation_of_the_table_block_removes_the_table_ipa_entries()
    {
        MapBoth();
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_layout.Memory, 48, caches);
        Assert.Equal(9, Walk(walker, Va, _layout.Regime()).Reads);

        caches.InvalidateIpa(1, TableIpa, 0x1000, leafOnly: true, 0);
        Assert.Equal(0, caches.TableIpa.Count);

        var after = Walk(walker, Va2, _layout.Regime());
        Assert.Equal(OutputPa2 | 0xABC, after.Entry.Translate(Va2));
        Assert.Equal(3, after.Reads);
        Assert.Equal(FaultClass.TT, after.Trace.Steps[0].Purpose);
        Assert.Equal(2, after.Trace.Steps[0].Level);
    }

    // IHI0070 §16.2: table-IPA and stage-1 caches sized 0 are absent: each stage-1 table address is translated by a
    // stage-2 walk every time (stage 2 still resumes from its own cache).
    [Fact]
    public void Nested_walk_without_table_ipa_cache_walks_stage2_for_every_table()
    {
        MapBoth();
        var caches = new WalkCaches(0, 16, 0);
        var walker = new Walker(_layout.Memory, 48, caches);
        Assert.Equal(9, Walk(walker, Va, _layout.Regime()).Reads);

        var second = Walk(walker, Va2, _layout.Regime());

        // L1..L3: S2 L2 block + S1 read each (6), output: S2 L3 (1).
        Assert.Equal(OutputPa2 | 0xABC, second.Entry.Translate(Va2));
        Assert.Equal(7, second.Reads);
    }

    // DDI0487 D8.2 / IHI0070 §3.4: the trace of an uncached nested walk, step by step: a TT-class stage-2 walk of each
    // stage-1 descriptor IPA, the stage-1 descriptor at IPA and PA, then the IN-class stage-2 walk of the output.
    [Fact]
    public void Trace_of_a_nested_walk_lists_every_descriptor_with_its_addresses()
    {
        MapBoth();
        var walker = new Walker(_layout.Memory, 48);
        var (l2Table, l3Table) = S1Tables();
        ulong s2L1 = _layout.S2Root + ((TableIpa >> 30) * 8);
        ulong s2L2Table = _layout.Memory.ReadUInt64(s2L1) & 0x0000_FFFF_FFFF_F000UL;
        ulong s2Block = s2L2Table + (((TableIpa >> 21) & 0x1FF) * 8);
        ulong s2OutL2 = s2L2Table + (((OutputIpa >> 21) & 0x1FF) * 8);
        ulong s2OutL3 = (_layout.Memory.ReadUInt64(s2OutL2) & 0x0000_FFFF_FFFF_F000UL) + (((OutputIpa >> 12) & 0x1FF) * 8);
        var trace = new WalkTrace();

        var result = walker.Walk(Va, _layout.Regime(), Read, trace);

        Assert.True(result.Success, result.Fault.ToString());
        var expected = new (bool Stage2, FaultClass Purpose, int Level, ulong Address, ulong Physical)[]
        {
            (true, FaultClass.TT, 1, s2L1, s2L1),
            (true, FaultClass.TT, 2, s2Block, s2Block),
            (false, FaultClass.IN, 1, _layout.S1RootIpa + (0x48 * 8), _layout.S1RootPa + (0x48 * 8)),
            (true, FaultClass.TT, 1, s2L1, s2L1),
            (true, FaultClass.TT, 2, s2Block, s2Block),
            (false, FaultClass.IN, 2, l2Table + (0x1A2 * 8), l2Table + Delta + (0x1A2 * 8)),
            (true, FaultClass.TT, 1, s2L1, s2L1),
            (true, FaultClass.TT, 2, s2Block, s2Block),
            (false, FaultClass.IN, 3, l3Table + (0x167 * 8), l3Table + Delta + (0x167 * 8)),
            (true, FaultClass.IN, 1, s2L1, s2L1),
            (true, FaultClass.IN, 2, s2OutL2, s2OutL2),
            (true, FaultClass.IN, 3, s2OutL3, s2OutL3),
        };
        Assert.Equal(expected.Length, trace.Steps.Count);
        Assert.Equal(expected.Length, result.DescriptorReads);
        for (int i = 0; i < expected.Length; i++)
        {
            var step = trace.Steps[i];
            Assert.Equal(WalkTraceAction.Read, step.Action);
            Assert.Equal(expected[i], (step.Stage2, step.Purpose, (int)step.Level, step.DescriptorAddress, step.PhysicalAddress));
            Assert.Equal(_layout.Memory.ReadUInt64(step.PhysicalAddress), step.Descriptor);
        }

        // The text form names the stage, level, action, address (and the PA where it differs), value and purpose.
        Assert.Equal($"S2 L2 Read [{s2Block:X}] = {_layout.Memory.ReadUInt64(s2Block):X16} (TT)", trace.Steps[1].ToString());
        Assert.Equal(
            $"S1 L1 Read [{_layout.S1RootIpa + (0x48 * 8):X} @PA {_layout.S1RootPa + (0x48 * 8):X}] = {_layout.Memory.ReadUInt64(_layout.S1RootPa + (0x48 * 8)):X16}",
            trace.Steps[2].ToString());
        Assert.Equal($"S2 L3 Read [{s2OutL3:X}] = {_layout.Memory.ReadUInt64(s2OutL3):X16}", trace.Steps[11].ToString());
        Assert.Equal(string.Join(Environment.NewLine, trace.Steps), trace.ToString());
    }

    // IHI0070 §3.13.2, §5.2 S2HA: the stage-2 walk that translates a stage-1 table address is a real access, so with
    // S2HA it sets the Access flag of the stage-2 block that maps the tables instead of faulting.
    [Fact]
    public void Table_address_walk_sets_the_stage2_access_flag_with_s2ha()
    {
        ulong blockPa = _layout.MapS2(TableIpa, 2, S2Leaf(TableIpa + Delta, page: false) & ~AF);
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true));
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        var result = new Walker(_layout.Memory, 48).Walk(Va, _layout.Regime(c => c with { Ha = true }), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.NotEqual(0UL, _layout.Memory.ReadUInt64(blockPa) & AF);
    }

    // IHI0070 §3.13.5, §3.13.3: a stage-1 Access-flag update is a write to the descriptor's IPA that stage 2 checks;
    // with S2HA/S2HD a writable-clean (DBM) stage-2 block becomes dirty (S2AP[1] = 1) so the update proceeds.
    [Fact]
    public void Stage1_descriptor_update_marks_a_clean_stage2_table_block_dirty()
    {
        ulong blockPa = _layout.MapTables(Dbm, s2ap: 1);
        ulong leafPa = _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true) & ~AF);
        _layout.MapS2(OutputIpa, 3, S2Leaf(OutputPa, page: true));

        var result = new Walker(_layout.Memory, 48).Walk(Va, _layout.Regime(c => c with { Ha = true, Hd = true }, c => c with { Ha = true }), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.NotEqual(0UL, _layout.Memory.ReadUInt64(leafPa) & AF);
        Assert.NotEqual(0UL, _layout.Memory.ReadUInt64(blockPa) & S2ApWrite);
    }

    // IHI0070 §4.4.2: a nested entry made of a 2 MB stage-1 block and a 4 KiB stage-2 page is a 4 KiB piece that
    // remembers its stage-1 leaf size; equal sizes need no reminder. DDI0487 D8.6: the combined memory type is the
    // more restrictive one (stage-1 Device-nGnRE over stage-2 Normal is Device-nGnRE).
    [Fact]
    public void Nested_entry_sizes_and_combined_attributes()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 2, S1Leaf(OutputIpa, page: false, attrIndx: 2)); // MAIR Attr2 = 0x04, Device-nGnRE
        _layout.MapS2(OutputIpa + 0x16_7000, 3, S2Leaf(OutputPa, page: true));
        var walker = new Walker(_layout.Memory, 48);

        var result = walker.Walk(Va, _layout.Regime(), Read);

        Assert.True(result.Success, result.Fault.ToString());
        Assert.Equal(OutputPa | 0xABC, result.Entry.Translate(Va));
        Assert.Equal(12, result.Entry.Shift);
        Assert.Equal(21, result.Entry.Stage1Shift);
        Assert.Equal(12, result.Entry.Stage2Shift);
        Assert.Equal(MemoryType.DeviceNGnRE, result.Entry.Attributes.Type);

        _layout.MapS1(Va2 + 0x4000_0000, 3, S1Leaf(OutputIpa + 0x1000, page: true));
        _layout.MapS2(OutputIpa + 0x1000, 3, S2Leaf(OutputPa2, page: true));
        var equal = walker.Walk(Va2 + 0x4000_0000, _layout.Regime(), Read);
        Assert.True(equal.Success, equal.Fault.ToString());
        Assert.Equal(12, equal.Entry.Shift);
        Assert.Equal(0, equal.Entry.Stage1Shift);
        Assert.Equal(MemoryType.Normal, equal.Entry.Attributes.Type);
    }

    // IHI0070 §9.1.3 (ATOS TYPE 0b01): stage 1 alone on a nested regime outputs the IPA; a stage-1 Permission fault
    // still carries the translation; a stage-2 fault on a stage-1 table (CLASS TT) is final and carries none.
    [Fact]
    public void Stage1_only_walk_on_a_nested_regime()
    {
        _layout.MapTables();
        _layout.MapS1(Va, 3, S1Leaf(OutputIpa, page: true, ApReadOnly));
        var walker = new Walker(_layout.Memory, 48);

        var ok = walker.WalkStage1Only(Va, _layout.Regime(), Read);
        Assert.True(ok.Success, ok.Fault.ToString());
        Assert.Equal(OutputIpa | 0xABC, ok.Entry.Translate(Va));
        Assert.Equal(-1, ok.Entry.Stage2Level);
        Assert.Equal(9, ok.DescriptorReads);

        var denied = walker.WalkStage1Only(Va, _layout.Regime(), Write);
        Assert.Equal(new WalkFault(FaultKind.Permission, false, FaultClass.IN, Level: 3), denied.Fault);
        Assert.True(denied.Cacheable);
        Assert.Equal(OutputIpa | 0xABC, denied.Entry.Translate(Va));

        var unmapped = walker.WalkStage1Only(Va + 0x4000_0000, _layout.Regime(), Read);
        Assert.Equal(new WalkFault(FaultKind.Translation, false, FaultClass.IN, Level: 1), unmapped.Fault);
        Assert.Equal(default, unmapped.Entry);

        // STE.S2PTW with the tables in stage-2 Device memory: a stage-2 Permission fault, CLASS TT (IHI0070 §5.2).
        _layout.MapTables(memAttr: 0b0001);
        var tt = walker.WalkStage1Only(Va, _layout.Regime(c => c with { Ptw = true }), Read);
        Assert.Equal(new WalkFault(FaultKind.Permission, true, FaultClass.TT, _layout.S1RootIpa + (0x48 * 8), Level: 2), tt.Fault);
        Assert.False(tt.Cacheable);
        Assert.Equal(default, tt.Entry);
    }
}
