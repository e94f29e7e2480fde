using ArmSmmu.Caches;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Caches;

/// <summary>
/// Which walk-cache entries each invalidation removes (IHI0070 §4.4, §3.17, §16.2): StreamWorld, VMID, ASID, kind of
/// entry, Leaf and the address range, each checked by an entry just inside and one just outside the scope.
/// </summary>
public class WalkCacheScopeTests
{
    private const ulong Root = 0x4000_0000;
    private const int Region2M = 21;

    private static readonly Stage2Config S2 = new() { S2Ttb = Root, S2T0SZ = 24, StartLevel = 0, Granule = Granule.Size4K, OutputBits = 48 };

    private readonly WalkCaches _caches = new(64, 64, 64);

    // A level-2 stage-1 table entry (4K granule: it resolves a 2MB region) or level-1 (1GB).
    private WalkCacheEntry S1(StreamWorld world, ushort vmid, ushort asid, ulong va, int level = 2)
    {
        int shift = 12 + (9 * (3 - level));
        ulong tag = WalkCacheTag.AtLevel(WalkCacheTag.Stage1(new WalkTag(world, vmid, asid), Granule.Size4K, 48, 48, hierarchical: true, nested: false), level);
        ulong first = va & ~Bits.Mask(shift);
        var entry = new WalkCacheEntry(new WalkCacheKey(va >> shift, Root, tag), first, first + Bits.Mask(shift), 0x4100_0000, 0);
        _caches.Stage1.Insert(entry, _caches.Generation.Value);
        return entry;
    }

    // A level-2 stage-2 table entry resolving a 2MB IPA region.
    private WalkCacheEntry S2Table(ushort vmid, ulong ipa)
    {
        ulong tag = WalkCacheTag.AtLevel(WalkCacheTag.Stage2(vmid, S2, WalkCacheKind.Stage2Table), 2);
        ulong first = ipa & ~Bits.Mask(Region2M);
        var entry = new WalkCacheEntry(new WalkCacheKey(ipa >> Region2M, Root, tag), first, first + Bits.Mask(Region2M), 0x4200_0000, 0);
        _caches.Stage2.Insert(entry, _caches.Generation.Value);
        return entry;
    }

    // The stage-2 translation of a stage-1 table IPA, from a 4K stage-2 leaf.
    private WalkCacheEntry TableIpa(ushort vmid, ulong ipa)
    {
        ulong tag = WalkCacheTag.AtLevel(WalkCacheTag.Stage2(vmid, S2, WalkCacheKind.TableIpa), 3);
        ulong first = ipa & ~0xFFFUL;
        var entry = new WalkCacheEntry(new WalkCacheKey(ipa >> 12, Root, tag), first, first + 0xFFF, 0x8000_0000 + first, 0);
        _caches.TableIpa.Insert(entry, _caches.Generation.Value);
        return entry;
    }

    private bool Cached(WalkCacheEntry entry) =>
        _caches.Stage1.Find(entry.Key) is not null || _caches.Stage2.Find(entry.Key) is not null || _caches.TableIpa.Find(entry.Key) is not null;

    // The invalidation's scope: every entry just inside it is gone, every one just outside it still answers.
    private void AssertScope(WalkCacheEntry[] removed, WalkCacheEntry[] kept)
    {
        Assert.All(removed, entry => Assert.False(Cached(entry)));
        Assert.All(kept, entry => Assert.True(Cached(entry)));
    }

    [Fact]
    public void A_reset_removes_every_entry_of_every_world_vmid_asid_and_kind()
    {
        S1(StreamWorld.NsEl1, 5, 7, 0x20_0000);
        S1(StreamWorld.NsEl2E2H, 0, 9, 0x20_0000);
        S1(StreamWorld.Secure, 3, 2, 0x20_0000);
        S2Table(5, 0x20_0000);
        TableIpa(6, 0x20_0000);

        _caches.InvalidateAll();

        Assert.Equal(0, _caches.Stage1.Count);
        Assert.Equal(0, _caches.Stage2.Count);
        Assert.Equal(0, _caches.TableIpa.Count);
        Assert.Equal(3, _caches.Stage1.Statistics.Invalidated);
    }

