using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>The re-audit of chapter 4: each command's CERROR_ILL and IGNORED rules (IHI0070 §4.1-§4.4).</summary>
public class CommandAuditTests
{
    private static uint Cons(DeviceHarness h) => h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);

    private static uint ActiveErrors(DeviceHarness h) =>
        h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN);

    // IHI0070 §7.1: CONS stays on the command with CONS.ERR = CERROR_ILL (0x01) and GERROR.CMDQ_ERR active.
    private static void AssertIll(Command command, SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.EnableCommandQueueOnly();
        h.SubmitRaw(command);
        Assert.Equal(0x0100_0000u, Cons(h)); // ERR = 0x01 in [30:24], RD = 0 (the command itself)
        Assert.Equal((uint)GerrorFlags.CMDQ_ERR, ActiveErrors(h));
    }

    private static void AssertConsumed(Command command, SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.EnableCommandQueueOnly();
        h.Submit(command);
        Assert.Equal(2u, Cons(h)); // the command and the harness's CMD_SYNC, no ERR
        Assert.Equal(0u, ActiveErrors(h));
    }

    public static TheoryData<string> SSecCommands => ["CFGI_STE_RANGE", "CFGI_ALL", "CFGI_CD_ALL", "PREFETCH_ADDR", "STALL_TERM"];

    [Theory]
    [MemberData(nameof(SSecCommands))]
    public void Section_4_1_6_ssec_1_on_the_non_secure_queue_is_cerror_ill(string name)
    {
        // "A command on the Non-secure Command queue with SSec == 1 is ILLEGAL, regardless of whether Secure state is
        // supported, and raises CERROR_ILL."
        var command = name switch
        {
            "CFGI_STE_RANGE" => Command.CfgiSteRange(8, 2),
            "CFGI_ALL" => Command.CfgiAll(),
            "CFGI_CD_ALL" => Command.CfgiCdAll(1),
            "PREFETCH_ADDR" => new Command { Opcode = CommandOpcode.PrefetchAddr, StreamId = 1, Address = 0x1000 },
            _ => Command.StallTerm(1),
        };
        AssertIll(command with { SSec = true });
    }

    [Fact]
    public void Section_4_1_7_an_out_of_range_streamid_is_not_a_command_error()
    {
        // §4.1.7: an out-of-range StreamID (beyond IDR1.SIDSIZE = 16) is CONSTRAINED UNPREDICTABLE in its effect,
        // never CERROR_ILL; §4.3.3: likewise a SubstreamID beyond SSIDSIZE.
        AssertConsumed(Command.CfgiSte(0xFFFF_FFFF, leaf: true));
        AssertConsumed(Command.CfgiCd(0x1_0000, 0xFFFFF, leaf: false));
    }

    [Fact]
    public void Section_4_3_2_cfgi_ste_range_ignores_the_bottom_range_plus_1_streamid_bits()
    {
        // Range = 1 with StreamID 6 names the aligned block 4..7; 3 and 8 keep their cached STE.
        var h = new DeviceHarness();
        h.Reset();
        for (uint sid = 3; sid <= 8; sid++)
        {
            h.SetSte(sid, StreamTableEntry.BypassEntry);
            Assert.True(h.Read(sid, 0x1000).IsSuccess); // cached
            h.Memory.WriteUInt64(h.SteAddress(sid), 0); // V = 0, not yet invalidated
        }

        h.Submit(Command.CfgiSteRange(6, 1));
        var outcomes = Enumerable.Range(3, 6).Select(sid => h.Read((uint)sid, 0x1000).Fault).ToArray();
        Assert.Equal([EventType.None, EventType.CBadSte, EventType.CBadSte, EventType.CBadSte, EventType.CBadSte, EventType.None], outcomes);
    }

    [Fact]
    public void Section_4_3_6_cfgi_all_ignores_the_streamid()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(3, StreamTableEntry.BypassEntry);
        Assert.True(h.Read(3, 0x1000).IsSuccess);
        h.Memory.WriteUInt64(h.SteAddress(3), 0);

        h.Submit(Command.CfgiAll() with { StreamId = 0x77 });
        Assert.Equal(EventType.CBadSte, h.Read(3, 0x1000).Fault);
    }

    [Fact]
    public void Section_4_4_1_1_ttl_01_with_a_16kb_granule_is_treated_as_00_without_ds()
    {
        // TTL table: TG = 0b10, TTL = 0b01 "Otherwise Reserved, and hardware treats as TTL == 0b00". A range
        // (NUM or SCALE non-zero) is therefore a legal any-level range invalidation...
        var noDs = SmmuFeatures.Default with { LargeAddresses2 = false };
        AssertConsumed(Command.TlbiNhVa(1, 2, 0x10000, leaf: true, num: 1, scale: 0, ttl: 1, tg: RangeGranule.Size16K), noDs);
        AssertConsumed(Command.TlbiS2Ipa(1, 0x10000, leaf: false, num: 0, scale: 2, ttl: 1, tg: RangeGranule.Size16K), noDs);

        // ...while a single granule becomes the Reserved NUM = SCALE = TTL = 0 combination: CERROR_ILL.
        AssertIll(Command.TlbiNhVa(1, 2, 0x10000, leaf: true, num: 0, scale: 0, ttl: 1, tg: RangeGranule.Size16K), noDs);
    }

    [Fact]
    public void Section_4_4_1_1_ttl_01_with_a_16kb_granule_is_a_level_1_hint_with_ds()
    {
        // TTL table: "If SMMU_IDR5.DS == 1 then leaf entries at level 1 of a 16KB Granule table" (the default has DS).
        AssertConsumed(Command.TlbiNhVa(1, 2, 0x10000, leaf: true, num: 0, scale: 0, ttl: 1, tg: RangeGranule.Size16K));
    }

    [Theory]
    [InlineData(RangeGranule.Size4K)]
    [InlineData(RangeGranule.Size64K)]
    public void Section_4_4_1_1_ttl_01_is_a_level_1_hint_for_4kb_and_64kb(RangeGranule tg)
    {
        AssertConsumed(Command.TlbiNhVaa(1, 0x4000_0000, leaf: true, num: 0, scale: 0, ttl: 1, tg: tg));
    }

    [Fact]
    public void Section_4_4_1_1_a_range_invalidation_removes_every_page_in_address_to_address_plus_range()
    {
        // Range = (NUM + 1) * 2^SCALE * 4KB = 3 * 2 * 4KB = 24KB from 0x10000: pages 0x10000..0x15000 (what lies
        // beyond may be over-invalidated, so it is not asserted).
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        for (ulong page = 0x10000; page <= 0x16000; page += 0x1000)
        {
            h.Map4K(pgd, page, 0x8000_0000 + page, DeviceHarness.S1ReadWrite);
        }

        Assert.True(DeviceHarness.LinuxCd(7, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(1, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        for (ulong page = 0x10000; page <= 0x16000; page += 0x1000)
        {
            Assert.True(h.Read(1, page).IsSuccess); // TLB filled
            h.Unmap4K(pgd, page);
        }

        h.Submit(Command.TlbiNhVa(0, 7, 0x10000, leaf: true, num: 2, scale: 1, ttl: 3, tg: RangeGranule.Size4K));
        var faults = Enumerable.Range(0, 6).Select(i => h.Read(1, 0x10000 + ((ulong)i * 0x1000)).Fault).ToArray();
        Assert.All(faults, f => Assert.Equal(EventType.FTranslation, f));
    }

    [Fact]
    public void Section_4_4_1_1_with_ds_scale_is_six_bits_and_reaches_far_pages()
    {
        // SCALE [25:20] with IDR5.DS: SCALE = 32 (bit 25 alone) from address 0 is 2^32 granules = 2^44 bytes, so a page
        // at 2^36 is removed. Without DS bit 25 is RES0 and the same command is the Reserved single-granule form.
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        const ulong far = 1UL << 36;
        h.Map4K(pgd, far, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(7, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(1, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        Assert.True(h.Read(1, far).IsSuccess); // TLB filled
        h.Unmap4K(pgd, far);
        var tlbi = Command.TlbiNhVa(0, 7, 0, leaf: true, num: 0, scale: 0, ttl: 0, tg: RangeGranule.Size4K);
        var wide = new Command(tlbi.Dw0 | (1UL << 25), tlbi.Dw1);

        h.Submit(wide);

        Assert.Equal(EventType.FTranslation, h.Read(1, far).Fault);
        AssertIll(wide, SmmuFeatures.Default with { LargeAddresses2 = false });
    }

    [Theory]
    [InlineData((1UL << 50) | 0x3000_0000UL, 0x3000_0000UL)]
    [InlineData(1UL << 50, 0UL)] // non-zero field (an MSI is sent) that truncates to PA 0
    public void Section_4_7_3_cmd_sync_msiaddress_is_checked_for_zero_over_the_whole_field_and_truncated_to_the_oas(ulong msiAddress, ulong written)
    {
        var h = new DeviceHarness();
        h.EnableCommandQueueOnly();
        h.Submit(Command.Sync(SyncCompletionSignal.Irq, msiAddress, msiData: 0xC0FFEE));
        Assert.Equal(0xC0FFEEu, h.Memory.ReadUInt32(written));
        Assert.Equal(0u, ActiveErrors(h));
    }
}
