using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Caches;

/// <summary>
/// Walk-cache tags (IHI0070 §3.17, §16.2): CMD_CFGI_* leave the walk caches alone, so every walk parameter an entry
/// depends on is part of its tag, and a walk under any changed parameter must miss the entries of the old walk.
/// </summary>
public class WalkCacheTagTests
{
    private const ulong Root = 0x4000_0000;

    /// <summary>The stage-2 configuration the variations start from: every flag clear.</summary>
    private static Stage2Config BaseStage2() => new()
    {
        S2Ttb = Root,
        S2T0SZ = 24,
        StartLevel = 0,
        Granule = Granule.Size4K,
        OutputBits = 48,
    };

    // The cached entry is found under its own tag and missed under the other one: a walk under the changed parameter
    // sees a cache that never held it.
    private static void AssertMissesUnder(ulong cachedTag, ulong otherTag)
    {
        var cache = new WalkCache(64, new WalkCacheGeneration());
        var entry = new WalkCacheEntry(new WalkCacheKey(0x123, Root, cachedTag), 0x2460_0000, 0x247F_FFFF, 0x5000_0000, 0);
        cache.Insert(entry, 0);
        Assert.Same(entry, cache.Find(new WalkCacheKey(0x123, Root, cachedTag)));
        Assert.Null(cache.Find(new WalkCacheKey(0x123, Root, otherTag)));
    }

    [Theory]
    [InlineData("StartLevel")] // STE.S2SL0 (IHI0070 §5.2)
    [InlineData("Ptw")] // STE.S2PTW
    [InlineData("Affd")] // STE.S2AFFD
    [InlineData("Ha")] // STE.S2HA
    [InlineData("Hd")] // STE.S2HD
    [InlineData("Xnx")] // IDR3.XNX with STE.S2 XN[1:0] interpretation
    [InlineData("Ds")] // STE.S2DS (FEAT_LPA2 descriptors)
    [InlineData("Granule")] // STE.S2TG
    [InlineData("T0SZ")] // STE.S2T0SZ
    [InlineData("OutputBits")] // STE.S2PS
    [InlineData("Vmid")] // STE.S2VMID (IHI0070 §3.17.1)
    [InlineData("Kind")] // a stage-2 table descriptor is not the translation of a stage-1 table IPA
    public void A_stage2_walk_under_a_changed_ste_field_misses_the_old_walks_entries(string field)
    {
        // IHI0070 §16.2: the walk caches are not invalidated by CMD_CFGI_STE, so the tag carries every field.
        Stage2Config baseline = BaseStage2();
        Stage2Config changed = BaseStage2();
        ushort vmid = 1;
        var kind = WalkCacheKind.Stage2Table;
        switch (field)
        {
            case "StartLevel": changed.StartLevel = 1; break;
            case "Ptw": changed.Ptw = true; break;
            case "Affd": changed.Affd = true; break;
            case "Ha": changed.Ha = true; break;
            case "Hd": changed.Hd = true; break;
            case "Xnx": changed.ExtendedExecuteNever = true; break;
            case "Ds": changed.Ds = true; break;
            case "Granule": changed.Granule = Granule.Size16K; break;
            case "T0SZ": changed.S2T0SZ = 25; break;
            case "OutputBits": changed.OutputBits = 44; break;
            case "Vmid": vmid = 2; break;
            case "Kind": kind = WalkCacheKind.TableIpa; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }

        ulong cached = WalkCacheTag.AtLevel(WalkCacheTag.Stage2(1, baseline, WalkCacheKind.Stage2Table), 1);
        ulong other = WalkCacheTag.AtLevel(WalkCacheTag.Stage2(vmid, changed, kind), 1);
        AssertMissesUnder(cached, other);
        AssertMissesUnder(other, cached);
    }

