using ArmSmmu.Diagnostics;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Configuration;

/// <summary>
/// The ILLEGAL-STE rules of IHI0070 §5.2.2 (digest 2.3) at their boundaries: the rule ConfigurationCheck names (the
/// words Explain shows) and the device's C_BAD_STE on fetch agree, and a legal STE at a limit is taken.
/// </summary>
public class SteDecodeRuleTests
{
    private const uint Sid = 9;
    private const ulong Root = 0x3000_0000;

    private static readonly StreamTableEntry S1 = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false };
    private static readonly StreamTableEntry S2 = DeviceHarness.Stage2Ste(Root, 1);
    private static readonly StreamTableEntry Nested = S2 with { Config = SteConfig.Nested, S1ContextPtr = DeviceHarness.CdTableBase };

    private static readonly SmmuFeatures Stt = SmmuFeatures.Default with { SmallTranslationTables = true };
    private static readonly SmmuFeatures SplitAts = SmmuFeatures.Default with { SplitStageAts = true };

    public static TheoryData<string> Cases => new(CaseTable.Keys);

    // The Secure-side cases are checked through ConfigurationCheck only: the harness drives the Non-secure interface.
    public static TheoryData<string> NonSecureCases => new(CaseTable.Where(c => !c.Value.F.SecureView).Select(c => c.Key));

    // Name -> (features, STE, the rule broken or null).
    private static readonly Dictionary<string, (SmmuFeatures F, StreamTableEntry Ste, string? Rule)> CaseTable = new()
    {
        // IHI0070 §5.2 V
        ["V 0"] = (SmmuFeatures.Default, S1 with { V = false }, "V = 0"),

        // IHI0070 §5.2.2: a stage the SMMU does not implement
        ["S1 without S1P"] = (SmmuFeatures.Default with { Stage1 = false }, S1, "Config 0b101 enables a stage this SMMU does not implement (IDR0.S1P/S2P)"),

        // IHI0070 §5.2 EATS: 0b10 needs IDR0.NS1ATS = 0, Config 0b111 and S2S = 0; 0b01 with S2S = 1 is ILLEGAL.
        ["EATS 10 with NS1ATS"] = (SmmuFeatures.Default, Nested with { EATS = AtsEnable.SplitStage }, "EATS = 0b10 (split-stage ATS) but IDR0.NS1ATS = 1"),
        ["EATS 10 stage 2 only"] = (SplitAts, S2 with { EATS = AtsEnable.SplitStage }, "EATS = 0b10 (split-stage ATS) needs Config = 0b111"),
        ["EATS 10 with S2S"] = (SplitAts, Nested with { EATS = AtsEnable.SplitStage, S2S = true }, "EATS = 0b10 with stage 2 stalling (S2S = 1)"),
        ["EATS 10 nested"] = (SplitAts, Nested with { EATS = AtsEnable.SplitStage }, null),
        ["EATS 01 with S2S"] = (SmmuFeatures.Default, S2 with { EATS = AtsEnable.Full, S2S = true }, "EATS = 0b1 with stage 2 stalling (S2S = 1)"),

        // IHI0070 §5.2.2 SteIllegal(): the EATS checks come before the stage-1 field checks.
        ["EATS and S1STALLD both illegal"] = (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly },
            Nested with { EATS = AtsEnable.SplitStage, S1STALLD = true, S2S = false }, "EATS = 0b10 (split-stage ATS) but IDR0.NS1ATS = 1"),

        // IHI0070 §5.2 S1STALLD, S1Fmt, S1ContextPtr
        ["S1STALLD with STALL_MODEL 01"] = (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, S1 with { S1STALLD = true }, "S1STALLD = 1 but IDR0.STALL_MODEL is not 0b00"),
        ["S1Fmt 01 without CD2L"] = (SmmuFeatures.Default with { TwoLevelCdTable = false }, S1 with { S1CDMax = 4, S1Fmt = CdTableFormat.TwoLevel4K }, "S1Fmt 1 selects a 2-level CD table but IDR0.CD2L = 0"),
        ["S1ContextPtr at 2^48"] = (SmmuFeatures.Default, S1 with { S1ContextPtr = 1UL << 48 }, "S1ContextPtr 0x1000000000000 is beyond the 48-bit OAS"),
        ["S1ContextPtr below 2^48"] = (SmmuFeatures.Default, S1 with { S1ContextPtr = (1UL << 48) - 64 }, null),

        // IHI0070 §5.2 STRW: 0b01 is reserved when STRW is used (Config 0b101 on an SMMU with Hyp)...
        ["STRW 01"] = (SmmuFeatures.Default, S1 with { STRW = (StreamWorldEncoding)1 }, "STRW 0b01 is reserved"),

        // ...and IGNORED without IDR0.Hyp (IHI0070 §5.2.2 IgnoreSTESTRW()), though both stages are implemented.
        ["STRW 01 without Hyp"] = (SmmuFeatures.Default with { Hyp = false }, S1 with { STRW = (StreamWorldEncoding)1 }, null),

        // IHI0070 §5.2 S2VMID[15:8] without IDR0.VMID16
        ["S2VMID 0x100 without VMID16"] = (SmmuFeatures.Default with { Vmid16 = false }, S2 with { S2VMID = 0x100 }, "S2VMID 0x100 has bits [15:8] set but IDR0.VMID16 = 0"),

        // IHI0070 §5.2 S2S, S2AA64, S2ENDI, S2HA/S2HD
        ["S2S with STALL_MODEL 01"] = (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, S2 with { S2S = true }, "S2S = 1 but IDR0.STALL_MODEL = 0b01 (no stalls)"),
        ["S2S 0 with STALL_MODEL 10"] = (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, S2, "S2S = 0 but IDR0.STALL_MODEL = 0b10 (stalls forced)"),
        ["S2AA64 0"] = (SmmuFeatures.Default, S2 with { S2AA64 = false }, "S2AA64 = 0 selects VMSAv8-32 tables, which IDR0.TTF does not offer"),
        ["S2ENDI 1"] = (SmmuFeatures.Default, S2 with { S2ENDI = true }, "S2ENDI = 1 (big-endian tables) but IDR0.TTENDIAN is little-endian only"),
        ["S2HA without HTTU"] = (SmmuFeatures.Default with { Httu = HttuSupport.None }, S2 with { S2HA = true }, "S2HA/S2HD = 1/0 exceed IDR0.HTTU"),
        ["S2HD with HTTU 01"] = (SmmuFeatures.Default with { Httu = HttuSupport.AccessFlag }, S2 with { S2HD = true }, "S2HA/S2HD = 0/1 exceed IDR0.HTTU"),
        ["S2HA S2HD with HTTU 10"] = (SmmuFeatures.Default, S2 with { S2HA = true, S2HD = true }, null),

        // IHI0070 §5.2 S2TG
        ["S2TG 11"] = (SmmuFeatures.Default, S2 with { S2TG = (Tg0Granule)3 }, "S2TG 0b11 is reserved or not in IDR5"),

        // IHI0070 §5.2.2 STES2T0SZInvalid(): 16..39 without IDR3.STT; 48 (4K/16K) or 47 (64K) with it.
        ["S2T0SZ 15"] = (SmmuFeatures.Default, S2 with { S2T0SZ = 15 }, "S2T0SZ 15 is outside 16..39"),
        ["S2T0SZ 39"] = (SmmuFeatures.Default, S2 with { S2T0SZ = 39, S2SL0 = 0 }, null),
        ["S2T0SZ 40"] = (SmmuFeatures.Default, S2 with { S2T0SZ = 40, S2SL0 = 0 }, "S2T0SZ 40 is outside 16..39"),
        ["S2T0SZ 48 4K with STT"] = (Stt, S2 with { S2T0SZ = 48, S2SL0 = 3 }, null),
        ["S2T0SZ 49 4K with STT"] = (Stt, S2 with { S2T0SZ = 49, S2SL0 = 3 }, "S2T0SZ 49 is outside 16..48"),
        ["S2T0SZ 47 64K with STT"] = (Stt, S2 with { S2TG = Tg0Granule.Size64K, S2T0SZ = 47, S2SL0 = 0 }, null),
        ["S2T0SZ 48 64K with STT"] = (Stt, S2 with { S2TG = Tg0Granule.Size64K, S2T0SZ = 48, S2SL0 = 0 }, "S2T0SZ 48 is outside 16..47"),

        // IHI0070 §5.2.2, SMMUv3.0: the minimum S2T0SZ is 64 - IAS.
        ["S2T0SZ 16 on SMMUv3.0"] = (SmmuFeatures.Default with { ArchitectureMinorRevision = 0 }, S2, null),

        // IHI0070 §5.2 S2SL0 (DDI0487 VTCR_EL2.SL0): 4K 0b011 is level 3 with STT; at least 1 bit resolved at the start level.
        ["S2SL0 0 too shallow"] = (SmmuFeatures.Default, S2 with { S2SL0 = 0 }, "S2SL0 0 is inconsistent with S2T0SZ 16 and the 4K granule"),
        ["S2SL0 0 with S2SL0_2 too deep"] = (SmmuFeatures.Default, S2 with { S2SL0 = 0, S2SL0_2 = true, S2DS = true }, "S2SL0 0 with S2SL0_2 is inconsistent with S2T0SZ 16 and the 4K granule"),
        ["S2SL0 2 one bit at level 0"] = (SmmuFeatures.Default, S2 with { S2T0SZ = 24, S2SL0 = 2 }, null),

        // IHI0070 §5.2 S2TTB: beyond the effective S2PS, or beyond 48 bits with 4K and S2DS = 0.
        ["S2TTB beyond S2PS"] = (SmmuFeatures.Default, S2 with { S2PS = 0, S2T0SZ = 32, S2SL0 = 1, S2TTB = 1UL << 32 }, "S2TTB 0x100000000 is beyond the effective 32-bit S2PS"),
        ["S2TTB beyond 48 bits without S2DS"] = (SmmuFeatures.Default with { OutputAddressBits = 52 }, S2 with { S2PS = 6, S2TTB = 1UL << 48 },
            "S2TTB 0x1000000000000 is beyond 48 bits with the 4K granule and S2DS = 0"),

        // IHI0070 §5.2, §3.10.1: Secure STEs on an SMMU without Secure EL2 (S_IDR1.SEL2 = 0).
        ["Secure stage 2"] = ((SmmuFeatures.Default with { Stage1 = false }).SecureSide, S2, "a Secure STE enables stage 2 but S_IDR1.SEL2 = 0"),
        ["Secure STRW 10"] = (SmmuFeatures.Default.SecureSide, S1 with { STRW = StreamWorldEncoding.El2 }, "STRW 0b10 selects Secure EL2 but S_IDR1.SEL2 = 0"),
        ["Secure STRW 11"] = (SmmuFeatures.Default.SecureSide, S1 with { STRW = (StreamWorldEncoding)3 }, "STRW 0b11 selects Secure EL2 but S_IDR1.SEL2 = 0"),
        ["Secure bypass ignores STRW"] = (SmmuFeatures.Default.SecureSide, S1 with { Config = SteConfig.Bypass, STRW = StreamWorldEncoding.El2 }, null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_named_is_the_one_broken(string name)
    {
        var (features, ste, rule) = CaseTable[name];

        Assert.Equal(rule, ConfigurationCheck.SteProblem(ste, features));
    }

    [Theory]
    [MemberData(nameof(NonSecureCases))]
    public void Device_raises_c_bad_ste_exactly_when_a_rule_is_broken(string name)
    {
        var (features, ste, rule) = CaseTable[name];
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetSte(Sid, ste);

        var result = h.Read(Sid, 0x4000);
        ConfigurationErrorAssert.RaisedExactlyWhenBroken(rule, EventType.CBadSte, Sid, result, h.DrainEvents());
    }
}
