using ArmSmmu.Structures;
using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Broadcast TLB maintenance (IHI0070 §3.17.2-§3.17.6): each case caches translations in several StreamWorlds,
/// VMIDs and ASIDs, remaps every page, sends one broadcast TLBI, and observes which entries were removed (the
/// translation now walks to the new PA) and which stayed (it still hits the old PA).
/// </summary>
public class BroadcastInvalidationTests
{
    internal const ulong Va = 0x0080_0000;
    internal const ulong OldPa = 0x5000_0000;
    internal const ulong NewPa = 0x5800_0000;
    internal const ulong S1Global = DeviceHarness.S1ReadWrite & ~(1UL << 11); // nG = 0

    private sealed record Stream(uint Sid, ulong Table, bool Stage2);

    // CR2.PTM = 0 so the SMMU participates (the harness's Linux-style reset writes PTM = 1); E2H when asked.
    private static DeviceHarness Participating(SmmuFeatures? features = null, bool e2h = false, uint vmw = 0)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetCr2(e2h ? 0x3u : 0x2u);
        if (vmw != 0)
        {
            h.WriteAndPoll(SmmuRegister.CR0, h.Smmu.ReadRegister32(SmmuRegister.CR0) | (vmw << 6), SmmuRegister.CR0ACK);
        }

