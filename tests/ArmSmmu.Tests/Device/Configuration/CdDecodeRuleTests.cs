using ArmSmmu.Diagnostics;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Configuration;

/// <summary>
/// The ILLEGAL-CD rules of IHI0070 §5.4.2 (digest 3.3) at their boundaries: the rule ConfigurationCheck names and the
/// device's C_BAD_CD on fetch agree, and a legal CD at a limit is taken.
/// </summary>
public class CdDecodeRuleTests
{
    private const uint Sid = 9;
    private const ulong Ttb = 0x4000_0000;

    private static readonly ContextDescriptor Cd = DeviceHarness.LinuxCd(1, Ttb);

    // Both halves walked: TTB1 with the 4K granule (TG1 0b10) and a 48-bit upper range.
    private static readonly ContextDescriptor BothHalves = Cd with { EPD1 = false, TG1 = Tg1Granule.Size4K, T1SZ = 16, TTB1 = Ttb + 0x1000 };

    private static readonly SmmuFeatures Stt = SmmuFeatures.Default with { SmallTranslationTables = true };

    public static TheoryData<string> Cases => new(CaseTable.Keys);

    private static readonly Dictionary<string, (SmmuFeatures F, ContextDescriptor Cd, string? Rule)> CaseTable = new()
    {
        // IHI0070 §5.4 V, A, S, AA64, ENDI
        ["V 0"] = (SmmuFeatures.Default, Cd with { V = false }, "V = 0"),
        ["A 0 with TERM_MODEL 1"] = (SmmuFeatures.Default with { AbortOnlyTermination = true }, Cd with { A = false }, "A = 0 but IDR0.TERM_MODEL = 1 (RAZ/WI termination not supported)"),
        ["S 1 with STALL_MODEL 01"] = (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, Cd with { S = true }, "S = 1 but IDR0.STALL_MODEL = 0b01 (no stalls)"),
        ["S 0 with STALL_MODEL 10"] = (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, Cd with { S = false }, "S = 0 but IDR0.STALL_MODEL = 0b10 (stalls forced)"),
        ["AA64 0"] = (SmmuFeatures.Default, Cd with { AA64 = false }, "AA64 = 0 selects VMSAv8-32 tables, which IDR0.TTF does not offer"),
        ["ENDI 1"] = (SmmuFeatures.Default, Cd with { ENDI = true }, "ENDI = 1 (big-endian tables) but IDR0.TTENDIAN is little-endian only"),

        // IHI0070 §5.4 HA/HD against IDR0.HTTU
        ["HA without HTTU"] = (SmmuFeatures.Default with { Httu = HttuSupport.None }, Cd with { HA = true }, "HA/HD = 1/0 exceed IDR0.HTTU"),
        ["HD with HTTU 01"] = (SmmuFeatures.Default with { Httu = HttuSupport.AccessFlag }, Cd with { HD = true }, "HA/HD = 0/1 exceed IDR0.HTTU"),
        ["HA HD with HTTU 10"] = (SmmuFeatures.Default, Cd with { HA = true, HD = true }, null),

        // IHI0070 §5.4 ASID[15:8] without IDR0.ASID16
        ["ASID 0x100 without ASID16"] = (SmmuFeatures.Default with { Asid16 = false }, Cd with { ASID = 0x100 }, "ASID 0x100 has bits [15:8] set but IDR0.ASID16 = 0"),
        ["ASID 0xFF without ASID16"] = (SmmuFeatures.Default with { Asid16 = false }, Cd with { ASID = 0xFF }, null),

        // IHI0070 §5.4 TG0/TG1: reserved encodings
        ["TG0 11"] = (SmmuFeatures.Default, Cd with { TG0 = (Tg0Granule)3 }, "TG0 is reserved or its granule is not in IDR5"),
        ["TG1 00"] = (SmmuFeatures.Default, BothHalves with { TG1 = 0 }, "TG1 is reserved or its granule is not in IDR5"),

        // IHI0070 §5.4.2 CDTxSZInvalid(): max 39 without IDR3.STT, 48 (4K/16K) or 47 (64K) with it; min 16, or 12 with VAX and 64K.
        ["T0SZ 15"] = (SmmuFeatures.Default, Cd with { T0SZ = 15 }, "T0SZ 15 is outside 16..39"),
        ["T0SZ 39"] = (SmmuFeatures.Default, Cd with { T0SZ = 39 }, null),
        ["T0SZ 40"] = (SmmuFeatures.Default, Cd with { T0SZ = 40 }, "T0SZ 40 is outside 16..39"),
        ["T0SZ 48 4K with STT"] = (Stt, Cd with { T0SZ = 48 }, null),
        ["T0SZ 49 4K with STT"] = (Stt, Cd with { T0SZ = 49 }, "T0SZ 49 is outside 16..48"),
        ["T0SZ 47 64K with STT"] = (Stt, Cd with { TG0 = Tg0Granule.Size64K, T0SZ = 47 }, null),
        ["T0SZ 48 64K with STT"] = (Stt, Cd with { TG0 = Tg0Granule.Size64K, T0SZ = 48 }, "T0SZ 48 is outside 12..47"),
        ["T1SZ 40"] = (SmmuFeatures.Default, BothHalves with { T1SZ = 40 }, "T1SZ 40 is outside 16..39"),

        // IHI0070 §5.4.2 CdIllegal(): TTB0 checked before TTB1; a half disabled by EPDx is not checked at all.
        ["T0SZ and T1SZ both bad"] = (SmmuFeatures.Default, BothHalves with { T0SZ = 15, T1SZ = 15 }, "T0SZ 15 is outside 16..39"),
        ["EPD0 hides a bad TTB0 half"] = (SmmuFeatures.Default, BothHalves with { EPD0 = true, TG0 = (Tg0Granule)3, T0SZ = 0 }, null),

        // IHI0070 §5.4 TTB0: beyond the effective IPS, or beyond 48 bits with 4K and DS = 0.
        ["TTB0 beyond IPS"] = (SmmuFeatures.Default, Cd with { IPS = 0, T0SZ = 32, TTB0 = 1UL << 32 }, "TTB0 0x100000000 is beyond the effective 32-bit IPS"),
        ["TTB0 beyond 48 bits without DS"] = (SmmuFeatures.Default with { OutputAddressBits = 52 }, Cd with { IPS = 6, TTB0 = 1UL << 48 },
            "TTB0 0x1000000000000 is beyond 48 bits with the 4K granule and DS = 0"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rule_named_is_the_one_broken(string name)
    {
        var (features, cd, rule) = CaseTable[name];

        Assert.Equal(rule, ConfigurationCheck.CdProblem(cd, features));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Device_raises_c_bad_cd_exactly_when_a_rule_is_broken(string name)
    {
        var (features, cd, rule) = CaseTable[name];
        var h = new DeviceHarness(features);
        h.Reset();
        Assert.True(cd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false });

        var result = h.Read(Sid, 0x4000);
        ConfigurationErrorAssert.RaisedExactlyWhenBroken(rule, EventType.CBadCd, Sid, result, h.DrainEvents());
    }
}