    [Theory]
    [InlineData("Hierarchical")] // CD.HAD0/HAD1 clear: APTable/XNTable accumulate (IHI0070 §5.4)
    [InlineData("Nested")] // stage 2 translates the stage-1 table addresses (they are IPAs)
    [InlineData("Lpa2")] // CD.DS
    [InlineData("NonSecureStart")] // CD.NSCFGx (IHI0070 §5.4)
    [InlineData("Granule")] // CD.TGx
    [InlineData("InputBits")] // CD.T0SZ / T1SZ
    [InlineData("OutputBits")] // CD.IPS
    [InlineData("Asid")] // CD.ASID (IHI0070 §3.17.1)
    [InlineData("Vmid")] // STE.S2VMID
    public void A_stage1_walk_under_a_changed_cd_field_misses_the_old_walks_entries(string field)
    {
        var tag = new WalkTag(StreamWorld.NsEl1, 1, 1);
        var granule = Granule.Size4K;
        int inputBits = 48;
        int outputBits = 48;
        bool hierarchical = true;
        bool nested = false;
        bool lpa2 = false;
        bool nonSecureStart = false;
        switch (field)
        {
            case "Hierarchical": hierarchical = false; break;
            case "Nested": nested = true; break;
            case "Lpa2": lpa2 = true; break;
            case "NonSecureStart": nonSecureStart = true; break;
            case "Granule": granule = Granule.Size64K; break;
            case "InputBits": inputBits = 39; break;
            case "OutputBits": outputBits = 40; break;
            case "Asid": tag = tag with { Asid = 2 }; break;
            case "Vmid": tag = tag with { Vmid = 2 }; break;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }

        ulong cached = WalkCacheTag.AtLevel(
            WalkCacheTag.Stage1(new WalkTag(StreamWorld.NsEl1, 1, 1), Granule.Size4K, 48, 48, hierarchical: true, nested: false), 1);
        ulong other = WalkCacheTag.AtLevel(WalkCacheTag.Stage1(tag, granule, inputBits, outputBits, hierarchical, nested, lpa2, nonSecureStart), 1);
        AssertMissesUnder(cached, other);
        AssertMissesUnder(other, cached);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void The_level_of_a_table_entry_reads_back_so_a_walk_resumes_below_it(int level)
    {
        // The walker resumes at Level + 1. With FEAT_LPA2 and 52-bit inputs a 4K-granule walk starts at level -1
        // (IHI0070 §3.4, VMSAv8-64): an entry from that level must resume at level 0, not at an unrelated one.
        ulong tag = WalkCacheTag.Stage1(new WalkTag(StreamWorld.NsEl1, 1, 1), Granule.Size4K, 52, 52, hierarchical: true, nested: false, lpa2: true);
        Assert.Equal(level, WalkCacheTag.Level(WalkCacheTag.AtLevel(tag, level)));
        Assert.Equal(WalkCacheKind.Stage1Table, WalkCacheTag.Kind(WalkCacheTag.AtLevel(tag, level)));
    }

    [Theory]
    [InlineData(nameof(StreamWorld.NsEl1), 3, 4)] // VMID and ASID (IHI0070 §3.17.1)
    [InlineData(nameof(StreamWorld.NsEl2), 0, 0)] // neither
    [InlineData(nameof(StreamWorld.NsEl2E2H), 0, 4)] // ASID only
    [InlineData(nameof(StreamWorld.Secure), 3, 4)] // S-EL1: ASID, and the VMID field the TLB tags it with
    [InlineData(nameof(StreamWorld.El3), 0, 0)] // neither
    public void A_walk_is_tagged_with_exactly_the_vmid_and_asid_its_stream_world_uses(string worldName, int vmid, int asid)
    {
        // IHI0070 §3.17.1: the fields a StreamWorld does not use are cleared, so two walks that differ only in them
        // share entries, and one that differs in a used field does not.
        var world = Enum.Parse<StreamWorld>(worldName);
        var walk = WalkTag.From(new TlbKey(world, 3, 4, TranslationKind.Stage1));
        Assert.Equal(new WalkTag(world, (ushort)vmid, (ushort)asid), walk);
    }
}