        return h;
    }

    private static Stream Stage1(DeviceHarness h, uint sid, ushort asid, ushort vmid = 0, int pages = 1, ulong leaf = DeviceHarness.S1ReadWrite, StreamWorldEncoding strw = StreamWorldEncoding.El1)
    {
        ulong pgd = h.NewTable();
        for (int i = 0; i < pages; i++)
        {
            h.Map4K(pgd, Va + ((ulong)i * 0x1000), OldPa + ((ulong)i * 0x1000), leaf);
        }

        ulong cd = DeviceHarness.CdTableBase + (sid * 0x1000UL);
        Assert.True(DeviceHarness.LinuxCd(asid, pgd).TryWrite(h.Memory, cd));
        h.SetSte(sid, DeviceHarness.LinuxStage1Ste(cd) with { S2VMID = vmid, STRW = strw });
        var s = new Stream(sid, pgd, false);
        Warm(h, s, pages);
        return s;
    }

    private static Stream Stage2(DeviceHarness h, uint sid, ushort vmid)
    {
        ulong s2 = h.NewTable();
        h.Map4K(s2, Va, OldPa, DeviceHarness.S2ReadWrite);
        h.SetSte(sid, DeviceHarness.Stage2Ste(s2, vmid));
        var s = new Stream(sid, s2, true);
        Warm(h, s, 1);
        return s;
    }

    // Caches the translations, then changes the tables underneath: only a removed entry can show the new PA.
    private static void Warm(DeviceHarness h, Stream s, int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            ulong va = Va + ((ulong)i * 0x1000);
            Assert.Equal(OldPa + ((ulong)i * 0x1000), h.Read(s.Sid, va).PhysicalAddress);
            h.Map4K(s.Table, va, NewPa + ((ulong)i * 0x1000), s.Stage2 ? DeviceHarness.S2ReadWrite : DeviceHarness.S1ReadWrite);
        }
    }

    private static bool Removed(DeviceHarness h, Stream s, int page = 0)
    {
        ulong pa = h.Read(s.Sid, Va + ((ulong)page * 0x1000)).PhysicalAddress;
        Assert.True(pa == OldPa + ((ulong)page * 0x1000) || pa == NewPa + ((ulong)page * 0x1000), $"unexpected PA 0x{pa:X}");
        return pa == NewPa + ((ulong)page * 0x1000);
    }

    private static int Send(DeviceHarness h, BroadcastInvalidation message) => h.Smmu.ReceiveBroadcastInvalidation(message);

    [Fact]
    public void Vae1is_removes_the_page_of_its_asid_and_vmid_only_3_17_2()
    {
        // IHI0070 §3.17.2: VA{L}E1 from EL1 reaches NS-EL1 entries of {VMID, ASID} at that VA.
        var h = Participating();
        var target = Stage1(h, 1, asid: 1, vmid: 3, pages: 2);
        var otherAsid = Stage1(h, 2, asid: 2, vmid: 3);
        var otherVmid = Stage1(h, 3, asid: 1, vmid: 4);

        Assert.Equal(1, Send(h, new BroadcastInvalidation(Op.VAE1IS, Va, Asid: 1, Vmid: 3)));
        Assert.True(Removed(h, target));
        Assert.False(Removed(h, target, page: 1));
        Assert.False(Removed(h, otherAsid));
        Assert.False(Removed(h, otherVmid));
    }

    [Fact]
    public void Vae1is_removes_global_entries_of_every_asid_but_aside1is_keeps_them_3_17_1()
    {
        // IHI0070 §3.17.1: invalidation of global entries is as on Armv8-A: VA scopes hit them, ASID scopes do not.
        var h = Participating();
        // (Another VMID for the non-global stream: in the same VMID its lookups would hit the global entry.)
        var global = Stage1(h, 1, asid: 5, vmid: 1, leaf: S1Global);
        var nonGlobal = Stage1(h, 2, asid: 1, vmid: 2);

        Assert.Equal(0, Send(h, new BroadcastInvalidation(Op.ASIDE1IS, Asid: 5, Vmid: 1)));
        Assert.Equal(1, Send(h, new BroadcastInvalidation(Op.ASIDE1IS, Asid: 1, Vmid: 2)));
        Assert.False(Removed(h, global));
        Assert.True(Removed(h, nonGlobal));

        Send(h, new BroadcastInvalidation(Op.VAE1IS, Va, Asid: 9, Vmid: 1));
        Assert.True(Removed(h, global));
    }

    [Fact]
    public void Vaae1is_removes_every_asid_of_the_vmid_at_that_va_3_17_2()
    {
        var h = Participating();
        var a = Stage1(h, 1, asid: 1, vmid: 2);
        var b = Stage1(h, 2, asid: 2, vmid: 2);
        var otherVmid = Stage1(h, 3, asid: 1, vmid: 7);

        Assert.Equal(2, Send(h, new BroadcastInvalidation(Op.VAAE1IS, Va, Vmid: 2)));
        Assert.True(Removed(h, a));
        Assert.True(Removed(h, b));
        Assert.False(Removed(h, otherVmid));
    }

    [Fact]
    public void Vale1is_with_a_ttl_level_keeps_entries_of_another_level()
    {
        // DDI0487 FEAT_TTL: the hint names the leaf level; the cached 4K page is a level-3 leaf.
        var h = Participating();
        var s = Stage1(h, 1, asid: 1);
        Assert.Equal(0, Send(h, new BroadcastInvalidation(Op.VALE1IS, Va, Asid: 1, LastLevel: 2)));
        Assert.False(Removed(h, s));
        Assert.Equal(1, Send(h, new BroadcastInvalidation(Op.VALE1IS, Va, Asid: 1, LastLevel: 3)));
        Assert.True(Removed(h, s));
    }

    [Fact]
    public void Vmalle1is_removes_stage_1_entries_of_the_vmid_and_keeps_stage_2_entries()
    {
        // Armv8-A VMALLE1IS: stage 1 of the current VMID only; VMALLS12E1IS (from EL2) adds stage 2.
        var h = Participating();
        var s1 = Stage1(h, 1, asid: 1, vmid: 5);
        var s2 = Stage2(h, 2, vmid: 5);
        var otherVmid = Stage1(h, 3, asid: 1, vmid: 6);

        Send(h, new BroadcastInvalidation(Op.VMALLE1IS, Vmid: 5));
        Assert.True(Removed(h, s1));
        Assert.False(Removed(h, s2));
        Assert.False(Removed(h, otherVmid));

        Send(h, new BroadcastInvalidation(Op.VMALLS12E1IS, Vmid: 5, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, s2));
        Assert.False(Removed(h, otherVmid));
    }

    [Fact]
    public void Ipas2e1is_removes_the_ipa_of_that_vmid_at_stage_2()
    {
        var h = Participating();
        var a = Stage2(h, 1, vmid: 5);
        var b = Stage2(h, 2, vmid: 6);

        Send(h, new BroadcastInvalidation(Op.IPAS2E1IS, Va + 0x1000, Vmid: 5, IssuedFrom: ExceptionLevel.EL2));
        Assert.False(Removed(h, a)); // another page
        Send(h, new BroadcastInvalidation(Op.IPAS2LE1IS, Va, Vmid: 5, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, a));
        Assert.False(Removed(h, b));
    }

    [Fact]
    public void Alle1is_removes_every_ns_el1_entry_and_alle2is_every_el2_entry()
    {
        // ALLE1IS: the EL1&0 regime of every VMID, both stages; EL2 entries stay. ALLE2IS: the opposite.
        var h = Participating();
        var el1 = Stage1(h, 1, asid: 1, vmid: 1);
        var s2 = Stage2(h, 2, vmid: 2);
        var el2 = Stage1(h, 3, asid: 0, strw: StreamWorldEncoding.El2);

        Send(h, new BroadcastInvalidation(Op.ALLE1IS, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, el1));
        Assert.True(Removed(h, s2));
        Assert.False(Removed(h, el2));

        Send(h, new BroadcastInvalidation(Op.ALLE2IS, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, el2));
    }

    [Fact]
    public void El2_invalidations_follow_the_issuers_e2h_mode_3_17_5()
    {
        // IHI0070 §3.17.5: EL2 broadcasts without E2H reach NS-EL2 entries; a VHE host's carry an ASID and reach
        // NS-EL2-E2H entries (and, issued as *E1IS at EL2 with TGE = 1, the EL2&0 regime), never NS-EL1 entries.
        var h = Participating(e2h: true);
        var e2h = Stage1(h, 1, asid: 7, strw: StreamWorldEncoding.El2, pages: 2);
        var el1 = Stage1(h, 2, asid: 7);

        Send(h, new BroadcastInvalidation(Op.VAE2IS, Va, Asid: 8, IssuedFrom: ExceptionLevel.EL2, HostE2H: true));
        Assert.False(Removed(h, e2h)); // another ASID
        Send(h, new BroadcastInvalidation(Op.VAE2IS, Va, Asid: 7, IssuedFrom: ExceptionLevel.EL2, HostE2H: false));
        Assert.False(Removed(h, e2h)); // a non-E2H EL2 broadcast does not reach EL2-E2H entries
        Send(h, new BroadcastInvalidation(Op.VAE2IS, Va, Asid: 7, IssuedFrom: ExceptionLevel.EL2, HostE2H: true));
        Assert.True(Removed(h, e2h));

        Send(h, new BroadcastInvalidation(Op.ASIDE1IS, Asid: 7, IssuedFrom: ExceptionLevel.EL2, HostE2H: true));
        Assert.True(Removed(h, e2h, page: 1));
        Assert.False(Removed(h, el1));
    }

    [Fact]
    public void Vae2is_without_e2h_reaches_ns_el2_entries_whatever_the_asid_3_17_5()
    {
        var h = Participating();
        var el2 = Stage1(h, 1, asid: 3, strw: StreamWorldEncoding.El2);
        var el1 = Stage1(h, 2, asid: 3);

        Send(h, new BroadcastInvalidation(Op.VALE2IS, Va, Asid: 99, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, el2));
        Assert.False(Removed(h, el1));
    }

    [Fact]
    public void An_smmu_with_8_bit_asids_and_vmids_compares_the_bottom_8_bits_3_17_4()
    {
        // IHI0070 §3.17.4: a 16-bit broadcast of a zero-extended 8-bit value must match; this model also matches
        // when the top 8 bits are non-zero (permitted).
        var h = Participating(SmmuFeatures.Default with { Asid16 = false, Vmid16 = false });
        var s = Stage1(h, 1, asid: 0x12, vmid: 0x34, pages: 2);
        var other = Stage1(h, 2, asid: 0x13, vmid: 0x34);

        Send(h, new BroadcastInvalidation(Op.VAE1IS, Va, Asid: 0x0012, Vmid: 0x0034));
        Assert.True(Removed(h, s));
        Send(h, new BroadcastInvalidation(Op.VAE1IS, Va + 0x1000, Asid: 0xAB12, Vmid: 0xCD34));
        Assert.True(Removed(h, s, page: 1));
        Assert.False(Removed(h, other));
    }

    [Fact]
    public void Vmid_wildcards_widen_broadcast_matching_3_17_6()
    {
        // IHI0070 §3.17.6: CR0.VMW = 1 ignores VMID[0]: a broadcast for VMID 0x20 reaches 0x20 and 0x21, not 0x22.
        var h = Participating(vmw: 1);
        var a = Stage2(h, 1, vmid: 0x20);
        var b = Stage2(h, 2, vmid: 0x21);
        var c = Stage2(h, 3, vmid: 0x22);

        Send(h, new BroadcastInvalidation(Op.VMALLS12E1IS, Vmid: 0x20, IssuedFrom: ExceptionLevel.EL2));
        Assert.True(Removed(h, a));
        Assert.True(Removed(h, b));
        Assert.False(Removed(h, c));
    }

    [Theory]
    [InlineData("NH_ASID")]
    [InlineData("NH_VA")]
    [InlineData("NH_VAA")]
    [InlineData("S2_IPA")]
    public void Vmid_wildcards_widen_every_command_that_specifies_a_vmid_6_3_9_1(string command)
    {
        // IHI0070 §6.3.9.1, §3.17.6: "a fetched CMD_TLBI_* command specifying a VMID" is processed under CR0.VMW, not only
        // the broadcasts: with VMW = 1, VMID 0x20 reaches 0x20 and 0x21, not 0x22.
        var h = Participating(vmw: 1);
        bool stage2 = command == "S2_IPA";
        Stream Make(uint sid, ushort vmid) => stage2 ? Stage2(h, sid, vmid) : Stage1(h, sid, asid: 1, vmid: vmid);
        var (a, b, c) = (Make(1, 0x20), Make(2, 0x21), Make(3, 0x22));

        h.Submit(command switch
        {
            "NH_ASID" => Command.TlbiNhAsid(0x20, 1),
            "NH_VA" => Command.TlbiNhVa(0x20, 1, Va, leaf: true),
            "NH_VAA" => Command.TlbiNhVaa(0x20, Va, leaf: true),
            _ => Command.TlbiS2Ipa(0x20, Va, true),
        });
        Assert.True(Removed(h, a));
        Assert.True(Removed(h, b));
        Assert.False(Removed(h, c));
    }

    [Theory]
    [InlineData(0, 0, 2)]  // (NUM+1) × 2^(5×SCALE+1) = 2 pages
    [InlineData(0, 1, 4)]  // 2 × 2 = 4 pages
    [InlineData(0, 2, 6)]
    public void Range_forms_cover_num_plus_one_times_two_to_the_5_scale_plus_1_granules(int scale, int num, int removed)
    {
        // DDI0487 D8.13 (FEAT_TLBIRANGE): RVAE1IS covers (NUM+1) × 2^(5×SCALE+1) granules from BaseADDR.
        var h = Participating();
        var s = Stage1(h, 1, asid: 1, pages: 8);
        Send(h, new BroadcastInvalidation(Op.RVAE1IS, Va, Asid: 1, RangeGranule: RangeGranule.Size4K, RangeScale: scale, RangeNum: num));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(i < removed, Removed(h, s, i));
        }
    }

    [Fact]
    public void Ptm_1_or_btm_0_makes_broadcasts_ignored_3_17()
    {
        // IHI0070 §3.17: with CR2.PTM = 1 broadcasts are ignored; without IDR0.BTM there is no participation at all.
        var h = new DeviceHarness();
        h.Reset(); // the Linux-style reset writes CR2 = PTM | RECINVSID
        Assert.Equal(0x6u, h.Smmu.ReadRegister32(SmmuRegister.CR2));
        var s = Stage1(h, 1, asid: 1);
        Assert.Equal(0, Send(h, new BroadcastInvalidation(Op.ASIDE1IS, Asid: 1)));
        Assert.Equal(0, Send(h, new BroadcastInvalidation(Op.ALLE1IS, IssuedFrom: ExceptionLevel.EL2)));
        Assert.False(Removed(h, s));
        Assert.Equal(2, h.Smmu.Statistics.BroadcastInvalidationsIgnored);
        Assert.Equal(0, h.Smmu.Statistics.BroadcastInvalidations);

        var noBtm = Participating(SmmuFeatures.Default with { Btm = false });
        Assert.Equal(0x2u, noBtm.Smmu.ReadRegister32(SmmuRegister.CR2) & 0x6); // PTM is RES0 without BTM
        var t = Stage1(noBtm, 1, asid: 1);
        Assert.Equal(0, Send(noBtm, new BroadcastInvalidation(Op.ALLE1IS, IssuedFrom: ExceptionLevel.EL2)));
        Assert.False(Removed(noBtm, t));
    }

    [Fact]
    public void Secure_broadcasts_do_not_reach_non_secure_entries_3_17_2()
    {
        var h = Participating();
        var s = Stage1(h, 1, asid: 1);
        Assert.Equal(0, Send(h, new BroadcastInvalidation(Op.ALLE1IS, IssuedFrom: ExceptionLevel.EL3, Security: SecurityState.Secure)));
        Assert.False(Removed(h, s));
    }

    [Fact]
    public void Broadcasts_are_counted_apart_from_commands()
    {
        var h = Participating();
        long commands = h.Smmu.Statistics.Commands;
        Send(h, new BroadcastInvalidation(Op.VMALLE1IS));
        Send(h, new BroadcastInvalidation(Op.VAAE1IS, Va));
        Assert.Equal(2, h.Smmu.Statistics.BroadcastInvalidations);
        Assert.Equal(commands, h.Smmu.Statistics.Commands);
    }

    [Theory]
    [InlineData(Op.ALLE2IS)]
    [InlineData(Op.IPAS2E1IS)]
    [InlineData(Op.VMALLS12E1IS)]
    public void An_el2_operation_from_el1_is_host_misuse(Op operation)
    {
        var h = Participating();
        Assert.Throws<ArgumentException>(() => Send(h, new BroadcastInvalidation(operation)));
    }
}
