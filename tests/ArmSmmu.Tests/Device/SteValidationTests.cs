using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>STE Config values and the ILLEGAL-STE checklist (IHI0070 §5.2, §5.2.2; digest 2.3): C_BAD_STE, whole record.</summary>
public class SteValidationTests
{
    private const uint Sid = 9;
    private const ulong Root = 0x3000_0000;

    private static readonly StreamTableEntry S1 = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase);
    private static readonly StreamTableEntry S2 = DeviceHarness.Stage2Ste(Root, 1);

    public static TheoryData<string> IllegalCases => new()
    {
        "S1 without S1P", "S2 without S2P", "nested without S2P",
        "EATS 10", "EATS 01 with S2S",
        "STRW 01", "STRW 11",
        "S1STALLD with STALL_MODEL 01", "S1STALLD with STALL_MODEL 10", "S1CDMax > SSIDSIZE", "S1CDMax with SSIDSIZE 8",
        "S1Fmt 01 without CD2L", "S1Fmt 10 without CD2L", "S1ContextPtr beyond OAS",
        "S2S with STALL_MODEL 01", "S2S=0 with STALL_MODEL 10", "S2AA64 0", "S2HA without HTTU", "S2HD with AF-only HTTU",
        "S2TG reserved", "S2TG 64K unsupported", "S2TTB beyond S2PS", "S2T0SZ 15", "S2T0SZ 40", "S2SL0 too shallow",
        "S2SL0 3 without STT", "S2SL0 too deep", "S2ENDI", "VMID 16-bit without VMID16", "VMID 16-bit nested without VMID16",
    };

    private static (SmmuFeatures? Features, StreamTableEntry Ste) Case(string name) => name switch
    {
        // 3. a stage the SMMU does not implement
        "S1 without S1P" => (SmmuFeatures.Default with { Stage1 = false }, S1),
        "S2 without S2P" => (SmmuFeatures.Default with { Stage2 = false }, S2),
        "nested without S2P" => (SmmuFeatures.Default with { Stage2 = false }, S1 with { Config = SteConfig.Nested, S2TTB = Root, S2T0SZ = 16, S2SL0 = 2, S2PS = 5, S2AA64 = true }),

        // 4. ATS: split-stage needs NS1ATS = 0 (this SMMU has NS1ATS = 1); full ATS with a stalling stage 2
        "EATS 10" => (null, S2 with { Config = SteConfig.Nested, S1ContextPtr = DeviceHarness.CdTableBase, EATS = AtsEnable.SplitStage }),
        "EATS 01 with S2S" => (null, S2 with { EATS = AtsEnable.Full, S2S = true }),

        // 5. STRW x1 in a stage-1-only STE
        "STRW 01" => (null, S1 with { STRW = (StreamWorldEncoding)1 }),
        "STRW 11" => (null, S1 with { STRW = (StreamWorldEncoding)3 }),

        // 6. stage-1 fields
        "S1STALLD with STALL_MODEL 01" => (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, S1),
        "S1STALLD with STALL_MODEL 10" => (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, S1),
        "S1CDMax > SSIDSIZE" => (null, S1 with { S1CDMax = 21 }),
        "S1CDMax with SSIDSIZE 8" => (SmmuFeatures.Default with { SubstreamIdBits = 8 }, S1 with { S1CDMax = 9 }),
        "S1Fmt 01 without CD2L" => (SmmuFeatures.Default with { TwoLevelCdTable = false }, S1 with { S1CDMax = 4, S1Fmt = CdTableFormat.TwoLevel4K }),
        "S1Fmt 10 without CD2L" => (SmmuFeatures.Default with { TwoLevelCdTable = false }, S1 with { S1CDMax = 4, S1Fmt = CdTableFormat.TwoLevel64K }),
        "S1ContextPtr beyond OAS" => (null, S1 with { S1ContextPtr = 1UL << 48 }),

        // 7. stage-2 fields
        "S2S with STALL_MODEL 01" => (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, S2 with { S2S = true }),
        "S2S=0 with STALL_MODEL 10" => (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, S2),
        "S2AA64 0" => (null, S2 with { S2AA64 = false }),
        "S2HA without HTTU" => (SmmuFeatures.Default with { Httu = HttuSupport.None }, S2 with { S2HA = true }),
        "S2HD with AF-only HTTU" => (SmmuFeatures.Default with { Httu = HttuSupport.AccessFlag }, S2 with { S2HA = true, S2HD = true }),
        "S2TG reserved" => (null, S2 with { S2TG = (Tg0Granule)3 }),
        "S2TG 64K unsupported" => (SmmuFeatures.Default with { Granule64K = false }, S2 with { S2TG = Tg0Granule.Size64K, S2T0SZ = 22, S2SL0 = 1 }),
        "S2TTB beyond S2PS" => (null, S2 with { S2PS = 0, S2T0SZ = 32, S2SL0 = 1, S2TTB = 1UL << 32 }),
        "S2T0SZ 15" => (null, S2 with { S2T0SZ = 15 }),
        "S2T0SZ 40" => (null, S2 with { S2T0SZ = 40, S2SL0 = 0 }),
        "S2SL0 too shallow" => (null, S2 with { S2SL0 = 0 }),       // level 2 start cannot cover 48 bits (27 bits > 9 + 4)
        "S2SL0 3 without STT" => (null, S2 with { S2SL0 = 3, S2T0SZ = 39 }),
        "S2SL0 too deep" => (null, S2 with { S2T0SZ = 33, S2SL0 = 2 }), // level 0 start for a 31-bit IPA covers nothing at level 0
        "S2ENDI" => (null, S2 with { S2ENDI = true }),

        // 8. VMID[15:8] != 0 without VMID16
        "VMID 16-bit without VMID16" => (SmmuFeatures.Default with { Vmid16 = false }, S2 with { S2VMID = 0x100 }),
        "VMID 16-bit nested without VMID16" => (SmmuFeatures.Default with { Vmid16 = false }, S1 with { S2VMID = 0x1FF }),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(IllegalCases))]
    public void Illegal_ste_is_c_bad_ste_with_the_whole_record(string name)
    {
        var (features, ste) = Case(name);
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetSte(Sid, ste);

        var result = h.Read(Sid, 0x4000);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.CBadSte, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(new EventRecord { Type = EventType.CBadSte, StreamId = Sid }, Assert.Single(h.DrainEvents()));
    }

    public static TheoryData<string> LegalCases => new()
    {
        "S1 default", "S2 default", "S2S with STALL_MODEL 00", "S2S with STALL_MODEL 10", "S1STALLD 0 with STALL_MODEL 01",
        "VMID 8-bit without VMID16", "S2 fields ignored in S1-only", "S1 fields ignored in S2-only", "STRW ignored with stage 2",
        "S2SL0 1 concatenated", "EATS 01", "S1CDMax = SSIDSIZE", "STRW ignored when nested",
    };

    private static (SmmuFeatures? Features, StreamTableEntry Ste) Legal(string name) => name switch
    {
        "S1 default" => (null, S1),
        "S2 default" => (null, S2),
        "S2S with STALL_MODEL 00" => (null, S2 with { S2S = true }),
        "S2S with STALL_MODEL 10" => (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, S2 with { S2S = true }),
        "S1STALLD 0 with STALL_MODEL 01" => (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, S1 with { S1STALLD = false }),
        "VMID 8-bit without VMID16" => (SmmuFeatures.Default with { Vmid16 = false }, S2 with { S2VMID = 0xFF }),
        // IHI0070 §5.2: S2* fields (other than S2VMID) are IGNORED when stage 2 bypasses, S1* when stage 1 bypasses.
        "S2 fields ignored in S1-only" => (null, S1 with { S2TG = (Tg0Granule)3, S2AA64 = false, S2T0SZ = 2 }),
        "S1 fields ignored in S2-only" => (null, S2 with { S1CDMax = 31, S1Fmt = (CdTableFormat)3, S1ContextPtr = 1UL << 54 }),
        "STRW ignored with stage 2" => (null, S2 with { STRW = (StreamWorldEncoding)1 }),
        "S2SL0 1 concatenated" => (null, S2 with { S2SL0 = 1, S2T0SZ = 24 }), // level 1 start, 40-bit IPA: 2 concatenated tables
        "EATS 01" => (null, S2 with { EATS = AtsEnable.Full }),
        "S1CDMax = SSIDSIZE" => (SmmuFeatures.Default with { SubstreamIdBits = 8 }, S1 with { S1CDMax = 8 }),
        "STRW ignored when nested" => (null, S2 with { Config = SteConfig.Nested, S1ContextPtr = DeviceHarness.CdTableBase, STRW = (StreamWorldEncoding)3 }),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(LegalCases))]
    public void Legal_ste_is_not_c_bad_ste(string name)
    {
        var (features, ste) = Legal(name);
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetSte(Sid, ste);

        var result = h.Read(Sid, 0x4000);
        Assert.NotEqual(EventType.CBadSte, result.Fault);
        Assert.DoesNotContain(h.DrainEvents(), e => e.Type == EventType.CBadSte);
    }

    [Fact]
    public void Invalid_ste_is_c_bad_ste_with_the_substream()
    {
        // IHI0070 §5.2 V = 0: abort and C_BAD_STE (SSV, SubstreamID, StreamID).
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, S1 with { V = false });

        var result = h.Read(Sid, 0x4000, ssid: 0x123);
        Assert.Equal(EventType.CBadSte, result.Fault);
        Assert.Equal(new EventRecord { Type = EventType.CBadSte, StreamId = Sid, SSV = true, SubstreamId = 0x123 }, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(SteConfig.Abort)]
    [InlineData((SteConfig)1)]
    [InlineData((SteConfig)2)]
    [InlineData((SteConfig)3)]
    public void Config_0xx_aborts_without_an_event(SteConfig config)
    {
        // IHI0070 §5.2 Config: 0b000 aborts with no event; 0b0xx reserved behaves as 0b000, even with other fields set.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, S2 with { Config = config, S2TG = (Tg0Granule)3 });

        var result = h.Smmu.Translate(new TranslationRequest(Sid, 0x4000, AccessKind.Write, 7));
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.False(result.FaultRecorded);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Stage1_only_smmu_translates_a_stage1_ste_and_rejects_nothing_else()
    {
        // IHI0070 §5.2: with S1P only, Config 0b101 is legal; the reset sequence skips EL2 TLBIs (no Hyp).
        var h = new DeviceHarness(SmmuFeatures.Default with { Stage2 = false });
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x4000, 0x5555_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(3, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, S1);

        Assert.Equal(0x5555_0010UL, h.Read(Sid, 0x4010).PhysicalAddress);
    }
}
