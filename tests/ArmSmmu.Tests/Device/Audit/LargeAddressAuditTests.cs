using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The 52-bit address rules of the CD and STE checks (IHI0070 §5.4.2 CDTxSZInvalid / TTBx range, §5.2.2
/// STES2T0SZInvalid / S2TTB range / STEWalkConfigInconsistentAA64 with S2DS and S2SL0_2) and the IDR5 fields that gate
/// them (§6.3.6). Each case is from the field text; an ILLEGAL structure aborts with C_BAD_CD or C_BAD_STE, a legal one
/// walks (here into empty tables, so the answer is F_TRANSLATION).
/// </summary>
public class LargeAddressAuditTests
{
    private const uint Sid = 9;
    private const ulong Root = 0x3000_0000;

    private static readonly SmmuFeatures Oas52 = SmmuFeatures.Default with { OutputAddressBits = 52 };

    private static ContextDescriptor Cd(uint tg0, uint t0sz, bool ds = false, uint ips = 6, ulong ttb0 = Root) =>
        DeviceHarness.LinuxCd(1, ttb0) with { TG0 = (Tg0Granule)tg0, T0SZ = t0sz, DS = ds, IPS = ips };

    private static StreamTableEntry S2(uint tg, uint t0sz, uint sl0, bool ds = false, bool sl0Bit2 = false, uint ps = 6, ulong ttb = Root) =>
        DeviceHarness.Stage2Ste(ttb, 1) with { S2TG = (Tg0Granule)tg, S2T0SZ = t0sz, S2SL0 = sl0, S2DS = ds, S2SL0_2 = sl0Bit2, S2PS = ps };

    public static TheoryData<string, bool> CdCases => new()
    {
        // CDTxSZInvalid(): minimum 12 with IDR5.VAX = 0b01 and (64K, or IDR5.DS and CD.DS), else 16.
        { "4K T0SZ 12 DS 0", true },
        { "4K T0SZ 12 DS 1", false },
        { "4K T0SZ 11 DS 1", true },
        { "16K T0SZ 12 DS 1", false },
        { "16K T0SZ 15 DS 0", true },
        { "64K T0SZ 12", false },
        { "64K T0SZ 12 without VAX", true },
        { "4K T0SZ 12 DS 1 without IDR5.DS", true },
        { "4K T0SZ 12 DS 1 without VAX", true },

        // TTBx: beyond the effective IPS, or beyond 48 bits for 4K/16K with DS = 0.
        { "4K TTB0 bit 49 DS 0", true },
        { "4K TTB0 bit 49 DS 1", false },
        { "64K TTB0 bit 49", false },
        { "4K TTB0 bit 50 DS 1 IPS 48", true },
        { "4K TTB0 bit 49 DS 1 OAS 48", true },
    };

    private static (SmmuFeatures Features, ContextDescriptor Cd) CdCase(string name) => name switch
    {
        "4K T0SZ 12 DS 0" => (Oas52, Cd(0, 12)),
        "4K T0SZ 12 DS 1" => (Oas52, Cd(0, 12, ds: true)),
        "4K T0SZ 11 DS 1" => (Oas52, Cd(0, 11, ds: true)),
        "16K T0SZ 12 DS 1" => (Oas52, Cd(2, 12, ds: true)),
        "16K T0SZ 15 DS 0" => (Oas52, Cd(2, 15)),
        "64K T0SZ 12" => (Oas52, Cd(1, 12)),
        "64K T0SZ 12 without VAX" => (Oas52 with { VirtualAddressExtension = false }, Cd(1, 12)),
        "4K T0SZ 12 DS 1 without IDR5.DS" => (Oas52 with { LargeAddresses2 = false }, Cd(0, 12, ds: true)),
        "4K T0SZ 12 DS 1 without VAX" => (SmmuFeatures.Default with { VirtualAddressExtension = false }, Cd(0, 12, ds: true)),
        "4K TTB0 bit 49 DS 0" => (Oas52, Cd(0, 16, ttb0: (1UL << 49) | Root)),
        "4K TTB0 bit 49 DS 1" => (Oas52, Cd(0, 16, ds: true, ttb0: (1UL << 49) | Root)),
        "64K TTB0 bit 49" => (Oas52, Cd(1, 16, ttb0: (1UL << 49) | Root)),
        "4K TTB0 bit 50 DS 1 IPS 48" => (Oas52, Cd(0, 16, ds: true, ips: 5, ttb0: (1UL << 50) | Root)),
        "4K TTB0 bit 49 DS 1 OAS 48" => (SmmuFeatures.Default, Cd(0, 16, ds: true, ttb0: (1UL << 49) | Root)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(CdCases))]
    public void Section_5_4_2_txsz_and_ttbx_limits_with_52_bit_addresses(string name, bool illegal)
    {
        var (features, cd) = CdCase(name);
        var h = new DeviceHarness(features);
        h.Reset();
        Assert.True(cd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        var result = h.Read(Sid, 0x4000);

        Assert.Equal(illegal ? EventType.CBadCd : EventType.FTranslation, result.Fault);
    }

    public static TheoryData<string, bool> SteCases => new()
    {
        // STES2T0SZInvalid(): MAX(12, 64 - IAS) with 64K or S2DS, else MAX(16, 64 - IAS).
        { "4K S2T0SZ 12 S2DS 0", true },
        { "4K S2T0SZ 12 S2DS 1 level -1", false },
        { "4K S2T0SZ 12 S2DS 1 level 0 16 tables", false },
        { "4K S2T0SZ 12 S2DS 1 level 1", true },
        { "4K S2T0SZ 16 S2DS 1 level -1", true },
        { "4K S2SL0_2 with S2SL0 01", true },
        { "4K S2SL0_2 ignored without S2DS", false },
        { "4K S2T0SZ 12 S2DS 1 without IDR5.DS", true },
        { "16K S2T0SZ 12 S2DS 1 level 0", false },
        { "16K S2T0SZ 16 S2DS 0 level 0", true },
        { "64K S2T0SZ 12 level 1", false },
        { "64K S2T0SZ 12 OAS 48", true },

        // S2TTB: beyond the effective S2PS, or beyond 48 bits with 4K/16K and S2DS = 0.
        { "4K S2TTB bit 49 S2DS 0", true },
        { "4K S2TTB bit 49 S2DS 1", false },
        { "64K S2TTB bit 49", false },
        { "4K S2TTB bit 49 S2DS 1 S2PS 48", true },
    };

    private static (SmmuFeatures Features, StreamTableEntry Ste) SteCase(string name) => name switch
    {
        "4K S2T0SZ 12 S2DS 0" => (Oas52, S2(0, 12, 2)),
        "4K S2T0SZ 12 S2DS 1 level -1" => (Oas52, S2(0, 12, 0, ds: true, sl0Bit2: true)),
        "4K S2T0SZ 12 S2DS 1 level 0 16 tables" => (Oas52, S2(0, 12, 2, ds: true)),
        "4K S2T0SZ 12 S2DS 1 level 1" => (Oas52, S2(0, 12, 1, ds: true)),
        "4K S2T0SZ 16 S2DS 1 level -1" => (Oas52, S2(0, 16, 0, ds: true, sl0Bit2: true)), // no bit left for level -1
        "4K S2SL0_2 with S2SL0 01" => (Oas52, S2(0, 12, 1, ds: true, sl0Bit2: true)),     // SL2:SL0 0b101 is reserved
        "4K S2SL0_2 ignored without S2DS" => (Oas52, S2(0, 16, 2, sl0Bit2: true)),          // RES0 field: level 0 start
        "4K S2T0SZ 12 S2DS 1 without IDR5.DS" => (Oas52 with { LargeAddresses2 = false }, S2(0, 12, 0, ds: true, sl0Bit2: true)),
        "16K S2T0SZ 12 S2DS 1 level 0" => (Oas52, S2(2, 12, 3, ds: true)),
        "16K S2T0SZ 16 S2DS 0 level 0" => (Oas52, S2(2, 16, 3)),
        "64K S2T0SZ 12 level 1" => (Oas52, S2(1, 12, 2)),
        "64K S2T0SZ 12 OAS 48" => (SmmuFeatures.Default, S2(1, 12, 2, ps: 5)),            // 64 - IAS = 16
        "4K S2TTB bit 49 S2DS 0" => (Oas52, S2(0, 16, 2, ttb: (1UL << 49) | Root)),
        "4K S2TTB bit 49 S2DS 1" => (Oas52, S2(0, 16, 2, ds: true, ttb: (1UL << 49) | Root)),
        "64K S2TTB bit 49" => (Oas52, S2(1, 16, 2, ttb: (1UL << 49) | Root)),
        "4K S2TTB bit 49 S2DS 1 S2PS 48" => (Oas52, S2(0, 16, 2, ds: true, ps: 5, ttb: (1UL << 49) | Root)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(SteCases))]
    public void Section_5_2_2_s2t0sz_s2sl0_and_s2ttb_limits_with_52_bit_addresses(string name, bool illegal)
    {
        var (features, ste) = SteCase(name);
        var h = new DeviceHarness(features);
        h.Reset();
        h.SetSte(Sid, ste);

        var result = h.Read(Sid, 0x4000);

        Assert.Equal(illegal ? EventType.CBadSte : EventType.FTranslation, result.Fault);
    }

    // IHI0070 §6.3.6: VAX = 0b01 needs the 64K granule or DS; DS needs the 4K or 16K granule (RES0 otherwise); both are
    // RES0 in SMMUv3.0. The register shows only what can hold.
    [Theory]
    [InlineData(true, true, true, 2, 1u, true)]
    [InlineData(false, false, true, 2, 1u, false)]     // 64K only: VAX without DS
    [InlineData(true, true, false, 2, 1u, true)]       // no 64K: VAX through DS
    [InlineData(true, false, false, 2, 0u, false)]     // 4K only without DS: no 52-bit VA at all
    [InlineData(true, true, true, 0, 0u, false)]       // SMMUv3.0
    public void Section_6_3_6_idr5_vax_and_ds_follow_their_dependencies(bool gran4K, bool ds, bool gran64K, int minor, uint vax, bool dsBit)
    {
        var features = SmmuFeatures.Default with
        {
            Granule4K = gran4K,
            Granule16K = false,
            Granule64K = gran64K,
            LargeAddresses2 = ds,
            ArchitectureMinorRevision = minor,
        };

        var idr5 = new Idr5Register(new SmmuV3(new SparseMemory(), features).ReadRegister32(SmmuRegister.IDR5));

        Assert.Equal((vax, dsBit), (idr5.VAX, idr5.DS));
    }

    // IHI0070 §6.3.6: an OAS of 52 bits needs the 64K granule or DS, and is reserved in SMMUv3.0 (host misuse: throws).
    [Fact]
    public void Section_6_3_6_a_52_bit_oas_needs_64k_or_ds()
    {
        Assert.Throws<ArgumentException>(() => new SmmuV3(new SparseMemory(), Oas52 with { Granule64K = false, LargeAddresses2 = false }));
        Assert.Throws<ArgumentException>(() => new SmmuV3(new SparseMemory(), Oas52 with { ArchitectureMinorRevision = 0 }));
        Assert.Equal(6u, new SmmuV3(new SparseMemory(), Oas52 with { Granule64K = false }).ReadRegister32(SmmuRegister.IDR5) & 7);
    }
}
