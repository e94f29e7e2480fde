using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Device;

/// <summary>Stage-2-only and nested translation through the device, with stage-2 faults and their CLASS (IHI0070 §3.4, §5.2, §7.3.12-§7.3.15; digest 7.8).</summary>
public class Stage2AndNestedTests
{
    internal const uint Sid = 0x20;
    internal const ulong Ipa = 0x8000_0000;
    internal const ulong Pa = 0x9000_0000;
    internal const ulong Va = 0x0040_0000;
    private const ushort Vmid = 3;

    [Fact]
    public void Stage2_only_translates_the_input_as_an_ipa()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        h.Map4K(s2, Ipa, Pa, DeviceHarness.S2ReadWrite);
        h.SetSte(Sid, DeviceHarness.Stage2Ste(s2, Vmid));

        var result = h.Write(Sid, Ipa + 0x123);
        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x123, result.PhysicalAddress);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stage2_fault_reports_s2_class_in_and_the_ipa_when_s2r_is_set(bool s2r)
    {
        // IHI0070 §5.5, §7.3.12: stage-2 faults always abort; S2R selects recording. S2 = 1, CLASS = IN, IPA = input.
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        h.Map4K(s2, Ipa, Pa, DeviceHarness.S2ReadWrite);
        h.SetSte(Sid, DeviceHarness.Stage2Ste(s2, Vmid) with { S2R = s2r });

        var result = h.Read(Sid, Ipa + 0x1008);
        Assert.Equal(EventType.FTranslation, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(s2r, result.FaultRecorded);
        var events = h.DrainEvents();
        if (s2r)
        {
            var expected = new EventRecord
            {
                Type = EventType.FTranslation,
                StreamId = Sid,
                RnW = true,
                S2 = true,
                Class = FaultClass.IN,
                InputAddress = Ipa + 0x1008,
                Ipa = Ipa + 0x1000,
            };
            Assert.Equal(expected, Assert.Single(events));
        }
        else
        {
            Assert.Empty(events);
        }
    }

    [Fact]
    public void Stage1_bypass_input_above_ias_is_a_stage1_address_size_fault()
    {
        // digest 7.8 / IHI0070 §3.4.1: Config 0b110 with input wider than IAS -> F_ADDR_SIZE, S2 = 0, CLASS = IN.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, DeviceHarness.Stage2Ste(h.NewTable(), Vmid));

        var result = h.Read(Sid, 1UL << 48);
        Assert.Equal(EventType.FAddrSize, result.Fault);
        var expected = new EventRecord { Type = EventType.FAddrSize, StreamId = Sid, RnW = true, Class = FaultClass.IN, InputAddress = 1UL << 48 };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Bypass_input_above_oas_is_f_addr_size()
    {
        // digest 7.8: Config 0b100 and input > OAS -> F_ADDR_SIZE recorded as stage 1, CLASS = IN.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, StreamTableEntry.BypassEntry);

        Assert.True(h.Read(Sid, (1UL << 48) - 1).IsSuccess);
        var result = h.Write(Sid, 1UL << 50);
        Assert.Equal(EventType.FAddrSize, result.Fault);
        var expected = new EventRecord { Type = EventType.FAddrSize, StreamId = Sid, Class = FaultClass.IN, InputAddress = 1UL << 50 };
        Assert.Equal(expected, Assert.Single(h.DrainEvents()));
    }

    internal sealed record Nested(DeviceHarness H, ulong S2Root, ulong Pgd);

    // Stage-1 tables and the CD live in identity-mapped IPA space; VA -> IPA -> PA; Va + 0x1000 maps to IPA
    // 0x88000000, which stage 2 does not map (also used by AtosTests).
    internal static Nested BuildNested(bool mapTables = true, ulong cdIpa = DeviceHarness.CdTableBase)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        ulong from = h.AllocationMark;
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, Ipa, DeviceHarness.S1ReadWrite);
        h.Map4K(pgd, Va + 0x1000, 0x8800_0000, DeviceHarness.S1ReadWrite); // IPA with no stage-2 mapping
        ulong to = h.AllocationMark;
        h.Map4K(s2, Ipa, Pa, DeviceHarness.S2ReadWrite);
        if (mapTables)
        {
            h.IdentityMapS2(s2, from, to);
        }

        h.IdentityMapS2(s2, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase + 0x1000);
        Assert.True(DeviceHarness.LinuxCd(5, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        var ste = DeviceHarness.Stage2Ste(s2, Vmid) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = cdIpa,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S1STALLD = true,
        };
        h.SetSte(Sid, ste);
        return new Nested(h, s2, pgd);
    }

    [Fact]
    public void Nested_s1dss_bypass_translates_substream_less_traffic_at_stage2_only()
    {
        // IHI0070 §5.2 S1DSS 0b01: as Config 0b110 for traffic without a SubstreamID (no CD fetched).
        var n = BuildNested();
        var ste = DeviceHarness.Stage2Ste(n.S2Root, Vmid) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = DeviceHarness.CdTableBase,
            S1CDMax = 1,
            S1DSS = DefaultSubstream.Bypass,
            S1STALLD = true,
        };
        n.H.SetSte(Sid, ste);

        Assert.Equal(Pa + 0x20, n.H.Read(Sid, Ipa + 0x20).PhysicalAddress);
        Assert.Equal(Pa + 0x20, n.H.Read(Sid, Va + 0x20, ssid: 0).PhysicalAddress);
        Assert.Empty(n.H.DrainEvents());
    }

    [Fact]
    public void Nested_translation_goes_va_to_ipa_to_pa()
    {
        var n = BuildNested();
        var result = n.H.Read(Sid, Va + 0x44);
        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x44, result.PhysicalAddress);
    }

    [Fact]
    public void Nested_stage2_fault_on_the_output_is_class_in_with_the_ipa()
    {
        // IHI0070 §7.3.12: CLASS = IN, IPA = stage-1 output.
        var n = BuildNested();
        var result = n.H.Read(Sid, Va + 0x1010);
        Assert.Equal(EventType.FTranslation, result.Fault);
        var expected = new EventRecord
        {
            Type = EventType.FTranslation,
            StreamId = Sid,
            RnW = true,
            S2 = true,
            Class = FaultClass.IN,
            InputAddress = Va + 0x1010,
            Ipa = 0x8800_0000,
        };
        Assert.Equal(expected, Assert.Single(n.H.DrainEvents()));
    }

    [Fact]
    public void Nested_stage2_fault_on_a_stage1_table_is_class_tt()
    {
        // IHI0070 §7.3.12: a stage-2 fault on a stage-1 descriptor fetch has CLASS = TT, IPA = the descriptor's IPA.
        var n = BuildNested(mapTables: false);
        var result = n.H.Read(Sid, Va);
        Assert.Equal(EventType.FTranslation, result.Fault);
        var expected = new EventRecord
        {
            Type = EventType.FTranslation,
            StreamId = Sid,
            RnW = true,
            S2 = true,
            Class = FaultClass.TT,
            InputAddress = Va,
            Ipa = n.Pgd,
        };
        Assert.Equal(expected, Assert.Single(n.H.DrainEvents()));
    }

    [Fact]
    public void Cd_table_at_an_ipa_without_stage2_mapping_is_a_class_cd_stage2_fault()
    {
        // IHI0070 §3.4.3, §7.3.12: S1ContextPtr is an IPA; its stage-2 fault has CLASS = CD and IPA = the CD address.
        const ulong cdIpa = 0x7000_0000;
        var n = BuildNested(cdIpa: cdIpa);
        var result = n.H.Read(Sid, Va);
        Assert.Equal(EventType.FTranslation, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        var expected = new EventRecord
        {
            Type = EventType.FTranslation,
            StreamId = Sid,
            RnW = true,
            S2 = true,
            Class = FaultClass.CD,
            InputAddress = Va,
            Ipa = cdIpa,
        };
        Assert.Equal(expected, Assert.Single(n.H.DrainEvents()));
    }

    [Fact]
    public void Class_cd_fault_is_silent_with_s2r_clear()
    {
        // IHI0070 §5.5: the stage-2 fault configuration (S2R) also governs CLASS = CD faults.
        var n = BuildNested(cdIpa: 0x7000_0000);
        var ste = DeviceHarness.Stage2Ste(n.S2Root, Vmid) with { Config = SteConfig.Nested, S1ContextPtr = 0x7000_0000, S1STALLD = true, S2R = false };
        n.H.SetSte(Sid, ste);

        var result = n.H.Read(Sid, Va);
        Assert.Equal(EventType.FTranslation, result.Fault);
        Assert.False(result.FaultRecorded);
        Assert.Empty(n.H.DrainEvents());
    }

    [Fact]
    public void Nested_cd_and_tables_reached_through_stage2_translate_with_a_different_pa()
    {
        // IHI0070 §3.4.3: the CD is fetched from the PA that stage 2 gives for S1ContextPtr.
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, Ipa, DeviceHarness.S1ReadWrite);
        h.IdentityMapS2(s2, pgd, h.AllocationMark);
        h.Map4K(s2, Ipa, Pa, DeviceHarness.S2ReadWrite);
        const ulong cdIpa = 0x7000_0000;
        const ulong cdPa = 0x7100_0000;
        h.Map4K(s2, cdIpa, cdPa, DeviceHarness.S2ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(5, pgd).TryWrite(h.Memory, cdPa));
        h.SetSte(Sid, DeviceHarness.Stage2Ste(s2, Vmid) with { Config = SteConfig.Nested, S1ContextPtr = cdIpa, S1STALLD = true });

        Assert.Equal(Pa + 8, h.Read(Sid, Va + 8).PhysicalAddress);
    }
}