    [Fact]
    public void Nsnh_all_removes_every_ns_el1_entry_at_both_stages_and_leaves_el2_and_secure()
    {
        // IHI0070 §4.4.4.1 CMD_TLBI_NSNH_ALL: all NS-EL1 entries, of every VMID and ASID, stage 1 and stage 2.
        var el1 = S1(StreamWorld.NsEl1, 5, 7, 0x20_0000);
        var el2 = S1(StreamWorld.NsEl2E2H, 0, 7, 0x20_0000);
        var secure = S1(StreamWorld.Secure, 5, 7, 0x20_0000);
        var s2 = S2Table(5, 0x20_0000);
        var ipa = TableIpa(6, 0x20_0000);

        _caches.InvalidateNsnhAll();

        AssertScope(removed: [el1, s2, ipa], kept: [el2, secure]);
    }

    [Fact]
    public void El2_all_removes_asid_tagged_e2h_entries_too()
    {
        // IHI0070 §4.4.2.7 CMD_TLBI_EL2_ALL: every EL2 entry, whatever its ASID; NS-EL1 stays.
        var e2h = S1(StreamWorld.NsEl2E2H, 0, 5, 0x20_0000);
        var el2 = S1(StreamWorld.NsEl2, 0, 0, 0x40_0000);
        var el1 = S1(StreamWorld.NsEl1, 0, 5, 0x20_0000);

        _caches.InvalidateEl2All();

        AssertScope(removed: [e2h, el2], kept: [el1]);
        Assert.Equal(1, _caches.Stage1.Count);
    }

    // IHI0070 §4.4.2.1 CMD_TLBI_NH_ALL (stage1Only): stage-1 information of one VMID, all ASIDs; stage-2 information
    // stays. IHI0070 §4.4.3.2 CMD_TLBI_S12_VMALL: stage-1 and stage-2 information of the VMID. Other VMIDs stay.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Vmid_invalidation_removes_the_vmids_stage1_entries_of_every_asid_and_stage2_unless_stage1_only(bool stage1Only)
    {
        var asid3 = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        var asid4 = S1(StreamWorld.NsEl1, 1, 4, 0x40_0000);
        var s2 = S2Table(1, 0x20_0000);
        var ipa = TableIpa(1, 0x20_0000);
        var otherS1 = S1(StreamWorld.NsEl1, 2, 3, 0x20_0000);
        var otherS2 = S2Table(2, 0x20_0000);
        var otherIpa = TableIpa(2, 0x20_0000);

        _caches.InvalidateVmid(1, stage1Only, vmidWildcardBits: 0);

        AssertScope(removed: [asid3, asid4], kept: [otherS1, otherS2, otherIpa]);
        Assert.Equal(stage1Only, Cached(s2));
        Assert.Equal(stage1Only, Cached(ipa));
        int stage2Left = stage1Only ? 2 : 1;
        Assert.Equal((1, stage2Left, stage2Left), (_caches.Stage1.Count, _caches.Stage2.Count, _caches.TableIpa.Count));
    }

    [Fact]
    public void A_vmid_wildcard_widens_the_vmid_scope_by_its_low_bits()
    {
        // IHI0070 §3.17.6 SMMU_CR0.VMW: VMW low VMID bits are ignored by VMID-matched invalidations.
        var vmid2 = S2Table(2, 0x20_0000);
        var vmid3 = S2Table(3, 0x20_0000);
        var vmid4 = S2Table(4, 0x20_0000);

        _caches.InvalidateVmid(2, stage1Only: false, vmidWildcardBits: 1);

        AssertScope(removed: [vmid2, vmid3], kept: [vmid4]);
    }

    [Fact]
    public void Nh_asid_removes_one_asid_of_one_vmid()
    {
        // IHI0070 §4.4.2.2 CMD_TLBI_NH_ASID: the VMID is part of the scope in NS-EL1.
        var target = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        var otherVmid = S1(StreamWorld.NsEl1, 2, 3, 0x20_0000);

        _caches.InvalidateAsid(StreamWorld.NsEl1, 1, 3, 0);

        AssertScope(removed: [target], kept: [otherVmid]);
    }

    [Fact]
    public void Nh_va_with_leaf_0_removes_the_asids_covering_tables_of_its_vmid()
    {
        // IHI0070 §4.4.2.4 CMD_TLBI_NH_VA: entries of the ASID (and VMID) whose table region holds the address.
        var target = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        var otherAsid = S1(StreamWorld.NsEl1, 1, 4, 0x20_0000);
        var otherVmid = S1(StreamWorld.NsEl1, 2, 3, 0x20_0000);
        var level1 = S1(StreamWorld.NsEl1, 1, 3, 0x4000_0000, level: 1);

        _caches.InvalidateVa(StreamWorld.NsEl1, 1, 3, 0x20_0000, 0x1000, leafOnly: false, 0);
        AssertScope(removed: [target], kept: [otherAsid, otherVmid, level1]);

        // A level-1 table covers 1GB: an address in its middle reaches it.
        _caches.InvalidateVa(StreamWorld.NsEl1, 1, 3, 0x5000_0000, 0x1000, leafOnly: false, 0);
        Assert.False(Cached(level1));
    }

