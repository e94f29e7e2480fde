using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Walk caches end to end (IHI0070 §3.17, §16.2, §4.4): a cached table descriptor is used until the invalidation that
/// covers it and its CMD_SYNC complete, and never afterwards. The TLB is off in these devices, so every translation
/// walks and only the walk caches can remember anything.
/// </summary>
public class WalkCacheInvalidationTests
{
    private const uint Sid = 1;
    private const ushort Asid = 1;
    private const ushort Vmid = 0;
    private const ulong Va = 0x0080_0000;
    private const ulong OldPa = 0x5000_0000;
    private const ulong NewPa = 0x5800_0000;

    private static readonly SmmuFeatures NoTlb = SmmuFeatures.Default with { TlbEntries = 0 };

    private sealed record Stage1(DeviceHarness H, ulong Pgd, ulong Level2Slot);

    // Va -> OldPa through a 4-level 4K table; Level2Slot is the level-2 table descriptor on Va's path.
    private static Stage1 BuildStage1(SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features ?? NoTlb);
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, OldPa, DeviceHarness.S1ReadWrite);
        ulong cd = DeviceHarness.CdTableBase;
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(h.Memory, cd));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(cd));
        return new Stage1(h, pgd, Level2Slot(h, pgd, Va));
    }

    // The level-2 descriptor on the path of an address through a 4-level 4K table (the same format at both stages).
    private static ulong Level2Slot(DeviceHarness h, ulong root, ulong address)
    {
        ulong table = root;
        for (int level = 0; level < 2; level++)
        {
            table = h.Memory.ReadUInt64(table + (((address >> (39 - (9 * level))) & 0x1FF) * 8)) & 0x0000_FFFF_FFFF_F000;
        }

        return table + (((address >> 21) & 0x1FF) * 8);
    }

    // Points the level-2 descriptor on Va's path at a new level-3 table that maps Va to NewPa (a non-leaf change).
    private static void ReplaceLastTable(Stage1 s)
    {
        ulong table = s.H.NewTable();
        s.H.Memory.WriteUInt64(table + (((Va >> 12) & 0x1FF) * 8), NewPa | DeviceHarness.S1ReadWrite | 3);
        s.H.Memory.WriteUInt64(s.Level2Slot, table | 3);
    }

    private static ulong Pa(DeviceHarness h, ulong va = Va) => h.Read(Sid, va).PhysicalAddress;

    [Fact]
    public void A_second_walk_resumes_from_the_cached_last_level_table()
    {
        // IHI0070 §16.2: intermediate table entries may be cached; with them a 4-level walk reads only the leaf.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        long reads = s.H.Smmu.Statistics.DescriptorReads;
        Assert.Equal(OldPa + 0x10, Pa(s.H, Va + 0x10));
        Assert.Equal(reads + 1, s.H.Smmu.Statistics.DescriptorReads);
        Assert.Equal(1, s.H.Smmu.Statistics.Stage1WalkCache.Hits);
    }

    [Fact]
    public void Sized_zero_the_walk_cache_is_off_and_every_walk_reads_every_level()
    {
        var s = BuildStage1(NoTlb with { Stage1WalkCacheEntries = 0 });
        Assert.Equal(OldPa, Pa(s.H));
        Assert.Equal(OldPa, Pa(s.H));
        Assert.Equal(8, s.H.Smmu.Statistics.DescriptorReads);
        Assert.Equal(0, s.H.Smmu.Statistics.WalkCacheHits + s.H.Smmu.Statistics.WalkCacheMisses);

        // Without walk caches a table change is seen at once, invalidation or not.
        ReplaceLastTable(s);
        Assert.Equal(NewPa, Pa(s.H));
    }

    [Fact]
    public void Leaf_only_tlbi_keeps_the_cached_table_and_rereads_the_leaf()
    {
        // IHI0070 §4.4.1 Leaf = 1: only leaf entries need to go. The model keeps the intermediate entries (its
        // documented choice), so a leaf change is seen, and a table change invalidated by Leaf = 1 alone is not: the
        // walk goes on using the cached table, which the architecture permits.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        long hits = s.H.Smmu.Statistics.Stage1WalkCache.Hits;

        s.H.Map4K(s.Pgd, Va, OldPa + 0x10_0000, DeviceHarness.S1ReadWrite); // the leaf, in the cached table
        s.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va, leaf: true));
        Assert.Equal(OldPa + 0x10_0000, Pa(s.H));

        ReplaceLastTable(s);
        s.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va, leaf: true));
        Assert.Equal(OldPa + 0x10_0000, Pa(s.H));
        Assert.Equal(hits + 2, s.H.Smmu.Statistics.Stage1WalkCache.Hits);
    }

    public static TheoryData<string> CoveringStage1Invalidations => new()
    {
        "NH_VA Leaf=0", "NH_VAA Leaf=0", "NH_VA Leaf=0 range", "NH_ASID", "NH_ALL", "S12_VMALL", "NSNH_ALL",
    };

    [Theory]
    [MemberData(nameof(CoveringStage1Invalidations))]
    public void A_table_change_is_seen_after_the_invalidation_that_covers_it(string invalidation)
    {
        // IHI0070 §4.4.2, §4.4.3.2, §4.4.4.1: non-leaf invalidation by address, and invalidation by ASID, VMID or
        // everything, remove the intermediate entries of their scope.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        ReplaceLastTable(s);
        Assert.Equal(OldPa, Pa(s.H)); // stale until invalidated: permitted

        s.H.Submit(invalidation switch
        {
            "NH_VA Leaf=0" => Command.TlbiNhVa(Vmid, Asid, Va + 0x123, leaf: false),
            "NH_VAA Leaf=0" => Command.TlbiNhVaa(Vmid, Va, leaf: false),
            // 16 pages from 0x7F_8000 reach Va (0x80_0000), with a TTL hint of 3 that the walk caches ignore.
            "NH_VA Leaf=0 range" => Command.TlbiNhVa(Vmid, Asid, 0x7F_8000, leaf: false, num: 15, ttl: 3, tg: RangeGranule.Size4K),
            "NH_ASID" => Command.TlbiNhAsid(Vmid, Asid),
            "NH_ALL" => Command.TlbiNhAll(Vmid),
            "S12_VMALL" => Command.TlbiS12Vmall(Vmid),
            _ => Command.TlbiNsnhAll(),
        });
        Assert.Equal(NewPa, Pa(s.H));
    }

    public static TheoryData<BroadcastTlbiOperation, bool> Broadcasts => new()
    {
        { BroadcastTlbiOperation.VAE1IS, true }, { BroadcastTlbiOperation.VAAE1IS, true }, { BroadcastTlbiOperation.ASIDE1IS, true },
        { BroadcastTlbiOperation.VMALLE1IS, true }, { BroadcastTlbiOperation.ALLE1IS, true }, { BroadcastTlbiOperation.VALE1IS, false },
    };

    [Theory]
    [MemberData(nameof(Broadcasts))]
    public void A_broadcast_tlbi_reaches_the_walk_caches_as_its_command_does(BroadcastTlbiOperation operation, bool covers)
    {
        // IHI0070 §3.17.2, §16.2: with BTM and CR2.PTM = 0 a processor's TLBI…IS removes intermediate entries of its
        // scope; the leaf-only VALE1IS keeps them (the model's documented choice, as for Leaf = 1 commands).
        var s = BuildStage1();
        s.H.SetCr2(0x2);
        Assert.Equal(OldPa, Pa(s.H));
        ReplaceLastTable(s);

        s.H.Smmu.ReceiveBroadcastInvalidation(new BroadcastInvalidation(operation, Va, Asid, Vmid, IssuedFrom: ExceptionLevel.EL2));
        Assert.Equal(covers ? NewPa : OldPa, Pa(s.H));
    }

    [Fact]
    public void A_removed_table_faults_after_a_non_leaf_tlbi()
    {
        // IHI0070 §7.3: with the level-2 descriptor invalid the walk ends in F_TRANSLATION, once nothing cached hides it.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        s.H.Memory.WriteUInt64(s.Level2Slot, 0);
        Assert.True(s.H.Read(Sid, Va).IsSuccess);

        s.H.Submit(Command.TlbiNhVa(Vmid, Asid, Va, leaf: false));
        var result = s.H.Read(Sid, Va);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.FTranslation, Assert.Single(s.H.DrainEvents()).Type);
    }

    [Fact]
    public void Invalidations_outside_the_scope_leave_the_table_cached()
    {
        // Another ASID, a VA in another 512 GiB region (no cached table covers it), another VMID: nothing to remove.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        ReplaceLastTable(s);
        s.H.Submit(
            Command.TlbiNhVa(Vmid, (ushort)(Asid + 1), Va, leaf: false),
            Command.TlbiNhVa(Vmid, Asid, 0x0000_8000_0000_0000, leaf: false),
            Command.TlbiNhAll((ushort)(Vmid + 1)),
            Command.TlbiEl2All());
        Assert.Equal(OldPa, Pa(s.H));
    }

    [Fact]
    public void A_new_ttb0_after_cfgi_cd_never_meets_the_old_tables()
    {
        // IHI0070 §4.3.3: CFGI_CD makes the new CD visible. Walk-cache entries are tagged with TTB0, so the new table
        // is walked at once even though no TLBI (which the TLB would need) was issued.
        var s = BuildStage1();
        Assert.Equal(OldPa, Pa(s.H));
        ulong pgd = s.H.NewTable();
        s.H.Map4K(pgd, Va, NewPa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(Asid, pgd).TryWrite(s.H.Memory, DeviceHarness.CdTableBase));
        s.H.Submit(Command.CfgiCd(Sid, 0, leaf: true));
        Assert.Equal(NewPa, Pa(s.H));
    }

    private const uint NestedSid = 0x20;
    private const ushort NestedVmid = 3;
    private const ulong Ipa = 0x8000_0000;
    private const ulong Pa1 = 0x9000_0000;
    private const ulong Pa2 = 0x9800_0000;

    private sealed record NestedStream(DeviceHarness H, ulong S2Root, ulong Pgd, ulong LastTable);

    // VA -> IPA -> PA with the stage-1 tables identity-mapped at stage 2; LastTable is the stage-1 level-3 table (an IPA).
    private static NestedStream BuildNested(SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features ?? NoTlb);
        h.Reset();
        ulong s2 = h.NewTable();
        ulong from = h.AllocationMark;
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, Ipa, DeviceHarness.S1ReadWrite);
        ulong to = h.AllocationMark;
        h.IdentityMapS2(s2, from, to);
        h.IdentityMapS2(s2, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase + 0x1000);
        h.Map4K(s2, Ipa, Pa1, DeviceHarness.S2ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(5, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(NestedSid, DeviceHarness.Stage2Ste(s2, NestedVmid) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = DeviceHarness.CdTableBase,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S1STALLD = true,
        });
        return new NestedStream(h, s2, pgd, to - 0x1000);
    }

    // Stage 2 now maps the IPA of the stage-1 level-3 table to a copy in which Va goes to Ipa + 0x1000 (-> Pa2).
    private static void MoveLastTableAtStage2(NestedStream n)
    {
        ulong copy = n.H.NewTable();
        n.H.Memory.WriteUInt64(copy + (((Va >> 12) & 0x1FF) * 8), (Ipa + 0x1000) | DeviceHarness.S1ReadWrite | 3);
        n.H.Map4K(n.S2Root, Ipa + 0x1000, Pa2, DeviceHarness.S2ReadWrite);
        n.H.Map4K(n.S2Root, n.LastTable, copy, DeviceHarness.S2ReadWrite);
    }

    private static ulong NestedPa(NestedStream n) => n.H.Read(NestedSid, Va).PhysicalAddress;

    [Fact]
    public void Nested_walk_with_warm_walk_caches_reads_two_descriptors_instead_of_24()
    {
        // IHI0070 §3.4: 4 stage-1 levels, each table IPA and the output IPA through a 4-level stage 2 = 24 reads.
        // Warm: the level-3 stage-1 table's PA from the table IPA cache, its leaf, and the stage-2 leaf of the output.
        var cold = BuildNested(NoTlb with { Stage1WalkCacheEntries = 0, Stage2WalkCacheEntries = 0, TableIpaCacheEntries = 0 });
        Assert.Equal(Pa1, NestedPa(cold));
        Assert.Equal(Pa1, NestedPa(cold));
        Assert.Equal(48, cold.H.Smmu.Statistics.DescriptorReads);

        var n = BuildNested();
        Assert.Equal(Pa1, NestedPa(n));
        long first = n.H.Smmu.Statistics.DescriptorReads;
        Assert.InRange(first, 4 + 4, 23); // the stage-2 walks of the later table IPAs already resume from cached stage-2 tables
        Assert.Equal(Pa1, NestedPa(n));
        Assert.Equal(first + 2, n.H.Smmu.Statistics.DescriptorReads);
        Assert.Equal(1, n.H.Smmu.Statistics.TableIpaCache.Hits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Tlbi_s2_ipa_removes_the_cached_stage2_translation_of_a_stage1_table(bool leaf)
    {
        // IHI0070 §4.4.3.1: TLBI_S2_IPA removes stage-2 information for the IPA; the table IPA cache holds a stage-2
        // leaf translation, so even Leaf = 1 removes it.
        var n = BuildNested();
        Assert.Equal(Pa1, NestedPa(n));
        MoveLastTableAtStage2(n);
        Assert.Equal(Pa1, NestedPa(n)); // stale until invalidated: permitted

        n.H.Submit(Command.TlbiS2Ipa(NestedVmid, n.LastTable, leaf));
        Assert.Equal(Pa2, NestedPa(n));
    }

    [Fact]
    public void Tlbi_s2_ipa_of_another_page_and_stage1_tlbis_leave_the_table_ipa_cached()
    {
        // Stage-1 invalidations do not reach stage-2 information (§4.4.2), nor does an S2_IPA of an unrelated IPA.
        var n = BuildNested();
        Assert.Equal(Pa1, NestedPa(n));
        MoveLastTableAtStage2(n);
        n.H.Submit(Command.TlbiS2Ipa(NestedVmid, n.LastTable + 0x10_0000, leaf: false), Command.TlbiNhAll(NestedVmid));
        Assert.Equal(Pa1, NestedPa(n));

        n.H.Submit(Command.TlbiS12Vmall(NestedVmid));
        Assert.Equal(Pa2, NestedPa(n));
    }

    [Fact]
    public void Stage2_table_entries_follow_the_leaf_rule_of_tlbi_s2_ipa()
    {
        // A stage-2 table change (a new level-3 stage-2 table for the output IPA): TLBI_S2_IPA Leaf = 1 keeps the
        // cached stage-2 table (permitted; the model's choice), Leaf = 0 removes it.
        var n = BuildNested();
        Assert.Equal(Pa1, NestedPa(n));
        ulong table = n.H.NewTable();
        n.H.Memory.WriteUInt64(table + (((Ipa >> 12) & 0x1FF) * 8), Pa2 | DeviceHarness.S2ReadWrite | 3);
        n.H.Memory.WriteUInt64(Level2Slot(n.H, n.S2Root, Ipa), table | 3);
        n.H.Submit(Command.TlbiS2Ipa(NestedVmid, Ipa, leaf: true));
        Assert.Equal(Pa1, NestedPa(n));

        n.H.Submit(Command.TlbiS2Ipa(NestedVmid, Ipa, leaf: false));
        Assert.Equal(Pa2, NestedPa(n));
    }
}
