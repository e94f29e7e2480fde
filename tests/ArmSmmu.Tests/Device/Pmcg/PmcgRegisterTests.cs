namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>The PMCG register file (IHI0070 §10.5): layout, access types, RES0 bits and ID registers.</summary>
public class PmcgRegisterTests
{
    private static SmmuPerformanceMonitor Pmcg(SmmuPmcgFeatures? pmcg = null, SmmuFeatures? features = null) =>
        new SmmuV3(new SparseMemory(), (features ?? SmmuFeatures.Default) with { PerformanceMonitor = pmcg ?? SmmuPmcgFeatures.Default })
            .PerformanceMonitor!;

    [Fact]
    public void Default_device_has_a_pmcg_and_a_feature_set_without_one_has_none()
    {
        Assert.NotNull(new SmmuV3(new SparseMemory()).PerformanceMonitor);
        Assert.Null(new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { PerformanceMonitor = null }).PerformanceMonitor);
    }

    [Fact]
    public void Section_10_5_2_13_CFGR_describes_counters_size_page1_msi_capture_and_filter_type()
    {
        // NCTR 7 [5:0], SIZE 63 [13:8], RELOC_CTRS [20], MSI [21], CAPTURE [22], SID_FILTER_TYPE 0 [23].
        Assert.Equal(0x0070_3F07u, Pmcg().ReadRegister32(PmcgRegister.CFGR));
        var small = new SmmuPmcgFeatures { Counters = 4, CounterBits = 32, RelocateCounters = false, Msi = false, Capture = false, GlobalFilter = true };
        Assert.Equal(0x0080_1F03u, Pmcg(small).ReadRegister32(PmcgRegister.CFGR));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Section_10_5_2_13_NCTR_is_1_to_64_counters(int counters) =>
        Assert.Throws<ArgumentException>(() => Pmcg(new SmmuPmcgFeatures { Counters = counters }));

    [Fact]
    public void Section_10_5_2_13_SIZE_other_than_32_36_40_44_48_64_is_reserved() =>
        Assert.Throws<ArgumentException>(() => Pmcg(new SmmuPmcgFeatures { CounterBits = 33 }));

    [Fact]
    public void Section_10_5_1_with_RELOC_CTRS_counters_svr_ovs_and_capr_are_in_page_1_and_RES0_in_page_0()
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister64(PmcgRegister.Page1 + PmcgRegister.EVCNTR0 + 8, 0x1234_5678_9ABC);
        Assert.Equal(0x1234_5678_9ABCUL, pmcg.ReadRegister64(PmcgRegister.Page1 + 8));
        Assert.Equal(0UL, pmcg.ReadRegister64(PmcgRegister.EVCNTR0 + 8));
        pmcg.WriteRegister64(PmcgRegister.EVCNTR0 + 8, 5); // page 0 location is RES0: ignored
        Assert.Equal(0x1234_5678_9ABCUL, pmcg.ReadCounter(1));

        pmcg.WriteRegister64(PmcgRegister.Page1 + PmcgRegister.OVSSET0, 0b100);
        Assert.Equal(0b100UL, pmcg.ReadRegister64(PmcgRegister.Page1 + PmcgRegister.OVSCLR0));
        Assert.Equal(0UL, pmcg.ReadRegister64(PmcgRegister.OVSSET0));

        // Registers that do not move stay in page 0, and page 1 holds nothing else.
        pmcg.WriteRegister32(PmcgRegister.CR, 1);
        Assert.Equal(1u, pmcg.ReadRegister32(PmcgRegister.CR));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.Page1 + PmcgRegister.CR));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.Page1 + PmcgRegister.CFGR));
    }

    [Fact]
    public void Section_10_5_1_without_RELOC_CTRS_everything_is_in_page_0_with_a_4_byte_stride_for_32_bit_counters()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { RelocateCounters = false, CounterBits = 32 });
        pmcg.WriteRegister32(PmcgRegister.EVCNTR0 + 4, 0xFFFF_FFFF); // EVCNTR1
        Assert.Equal(0xFFFF_FFFFUL, pmcg.ReadCounter(1));
        Assert.Equal(0UL, pmcg.ReadCounter(0));
        // A 64-bit access to 32-bit registers reads the two adjacent counters.
        Assert.Equal(0xFFFF_FFFF_0000_0000UL, pmcg.ReadRegister64(PmcgRegister.EVCNTR0));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.Page1 + 4));
    }

    [Theory]
    [InlineData(32, 0xFFFF_FFFFUL)]
    [InlineData(48, 0xFFFF_FFFF_FFFFUL)]
    [InlineData(64, ulong.MaxValue)]
    public void Section_10_5_2_1_counter_bits_at_and_above_SIZE_plus_1_are_RES0(int bits, ulong expected)
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { CounterBits = bits, RelocateCounters = false });
        pmcg.WriteRegister64(PmcgRegister.EVCNTR0, ulong.MaxValue);
        Assert.Equal(expected, pmcg.ReadCounter(0));
    }

    [Fact]
    public void Section_10_5_2_1_unimplemented_counters_are_RES0()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { Counters = 2, RelocateCounters = false });
        pmcg.WriteRegister64(PmcgRegister.EVCNTR0 + 16, 7); // counter 2 of 2
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + 8, 1);
        Assert.Equal(0UL, pmcg.ReadRegister64(PmcgRegister.EVCNTR0 + 16));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.EVTYPER0 + 8));
    }

    [Fact]
    public void Section_10_5_2_5_to_10_set_and_clear_registers_share_one_bitmap_of_implemented_counters()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { Counters = 4 });
        foreach ((ulong set, ulong clear) in new[]
        {
            (PmcgRegister.CNTENSET0, PmcgRegister.CNTENCLR0),
            (PmcgRegister.INTENSET0, PmcgRegister.INTENCLR0),
            (PmcgRegister.Page1 + PmcgRegister.OVSSET0, PmcgRegister.Page1 + PmcgRegister.OVSCLR0),
        })
        {
            pmcg.WriteRegister64(set, ulong.MaxValue);
            Assert.Equal(0xFUL, pmcg.ReadRegister64(set)); // bits beyond NCTR are RES0
            Assert.Equal(0xFUL, pmcg.ReadRegister64(clear));
            pmcg.WriteRegister64(set, 0); // writing 0 changes nothing
            pmcg.WriteRegister64(clear, 0b0101);
            Assert.Equal(0b1010UL, pmcg.ReadRegister64(set));
            pmcg.WriteRegister64(clear, 0);
            Assert.Equal(0b1010UL, pmcg.ReadRegister64(clear));
        }
    }

    [Fact]
    public void Section_10_5_a_32_bit_write_to_one_half_of_a_clear_register_leaves_the_other_half()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { Counters = 64 });
        pmcg.WriteRegister64(PmcgRegister.CNTENSET0, ulong.MaxValue);
        pmcg.WriteRegister32(PmcgRegister.CNTENCLR0 + 4, 1); // clears counter 32 only
        Assert.Equal(ulong.MaxValue & ~(1UL << 32), pmcg.ReadRegister64(PmcgRegister.CNTENSET0));
        pmcg.WriteRegister32(PmcgRegister.CNTENSET0, 0); // low half of SET written with 0: nothing set
        Assert.Equal(0xFFFF_FFFEu, pmcg.ReadRegister32(PmcgRegister.CNTENSET0 + 4));
    }

    [Fact]
    public void Section_10_5_2_2_EVTYPER_has_EVENT_SPAN_and_OVFCAP_and_RES0_elsewhere()
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + 4, 0xFFFF_FFFF);
        // OVFCAP [31], FILTER_SID_SPAN [29], EVENT [15:0]; FILTER_SEC_SID [30] is RES0 without Secure state.
        Assert.Equal(0xA000_FFFFu, pmcg.ReadRegister32(PmcgRegister.EVTYPER0 + 4));
        var noCapture = Pmcg(new SmmuPmcgFeatures { Capture = false });
        noCapture.WriteRegister32(PmcgRegister.EVTYPER0, 0xFFFF_FFFF);
        Assert.Equal(0x2000_FFFFu, noCapture.ReadRegister32(PmcgRegister.EVTYPER0));
    }

    [Fact]
    public void Section_10_5_2_4_with_SID_FILTER_TYPE_1_only_EVTYPER0_has_a_span_and_only_SMR0_exists()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { GlobalFilter = true });
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0, 0x2000_0001);
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + 4, 0x2000_0001);
        pmcg.WriteRegister32(PmcgRegister.SMR0, 0x42);
        pmcg.WriteRegister32(PmcgRegister.SMR0 + 4, 0x42);
        Assert.Equal(0x2000_0001u, pmcg.ReadRegister32(PmcgRegister.EVTYPER0));
        Assert.Equal(1u, pmcg.ReadRegister32(PmcgRegister.EVTYPER0 + 4));
        Assert.Equal(0x42u, pmcg.ReadRegister32(PmcgRegister.SMR0));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.SMR0 + 4));
    }

    [Fact]
    public void Section_10_4_1_SMR_implements_the_StreamID_size_and_higher_bits_are_RAZ_WI()
    {
        var pmcg = Pmcg(features: SmmuFeatures.Default with { StreamIdBits = 16 });
        pmcg.WriteRegister32(PmcgRegister.SMR0, 0xFFFF_FFFF);
        Assert.Equal(0xFFFFu, pmcg.ReadRegister32(PmcgRegister.SMR0));
        pmcg.WriteRegister32(PmcgRegister.SMR0, 0x1_2345);
        Assert.Equal(0x2345u, pmcg.ReadRegister32(PmcgRegister.SMR0)); // the spec's own example of truncation
    }

    [Fact]
    public void Section_10_5_2_19_to_23_IRQ_CFG_registers_are_guarded_by_IRQEN_and_CTRLACK_follows_at_once()
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, 0xFF00_0000_1234_5677); // bits above OAS 48 and [1:0] are RES0
        pmcg.WriteRegister32(PmcgRegister.IRQ_CFG1, 0xDEAD);
        pmcg.WriteRegister32(PmcgRegister.IRQ_CFG2, 0xFFFF_FFFF);
        Assert.Equal(0x1234_5674UL, pmcg.ReadRegister64(PmcgRegister.IRQ_CFG0));
        Assert.Equal(0xDEADu, pmcg.ReadRegister32(PmcgRegister.IRQ_CFG1));
        Assert.Equal(0x3Fu, pmcg.ReadRegister32(PmcgRegister.IRQ_CFG2)); // SH [5:4], MEMATTR [3:0]

        pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 0xFFFF_FFFF);
        Assert.Equal(1u, pmcg.ReadRegister32(PmcgRegister.IRQ_CTRLACK));
        pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, 0x4000);
        pmcg.WriteRegister32(PmcgRegister.IRQ_CFG1, 1);
        pmcg.WriteRegister32(PmcgRegister.IRQ_CFG2, 0);
        Assert.Equal(0x1234_5674UL, pmcg.ReadRegister64(PmcgRegister.IRQ_CFG0));
        Assert.Equal(0xDEADu, pmcg.ReadRegister32(PmcgRegister.IRQ_CFG1));
        Assert.Equal(0x3Fu, pmcg.ReadRegister32(PmcgRegister.IRQ_CFG2));
    }

    [Fact]
    public void Section_10_5_2_21_without_MSI_the_IRQ_CFG_registers_are_RES0()
    {
        var pmcg = Pmcg(new SmmuPmcgFeatures { Msi = false });
        pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, 0x4000);
        pmcg.WriteRegister32(PmcgRegister.IRQ_CFG1, 1);
        Assert.Equal(0UL, pmcg.ReadRegister64(PmcgRegister.IRQ_CFG0));
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.IRQ_CFG1));
    }

    [Fact]
    public void Section_10_5_2_12_SCR_is_RAZ_WI_without_Secure_state_and_CAPR_reads_as_zero()
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister32(PmcgRegister.SCR, 0xFFFF_FFFF);
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.SCR)); // READS_AS_ONE would say Secure state
        pmcg.WriteRegister32(PmcgRegister.Page1 + PmcgRegister.CAPR, 1);
        Assert.Equal(0u, pmcg.ReadRegister32(PmcgRegister.Page1 + PmcgRegister.CAPR));
    }

    [Fact]
    public void Section_10_5_2_16_CEID0_lists_events_0_to_5_and_the_ATS_events_only_with_ATS()
    {
        Assert.Equal(0xFFUL, Pmcg().ReadRegister64(PmcgRegister.CEID0));
        Assert.Equal(0x3FUL, Pmcg(features: SmmuFeatures.Default with { Ats = false, Pri = false }).ReadRegister64(PmcgRegister.CEID0));
        Assert.Equal(0UL, Pmcg().ReadRegister64(PmcgRegister.CEID1));
    }

    [Fact]
    public void Section_10_5_2_26_AIDR_and_IIDR_identify_the_SMMU_revision_and_implementer()
    {
        var pmcg = Pmcg();
        Assert.Equal(0x02u, pmcg.ReadRegister32(PmcgRegister.AIDR)); // SMMUv3.2 PMCG
        Assert.Equal(0x43Bu, pmcg.ReadRegister32(PmcgRegister.IIDR) & 0xFFF); // Arm
    }

    [Fact]
    public void Section_10_5_2_29_CoreSight_ID_registers_agree_with_IIDR()
    {
        var pmcg = Pmcg(features: SmmuFeatures.Default with { Iidr = 0x4A1_2_3_43B });
        Assert.Equal([0x0Du, 0x90u, 0x05u, 0xB1u], Enumerable.Range(0, 4).Select(i => pmcg.ReadRegister32(PmcgRegister.CIDR0 + ((ulong)i * 4))));
        Assert.Equal(0x4770_2A56u, pmcg.ReadRegister32(PmcgRegister.PMDEVARCH));
        Assert.Equal(0x56u, pmcg.ReadRegister32(PmcgRegister.PMDEVTYPE));

        // Rebuild IIDR from PIDR0-4 as Linux's smmu_pmu_get_iidr does for an MMU-600 PMCG.
        uint pidr0 = pmcg.ReadRegister32(PmcgRegister.PIDR0), pidr1 = pmcg.ReadRegister32(PmcgRegister.PIDR0 + 4);
        uint pidr2 = pmcg.ReadRegister32(PmcgRegister.PIDR0 + 8), pidr3 = pmcg.ReadRegister32(PmcgRegister.PIDR0 + 12);
        uint pidr4 = pmcg.ReadRegister32(PmcgRegister.PIDR4);
        uint product = (pidr0 & 0xFF) | ((pidr1 & 0xF) << 8);
        uint implementer = (pidr1 >> 4) | ((pidr2 & 7) << 4) | ((pidr4 & 0xF) << 8);
        uint rebuilt = (product << 20) | ((pidr2 >> 4) << 16) | ((pidr3 >> 4) << 12) | implementer;
        Assert.Equal(0x4A1_2_3_43Bu, rebuilt);
        Assert.Equal(0x8u, pidr2 & 0x8); // JEDEC-assigned designer code
    }

    [Theory]
    [InlineData(0x20000UL)]
    [InlineData(0x1FFFCUL)]
    public void Host_misuse_offsets_outside_the_two_pages_throw(ulong offset) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Pmcg().ReadRegister64(offset));

    [Fact]
    public void Host_misuse_misaligned_access_throws() =>
        Assert.Throws<ArgumentException>(() => Pmcg().ReadRegister64(PmcgRegister.CNTENSET0 + 4));
}
