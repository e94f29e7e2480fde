using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>TLB edges: argument limits, what a hit reports, bookkeeping after eviction, and invalidation bounds (IHI0070 §3.17, §4.4).</summary>
public class TlbEdgeTests
{
    [Fact]
    public void The_geometry_is_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>("ways", () => new Tlb(256, 256));
        var notMultiple = Assert.Throws<ArgumentException>("capacity", () => new Tlb(10, 4));
        Assert.Contains("10", notMultiple.Message);
    }

    [Fact]
    public void Entries_up_to_a_52_bit_block_are_accepted_and_larger_refused()
    {
        // FEAT_LPA2 / 52-bit addressing bounds the size of any translation (IHI0070 §3.4).
        var tlb = new Tlb(16, 4);
        tlb.Insert(El1(1, 1), Entry(0, 0, Tlb.MaxShift, level: -1), tlb.Generation);
        Assert.True(tlb.TryLookup(El1(1, 1), 0x000F_FFFF_FFFF_F000, out _));

        var tooLarge = Assert.Throws<ArgumentOutOfRangeException>(() => tlb.Insert(El1(1, 1), Entry(0, 0, Tlb.MaxShift + 1, level: -1), tlb.Generation));
        Assert.Contains("2^53", tooLarge.Message);
    }

    [Fact]
    public void A_hit_grants_only_what_both_stages_grant_and_reports_the_output_pa_space()
    {
        // IHI0070 §3.13: an access needs the permission of stage 1 and of stage 2. §3.17.1 / §3.10: a Secure
        // translation's output is in the Secure PA space, NS = 1 otherwise. The hit adds the transaction's own PnU and
        // InD, so the cached attributes carry neither.
        var tlb = new Tlb(16, 4);
        var readWrite = PagePermissions.PrivilegedRead | PagePermissions.PrivilegedWrite;
        tlb.Insert(El1(1, 1), Entry(0x20_0000, 0x8000_0000, Block2M) with { Stage1Permissions = readWrite, Stage2Permissions = PagePermissions.PrivilegedRead }, tlb.Generation);
        tlb.Insert(El1(1, 2), Entry(0x20_0000, 0x9000_0000, Block2M) with { Secure = true }, tlb.Generation);

        Tlb.Slot nonSecure = tlb.Find(El1(1, 1).Pack(), 0x21_2345, out int nonSecureVersion)!;
        Assert.True(nonSecure.Holds(nonSecureVersion));
        Assert.Equal(PagePermissions.PrivilegedRead, nonSecure.Permitted);
        var attributes = TransactionAttributes.FromBits(nonSecure.AttributeBits);
        Assert.True(attributes.NonSecure);
        Assert.False(attributes.Privileged);
        Assert.False(attributes.Instruction);
        Assert.Equal((0x20_0000UL, 0x3F_FFFFUL), (nonSecure.First, nonSecure.Last));

        Tlb.Slot secure = tlb.Find(El1(1, 2).Pack(), 0x21_2345, out int secureVersion)!;
        Assert.True(secure.Holds(secureVersion));
        Assert.False(TransactionAttributes.FromBits(secure.AttributeBits).NonSecure);
    }

    [Fact]
    public void A_global_entry_matches_lookups_of_its_own_aset_only()
    {
        // IHI0070 §3.17.1: a global entry matches any ASID of the same ASET, and no lookup of the other ASET.
        var tlb = new Tlb(16, 4);
        tlb.Insert(new TlbKey(StreamWorld.NsEl1, 1, 5, TranslationKind.Stage1, Aset: true), Entry(0x1000, 0x2000, Page4K, global: true), tlb.Generation);

        Assert.True(tlb.TryLookup(new TlbKey(StreamWorld.NsEl1, 1, 6, TranslationKind.Stage1, Aset: true), 0x1000, out _));
        Assert.False(tlb.TryLookup(new TlbKey(StreamWorld.NsEl1, 1, 6, TranslationKind.Stage1, Aset: false), 0x1000, out _));
    }

    [Fact]
    public void An_evicted_entry_leaves_its_asids_scope()
    {
        // One set of four ways: the ASID-2 entry replaces an ASID-1 one. CMD_TLBI_NH_ASID(1) (IHI0070 §4.4.2.2) then
        // removes the three ASID-1 entries left and not the ASID-2 entry now in the evicted slot.
        var tlb = new Tlb(4, 4);
        for (ulong page = 0; page < 4; page++)
        {
            tlb.Insert(El1(1, 1), Entry(page << 12, 0x10_0000 + (page << 12), Page4K), tlb.Generation);
        }

        tlb.Insert(El1(1, 2), Entry(0x9000, 0x20_0000, Page4K), tlb.Generation);

        Assert.Equal(3, tlb.InvalidateAsid(StreamWorld.NsEl1, 1, 1));
        Assert.True(tlb.TryLookup(El1(1, 2), 0x9000, out _));
        Assert.Equal(1, tlb.Count);
    }

    [Fact]
    public void A_split_nested_entry_is_still_reached_through_its_stage1_leaf_after_a_block_of_that_size_leaves()
    {
        // IHI0070 §4.4.2: a nested entry split by a smaller stage-2 page is invalidated by any address of its stage-1
        // leaf. A 2MB stage-1 entry of another ASID leaving the TLB must not make the probe forget that a 2MB leaf is
        // still present in pieces (probing forced: the scan would find it either way).
        var tlb = new Tlb(64, 4) { ScanCrossover = long.MaxValue };
        TlbKey nested = El1(1, 1, TranslationKind.Nested);
        tlb.Insert(nested, Entry(0x20_3000, 0x9000_3000, Page4K, level: 2) with { Stage1Shift = Block2M }, tlb.Generation);
        tlb.Insert(El1(1, 2), Entry(0x4000_0000, 0x8000_0000, Block2M), tlb.Generation);

        Assert.Equal(1, tlb.InvalidateAsid(StreamWorld.NsEl1, 1, 2));
        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0000, 0x1000, leafOnly: true, ttlLevel: -1));
        Assert.False(tlb.TryLookup(nested, 0x20_3000, out _));
    }

    [Fact]
    public void An_empty_size_invalidates_the_one_page_at_the_address()
    {
        var tlb = Filled((El1(1, 1), Entry(0x20_0000, 0, Page4K)), (El1(1, 1), Entry(0x21_0000, 0, Page4K)));

        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0000, 0, leafOnly: true, ttlLevel: -1));
        Assert.True(tlb.TryLookup(El1(1, 1), 0x21_0000, out _));
    }

    [Fact]
    public void The_last_byte_of_an_entry_is_in_it()
    {
        // IHI0070 §4.4: an entry is invalidated when it overlaps the range; a range holding only its last byte does.
        var tlb = Filled((El1(1, 1), Entry(0x20_0000, 0, Page4K)), (El1(1, 1), Entry(0x20_1000, 0, Page4K)));

        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0FFF, 1, leafOnly: true, ttlLevel: -1));
        Assert.False(tlb.TryLookup(El1(1, 1), 0x20_0000, out _));
        Assert.True(tlb.TryLookup(El1(1, 1), 0x20_1000, out _));
    }

    [Fact]
    public void A_ttl_hint_of_level_0_leaves_leaves_of_other_levels()
    {
        // IHI0070 §4.4.1.1 TTL: the leaf is at the level the hint names; entries at other levels need not be removed,
        // and the model keeps them. Level 0 is a real hint, not "any level".
        var tlb = Filled((El1(1, 1), Entry(0x20_0000, 0, Page4K)));

        Assert.Equal(0, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0000, 0x1000, leafOnly: true, ttlLevel: 0));
        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0000, 0x1000, leafOnly: true, ttlLevel: 3));
    }

    [Fact]
    public void Nsnh_all_after_an_el2_invalidation_still_leaves_el2_entries()
    {
        // IHI0070 §4.4.4.1: CMD_TLBI_NSNH_ALL does not reach NS-EL2, whatever invalidation ran before it.
        var el2 = new TlbKey(StreamWorld.NsEl2, 0, 0, TranslationKind.Stage1);
        var tlb = Filled((el2, Entry(0x20_0000, 0, Page4K)), (El1(1, 1), Entry(0x20_0000, 0, Page4K)));

        Assert.Equal(0, tlb.InvalidateVa(StreamWorld.NsEl2, 0, null, 0x80_0000, 0x1000, leafOnly: true, ttlLevel: -1));
        Assert.Equal(1, tlb.InvalidateNsnhAll());
        Assert.True(tlb.TryLookup(el2, 0x20_0000, out _));
    }

    [Fact]
    public void A_negative_vmid_wildcard_is_refused()
    {
        // SMMU_CR0.VMW is 0..4 bits (IHI0070 §3.17.6); the TLB accepts 0..16.
        var tlb = new Tlb(16, 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => tlb.InvalidateVmid(1, stage1Only: true, vmidWildcardBits: -1));
    }

    [Fact]
    public void Reset_clears_hits_counted_through_a_shared_counter()
    {
        // The fast path counts one hit for several caches through a shared counter; Reset must zero those too.
        var statistics = new CacheStatistics();
        var shared = new PerThreadCounter();
        statistics.AddHitSource(shared);
        shared.Increment();
        Assert.Equal(1, statistics.Hits);

        statistics.Reset();
        Assert.Equal(0, statistics.Hits);
        shared.Increment();
        Assert.Equal(1, statistics.Hits);
    }
}
