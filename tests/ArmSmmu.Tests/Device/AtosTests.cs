using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Address translation operations through SMMU_GATOS_* (IHI0070 chapter 9): the PAR of a success (§6.3.40: output
/// address, Size, MAIR-format ATTR, SH) and of each kind of failure (§9.1.4, §9.1.5: FAULTCODE, REASON, FADDR),
/// with the event queue left untouched.
/// </summary>
public class AtosTests
{
    private const uint Sid = Stage2AndNestedTests.Sid;
    private const ulong Va = Stage2AndNestedTests.Va;
    private const ulong Ipa = Stage2AndNestedTests.Ipa;
    private const ulong Pa = Stage2AndNestedTests.Pa;

    // LinuxCd's MAIR 0xF404FF44 with AttrIndx 1: 0xFF, Normal inner/outer write-back read/write-allocate; SH ISH.
    private const ulong NormalWbIsh = (0xFFUL << 56) | (0b11UL << 8);

    private static GatosParRegister Atos(DeviceHarness h, ulong address, AtosType type, bool write = false, bool instruction = false, bool privileged = false, uint? ssid = null, bool inhibitHttu = false, uint sid = Sid)
    {
        ulong sidValue = sid | (ssid is uint s ? ((ulong)s << 32) | (1UL << 52) : 0);
        ulong addrValue = (address & ~0xFFFUL) | ((ulong)type << 10) | (privileged ? 1UL << 9 : 0) | (write ? 0 : 1UL << 8)
            | (instruction ? 1UL << 7 : 0) | (inhibitHttu ? 1UL << 6 : 0);
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_SID, sidValue);
        h.Smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, addrValue);
        h.Smmu.WriteRegister32(SmmuRegister.GATOS_CTRL, 1);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GATOS_CTRL)); // IHI0070 §9.1.1: RUN cleared on completion
        return new GatosParRegister(h.Smmu.ReadRegister64(SmmuRegister.GATOS_PAR));
    }

    private static DeviceHarness Stage1Stream(ulong leaf = DeviceHarness.S1ReadWrite, bool hardwareAccessFlag = false)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, Va, Pa, leaf);
        Assert.True((DeviceHarness.LinuxCd(1, pgd) with { HA = hardwareAccessFlag }).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return h;
    }

    // Stage2AndNestedTests' nested stream: VA -> IPA -> PA, tables and CD in identity-mapped IPA space, and
    // Va + 0x1000 mapped to an IPA stage 2 does not map.
    private static DeviceHarness NestedStream(bool mapTables = true, ulong cdIpa = DeviceHarness.CdTableBase) =>
        Stage2AndNestedTests.BuildNested(mapTables, cdIpa).H;

    [Fact]
    public void Idr0_advertises_atos_and_the_registers_are_raz_wi_without_it_6_3_1()
    {
        Assert.NotEqual(0u, new SmmuV3(new SparseMemory()).ReadRegister32(SmmuRegister.IDR0) & (1u << 15));
        var smmu = new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { Atos = false });
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.IDR0) & (1u << 15));
        smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, 0x1234_5000 | (1UL << 10));
        smmu.WriteRegister32(SmmuRegister.GATOS_CTRL, 1);
        Assert.Equal(0UL, smmu.ReadRegister64(SmmuRegister.GATOS_ADDR));
        Assert.Equal(0UL, smmu.ReadRegister64(SmmuRegister.GATOS_PAR));
    }

    [Fact]
    public void Stage_1_success_reports_the_pa_4k_size_and_the_descriptor_attributes_6_3_40()
    {
        var h = Stage1Stream();
        var par = Atos(h, Va + 0x123, AtosType.Stage1);
        Assert.Equal(Pa | NormalWbIsh, par.Value);
        Assert.False(par.Fault);
        Assert.Equal(Pa, par.OutputAddress);
        Assert.Equal(12, par.SizeShift);
    }

    [Fact]
    public void A_block_reports_its_size_as_the_lowest_set_bit_of_addr_6_3_40()
    {
        // §6.3.40: ADDR aligned to the translation size, then bit N set where 2^(N+1) is the size: a 2 MB block
        // at 0x70200000 reads ADDR = 0x70300000 with Size = 1.
        var h = new DeviceHarness();
        h.Reset();
        ulong l0 = h.NewTable(), l1 = h.NewTable(), l2 = h.NewTable();
        h.Memory.WriteUInt64(l0 + (((Va >> 39) & 0x1FF) * 8), l1 | 3);
        h.Memory.WriteUInt64(l1 + (((Va >> 30) & 0x1FF) * 8), l2 | 3);
        h.Memory.WriteUInt64(l2 + (((Va >> 21) & 0x1FF) * 8), 0x7020_0000 | DeviceHarness.S1ReadWrite | 1);
        Assert.True(DeviceHarness.LinuxCd(1, l0).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        var par = Atos(h, Va + 0x1_2345, AtosType.Stage1);
        Assert.Equal(0x7030_0000 | (1UL << 11) | NormalWbIsh, par.Value);
        Assert.Equal(0x7020_0000UL, par.OutputAddress);
        Assert.Equal(21, par.SizeShift);
    }

    [Fact]
    public void Nested_stream_answers_each_type_with_its_own_stages_9_1_3()
    {
        var h = NestedStream();
        Assert.Equal(Pa | NormalWbIsh, Atos(h, Va, AtosType.Stage1And2).Value);   // VA -> PA, attributes combined
        Assert.Equal(Ipa | NormalWbIsh, Atos(h, Va, AtosType.Stage1).Value);      // VA -> IPA, stage-1 attributes
        Assert.Equal(Pa | NormalWbIsh, Atos(h, Ipa, AtosType.Stage2).Value);      // IPA -> PA, MemAttr 0xF, RA = WA = 1

        // A stage-1 request does not translate its IPA further, so the unmapped IPA is no fault (§9.1.4).
        Assert.Equal(0x8800_0000 | NormalWbIsh, Atos(h, Va + 0x1000, AtosType.Stage1).Value);
    }

    [Fact]
    public void Stage_2_fault_on_the_input_ipa_reports_reason_in_and_faddr_9_1_4()
    {
        var h = NestedStream();
        var par = Atos(h, Va + 0x1000, AtosType.Stage1And2);
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FTranslation, 0b11, 0x8800_0000), par);
        Assert.True(par.Fault);
        Assert.Equal(0x8800_0000UL, par.FaultAddress);

        // A stage-2 request reports REASON IN with FADDR 0 (the table of §9.1.4).
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FTranslation, 0b11), Atos(h, 0x8800_0000, AtosType.Stage2));
    }

    [Fact]
    public void Stage_2_fault_on_a_stage_1_table_fetch_is_reason_tt_or_a_synthetic_f_walk_eabt_9_1_4()
    {
        var h = NestedStream(mapTables: false);
        var full = Atos(h, Va, AtosType.Stage1And2);
        Assert.Equal((byte)EventType.FTranslation, full.FaultCode);
        Assert.Equal(0b10u, full.Reason);
        Assert.NotEqual(0UL, full.FaultAddress); // the IPA of the stage-1 table

        Assert.Equal(GatosParRegister.Failure((byte)EventType.FWalkEabt), Atos(h, Va, AtosType.Stage1));
    }

    [Fact]
    public void Stage_2_fault_on_the_cd_fetch_is_reason_cd_or_f_cd_fetch_9_1_4()
    {
        const ulong unmappedCd = 0x1380_0000;
        var h = NestedStream(cdIpa: unmappedCd);
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FTranslation, 0b01, unmappedCd), Atos(h, Va, AtosType.Stage1And2));
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FCdFetch), Atos(h, Va, AtosType.Stage1));
    }

    [Fact]
    public void Translation_and_permission_faults_report_the_event_type_at_stage_1_9_1_5()
    {
        var h = Stage1Stream(DeviceHarness.S1ReadOnly);
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FTranslation), Atos(h, Va + 0x10_0000, AtosType.Stage1));
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FPermission), Atos(h, Va, AtosType.Stage1, write: true));
        Assert.False(Atos(h, Va, AtosType.Stage1).Fault); // the read is permitted
    }

    [Fact]
    public void Configuration_errors_and_invalid_requests_follow_the_priorities_of_9_1_5()
    {
        var h = Stage1Stream();
        Assert.Equal(AtosFaultCode.InvalidRequest, Atos(h, Va, AtosType.Reserved).FaultCode);
        Assert.Equal(AtosFaultCode.InvalidRequest, Atos(h, Va, AtosType.Stage2, ssid: 1).FaultCode);
        Assert.Equal(AtosFaultCode.InvalidStage, Atos(h, Va, AtosType.Stage1And2).FaultCode); // no stage 2 configured
        Assert.Equal((byte)EventType.CBadStreamId, Atos(h, Va, AtosType.Stage1, sid: 0x100).FaultCode); // 8-bit table
        Assert.Equal((byte)EventType.CBadSubstreamId, Atos(h, Va, AtosType.Stage1, ssid: 1).FaultCode); // S1CDMax = 0

        h.SetSte(4, default); // V = 0
        Assert.Equal(GatosParRegister.Failure((byte)EventType.CBadSte), Atos(h, Va, AtosType.Stage1, sid: 4));
        h.SetSte(5, StreamTableEntry.BypassEntry); // Config 0b100 translates at no stage
        Assert.Equal(AtosFaultCode.InvalidStage, Atos(h, Va, AtosType.Stage1, sid: 5).FaultCode);
        Assert.Equal(AtosFaultCode.InvalidStage, Atos(h, Va, AtosType.Stage1, sid: 6).FaultCode); // the reset's abort STEs

        h.WriteAndPoll(SmmuRegister.CR0, h.Smmu.ReadRegister32(SmmuRegister.CR0) & ~1u, SmmuRegister.CR0ACK);
        Assert.Equal(GatosParRegister.Failure(AtosFaultCode.InternalError), Atos(h, Va, AtosType.Stage1));
    }

    [Fact]
    public void Atos_records_no_event_and_ignores_the_fault_configuration_9()
    {
        // IHI0070 §9: unlike transactions, ATOS requests are not affected by the STE/CD fault configuration and
        // record no events; the same faulting access as a transaction is recorded (CD.R = 1).
        var h = Stage1Stream(DeviceHarness.S1ReadOnly);
        uint prod = h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        Assert.True(Atos(h, Va + 0x10_0000, AtosType.Stage1).Fault);
        Assert.True(Atos(h, Va, AtosType.Stage1, write: true).Fault);
        Assert.True(Atos(h, Va, AtosType.Stage1And2).Fault);
        Atos(h, Va, AtosType.Stage1, sid: 0x100);
        Assert.Equal(prod, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));
        Assert.Empty(h.DrainEvents());

        Assert.Equal(EventType.FPermission, h.Write(Sid, Va).Fault);
        Assert.Single(h.DrainEvents());
    }

    [Fact]
    public void Httui_inhibits_the_access_flag_update_6_3_39()
    {
        // With CD.HA = 1 and AF = 0, a normal request sets AF (HTTU, §3.13); HTTUI = 1 is passive (taken as HA = 0).
        var h = Stage1Stream(DeviceHarness.S1ReadWrite & ~(1UL << 10), hardwareAccessFlag: true);
        Assert.Equal(GatosParRegister.Failure((byte)EventType.FAccess), Atos(h, Va, AtosType.Stage1, inhibitHttu: true));
        Assert.False(Atos(h, Va, AtosType.Stage1).Fault);
        Assert.False(Atos(h, Va, AtosType.Stage1, inhibitHttu: true).Fault); // AF is now set in memory
    }

    [Theory]
    [InlineData(false, true, AtosType.Stage1, true)]
    [InlineData(false, true, AtosType.Stage1And2, true)]
    [InlineData(false, true, AtosType.Stage2, false)]
    [InlineData(true, false, AtosType.Stage2, true)]
    [InlineData(true, false, AtosType.Stage1And2, true)]
    [InlineData(true, false, AtosType.Stage1, false)]
    public void A_type_naming_a_stage_the_smmu_does_not_implement_is_inv_req_9_1_3(bool stage1, bool stage2, AtosType type, bool invalid)
    {
        // IHI0070 §9.1.3: INV_REQ before any structure is read, so even a StreamID beyond the table reports it.
        var h = new DeviceHarness(SmmuFeatures.Default with { Stage1 = stage1, Stage2 = stage2 });
        h.Reset();
        var par = Atos(h, Va, type, sid: 0x100);
        Assert.True(par.Fault);
        Assert.Equal(invalid ? AtosFaultCode.InvalidRequest : (byte)EventType.CBadStreamId, par.FaultCode);
    }

    [Fact]
    public void Gatos_addr_bits_5_to_0_are_res0_and_no_substream_is_kept_without_substreams_6_3_38()
    {
        var smmu = new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { SubstreamIdBits = 0 });
        smmu.WriteRegister64(SmmuRegister.GATOS_ADDR, 0x1234_5FFF);
        Assert.Equal(0x1234_5FC0UL, smmu.ReadRegister64(SmmuRegister.GATOS_ADDR));
        smmu.WriteRegister64(SmmuRegister.GATOS_SID, (1UL << 52) | (0x5UL << 32) | 0x12);
        Assert.Equal(0x12UL, smmu.ReadRegister64(SmmuRegister.GATOS_SID));
    }

    [Fact]
    public void Gatos_sid_keeps_only_implemented_bits_6_3_38()
    {
        var smmu = new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { StreamIdBits = 8, SubstreamIdBits = 4 });
        smmu.WriteRegister64(SmmuRegister.GATOS_SID, ulong.MaxValue);
        Assert.Equal((1UL << 52) | (0xFUL << 32) | 0xFF, smmu.ReadRegister64(SmmuRegister.GATOS_SID));
    }
}
