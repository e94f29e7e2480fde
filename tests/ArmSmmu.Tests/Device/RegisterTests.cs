using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>The register file: ID registers, CR0/CR1/CR2, guards, RES0, widths and aliases, GBPA, GERROR (IHI0070 §6).</summary>
public class RegisterTests
{
    private static SmmuV3 NewSmmu(SmmuFeatures? features = null) => new(new SparseMemory(), features);

    // A stage-1-only device without PRI, ATS, MSI, SEV or stall, with small queues and a 6-bit StreamID.
    private static readonly SmmuFeatures Reduced = SmmuFeatures.Default with
    {
        Stage2 = false,
        Pri = false,
        Ats = false,
        Msi = false,
        Sev = false,
        StallModel = StallModel.TerminateOnly,
        Asid16 = false,
        Vmid16 = false,
        TwoLevelCdTable = false,
        TwoLevelStreamTable = false,
        Httu = HttuSupport.None,
        Btm = false,
        Atos = false,
        StreamIdBits = 6,
        SubstreamIdBits = 0,
        CommandQueueLog2Size = 8,
        EventQueueLog2Size = 7,
        PriQueueLog2Size = 0,
        RangeInvalidation = false,
        HierarchicalAttributeDisable = false,
        BreakBeforeMakeLevel = 0,
        Granule16K = false,
        Granule64K = false,
        OutputAddressBits = 40,
        VirtualAddressExtension = false,
        LargeAddresses2 = false,
        StallMax = 0,
        ArchitectureMinorRevision = 1,
    };

    [Fact]
    public void Default_id_registers_encode_a_full_featured_smmuv3_2()
    {
        // IHI0070 §6.3.1 (digest 1.3): S2P, S1P, TTF=0b10, COHACC, BTM, HTTU=0b10, Hyp, ATS, NS1ATS, ASID16, MSI, SEV,
        // ATOS, PRI, VMW, VMID16, CD2L, TTENDIAN=0b10, STALL_MODEL=0b00, TERM_MODEL=0, ST_LEVEL=0b01.
        uint idr0 = 1u | (1u << 1) | (2u << 2) | (1u << 4) | (1u << 5) | (2u << 6) | (1u << 9) | (1u << 10) | (1u << 11)
            | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19) | (2u << 21) | (1u << 27);
        var smmu = NewSmmu();
        Assert.Equal(0x084F_FEBBu, idr0);
        Assert.Equal(idr0, smmu.ReadRegister32(SmmuRegister.IDR0));
        Assert.Equal(smmu.Features.Idr0, smmu.ReadRegister32(SmmuRegister.IDR0));

        var d0 = new Idr0Register(smmu.ReadRegister32(SmmuRegister.IDR0));
        Assert.True(d0.S1P && d0.S2P && d0.Hyp && d0.ATS && d0.PRI && d0.MSI && d0.SEV && d0.VMW && d0.CD2L && d0.BTM && d0.ATOS);
        Assert.Equal(1u, d0.ST_LEVEL);
        Assert.Equal(2u, d0.TTF);
        Assert.Equal(2u, d0.HTTU);
        Assert.Equal(0u, d0.STALL_MODEL);

        // IHI0070 §6.3.2 (digest 1.4): SIDSIZE 16, SSIDSIZE 20, PRIQS/EVENTQS/CMDQS 19, ATTR_PERMS_OVR, ATTR_TYPES_OVR
        // (the same value as the Arm FVP's IDR1 in digest 1.11).
        Assert.Equal(0x0E73_9D10u, smmu.ReadRegister32(SmmuRegister.IDR1));
        var d1 = new Idr1Register(smmu.ReadRegister32(SmmuRegister.IDR1));
        Assert.Equal((16u, 20u, 19u, 19u, 19u), (d1.SIDSIZE, d1.SSIDSIZE, d1.PRIQS, d1.EVENTQS, d1.CMDQS));
        Assert.False(d1.TABLES_PRESET || d1.QUEUES_PRESET || d1.REL || d1.ECMDQ);

