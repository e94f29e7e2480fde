using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of IHI0070 §5.2.2 SteIllegal() and §5.4.2 CdIllegal() line by line: a field that another field
/// makes IGNORED never makes the structure ILLEGAL, while the same field is still checked where it is used. Each
/// legal case is paired with the nearest ILLEGAL one, so a test fails if the gate moves either way.
/// </summary>
public class SteCdGatingAuditTests
{
    private const uint Sid = 5;
    private const ulong Va = 0x4000;
    private const ulong Pa = 0x6543_2000;

    private static DeviceHarness Mapped(SmmuFeatures? features, out ulong pgd)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        pgd = h.NewTable();
        h.Map4K(pgd, Va, Pa, DeviceHarness.S1ReadWrite);
        return h;
    }

    private static void AssertCBadSte(DeviceHarness h)
    {
        var result = h.Read(Sid, Va);
        Assert.Equal(EventType.CBadSte, result.Fault);
        Assert.Equal(new EventRecord { Type = EventType.CBadSte, StreamId = Sid }, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(AtsEnable.SplitStage)]
    [InlineData(AtsEnable.FullWithDpt)]
    public void Section_5_2_2_eats_is_ignored_by_a_bypass_ste(AtsEnable eats)
    {
        // SteIllegal(): the ATS checks apply only when STE.Config != 0b100 (§5.2 Config: "EATS value effectively 0b00").
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, StreamTableEntry.BypassEntry with { EATS = eats });

        var result = h.Read(Sid, 0x1234_5678);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(0x1234_5678UL, result.PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Section_5_2_2_eats_split_stage_is_still_illegal_when_stage_1_translates()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { EATS = AtsEnable.SplitStage });
        AssertCBadSte(h);
    }

    [Fact]
    public void Section_5_2_2_s1cdmax_and_s1fmt_are_ignored_without_substreams()
    {
        // SteIllegal(): S1CDMax and S1Fmt are checked only "if SMMU_IDR1.SSIDSIZE != 0"; §5.2 S1Fmt: with
        // SSIDSIZE == 0 "this field is IGNORED and STE.S1ContextPtr points to one CD" (no L1CD is read).
        var h = Mapped(SmmuFeatures.Default with { SubstreamIdBits = 0, TwoLevelCdTable = false }, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 21) with { S1Fmt = CdTableFormat.TwoLevel4K });

        var result = h.Read(Sid, Va + 0x10);
        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x10, result.PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Section_5_2_2_s1fmt_two_level_without_cd2l_is_illegal_when_substreams_exist()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { SubstreamIdBits = 8, TwoLevelCdTable = false });
        h.Reset();
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 4) with { S1Fmt = CdTableFormat.TwoLevel4K });
        AssertCBadSte(h);
    }

    [Fact]
    public void Section_5_2_2_s2vmid_is_ignored_without_stage_2()
    {
        // IgnoreSTES2VMID(): "STE is NS and NS stage 2 is not implemented" -> the VMID16 check does not apply.
        var h = Mapped(SmmuFeatures.Default with { Stage2 = false, Vmid16 = false }, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S2VMID = 0x1FF });

        Assert.Equal(Pa, h.Read(Sid, Va).PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Section_5_2_2_s2vmid_is_ignored_in_an_el2_streamworld()
    {
        // IgnoreSTES2VMID(): "STRW != '00' && !IgnoreSTESTRW()" (not an EL1 StreamWorld) -> S2VMID unused.
        var h = Mapped(SmmuFeatures.Default with { Vmid16 = false }, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(0, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { STRW = StreamWorldEncoding.El2, S2VMID = 0x100 });

        var result = h.Smmu.Translate(new TranslationRequest(Sid, Va, AccessKind.Read, Privileged: true));
        Assert.Equal(Pa, result.PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Section_5_2_2_s2vmid_is_checked_in_an_el1_streamworld_on_a_two_stage_smmu()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { Vmid16 = false });
        h.Reset();
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S2VMID = 0x100 });
        AssertCBadSte(h);
    }

    private static ContextDescriptor Ttb0DisabledBigEndian(ulong pgd) =>
        DeviceHarness.LinuxCd(0, pgd) with { EPD0 = true, EPD1 = false, ENDI = true, TG1 = 0 };

    [Fact]
    public void Section_5_4_2_endi_is_ignored_when_both_halves_are_effectively_disabled_in_an_el2_streamworld()
    {
        // CdIllegal(): ENDI is checked only if (!n_transl_cfg0 || !n_transl_cfg1), with EffectiveCDEPD1 = 1 for an
        // EL2 StreamWorld (no TTB1). TG1 = 0b00 (reserved) is IGNORED there too. With TTB0 disabled the access is a
        // stage-1 F_TRANSLATION (§5.4.1: "a translation table walk through TTBx causes F_TRANSLATION").
        var h = Mapped(null, out ulong pgd);
        Assert.True(Ttb0DisabledBigEndian(pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { STRW = StreamWorldEncoding.El2 });

        var result = h.Smmu.Translate(new TranslationRequest(Sid, Va, AccessKind.Read, Privileged: true));
        Assert.Equal(EventType.FTranslation, result.Fault);
        var record = Assert.Single(h.DrainEvents());
        Assert.Equal((EventType.FTranslation, Sid, Va, false), (record.Type, record.StreamId, record.InputAddress, record.S2));
    }

    [Fact]
    public void Section_5_4_2_endi_is_illegal_when_ttb1_is_enabled_in_an_el1_streamworld()
    {
        var h = Mapped(null, out ulong pgd);
        Assert.True(Ttb0DisabledBigEndian(pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        Assert.Equal(EventType.CBadCd, h.Read(Sid, Va).Fault);
        Assert.Equal(new EventRecord { Type = EventType.CBadCd, StreamId = Sid }, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(2, EventType.CBadSubstreamId)] // SMMUv3.2: C_BAD_SUBSTREAMID
    [InlineData(0, EventType.FCdFetch)]        // SMMUv3.0: F_CD_FETCH with the untruncated address is one permitted choice
    public void Section_3_4_3_an_l1cd_l2ptr_beyond_the_oas_is_c_bad_substreamid_from_smmuv3_1(int minorRevision, EventType expected)
    {
        // §3.4.3 table, CD fetch configured by L1CD.L2Ptr, stage 1 only (PA): note 3.
        var h = new DeviceHarness(SmmuFeatures.Default with { ArchitectureMinorRevision = minorRevision });
        h.Reset();
        const ulong l2Ptr = 1UL << 48; // one bit above the 48-bit OAS
        h.Memory.WriteUInt64(DeviceHarness.CdTableBase, l2Ptr | 1); // L1CD[0]: V = 1
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 8) with { S1Fmt = CdTableFormat.TwoLevel4K });

        var result = h.Read(Sid, Va, ssid: 3);
        Assert.Equal(expected, result.Fault);
        var record = Assert.Single(h.DrainEvents());
        var want = expected == EventType.CBadSubstreamId
            ? new EventRecord { Type = expected, StreamId = Sid, SubstreamId = 3 }
            : new EventRecord { Type = expected, StreamId = Sid, SSV = true, SubstreamId = 3, FetchAddress = l2Ptr + (3 * 64) };
        Assert.Equal(want, record);
    }

    [Fact]
    public void Section_5_2_s1dss_0b11_behaves_as_0b00()
    {
        // S1DSS: "0b11 Reserved (behaves as 0b00)": traffic without a SubstreamID aborts with F_STREAM_DISABLED.
        var h = Mapped(null, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2, s1dss: 3));

        Assert.Equal(EventType.FStreamDisabled, h.Read(Sid, Va).Fault);
        Assert.Equal(new EventRecord { Type = EventType.FStreamDisabled, StreamId = Sid }, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Section_5_2_s1fmt_0b11_behaves_as_a_linear_cd_table()
    {
        // S1Fmt: "0b11 Reserved (behaves as 0b00)": CD n at S1ContextPtr + 64 * n, no L1CD.
        var h = Mapped(null, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + (3 * 64)));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 2) with { S1Fmt = (CdTableFormat)3 });

        Assert.Equal(Pa, h.Read(Sid, Va, ssid: 3).PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Section_5_2_2_an_ignored_S2VMID_tags_nothing_so_TLBI_NH_VA_with_VMID_0_finds_the_entry(bool stage2Implemented)
    {
        // IHI0070 §5.2.2 IgnoreSTES2VMID(), §3.17: without stage 2 the STE's S2VMID is IGNORED and the stream's entries
        // carry VMID 0; with stage 2 a stage-1-only STE's S2VMID tags them, and a VMID-0 TLBI leaves them alone.
        var h = Mapped(SmmuFeatures.Default with { Stage2 = stage2Implemented }, out ulong pgd);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S2VMID = 7 });
        Assert.Equal(Pa, h.Read(Sid, Va).PhysicalAddress);

        const ulong NewPa = 0x7654_3000;
        h.Map4K(pgd, Va, NewPa, DeviceHarness.S1ReadWrite);
        h.Submit(Command.TlbiNhVa(0, 1, Va, leaf: true));
        Assert.Equal(stage2Implemented ? Pa : NewPa, h.Read(Sid, Va).PhysicalAddress);
    }
}
