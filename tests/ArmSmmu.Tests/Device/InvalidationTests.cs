using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Invalidation end to end (IHI0070 §3.21, §4.3, §4.4): a changed PTE, STE or CD may be used until its invalidation
/// and CMD_SYNC complete, and never afterwards; invalidation is scoped to its ASID/VMID/StreamWorld.
/// </summary>
public class InvalidationTests
{
    private const ulong Va = 0x0080_0000;
    private const ulong OldPa = 0x5000_0000;
    private const ulong NewPa = 0x5800_0000;

    private sealed class Stage1Stream
    {
        public required uint Sid { get; init; }

        public required ushort Asid { get; init; }

        public required ulong Pgd { get; init; }
    }

    // One stage-1 stream per ASID, each with its own CD and page table, all mapping Va.. to OldPa...
    private static Stage1Stream AddStage1(DeviceHarness h, uint sid, ushort asid, int pages = 1, StreamTableEntry? ste = null)
    {
        ulong pgd = h.NewTable();
        for (int i = 0; i < pages; i++)
        {
            h.Map4K(pgd, Va + ((ulong)i * 0x1000), OldPa + ((ulong)i * 0x1000), DeviceHarness.S1ReadWrite);
        }

        ulong cd = DeviceHarness.CdTableBase + (sid * 0x1000UL);
        Assert.True(DeviceHarness.LinuxCd(asid, pgd).TryWrite(h.Memory, cd));
        h.SetSte(sid, ste ?? DeviceHarness.LinuxStage1Ste(cd) with { S1ContextPtr = cd });
        return new Stage1Stream { Sid = sid, Asid = asid, Pgd = pgd };
    }

    private static void Remap(DeviceHarness h, Stage1Stream s, int pages = 1)
    {
        for (int i = 0; i < pages; i++)
        {
            h.Map4K(s.Pgd, Va + ((ulong)i * 0x1000), NewPa + ((ulong)i * 0x1000), DeviceHarness.S1ReadWrite);
        }
    }

    private static ulong Pa(DeviceHarness h, uint sid, ulong va = Va) => h.Read(sid, va).PhysicalAddress;

    [Fact]
    public void Tlbi_nh_asid_removes_only_that_asid()
    {
        // IHI0070 §4.4.2 CMD_TLBI_NH_ASID: entries of {VMID, ASID}; other ASIDs stay cached (observed as TLB hits).
        var h = new DeviceHarness();
        h.Reset();
        var a = AddStage1(h, 1, 1);
        var b = AddStage1(h, 2, 2);
        Assert.Equal(OldPa, Pa(h, a.Sid));
        Assert.Equal(OldPa, Pa(h, b.Sid));
        Remap(h, a);
        Remap(h, b);
        Assert.Equal(OldPa, Pa(h, a.Sid)); // stale until invalidated: permitted

        h.Submit(Command.TlbiNhAsid(0, 1));
        long hits = h.Smmu.Statistics.Tlb.Hits;
        long misses = h.Smmu.Statistics.Tlb.Misses;
        Assert.Equal(OldPa, Pa(h, b.Sid));
        Assert.Equal(hits + 1, h.Smmu.Statistics.Tlb.Hits);
        Assert.Equal(misses, h.Smmu.Statistics.Tlb.Misses);
        Assert.Equal(NewPa, Pa(h, a.Sid));
        Assert.Equal(misses + 1, h.Smmu.Statistics.Tlb.Misses);
    }

    [Fact]
    public void Tlbi_nh_va_without_range_removes_one_page_of_one_asid()
    {
        // IHI0070 §4.4.3 CMD_TLBI_NH_VA, TG = 0: the single address, for the ASID given.
        var h = new DeviceHarness();
        h.Reset();
        var a = AddStage1(h, 1, 1, pages: 2);
        var b = AddStage1(h, 2, 2);
        _ = Pa(h, a.Sid);
        _ = Pa(h, a.Sid, Va + 0x1000);
        _ = Pa(h, b.Sid);
        Remap(h, a, 2);
        Remap(h, b);

        h.Submit(Command.TlbiNhVa(0, 1, Va, leaf: true));
        Assert.Equal(NewPa, Pa(h, a.Sid));
        Assert.Equal(OldPa + 0x1000, Pa(h, a.Sid, Va + 0x1000));
        Assert.Equal(OldPa, Pa(h, b.Sid));
    }

