using ArmSmmu.Translation;
using static ArmSmmu.Tests.Translation.TestTables;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// The stage-1/stage-2 table layout the nested-walk tests share (IHI0070 §3.4): stage-1 tables live at PA 0x4000_0000
/// and are addressed by the IPAs 0x1000_0000 up, which stage 2 maps with one 2 MB block; the stage-1 output IPA
/// 0x2000_0000 maps to PA 0x9000_0000. Both stages: 4K granule, 39-bit input (T0SZ 25), start level 1. Each instance
/// has its own memory and empty root tables.
/// </summary>
internal sealed class NestedLayout
{
    public const ulong Delta = 0x3000_0000; // PA - IPA of the stage-1 tables
    public const ulong TableIpa = 0x1000_0000;
    public const ulong OutputIpa = 0x2000_0000;
    public const ulong OutputPa = 0x9000_0000;
    public const ulong Va = 0x12_3456_7ABC; // stage-1 indexes L1 0x48, L2 0x1A2, L3 0x167

    private readonly TestTables _s2;
    private readonly TestTables _s1;

    public NestedLayout()
    {
        _s2 = new TestTables(Memory, 0x10_0000);
        _s1 = new TestTables(Memory, TableIpa + Delta);
        S2Root = _s2.Allocate(0x1000);
        S1RootPa = _s1.Allocate(0x1000);
    }

    public SparseMemory Memory { get; } = new();

    public ulong S2Root { get; }

    public ulong S1RootPa { get; }

    public ulong S1RootIpa => S1RootPa - Delta;

    /// <summary>Maps <paramref name="va"/> at stage 1, allocating tables by IPA; returns the leaf descriptor's PA.</summary>
    public ulong MapS1(ulong va, int level, ulong leaf) =>
        _s1.Map(S1RootIpa, 12, 1, 39, va, level, leaf, physicalOf: ipa => ipa + Delta, allocateTable: size => _s1.Allocate(size) - Delta);

    /// <summary>Maps <paramref name="ipa"/> at stage 2; returns the leaf descriptor's PA.</summary>
    public ulong MapS2(ulong ipa, int level, ulong leaf) => _s2.Map(S2Root, 12, 1, 39, ipa, level, leaf);

    /// <summary>The stage-2 2 MB block that maps the stage-1 tables' IPAs to their PAs; returns its descriptor's PA.</summary>
    public ulong MapTables(ulong extra = 0, uint memAttr = 0xF, uint s2ap = 3) =>
        MapS2(TableIpa, 2, S2Leaf(TableIpa + Delta, page: false, extra, memAttr, s2ap));

    /// <summary>The nested regime over these tables, with optional changes to either stage's configuration.</summary>
    public TranslationRegime Regime(Func<Stage2Config, Stage2Config>? stage2 = null, Func<Stage1Config, Stage1Config>? stage1 = null)
    {
        var regime = Stage1(Granule.Size4K, 25, S1RootIpa);
        var s2 = Stage2(Granule.Size4K, 25, 1, S2Root);
        regime.Stage2Enabled = true;
        regime.Stage2 = stage2 is null ? s2 : stage2(s2);
        if (stage1 is not null)
        {
            regime.Stage1 = stage1(regime.Stage1);
        }

        return regime;
    }
}
