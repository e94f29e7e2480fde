using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Walks through the walker's tagged entry point with walk caches (IHI0070 §3.17, §16.2): a walk resumes from the
/// deepest table descriptor cached on its path, so it reads only the levels below it (DDI0487 D8.2: one descriptor per
/// level, at table base + index * 8); an invalidation that names the path removes what it covers. Layout: 4K granule,
/// T0SZ 25 (39-bit input, start level 1).
/// </summary>
public class WalkCacheWalkTests
{
    private const ulong Va1 = 0x12_3456_7ABC;          // L1 index 0x48, L2 index 0x1A2, L3 index 0x167
    private const ulong Va2 = Va1 + 0x1000;            // same L3 table, index 0x168
    private const ulong Va3 = Va1 + 0x20_0000;         // same L2 table, index 0x1A3
    private const ulong Pa1 = 0x8000_1000;
    private const ulong Pa2 = 0x8000_5000;
    private const ulong Pa3 = 0x8000_9000;
    private static readonly WalkTag Tag = new(StreamWorld.NsEl1, 1, 7);

    private readonly SparseMemory _memory = new();
    private readonly TestTables _tables;
    private readonly ulong _root;

    public WalkCacheWalkTests()
    {
        _tables = new TestTables(_memory, 0x10_0000);
        _root = _tables.Allocate(0x1000);
    }

    private ulong Map(ulong va, ulong pa) => _tables.Map(_root, 12, 1, 39, va, 3, S1Leaf(pa, page: true));

    // DDI0487 D8.3: a table descriptor holds the next-level table address in bits [47:12] (4K granule).
    private ulong NextTable(ulong descriptorAddress) => _memory.ReadUInt64(descriptorAddress) & 0x0000_FFFF_FFFF_F000UL;

    private static (WalkFault Fault, TranslationEntry Entry, int Reads, WalkTrace Trace) Walk(Walker walker, ulong address, TranslationRegime regime, AccessIntent access)
    {
        var trace = new WalkTrace();
        var fault = walker.Walk(address, regime, access, Tag, trace, out var entry, out int reads);
        return (fault, entry, reads, trace);
    }

    private static void AssertReads(WalkTrace trace, params (int Level, ulong Address)[] expected)
    {
        Assert.Equal(expected.Length, trace.Steps.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(WalkTraceAction.Read, trace.Steps[i].Action);
            Assert.False(trace.Steps[i].Stage2);
            Assert.Equal(expected[i].Level, trace.Steps[i].Level);
            Assert.Equal(expected[i].Address, trace.Steps[i].DescriptorAddress);
            Assert.Equal(expected[i].Address, trace.Steps[i].PhysicalAddress);
        }
    }

    // IHI0070 §16.2: the first walk reads L1, L2, L3; a second walk in the same 2 MB region resumes from the cached L2
    // table descriptor and reads only its L3 descriptor; one in another 2 MB region of the same 1 GB resumes from the
    // cached L1 descriptor and reads L2 and L3. Each walk counts one hit or one miss.
    [Fact]
    public void Stage1_walk_resumes_from_the_deepest_cached_table()
    {
        ulong leaf1 = Map(Va1, Pa1);
        ulong leaf2 = Map(Va2, Pa2);
        ulong leaf3 = Map(Va3, Pa3);
        ulong l1 = _root + (0x48 * 8);
        ulong table2 = NextTable(l1);
        ulong table3 = NextTable(table2 + (0x1A2 * 8));
        Assert.Equal(table3 + (0x167 * 8), leaf1);
        Assert.Equal(table3 + (0x168 * 8), leaf2);
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_memory, 48, caches);
        var regime = Stage1(Granule.Size4K, 25, _root);

        var first = Walk(walker, Va1, regime, Read);
        Assert.Equal(FaultKind.None, first.Fault.Kind);
        Assert.Equal(Pa1 | 0xABC, first.Entry.Translate(Va1));
        Assert.Equal(3, first.Reads);
        AssertReads(first.Trace, (1, l1), (2, table2 + (0x1A2 * 8)), (3, leaf1));
        Assert.Equal(2, caches.Stage1.Count); // the L1 and L2 table descriptors: level 3 holds no tables