    [Theory]
    [InlineData(3u, 0u, 4)]  // (NUM+1) * 2^SCALE = 4 pages
    [InlineData(1u, 1u, 4)]  // 2 * 2 = 4 pages
    [InlineData(0u, 1u, 2)]  // 1 * 2 = 2 pages
    [InlineData(2u, 0u, 3)]
    public void Tlbi_nh_va_range_removes_num_plus_one_times_two_to_scale_granules(uint num, uint scale, int removed)
    {
        // IHI0070 §4.4.1.1 (digest 4.4): Range = (NUM+1) * 2^SCALE * granule from Addr; TG = 0b01 (4KB), TTL 3 = level-3 leaves.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1, pages: 8);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(OldPa + ((ulong)i * 0x1000), Pa(h, s.Sid, Va + ((ulong)i * 0x1000)));
        }

        Remap(h, s, 8);
        h.Submit(Command.TlbiNhVa(0, 1, Va, leaf: true, num: num, scale: scale, ttl: 3, tg: RangeGranule.Size4K));
        for (int i = 0; i < 8; i++)
        {
            ulong expected = (i < removed ? NewPa : OldPa) + ((ulong)i * 0x1000);
            Assert.Equal(expected, Pa(h, s.Sid, Va + ((ulong)i * 0x1000)));
        }
    }

    [Theory]
    [InlineData(0u, 1u)] // TTL 0: any level (NUM 1 so that the encoding is not the reserved NUM=SCALE=TTL=0)
    [InlineData(3u, 0u)] // TTL 3: a level-3 leaf, exactly the entry cached
    public void Tlbi_nh_va_with_a_ttl_hint_that_matches_removes_the_entry(uint ttl, uint num)
    {
        // IHI0070 §4.4.1.1: TTL 0 = any level, 0b11 = level 3 (4KB granule). Leaf = 0 also covers walk caches.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1);
        _ = Pa(h, s.Sid);
        Remap(h, s);
        h.Submit(Command.TlbiNhVa(0, 1, Va, leaf: false, num: num, scale: 0, ttl: ttl, tg: RangeGranule.Size4K));
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }

    [Fact]
    public void Tlbi_nh_vaa_removes_the_address_for_every_asid()
    {
        // IHI0070 §4.4.4 CMD_TLBI_NH_VAA: all ASIDs of the VMID at that address.
        var h = new DeviceHarness();
        h.Reset();
        var a = AddStage1(h, 1, 1, pages: 2);
        var b = AddStage1(h, 2, 2);
        _ = Pa(h, a.Sid);
        _ = Pa(h, a.Sid, Va + 0x1000);
        _ = Pa(h, b.Sid);
        Remap(h, a, 2);
        Remap(h, b);

        h.Submit(Command.TlbiNhVaa(0, Va, leaf: true));
        Assert.Equal(NewPa, Pa(h, a.Sid));
        Assert.Equal(NewPa, Pa(h, b.Sid));
        Assert.Equal(OldPa + 0x1000, Pa(h, a.Sid, Va + 0x1000));
    }

    private static (DeviceHarness H, ulong S2a, ulong S2b) TwoVms()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2a = h.NewTable();
        ulong s2b = h.NewTable();
        h.Map4K(s2a, Va, OldPa, DeviceHarness.S2ReadWrite);
        h.Map4K(s2b, Va, OldPa, DeviceHarness.S2ReadWrite);
        h.SetSte(5, DeviceHarness.Stage2Ste(s2a, 5));
        h.SetSte(6, DeviceHarness.Stage2Ste(s2b, 6));
        Assert.Equal(OldPa, Pa(h, 5));
        Assert.Equal(OldPa, Pa(h, 6));
        h.Map4K(s2a, Va, NewPa, DeviceHarness.S2ReadWrite);
        h.Map4K(s2b, Va, NewPa, DeviceHarness.S2ReadWrite);
        Assert.Equal(OldPa, Pa(h, 5));
        return (h, s2a, s2b);
    }

    [Fact]
    public void Tlbi_s12_vmall_removes_only_that_vmid()
    {
        // IHI0070 §4.4.7 CMD_TLBI_S12_VMALL: all stage-1 and stage-2 entries of the VMID.
        var (h, _, _) = TwoVms();
        h.Submit(Command.TlbiS12Vmall(5));
        long hits = h.Smmu.Statistics.Tlb.Hits;
        Assert.Equal(OldPa, Pa(h, 6));
        Assert.Equal(hits + 1, h.Smmu.Statistics.Tlb.Hits);
        Assert.Equal(NewPa, Pa(h, 5));
    }

    [Fact]
    public void Tlbi_s2_ipa_removes_the_ipa_of_that_vmid()
    {
        // IHI0070 §4.4.8 CMD_TLBI_S2_IPA.
        var (h, _, _) = TwoVms();
        h.Submit(Command.TlbiS2Ipa(6, Va + 0x1000, leaf: true));
        Assert.Equal(OldPa, Pa(h, 6)); // another page
        h.Submit(Command.TlbiS2Ipa(6, Va, leaf: true));
        Assert.Equal(NewPa, Pa(h, 6));
        Assert.Equal(OldPa, Pa(h, 5));
    }

    [Fact]
    public void Tlbi_nsnh_all_removes_every_non_secure_non_hyp_entry()
    {
        // IHI0070 §4.4.9 CMD_TLBI_NSNH_ALL: all VMIDs and ASIDs.
        var (h, _, _) = TwoVms();
        var s = AddStage1(h, 1, 1);
        _ = Pa(h, s.Sid);
        Remap(h, s);
        h.Submit(Command.TlbiNsnhAll());
        Assert.Equal(NewPa, Pa(h, 5));
        Assert.Equal(NewPa, Pa(h, 6));
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }

    [Fact]
    public void Faulting_walks_are_not_cached()
    {
        // digest 9.2 / IHI0070 §3.21.1: a translation fault leaves nothing in the TLB; Linux maps without TLBI.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1);
        Assert.Equal(EventType.FTranslation, h.Read(s.Sid, Va + 0x5000).Fault);
        h.Map4K(s.Pgd, Va + 0x5000, NewPa, DeviceHarness.S1ReadWrite);
        Assert.Equal(NewPa, Pa(h, s.Sid, Va + 0x5000));

        // The same for stage 2.
        ulong s2 = h.NewTable();
        h.SetSte(9, DeviceHarness.Stage2Ste(s2, 9));
        Assert.Equal(EventType.FTranslation, h.Read(9, Va).Fault);
        h.Map4K(s2, Va, NewPa, DeviceHarness.S2ReadWrite);
        Assert.Equal(NewPa, Pa(h, 9));
    }

    [Fact]
    public void Changed_ste_is_used_until_cfgi_ste_and_sync()
    {
        // IHI0070 §3.21.2, §4.3.1 CMD_CFGI_STE.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(4, StreamTableEntry.BypassEntry);
        Assert.True(h.Read(4, 0x1000).IsSuccess);
        Assert.True(StreamTableEntry.Abort.TryWrite(h.Memory, h.SteAddress(4)));
        Assert.True(h.Read(4, 0x1000).IsSuccess); // cached STE

        h.Submit(Command.CfgiSte(5, leaf: true)); // another StreamID: no effect
        Assert.True(h.Read(4, 0x1000).IsSuccess);
        h.Submit(Command.CfgiSte(4, leaf: true));
        Assert.False(h.Read(4, 0x1000).IsSuccess);
    }

    [Theory]
    [InlineData(0x40u, 1u, true)]   // Range 1: 4 StreamIDs 0x40..0x43
    [InlineData(0x44u, 1u, false)]  // 0x44..0x47
    [InlineData(0x00u, 6u, true)]   // 128 StreamIDs from 0
    [InlineData(0x43u, 0u, false)]  // 0x42..0x43
    public void Cfgi_ste_range_covers_two_to_range_plus_one_streamids(uint sid, uint range, bool covers)
    {
        // IHI0070 §4.3.2 CMD_CFGI_STE_RANGE: 2^(Range+1) StreamIDs from StreamID with its low Range+1 bits cleared.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(0x41, StreamTableEntry.BypassEntry);
        Assert.True(h.Read(0x41, 0).IsSuccess);
        Assert.True(StreamTableEntry.Abort.TryWrite(h.Memory, h.SteAddress(0x41)));

        h.Submit(Command.CfgiSteRange(sid, range));
        Assert.Equal(!covers, h.Read(0x41, 0).IsSuccess);
    }

    [Fact]
    public void Cfgi_all_invalidates_every_ste()
    {
        // IHI0070 §4.3.2: CFGI_ALL = CFGI_STE_RANGE with Range 31.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(0x10, StreamTableEntry.BypassEntry);
        h.SetSte(0xF0, StreamTableEntry.BypassEntry);
        Assert.True(h.Read(0x10, 0).IsSuccess && h.Read(0xF0, 0).IsSuccess);
        Assert.True(StreamTableEntry.Abort.TryWrite(h.Memory, h.SteAddress(0x10)));
        Assert.True(StreamTableEntry.Abort.TryWrite(h.Memory, h.SteAddress(0xF0)));
        h.Submit(Command.CfgiAll());
        Assert.False(h.Read(0x10, 0).IsSuccess);
        Assert.False(h.Read(0xF0, 0).IsSuccess);
    }

    [Fact]
    public void Changed_cd_is_used_until_cfgi_cd_and_sync()
    {
        // IHI0070 §4.3.3 CMD_CFGI_CD: the CD of {StreamID, SubstreamID}; other substreams keep their cached CD.
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, OldPa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + 64));
        Assert.True(DeviceHarness.LinuxCd(2, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + 128));
        h.SetSte(1, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2));
        Assert.True(h.Read(1, Va, ssid: 1).IsSuccess);
        Assert.True(h.Read(1, Va, ssid: 2).IsSuccess);

        Assert.True(ContextDescriptor.Invalid.TryWrite(h.Memory, DeviceHarness.CdTableBase + 64));
        Assert.True(ContextDescriptor.Invalid.TryWrite(h.Memory, DeviceHarness.CdTableBase + 128));
        Assert.True(h.Read(1, Va, ssid: 1).IsSuccess); // stale CD permitted

        h.Submit(Command.CfgiCd(1, 1, leaf: true));
        Assert.Equal(EventType.CBadCd, h.Read(1, Va, ssid: 1).Fault);
        Assert.True(h.Read(1, Va, ssid: 2).IsSuccess);

        h.Submit(Command.CfgiCdAll(1));
        Assert.Equal(EventType.CBadCd, h.Read(1, Va, ssid: 2).Fault);
    }

    [Fact]
    public void Cfgi_cd_of_substream_0_reaches_the_single_cd_of_traffic_without_a_substreamid()
    {
        // IHI0070 §4.3.3: SubstreamID 0 names the single CD (S1CDMax = 0), which serves traffic that carries no
        // SubstreamID at all; the invalidation must reach that traffic, not only requests with SubstreamID 0.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1);
        Assert.Equal(OldPa, Pa(h, s.Sid));

        // A new CD: another ASID (so the cached TLB entry no longer matches) and a table that maps Va to NewPa.
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, NewPa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(2, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + 0x1000));
        Assert.Equal(OldPa, Pa(h, s.Sid)); // stale CD permitted

        h.Submit(Command.CfgiCd(s.Sid, 0, leaf: true));
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }

    [Fact]
    public void Cfgi_ste_also_drops_the_cds_fetched_through_it()
    {
        // digest 3.4 / IHI0070 §4.3.1: CMD_CFGI_STE invalidates CDs cached through that STE.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1);
        Assert.True(h.Read(s.Sid, Va).IsSuccess);
        Assert.True(ContextDescriptor.Invalid.TryWrite(h.Memory, DeviceHarness.CdTableBase + 0x1000));
        h.Submit(Command.CfgiSte(s.Sid, leaf: true));
        Assert.Equal(EventType.CBadCd, h.Read(s.Sid, Va).Fault);
    }

    [Fact]
    public void El2_translation_survives_tlbi_nh_all_but_not_tlbi_el2_all()
    {
        // IHI0070 §5.2 STRW 0b10 with CR2.E2H = 0: StreamWorld NS-EL2; §4.4.5: only EL2 TLBIs reach its entries.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1, ste: DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase + 0x1000) with { STRW = StreamWorldEncoding.El2 });
        Assert.Equal(OldPa, Pa(h, s.Sid));
        Remap(h, s);

        h.Submit(Command.TlbiNhAll(0), Command.TlbiNhAsid(0, 1), Command.TlbiNhVaa(0, Va, leaf: false));
        Assert.Equal(OldPa, Pa(h, s.Sid));
        h.Submit(Command.TlbiEl2All());
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }

    [Fact]
    public void El2_e2h_translation_is_asid_tagged()
    {
        // IHI0070 §5.2 STRW 0b10 with CR2.E2H = 1: NS-EL2-E2H, tagged with the CD's ASID; §4.4.5 CMD_TLBI_EL2_ASID.
        var h = new DeviceHarness();
        h.Reset();
        h.SetCr2(0x7);
        var s = AddStage1(h, 1, 7, ste: DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase + 0x1000) with { STRW = StreamWorldEncoding.El2 });
        Assert.Equal(OldPa, Pa(h, s.Sid));
        Remap(h, s);

        h.Submit(Command.TlbiNhAll(0), Command.TlbiEl2Asid(8));
        Assert.Equal(OldPa, Pa(h, s.Sid));
        h.Submit(Command.TlbiEl2Asid(7));
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }

    [Fact]
    public void El2_va_invalidation_ignores_the_asid()
    {
        // IHI0070 §4.4.6 CMD_TLBI_EL2_VA: NS-EL2 entries have no ASID, so any ASID value matches.
        var h = new DeviceHarness();
        h.Reset();
        var s = AddStage1(h, 1, 1, ste: DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase + 0x1000) with { STRW = StreamWorldEncoding.El2 });
        _ = Pa(h, s.Sid);
        Remap(h, s);
        h.Submit(Command.TlbiEl2Va(0x55, Va, leaf: true));
        Assert.Equal(NewPa, Pa(h, s.Sid));
    }
}