        // IHI0070 §6.3.3-§6.3.6 (digest 1.5): IDR2 no VATOS; IDR3 HAD | RIL | BBML=2; IDR4 IMPDEF 0;
        // IDR5 OAS=0b101 (48 bits), GRAN4K/16K/64K, DS (bit 7), VAX=0b01 (52-bit VAs), STALL_MAX 256.
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.IDR2));
        Assert.Equal((1u << 2) | (1u << 10) | (2u << 11), smmu.ReadRegister32(SmmuRegister.IDR3));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.IDR4));
        Assert.Equal(5u | (7u << 4) | (1u << 7) | (1u << 10) | (256u << 16), smmu.ReadRegister32(SmmuRegister.IDR5));
        // IHI0070 §6.3.7/§6.3.8: IIDR Implementer Arm (0x43B); AIDR ArchMajorRev 0, ArchMinorRev 2 (v3.2).
        Assert.Equal(0x43Bu, smmu.ReadRegister32(SmmuRegister.IIDR) & 0xFFF);
        Assert.Equal(0x02u, smmu.ReadRegister32(SmmuRegister.AIDR));
        Assert.Equal(smmu.Features.Idr1, smmu.ReadRegister32(SmmuRegister.IDR1));
        Assert.Equal(smmu.Features.Idr3, smmu.ReadRegister32(SmmuRegister.IDR3));
        Assert.Equal(smmu.Features.Idr5, smmu.ReadRegister32(SmmuRegister.IDR5));
    }

    [Fact]
    public void Reduced_id_registers_clear_the_fields_that_depend_on_absent_features()
    {
        var smmu = NewSmmu(Reduced);

        // IHI0070 §6.3.1: S1P, TTF=0b10, COHACC, TTENDIAN=0b10, STALL_MODEL=0b01 and nothing else: Hyp is RES0
        // without S2P, VMW RES0 without S2P, PRI RES0 without ATS, NS1ATS RES0 when ATS == 0 or S2P == 0,
        // ST_LEVEL = 0b00 (linear only, legal because SIDSIZE < 7).
        uint expected = (1u << 1) | (2u << 2) | (1u << 4) | (2u << 21) | (1u << 24);
        Assert.Equal(expected, smmu.ReadRegister32(SmmuRegister.IDR0));
        Assert.Equal(smmu.Features.Idr0, smmu.ReadRegister32(SmmuRegister.IDR0));
        var d0 = new Idr0Register(smmu.ReadRegister32(SmmuRegister.IDR0));
        Assert.False(d0.S2P || d0.Hyp || d0.VMW || d0.PRI || d0.ATS || d0.NS1ATS || d0.MSI || d0.SEV || d0.ATSRECERR);
        Assert.Equal(1u, d0.STALL_MODEL);

        // IHI0070 §6.3.2: SIDSIZE 6, SSIDSIZE 0, PRIQS 0, EVENTQS 7, CMDQS 8, both override bits.
        var d1 = new Idr1Register(smmu.ReadRegister32(SmmuRegister.IDR1));
        Assert.Equal((6u, 0u, 0u, 7u, 8u), (d1.SIDSIZE, d1.SSIDSIZE, d1.PRIQS, d1.EVENTQS, d1.CMDQS));
        Assert.Equal(6u | (7u << 16) | (8u << 21) | (1u << 26) | (1u << 27), smmu.ReadRegister32(SmmuRegister.IDR1));

        // IHI0070 §6.3.4/§6.3.6: no RIL/HAD/BBML; OAS 0b010 (40 bits), GRAN4K only, STALL_MAX 0.
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.IDR3));
        Assert.Equal(2u | (1u << 4), smmu.ReadRegister32(SmmuRegister.IDR5));
        Assert.Equal(0x01u, smmu.ReadRegister32(SmmuRegister.AIDR));
    }

    [Fact]
    public void Cr0_is_acknowledged_at_once_and_reserved_bits_are_not_reflected()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.9/§6.3.10: bits [31:11], 9 and 5 are RES0 (DPT_WALK_EN[10] is RES0 without IDR3.DPT);
        // VMW[8:6], ATSCHK, CMDQEN, EVENTQEN, PRIQEN, SMMUEN are reflected.
        smmu.WriteRegister32(SmmuRegister.CR0, 0xFFFF_FFFE);
        Assert.Equal(0x1DEu, smmu.ReadRegister32(SmmuRegister.CR0));
        Assert.Equal(0x1DEu, smmu.ReadRegister32(SmmuRegister.CR0ACK));
        smmu.WriteRegister32(SmmuRegister.CR0, 0x1);
        Assert.Equal(0x1u, smmu.ReadRegister32(SmmuRegister.CR0ACK));

        // Without ATS, VMW (S2P = 0) and PRI, those fields are RES0 too.
        var reduced = NewSmmu(Reduced);
        reduced.WriteRegister32(SmmuRegister.CR0, 0x1DF);
        Assert.Equal(0xDu, reduced.ReadRegister32(SmmuRegister.CR0ACK));
    }

    [Fact]
    public void Irq_ctrl_is_acknowledged_at_once_with_priq_irqen_res0_without_pri()
    {
        // IHI0070 §6.3.16/§6.3.17: GERROR_IRQEN[0], PRIQ_IRQEN[1], EVENTQ_IRQEN[2]; others RES0.
        var smmu = NewSmmu();
        smmu.WriteRegister32(SmmuRegister.IRQ_CTRL, 0xFFFF_FFFF);
        Assert.Equal(7u, smmu.ReadRegister32(SmmuRegister.IRQ_CTRLACK));
        var reduced = NewSmmu(Reduced);
        reduced.WriteRegister32(SmmuRegister.IRQ_CTRL, 0xFFFF_FFFF);
        Assert.Equal(5u, reduced.ReadRegister32(SmmuRegister.IRQ_CTRLACK));
    }

    [Fact]
    public void Cr1_table_fields_are_guarded_by_smmuen_and_queue_fields_by_the_queue_enables()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.11: bits [31:12] RES0.
        smmu.WriteRegister32(SmmuRegister.CR1, 0xFFFF_FFFF);
        Assert.Equal(0xFFFu, smmu.ReadRegister32(SmmuRegister.CR1));

        // §6.3.11.2: with a queue enabled, QUEUE_*[5:0] ignore writes; TABLE_* stay writable while SMMUEN = 0.
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.CMDQEN);
        smmu.WriteRegister32(SmmuRegister.CR1, 0x0);
        Assert.Equal(0x03Fu, smmu.ReadRegister32(SmmuRegister.CR1));

        // §6.3.11.1: with SMMUEN = 1 and the queues off, TABLE_*[11:6] ignore writes; QUEUE_* are writable.
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.SMMUEN);
        smmu.WriteRegister32(SmmuRegister.CR1, 0xFFF);
        Assert.Equal(0x03Fu, smmu.ReadRegister32(SmmuRegister.CR1));
        smmu.WriteRegister32(SmmuRegister.CR1, 0x0);
        Assert.Equal(0x000u, smmu.ReadRegister32(SmmuRegister.CR1));
    }

    [Fact]
    public void Cr2_is_writable_only_while_smmuen_is_zero_with_feature_dependent_res0_bits()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.12: E2H[0] (Hyp), RECINVSID[1], PTM[2] (BTM, on by default); [31:3] RES0 here.
        smmu.WriteRegister32(SmmuRegister.CR2, 0xFFFF_FFFF);
        Assert.Equal(0x7u, smmu.ReadRegister32(SmmuRegister.CR2));
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.SMMUEN);
        smmu.WriteRegister32(SmmuRegister.CR2, 0);
        Assert.Equal(0x7u, smmu.ReadRegister32(SmmuRegister.CR2));

        // PTM is RES0 without BTM.
        var noBtm = NewSmmu(SmmuFeatures.Default with { Btm = false });
        noBtm.WriteRegister32(SmmuRegister.CR2, 0x7);
        Assert.Equal(0x3u, noBtm.ReadRegister32(SmmuRegister.CR2));

        // E2H is RES0 without Hyp (here: no stage 2).
        var reduced = NewSmmu(Reduced);
        reduced.WriteRegister32(SmmuRegister.CR2, 0x7);
        Assert.Equal(0x2u, reduced.ReadRegister32(SmmuRegister.CR2));
    }

    [Fact]
    public void Stream_table_base_registers_are_guarded_by_smmuen_and_mask_res0_bits()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.23: RA[62], ADDR[55:6]; everything else RES0.
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, ulong.MaxValue);
        Assert.Equal(0x40FF_FFFF_FFFF_FFC0UL, smmu.ReadRegister64(SmmuRegister.STRTAB_BASE));
        // IHI0070 §6.3.24: FMT[17:16], SPLIT[10:6], LOG2SIZE[5:0].
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 0xFFFF_FFFF);
        Assert.Equal(0x3_07FFu, smmu.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG));

        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, 0x1000_0000);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 8);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.SMMUEN);
        smmu.WriteRegister64(SmmuRegister.STRTAB_BASE, 0x2000_0000);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE, 0x3000_0000);
        smmu.WriteRegister32(SmmuRegister.STRTAB_BASE_CFG, 4);
        Assert.Equal(0x1000_0000UL, smmu.ReadRegister64(SmmuRegister.STRTAB_BASE));
        Assert.Equal(8u, smmu.ReadRegister32(SmmuRegister.STRTAB_BASE_CFG));
    }

    [Fact]
    public void Queue_base_and_index_registers_are_guarded_by_their_enables()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.25: CMDQ_BASE RA[62], ADDR[55:5], LOG2SIZE[4:0].
        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, ulong.MaxValue);
        Assert.Equal(0x40FF_FFFF_FFFF_FFFFUL, smmu.ReadRegister64(SmmuRegister.CMDQ_BASE));

        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, 0x1100_0004);
        smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, 0x1200_0003);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_PROD, 2);
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)(Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN));

        // §6.3.25-§6.3.30: CMDQ_BASE and CMDQ_CONS guarded by CMDQEN; EVENTQ_BASE and EVENTQ_PROD by EVENTQEN.
        smmu.WriteRegister64(SmmuRegister.CMDQ_BASE, 0x5100_0004);
        smmu.WriteRegister32(SmmuRegister.CMDQ_CONS, 3);
        smmu.WriteRegister64(SmmuRegister.EVENTQ_BASE, 0x5200_0003);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_PROD, 5);
        Assert.Equal(0x1100_0004UL, smmu.ReadRegister64(SmmuRegister.CMDQ_BASE));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.Equal(0x1200_0003UL, smmu.ReadRegister64(SmmuRegister.EVENTQ_BASE));
        Assert.Equal(2u, smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));

        // EVENTQ_CONS is writable at any time.
        smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, 1);
        Assert.Equal(1u, smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS));
    }

    [Fact]
    public void Irq_cfg_registers_are_guarded_by_their_irqen()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.3.18-§6.3.20: CFG0 ADDR[55:2]; CFG1 DATA[31:0]; CFG2 SH[5:4], MemAttr[3:0] (PRIQ also LO[31]).
        smmu.WriteRegister64(SmmuRegister.GERROR_IRQ_CFG0, ulong.MaxValue);
        smmu.WriteRegister32(SmmuRegister.GERROR_IRQ_CFG1, 0xDEAD_BEEF);
        smmu.WriteRegister32(SmmuRegister.GERROR_IRQ_CFG2, 0xFFFF_FFFF);
        smmu.WriteRegister32(SmmuRegister.PRIQ_IRQ_CFG2, 0xFFFF_FFFF);
        Assert.Equal(0x00FF_FFFF_FFFF_FFFCUL, smmu.ReadRegister64(SmmuRegister.GERROR_IRQ_CFG0));
        Assert.Equal(0xDEAD_BEEFu, smmu.ReadRegister32(SmmuRegister.GERROR_IRQ_CFG1));
        Assert.Equal(0x3Fu, smmu.ReadRegister32(SmmuRegister.GERROR_IRQ_CFG2));
        Assert.Equal(0x8000_003Fu, smmu.ReadRegister32(SmmuRegister.PRIQ_IRQ_CFG2));

        smmu.WriteRegister32(SmmuRegister.IRQ_CTRL, (uint)(IrqCtrlFlags.GERROR_IRQEN | IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.PRIQ_IRQEN));
        foreach (ulong cfg0 in new[] { SmmuRegister.GERROR_IRQ_CFG0, SmmuRegister.EVENTQ_IRQ_CFG0, SmmuRegister.PRIQ_IRQ_CFG0 })
        {
            ulong before = smmu.ReadRegister64(cfg0);
            smmu.WriteRegister64(cfg0, 0x4000);
            smmu.WriteRegister32(cfg0 + 8, 0x1234);
            smmu.WriteRegister32(cfg0 + 12, 0x11);
            Assert.Equal(before, smmu.ReadRegister64(cfg0));
        }

        Assert.Equal(0xDEAD_BEEFu, smmu.ReadRegister32(SmmuRegister.GERROR_IRQ_CFG1));
        Assert.Equal(0x8000_003Fu, smmu.ReadRegister32(SmmuRegister.PRIQ_IRQ_CFG2));
    }

    [Fact]
    public void Without_msi_the_msi_fields_are_res0_but_priq_lo_is_not_affected()
    {
        // IHI0070 §6.3.1 MSI: with MSI = 0 the MSI fields of *_IRQ_CFGn are RES0; PRIQ_IRQ_CFG2.LO is not affected.
        var smmu = NewSmmu(SmmuFeatures.Default with { Msi = false });
        smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, 0x4000);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_IRQ_CFG1, 0x1234);
        smmu.WriteRegister32(SmmuRegister.PRIQ_IRQ_CFG2, 0x8000_0011);
        Assert.Equal(0UL, smmu.ReadRegister64(SmmuRegister.EVENTQ_IRQ_CFG0));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.EVENTQ_IRQ_CFG1));
        Assert.Equal(0x8000_0000u, smmu.ReadRegister32(SmmuRegister.PRIQ_IRQ_CFG2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sixty_four_bit_registers_accept_two_32_bit_halves_in_either_order(bool highFirst)
    {
        // IHI0070 §6.2 (digest 1.1): a 64-bit register may be written as two 32-bit halves, low at +0, high at +4.
        var smmu = NewSmmu();
        const ulong value = 0x40AB_CDEF_1234_5600;
        if (highFirst)
        {
            smmu.WriteRegister32(SmmuRegister.STRTAB_BASE + 4, (uint)(value >> 32));
            smmu.WriteRegister32(SmmuRegister.STRTAB_BASE, unchecked((uint)value));
        }
        else
        {
            smmu.WriteRegister32(SmmuRegister.STRTAB_BASE, unchecked((uint)value));
            smmu.WriteRegister32(SmmuRegister.STRTAB_BASE + 4, (uint)(value >> 32));
        }

        Assert.Equal(value & 0x40FF_FFFF_FFFF_FFC0, smmu.ReadRegister64(SmmuRegister.STRTAB_BASE));
        Assert.Equal(0x1234_5600u, smmu.ReadRegister32(SmmuRegister.STRTAB_BASE));
        Assert.Equal(0x40AB_CDEFu, smmu.ReadRegister32(SmmuRegister.STRTAB_BASE + 4));

        // One 64-bit access gives the same result.
        smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, 0x0000_1234_5678_9ABC);
        Assert.Equal(0x0000_1234_5678_9ABCUL, smmu.ReadRegister64(SmmuRegister.EVENTQ_IRQ_CFG0));
    }

    [Fact]
    public void Undefined_and_secure_offsets_are_raz_wi()
    {
        var smmu = new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { Secure = false });
        // IHI0070 §6.2: undefined page-0 offsets are RES0; no Secure programming interface, so 0x8000+ is RAZ/WI.
        ulong[] offsets = [0x0038, 0x004C, 0x0078, 0x00E0, 0x0FF0, 0x8000, 0x8020, 0x803C, 0x80A0, 0xFFFC, 0x10000, 0x1FFFC];
        foreach (ulong offset in offsets)
        {
            smmu.WriteRegister32(offset, 0xFFFF_FFFF);
            Assert.Equal(0u, smmu.ReadRegister32(offset));
        }

        // Read-only registers ignore writes.
        smmu.WriteRegister32(SmmuRegister.IDR0, 0);
        smmu.WriteRegister32(SmmuRegister.CR0ACK, 0xF);
        smmu.WriteRegister32(SmmuRegister.GERROR, 0x1);
        Assert.Equal(smmu.Features.Idr0, smmu.ReadRegister32(SmmuRegister.IDR0));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.CR0ACK));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.GERROR));
        // Secure writes did not reach the Non-secure registers they shadow.
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.CR0));
    }

    [Fact]
    public void Page0_aliases_of_the_event_and_pri_queue_indexes_reach_the_page1_registers()
    {
        var smmu = NewSmmu();
        // IHI0070 §6.2 (digest 1.1): page-0 0xA8/0xAC/0xC8/0xCC are optional aliases of the page-1 registers.
        smmu.WriteRegister32(SmmuRegister.EVENTQ_PROD_PAGE0, 3);
        smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS_PAGE0, 2);
        smmu.WriteRegister32(SmmuRegister.PRIQ_PROD_PAGE0, 5);
        smmu.WriteRegister32(SmmuRegister.PRIQ_CONS_PAGE0, 4);
        Assert.Equal(3u, smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));
        Assert.Equal(2u, smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS));
        Assert.Equal(5u, smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
        Assert.Equal(4u, smmu.ReadRegister32(SmmuRegister.PRIQ_CONS));
        smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, 7);
        Assert.Equal(7u, smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS_PAGE0));
    }

    [Theory]
    [InlineData(0x2UL, 4)]
    [InlineData(0x21UL, 4)]
    [InlineData(0x84UL, 8)]
    [InlineData(0x20000UL, 4)]
    [InlineData(0x1FFFCUL, 8)]
    [InlineData(ulong.MaxValue, 4)]
    public void Misaligned_or_out_of_range_offsets_are_host_misuse(ulong offset, int width)
    {
        // Host API misuse (common rules): a real bus would never issue these accesses.
        var smmu = NewSmmu();
        if (width == 4)
        {
            Assert.ThrowsAny<ArgumentException>(() => smmu.ReadRegister32(offset));
            Assert.ThrowsAny<ArgumentException>(() => smmu.WriteRegister32(offset, 0));
        }
        else
        {
            Assert.ThrowsAny<ArgumentException>(() => smmu.ReadRegister64(offset));
            Assert.ThrowsAny<ArgumentException>(() => smmu.WriteRegister64(offset, 0));
        }
    }

    [Fact]
    public void Gbpa_changes_only_with_update_and_update_reads_zero_afterwards()
    {
        var smmu = NewSmmu();
        uint reset = smmu.ReadRegister32(SmmuRegister.GBPA);
        Assert.Equal(0u, reset >> 31); // IHI0070 §6.3.14: Update resets to 0

        // §6.3.14.1: a write without Update is IGNORED (the only behaviour permitted from SMMUv3.2).
        smmu.WriteRegister32(SmmuRegister.GBPA, 1u << 20);
        Assert.Equal(reset, smmu.ReadRegister32(SmmuRegister.GBPA));

        // With Update the value is taken; RES0 bits [30:21], [15:14], [7:5] read 0; Update completes at once.
        smmu.WriteRegister32(SmmuRegister.GBPA, 0xFFFF_FFFF);
        Assert.Equal(0x001F_3F1Fu, smmu.ReadRegister32(SmmuRegister.GBPA));
    }

    [Fact]
    public void Gbpa_abort_and_attribute_overrides_apply_while_smmuen_is_zero()
    {
        var smmu = NewSmmu();
        var request = new TranslationRequest(7, 0x1234_5678, AccessKind.Read);

        // IHI0070 §6.3.14: ABORT = 1 aborts every Non-secure transaction while SMMUEN = 0, without an event.
        smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (1u << 20));
        var aborted = smmu.Translate(request);
        Assert.Equal(TranslationOutcome.Faulted, aborted.Outcome);
        Assert.False(aborted.FaultRecorded);

        // ABORT = 0, MTCFG = 1, MemAttr = 0b0001 (Device-nGnRE, STE.MemAttr encoding): bypass with the override.
        smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (1u << 4) | 0x1);
        var device = smmu.Translate(request);
        Assert.Equal(TranslationOutcome.Bypassed, device.Outcome);
        Assert.Equal(0x1234_5678UL, device.PhysicalAddress);
        Assert.Equal(MemoryType.DeviceNGnRE, device.Attributes.Memory.Type);

        // MemAttr 0xF = Normal inner/outer write-back; SHCFG = 0b10 Outer Shareable; PRIVCFG = 0b11 Privileged.
        smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (3u << 16) | (2u << 12) | (1u << 4) | 0xF);
        var normal = smmu.Translate(request);
        Assert.Equal(MemoryType.Normal, normal.Attributes.Memory.Type);
        Assert.Equal(Cacheability.WriteBack, normal.Attributes.Memory.Inner);
        Assert.Equal(Shareability.OuterShareable, normal.Attributes.Memory.Shareability);
        Assert.True(normal.Attributes.Privileged);

        // Once SMMUEN = 1, GBPA no longer applies: an STE decides (here the stream table is empty: C_BAD_STE path).
        smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (1u << 20));
        smmu.WriteRegister32(SmmuRegister.CR0, (uint)Cr0Flags.SMMUEN);
        smmu.WriteRegister32(SmmuRegister.CR0, 0);
        Assert.Equal(TranslationOutcome.Faulted, smmu.Translate(request).Outcome);
        smmu.WriteRegister32(SmmuRegister.GBPA, 1u << 31);
        Assert.Equal(TranslationOutcome.Bypassed, smmu.Translate(request).Outcome);
    }

    [Fact]
    public void Gerror_errors_are_active_while_gerror_and_gerrorn_differ_and_acknowledged_by_toggling()
    {
        var h = new DeviceHarness();
        h.Reset();

        // IHI0070 §7.5: a reserved opcode activates CMDQ_ERR by toggling GERROR[0].
        h.SubmitRaw(new Command(0xFF));
        uint gerror = h.Smmu.ReadRegister32(SmmuRegister.GERROR);
        Assert.Equal(1u, gerror);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GERRORN));

        // Acknowledge by writing GERRORN = GERROR (Linux's idiom); the error is then inactive.
        h.Memory.WriteUInt64(DeviceHarness.CommandQueueBase + ((h.CommandProducer - 1) * 16), Command.Sync(SyncCompletionSignal.None).Dw0);
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, gerror);
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.GERRORN));

        // A second error toggles GERROR back to 0: active again because GERROR != GERRORN.
        h.SubmitRaw(new Command(0xFF));
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.GERRORN));

        // GERRORN bits outside the architected set (bit 1 and [31:9]) read 0.
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, 0xFFFF_FFFF);
        Assert.Equal(0x1FDu, h.Smmu.ReadRegister32(SmmuRegister.GERRORN));
    }
}