        var second = Walk(walker, Va2, regime, Read);
        Assert.Equal(FaultKind.None, second.Fault.Kind);
        Assert.Equal(Pa2 | 0xABC, second.Entry.Translate(Va2));
        Assert.Equal(1, second.Reads);
        AssertReads(second.Trace, (3, leaf2));
        Assert.Equal(_memory.ReadUInt64(leaf2), second.Trace.Steps[0].Descriptor);

        var third = Walk(walker, Va3, regime, Read);
        Assert.Equal(Pa3 | 0xABC, third.Entry.Translate(Va3));
        Assert.Equal(2, third.Reads);
        Assert.Equal(table2 + (0x1A3 * 8), third.Trace.Steps[0].DescriptorAddress);
        Assert.Equal(2, third.Trace.Steps[0].Level);
        Assert.Equal(leaf3, third.Trace.Steps[1].DescriptorAddress);

        Assert.Equal(2, caches.Stage1.Statistics.Hits);
        Assert.Equal(1, caches.Stage1.Statistics.Misses);
        Assert.Equal(0, caches.Stage2.Count);
        Assert.Equal(0, caches.TableIpa.Count);
    }

    // IHI0070 §4.4.2 (CMD_TLBI_NH_VA, Leaf = 0): the table entries on the VA's path go, so after the tables change the
    // next walk reads every level again and sees the new table; an invalidation of another 1 GB leaves them cached.
    [Fact]
    public void Non_leaf_invalidation_of_the_va_stops_the_walk_using_the_cached_tables()
    {
        Map(Va1, Pa1);
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_memory, 48, caches);
        var regime = Stage1(Granule.Size4K, 25, _root);
        Assert.Equal(3, Walk(walker, Va1, regime, Read).Reads);

        caches.InvalidateVa(StreamWorld.NsEl1, 1, 7, Va1 + 0x4000_0000, 0x1000, leafOnly: false, 0);
        Assert.Equal(1, Walk(walker, Va1, regime, Read).Reads);

        // Point the L2 descriptor at a new L3 table whose entry maps another page.
        ulong l2 = NextTable(_root + (0x48 * 8)) + (0x1A2 * 8);
        ulong newTable = _tables.Allocate(0x1000);
        _memory.WriteUInt64(newTable + (0x167 * 8), S1Leaf(Pa3, page: true));
        _memory.WriteUInt64(l2, newTable | TableType);
        caches.InvalidateVa(StreamWorld.NsEl1, 1, 7, Va1 & ~0xFFFUL, 0x1000, leafOnly: false, 0);

        var after = Walk(walker, Va1, regime, Read);
        Assert.Equal(3, after.Reads);
        Assert.Equal(Pa3 | 0xABC, after.Entry.Translate(Va1));
        Assert.Equal(newTable + (0x167 * 8), after.Trace.Steps[2].DescriptorAddress);
    }

    // DDI0487 D8.2: T0SZ 34 (30-bit input) starts at level 2; a second walk under the same L2 descriptor resumes at L3.
    [Fact]
    public void Walk_starting_at_level_2_resumes_at_level_3()
    {
        ulong root = _tables.Allocate(0x1000);
        ulong va1 = 0x2345_6ABC;
        ulong leaf2 = _tables.Map(root, 12, 2, 30, va1 + 0x1000, 3, S1Leaf(Pa2, page: true));
        _tables.Map(root, 12, 2, 30, va1, 3, S1Leaf(Pa1, page: true));
        var walker = new Walker(_memory, 48, new WalkCaches(16, 16, 16));
        var regime = Stage1(Granule.Size4K, 34, root);

        Assert.Equal(2, Walk(walker, va1, regime, Read).Reads);
        var second = Walk(walker, va1 + 0x1000, regime, Read);

        Assert.Equal(Pa2 | 0xABC, second.Entry.Translate(va1 + 0x1000));
        Assert.Equal(1, second.Reads);
        Assert.Equal(leaf2, second.Trace.Steps[0].DescriptorAddress);
    }

    // IHI0070 §16.2: a stage-1 walk cache sized 0 is absent; walks still translate and read every level.
    [Fact]
    public void Stage1_walk_without_a_stage1_walk_cache_reads_every_level()
    {
        Map(Va1, Pa1);
        var caches = new WalkCaches(0, 16, 16);
        var walker = new Walker(_memory, 48, caches);
        var regime = Stage1(Granule.Size4K, 25, _root);

        Assert.Equal(3, Walk(walker, Va1, regime, Read).Reads);
        var second = Walk(walker, Va1, regime, Read);

        Assert.Equal(Pa1 | 0xABC, second.Entry.Translate(Va1));
        Assert.Equal(3, second.Reads);
        Assert.Equal(0, caches.Stage2.Count);
    }

    // IHI0070 §16.2: a stage-2-only stream caches stage-2 table descriptors: the second walk under the same L2
    // descriptor reads only L3. Nothing goes into the stage-1 or table-IPA caches.
    [Fact]
    public void Stage2_only_walk_resumes_from_the_cached_stage2_table()
    {
        ulong leaf2 = _tables.Map(_root, 12, 1, 39, Va2, 3, S2Leaf(Pa2, page: true));
        _tables.Map(_root, 12, 1, 39, Va1, 3, S2Leaf(Pa1, page: true));
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_memory, 48, caches);
        var regime = new TranslationRegime { Stage2Enabled = true, Stage2 = Stage2(Granule.Size4K, 25, 1, _root) };

        var first = Walk(walker, Va1, regime, Read);
        Assert.Equal(3, first.Reads);
        Assert.Equal(2, caches.Stage2.Count);

        var second = Walk(walker, Va2, regime, Read);
        Assert.Equal(FaultKind.None, second.Fault.Kind);
        Assert.Equal(Pa2 | 0xABC, second.Entry.Translate(Va2));
        Assert.Equal(1, second.Reads);
        Assert.Single(second.Trace.Steps);
        Assert.Equal(leaf2, second.Trace.Steps[0].DescriptorAddress);
        Assert.True(second.Trace.Steps[0].Stage2);
        Assert.Equal(0, caches.Stage1.Count);
        Assert.Equal(0, caches.TableIpa.Count);
        Assert.Equal(1, caches.Stage2.Statistics.Hits);
    }

    // IHI0070 §16.2: a stage-2 walk cache sized 0 is absent; stage-2-only walks read every level every time.
    [Fact]
    public void Stage2_only_walk_without_a_stage2_walk_cache_reads_every_level()
    {
        _tables.Map(_root, 12, 1, 39, Va1, 3, S2Leaf(Pa1, page: true));
        var walker = new Walker(_memory, 48, new WalkCaches(16, 0, 16));
        var regime = new TranslationRegime { Stage2Enabled = true, Stage2 = Stage2(Granule.Size4K, 25, 1, _root) };

        Assert.Equal(3, Walk(walker, Va1, regime, Read).Reads);
        var second = Walk(walker, Va1, regime, Read);

        Assert.Equal(Pa1 | 0xABC, second.Entry.Translate(Va1));
        Assert.Equal(3, second.Reads);
    }

    // IHI0070 §4.4.3.1 (CMD_TLBI_S2_IPA, Leaf = 0) removes the stage-2 table entries covering the IPA.
    [Fact]
    public void Non_leaf_ipa_invalidation_stops_stage2_resumption()
    {
        _tables.Map(_root, 12, 1, 39, Va1, 3, S2Leaf(Pa1, page: true));
        var caches = new WalkCaches(16, 16, 16);
        var walker = new Walker(_memory, 48, caches);
        var regime = new TranslationRegime { Stage2Enabled = true, Stage2 = Stage2(Granule.Size4K, 25, 1, _root) };
        Assert.Equal(3, Walk(walker, Va1, regime, Read).Reads);

        caches.InvalidateIpa(1, Va1, 0x1000, leafOnly: false, 0);

        Assert.Equal(3, Walk(walker, Va1, regime, Read).Reads);
    }
}