    [Fact]
    public void Nh_vaa_removes_the_covering_tables_of_every_asid()
    {
        // IHI0070 §4.4.2.3 CMD_TLBI_NH_VAA: all ASIDs of the VMID.
        var asid3 = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        var asid4 = S1(StreamWorld.NsEl1, 1, 4, 0x20_0000);
        var otherVmid = S1(StreamWorld.NsEl1, 2, 4, 0x20_0000);

        _caches.InvalidateVa(StreamWorld.NsEl1, 1, null, 0x20_0000, 0x1000, leafOnly: false, 0);

        AssertScope(removed: [asid3, asid4], kept: [otherVmid]);
        Assert.Equal(1, _caches.Stage1.Count);
    }

    [Fact]
    public void A_leaf_only_va_invalidation_keeps_the_intermediate_entries()
    {
        // IHI0070 §4.4.1: Leaf = 1 need only remove leaf entries; this model keeps the tables (documented choice).
        var table = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        _caches.InvalidateVa(StreamWorld.NsEl1, 1, 3, 0x20_0000, 0x1000, leafOnly: true, 0);
        Assert.True(Cached(table));
    }

    // IHI0070 §4.4.3.1 CMD_TLBI_S2_IPA: the stage-2 translation of a table IPA is leaf information, removed whatever
    // Leaf is; Leaf = 1 need not remove stage-2 intermediate entries, Leaf = 0 removes those covering the IPA too.
    // Stage-1 entries (which hold IPAs) and other VMIDs stay.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void S2_ipa_removes_table_ipa_entries_and_with_leaf_0_stage2_tables_of_the_vmid(bool leafOnly)
    {
        var ipa = TableIpa(1, 0x20_0000);
        var s2 = S2Table(1, 0x20_0000);
        var s1 = S1(StreamWorld.NsEl1, 1, 3, 0x20_0000);
        var otherIpa = TableIpa(2, 0x20_0000);
        var otherS2 = S2Table(2, 0x20_0000);

        _caches.InvalidateIpa(1, 0x20_0000, 0x1000, leafOnly, 0);

        AssertScope(removed: [ipa], kept: [s1, otherIpa, otherS2]);
        Assert.Equal(leafOnly, Cached(s2));
        Assert.Equal(leafOnly ? 2 : 1, _caches.Stage2.Count);
    }

    // IHI0070 §4.4.1.1: a VA invalidation of [address, address + size) removes the 2MB stage-1 table regions it
    // overlaps (at the VAs in `removed`) and keeps their neighbours (at the VAs in `kept`).
    [Theory]
    // Four consecutive 2MB table regions; the range covers the middle two.
    [InlineData(0x20_0000UL, 0x40_0000UL, new ulong[] { 0x20_0000, 0x40_0000 }, new ulong[] { 0x00_0000, 0x60_0000 })]
    // The last byte of a region overlaps it; the next region starts one byte later and stays.
    [InlineData(0x3F_FFFFUL, 1UL, new ulong[] { 0x20_0000 }, new ulong[] { 0x40_0000 })]
    // A size of 0 names the single byte at the address: the region starting there goes, the one before and after stay.
    [InlineData(0x20_0000UL, 0UL, new ulong[] { 0x20_0000 }, new ulong[] { 0x00_0000, 0x40_0000 })]
    // The range does not wrap; the last 2MB region of the 64-bit space is still in it.
    [InlineData(0xFFFF_FFFF_FFC0_0000UL, 0x100_0000UL, new ulong[] { 0xFFFF_FFFF_FFE0_0000 }, new ulong[] { 0x00_0000 })]
    public void A_va_range_removes_the_regions_it_overlaps_and_not_their_neighbours(ulong address, ulong size, ulong[] removed, ulong[] kept)
    {
        var entries = removed.Concat(kept).Order().ToDictionary(va => va, va => S1(StreamWorld.NsEl1, 1, 3, va));

        _caches.InvalidateVa(StreamWorld.NsEl1, 1, 3, address, size, leafOnly: false, 0);

        AssertScope(removed: [.. removed.Select(va => entries[va])], kept: [.. kept.Select(va => entries[va])]);
    }
}
