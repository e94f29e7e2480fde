using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Device;

/// <summary>CD checks, CD tables and the A/R/S fault configuration (IHI0070 §5.3, §5.4, §5.4.2, §5.5; digest 3.3-3.5).</summary>
public class ContextDescriptorTests
{
    private const uint Sid = 0x11;
    private const ushort Asid = 4;
    private const ulong Iova = 0x0060_0000;
    private const ulong Pa = 0x7700_0000;

    private static (DeviceHarness H, ulong Pgd) Setup(SmmuFeatures? features, ContextDescriptor cd, StreamTableEntry? ste = null)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Iova, Pa, DeviceHarness.S1ReadWrite);
        Assert.True((cd with { TTB0 = cd.TTB0 == 0 ? pgd : cd.TTB0 }).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, ste ?? DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return (h, pgd);
    }

    private static ContextDescriptor Cd => DeviceHarness.LinuxCd(Asid, 0);

    private static StreamTableEntry NoStallDisable => DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false };

    public static TheoryData<string> IllegalCases => new()
    {
        "V 0", "S with S1STALLD", "A 0 with TERM_MODEL 1", "S with STALL_MODEL 01", "S 0 with STALL_MODEL 10", "ENDI",
        "AA64 0", "HA without HTTU", "HD with AF-only HTTU", "ASID 16-bit without ASID16", "T0SZ 15", "T0SZ 40",
        "TG0 reserved", "TG0 64K unsupported", "TTB0 beyond IPS", "TG1 reserved with TTB1 enabled", "T1SZ 40 with TTB1 enabled",
    };

    private static (SmmuFeatures? Features, ContextDescriptor Cd, StreamTableEntry? Ste) Case(string name) => name switch
    {
        "V 0" => (null, Cd with { V = false }, null),
        "S with S1STALLD" => (null, Cd with { S = true }, null),
        "A 0 with TERM_MODEL 1" => (SmmuFeatures.Default with { AbortOnlyTermination = true }, Cd with { A = false }, null),
        "S with STALL_MODEL 01" => (SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly }, Cd with { S = true }, NoStallDisable),
        "S 0 with STALL_MODEL 10" => (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, Cd, NoStallDisable),
        "ENDI" => (null, Cd with { ENDI = true }, null),
        "AA64 0" => (null, Cd with { AA64 = false }, null),
        "HA without HTTU" => (SmmuFeatures.Default with { Httu = HttuSupport.None }, Cd with { HA = true }, null),
        "HD with AF-only HTTU" => (SmmuFeatures.Default with { Httu = HttuSupport.AccessFlag }, Cd with { HA = true, HD = true }, null),
        "ASID 16-bit without ASID16" => (SmmuFeatures.Default with { Asid16 = false }, Cd with { ASID = 0x104 }, null),
        "T0SZ 15" => (null, Cd with { T0SZ = 15 }, null),
        "T0SZ 40" => (null, Cd with { T0SZ = 40 }, null),
        "TG0 reserved" => (null, Cd with { TG0 = (Tg0Granule)3 }, null),
        "TG0 64K unsupported" => (SmmuFeatures.Default with { Granule64K = false }, Cd with { TG0 = Tg0Granule.Size64K }, null),
        "TTB0 beyond IPS" => (null, Cd with { IPS = 0, TTB0 = 1UL << 32 }, null),
        "TG1 reserved with TTB1 enabled" => (null, Cd with { EPD1 = false, T1SZ = 16, TG1 = (Tg1Granule)0, TTB1 = 0x1000 }, null),
        "T1SZ 40 with TTB1 enabled" => (null, Cd with { EPD1 = false, T1SZ = 40, TG1 = Tg1Granule.Size4K, TTB1 = 0x1000 }, null),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(IllegalCases))]
    public void Illegal_cd_is_c_bad_cd_with_the_whole_record(string name)
    {
        var (features, cd, ste) = Case(name);
        var (h, _) = Setup(features, cd, ste);

        var result = h.Read(Sid, Iova);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.CBadCd, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(new EventRecord { Type = EventType.CBadCd, StreamId = Sid }, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData("EPD1 hides TTB1 fields")]
    [InlineData("ENDI with both EPD")]
    [InlineData("ASID 8-bit without ASID16")]
    [InlineData("S with STALL_MODEL 10")]
    [InlineData("HA HD with full HTTU")]
    public void Legal_cd_translates(string name)
    {
        (SmmuFeatures? features, ContextDescriptor cd, StreamTableEntry? ste) = name switch
        {
            "EPD1 hides TTB1 fields" => ((SmmuFeatures?)null, Cd with { T1SZ = 0, TG1 = (Tg1Granule)0, TTB1 = 1UL << 55 }, (StreamTableEntry?)null),
            "ENDI with both EPD" => (null, Cd with { ENDI = true, EPD0 = true }, null),
            "ASID 8-bit without ASID16" => (SmmuFeatures.Default with { Asid16 = false }, Cd with { ASID = 0xFF }, null),
            "S with STALL_MODEL 10" => (SmmuFeatures.Default with { StallModel = StallModel.StallForced }, Cd with { S = true }, NoStallDisable),
            _ => (null, Cd with { HA = true, HD = true }, null),
        };
        var (h, _) = Setup(features, cd, ste);

        var result = h.Read(Sid, Iova + 8);
        if (cd.EPD0)
        {
            // IHI0070 §5.4 EPD0: no walk through TTB0, a miss is F_TRANSLATION (not C_BAD_CD).
            Assert.Equal(EventType.FTranslation, result.Fault);
            return;
        }

        Assert.Equal(Pa + 8, result.PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Theory]
    [InlineData(false, true)]  // NS-EL2: the ASID is IGNORED, so a 16-bit value is not ILLEGAL
    [InlineData(true, false)]  // NS-EL2-E2H: the ASID tags entries and must fit 8 bits without ASID16
    public void Asid_width_check_depends_on_the_streamworld(bool e2h, bool legal)
    {
        // IHI0070 §5.4 ASID (digest 3.3): ASID[15:8] != 0 with !ASID16 is ILLEGAL for EL1 and EL2-E2H, not for EL2.
        var h = new DeviceHarness(SmmuFeatures.Default with { Asid16 = false });
        h.Reset();
        if (e2h)
        {
            h.SetCr2(0x7);
        }

        ulong pgd = h.NewTable();
        h.Map4K(pgd, Iova, Pa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(0x1FF, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { STRW = StreamWorldEncoding.El2 });

        var result = h.Read(Sid, Iova);
        Assert.Equal(legal, result.IsSuccess);
        Assert.Equal(legal ? EventType.None : EventType.CBadCd, result.Fault);
    }

    [Fact]
    public void Cd_fetch_abort_is_f_cd_fetch_with_the_fetch_address()
    {
        // IHI0070 §7.3.10: external abort on the CD fetch.
        var mem = new SparseMemory();
        var h = new DeviceHarness(memory: mem);
        h.Reset();
        mem.AddAbortRange(DeviceHarness.CdTableBase, 64);
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        var result = h.Read(Sid, Iova);
        Assert.Equal(EventType.FCdFetch, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(new EventRecord { Type = EventType.FCdFetch, StreamId = Sid, FetchAddress = DeviceHarness.CdTableBase }, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Linear_cd_table_is_indexed_by_substreamid()
    {
        // IHI0070 §5.2 S1Fmt 0b00: CD[n] at S1ContextPtr + 64 * n.
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Iova, Pa, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(9, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase + (5 * 64)));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 3));

        Assert.Equal(Pa, h.Read(Sid, Iova, ssid: 5).PhysicalAddress);
        Assert.Equal(EventType.CBadCd, h.Read(Sid, Iova, ssid: 4).Fault); // CD[4] is zero: V = 0
        Assert.Equal(new EventRecord { Type = EventType.CBadCd, StreamId = Sid, SSV = true, SubstreamId = 4 }, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(1u, 8u, 0x45u, 1u, 5u)]     // 4KB leaves of 64 CDs: L1 index SSID[7:6], L2 index SSID[5:0]
    [InlineData(1u, 4u, 0x05u, 0u, 5u)]     // S1CDMax <= 6: only L1 entry 0 is used
    [InlineData(2u, 12u, 0x405u, 1u, 5u)]   // 64KB leaves of 1024 CDs: L1 index SSID[11:10], L2 index SSID[9:0]
    [InlineData(2u, 12u, 0x3FFu, 0u, 0x3FFu)]
    public void Two_level_cd_table_is_indexed_by_the_ssid_split(uint s1Fmt, uint cdMax, uint ssid, uint l1Index, uint l2Index)
    {
        // IHI0070 §5.2 S1Fmt, §5.3 L1CD.
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Iova, Pa, DeviceHarness.S1ReadWrite);
        ulong leafSize = s1Fmt == 1 ? 0x1000UL : 0x10000UL;
        ulong l2 = h.AllocatePage(leafSize);
        Assert.True(new L1ContextDescriptor { V = true, L2Ptr = l2 }.TryWrite(h.Memory, DeviceHarness.CdTableBase + (l1Index * 8)));
        Assert.True(DeviceHarness.LinuxCd(6, pgd).TryWrite(h.Memory, l2 + (l2Index * 64UL)));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: cdMax) with { S1Fmt = (CdTableFormat)s1Fmt });

        var result = h.Read(Sid, Iova + 0x10, ssid);
        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x10, result.PhysicalAddress);
    }

    [Theory]
    [InlineData(1u, 0x85u)]
    [InlineData(2u, 0x805u)]
    public void Invalid_l1cd_is_c_bad_substreamid(uint s1Fmt, uint ssid)
    {
        // IHI0070 §5.3 / §7.3.9: L1CD.V = 0 terminates with C_BAD_SUBSTREAMID (SubstreamID always reported).
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 12) with { S1Fmt = (CdTableFormat)s1Fmt });

        var result = h.Read(Sid, Iova, ssid);
        Assert.Equal(EventType.CBadSubstreamId, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(new EventRecord { Type = EventType.CBadSubstreamId, StreamId = Sid, SubstreamId = ssid }, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void L1cd_fetch_abort_is_f_cd_fetch_with_the_l1cd_address()
    {
        // IHI0070 §7.3.10: F_CD_FETCH covers the L1CD fetch too.
        var mem = new SparseMemory();
        var h = new DeviceHarness(memory: mem);
        h.Reset();
        mem.AddAbortRange(DeviceHarness.CdTableBase + 16, 8);
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 8) with { S1Fmt = CdTableFormat.TwoLevel4K });

        var result = h.Read(Sid, Iova, ssid: 0x81);
        Assert.Equal(EventType.FCdFetch, result.Fault);
        var expected = new EventRecord { Type = EventType.FCdFetch, StreamId = Sid, SSV = true, SubstreamId = 0x81, FetchAddress = DeviceHarness.CdTableBase + 16 };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }

    [Theory]
    [InlineData(false, false, Termination.RazWi, false)]
    [InlineData(false, true, Termination.RazWi, true)]
    [InlineData(true, false, Termination.Abort, false)]
    [InlineData(true, true, Termination.Abort, true)]
    public void Cd_a_and_r_select_termination_and_recording(bool a, bool r, Termination termination, bool recorded)
    {
        // IHI0070 §5.5 (digest 3.5): A selects abort vs RAZ/WI, R selects recording, for F_TRANSLATION at stage 1.
        var (h, _) = Setup(null, Cd with { A = a, R = r });

        var result = h.Write(Sid, 0x1234_5000);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.FTranslation, result.Fault);
        Assert.Equal(termination, result.Termination);
        Assert.Equal(recorded, result.FaultRecorded);
        var events = h.DrainEvents();
        if (recorded)
        {
            var expected = new EventRecord { Type = EventType.FTranslation, StreamId = Sid, RnW = false, Class = FaultClass.IN, InputAddress = 0x1234_5000 };
            Assert.Equal(expected, Assert.Single(events));
        }
        else
        {
            Assert.Empty(events);
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Cd_s_stalls_and_records_whatever_a_and_r_say(bool a, bool r)
    {
        // IHI0070 §5.5: S = 1 stalls and records (R treated as 1); the record carries Stall and STAG.
        var (h, _) = Setup(null, Cd with { A = a, R = r, S = true }, NoStallDisable);

        var result = h.Read(Sid, 0x1234_5000);
        Assert.Equal(TranslationOutcome.Stalled, result.Outcome);
        var expected = new EventRecord
        {
            Type = EventType.FTranslation,
            StreamId = Sid,
            RnW = true,
            Class = FaultClass.IN,
            InputAddress = 0x1234_5000,
            Stall = true,
            StallTag = result.StallTag,
        };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
        h.Submit(Command.Resume(Sid, result.StallTag, retry: false, abort: true));
    }

    [Fact]
    public void Term_model_1_aborts_with_a_set()
    {
        // IHI0070 §5.5 / §6.3.1 TERM_MODEL = 1: only abort termination exists, so CD.A must be 1 (A = 0 is C_BAD_CD, tested above).
        var (h, _) = Setup(SmmuFeatures.Default with { AbortOnlyTermination = true }, Cd with { A = true, R = false });

        var result = h.Read(Sid, 0x1234_5000);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.False(result.FaultRecorded);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Other_faults_always_abort_and_record_even_with_a_and_r_clear()
    {
        // IHI0070 §5.5: only the four translation-related faults follow A/R/S; F_WALK_EABT always aborts and records.
        var mem = new SparseMemory();
        var h = new DeviceHarness(memory: mem);
        h.Reset();
        ulong pgd = h.NewTable();
        mem.AddAbortRange(pgd, 0x1000);
        Assert.True((Cd with { A = false, R = false, TTB0 = pgd }).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        var result = h.Read(Sid, Iova);
        Assert.Equal(EventType.FWalkEabt, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        var expected = new EventRecord
        {
            Type = EventType.FWalkEabt,
            StreamId = Sid,
            RnW = true,
            Class = FaultClass.TT,
            InputAddress = Iova,
            FetchAddress = pgd,
        };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }
}
