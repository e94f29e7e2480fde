using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Secure;

/// <summary>The Secure programming interface and Secure streams (IHI0070 §3.10, §4.1.6, §6.3 SMMU_S_*).</summary>
public class SecureInterfaceTests
{
    private const uint Sid = 5;
    private const ushort Asid = 7; // the same ASID on both sides: only the security state tells the entries apart
    private const ulong Va = 0x4000_0000;
    private const ulong SecurePa = 0x7_0000_0000;
    private const ulong NonSecurePa = 0x8_0000_0000;

    private static (SecureHarness H, ulong SecureRoot, ulong NsRoot) TwoStreams()
    {
        var h = new SecureHarness();
        ulong sRoot = h.Stage1Stream(secure: true, Sid, Asid);
        ulong nsRoot = h.Stage1Stream(secure: false, Sid, Asid);
        h.Ns.Map4K(sRoot, Va, SecurePa, DeviceHarness.S1ReadWrite);
        h.Ns.Map4K(nsRoot, Va, NonSecurePa, DeviceHarness.S1ReadWrite);
        return (h, sRoot, nsRoot);
    }

    [Fact]
    public void Section_3_10_a_secure_and_a_non_secure_stream_with_one_streamid_and_iova_translate_independently()
    {
        var (h, _, _) = TwoStreams();
        for (int round = 0; round < 2; round++) // the second round hits the TLB and the configuration caches
        {
            var secure = h.Read(secure: true, Sid, Va + 0x123);
            var nonSecure = h.Read(secure: false, Sid, Va + 0x123);
            Assert.Equal(SecurePa + 0x123, secure.PhysicalAddress);
            Assert.False(secure.Attributes.NonSecure); // IHI0070 §3.10.1: a Secure walk with NS = 0 outputs Secure
            Assert.Equal(NonSecurePa + 0x123, nonSecure.PhysicalAddress);
            Assert.True(nonSecure.Attributes.NonSecure);
        }

        Assert.Empty(h.Ns.DrainEvents());
        Assert.Empty(h.DrainSecureEvents());
    }

    [Fact]
    public void Section_3_10_a_non_secure_stream_never_hits_a_secure_entry()
    {
        var (h, _, nsRoot) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess); // Secure entry cached for (SID 5, ASID 7, VA)
        h.Ns.Unmap4K(nsRoot, Va);

        var nonSecure = h.Read(secure: false, Sid, Va);
        Assert.Equal(EventType.FTranslation, nonSecure.Fault);
        Assert.Equal(EventType.FTranslation, Assert.Single(h.Ns.DrainEvents()).Type);
        Assert.Empty(h.DrainSecureEvents()); // the Non-secure fault is not reported to Secure software either
    }

    [Fact]
    public void Section_4_4_non_secure_invalidation_leaves_secure_entries_and_secure_invalidation_leaves_non_secure_ones()
    {
        var (h, sRoot, nsRoot) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess);
        Assert.True(h.Read(secure: false, Sid, Va).IsSuccess);
        h.Ns.Unmap4K(sRoot, Va);
        h.Ns.Unmap4K(nsRoot, Va);

        // Every Non-secure invalidation that could name the entry: NH_ALL (VMID 0), NH_ASID, NH_VA, NSNH_ALL, CFGI_ALL.
        h.Ns.Submit(Command.TlbiNhAll(0), Command.TlbiNhAsid(0, Asid), Command.TlbiNhVa(0, Asid, Va, leaf: false), Command.TlbiNsnhAll(), Command.CfgiAll());
        Assert.Equal(SecurePa, h.Read(secure: true, Sid, Va).PhysicalAddress); // still the cached Secure translation
        Assert.Equal(EventType.FTranslation, h.Read(secure: false, Sid, Va).Fault);

        // And the other way: the Secure side's NH_ALL removes the Secure entry only.
        h.Ns.Map4K(nsRoot, Va, NonSecurePa, DeviceHarness.S1ReadWrite);
        Assert.True(h.Read(secure: false, Sid, Va).IsSuccess);
        h.Ns.Unmap4K(nsRoot, Va);
        h.SubmitSecure(Command.TlbiNhAll(0));
        Assert.False(h.CommandErrorActive);
        Assert.Equal(EventType.FTranslation, h.Read(secure: true, Sid, Va).Fault);
        Assert.Equal(NonSecurePa, h.Read(secure: false, Sid, Va).PhysicalAddress);
    }

    public static TheoryData<byte> SecureOnlyOpcodes => [0x18, 0x1A, 0x50, 0x51, 0x52, 0x53, 0x58, 0x5A, 0x60];

    [Theory]
    [MemberData(nameof(SecureOnlyOpcodes))]
    public void Section_4_1_1_secure_only_commands_on_the_non_secure_queue_are_cerror_ill(byte opcode)
    {
        var (h, _, _) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess);
        h.Ns.SubmitRaw(new Command(opcode));
        uint cons = h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        Assert.Equal((uint)CommandError.Ill, (cons >> 24) & 0x7F);
        Assert.NotEqual(0u, (h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN)) & 1);
        Assert.False(h.CommandErrorActive); // the Secure queue is unaffected
    }

    [Fact]
    public void Section_4_4_2_tlbi_el3_all_on_the_secure_queue_removes_el3_entries_only()
    {
        var h = new SecureHarness();
        ulong el3Root = h.Stage1Stream(secure: true, 1, 0, strw: 0b01); // STRW 0b01: EL3 (IHI0070 §5.2)
        ulong el1Root = h.Stage1Stream(secure: true, 2, Asid);
        h.Ns.Map4K(el3Root, Va, SecurePa, DeviceHarness.S1ReadWrite);
        h.Ns.Map4K(el1Root, Va, SecurePa + 0x1000, DeviceHarness.S1ReadWrite);
        Assert.True(h.Read(secure: true, 1, Va).IsSuccess);
        Assert.True(h.Read(secure: true, 2, Va).IsSuccess);
        h.Ns.Unmap4K(el3Root, Va);
        h.Ns.Unmap4K(el1Root, Va);

        h.SubmitSecure(new Command { Opcode = CommandOpcode.TlbiEl3All });
        Assert.False(h.CommandErrorActive);
        Assert.Equal(EventType.FTranslation, h.Read(secure: true, 1, Va).Fault);
        Assert.Equal(SecurePa + 0x1000, h.Read(secure: true, 2, Va).PhysicalAddress);
    }

    [Fact]
    public void Section_4_1_6_ssec_names_the_stream_table_a_secure_queue_cfgi_invalidates()
    {
        var (h, _, _) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess);
        Assert.True(h.Read(secure: false, Sid, Va).IsSuccess);
        h.SetSecureSte(Sid, StreamTableEntry.BypassEntry);
        h.Ns.SetSte(Sid, StreamTableEntry.BypassEntry);

        // SSec = 0 on the Secure queue: the Non-secure STE of the StreamID.
        h.SubmitSecure(Command.CfgiSte(Sid, leaf: true));
        Assert.Equal(TranslationOutcome.Bypassed, h.Read(secure: false, Sid, Va).Outcome);
        Assert.Equal(TranslationOutcome.Translated, h.Read(secure: true, Sid, Va).Outcome);

        // SSec = 1: the Secure one.
        h.SubmitSecure(Command.CfgiSte(Sid, leaf: true) with { SSec = true });
        Assert.False(h.CommandErrorActive);
        Assert.Equal(TranslationOutcome.Bypassed, h.Read(secure: true, Sid, Va).Outcome);
    }

    [Fact]
    public void Section_4_1_6_ssec_1_on_the_non_secure_queue_is_cerror_ill_and_invalidates_nothing()
    {
        var (h, _, _) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess);
        h.SetSecureSte(Sid, StreamTableEntry.BypassEntry);
        h.Ns.SubmitRaw(Command.CfgiSte(Sid, leaf: true) with { SSec = true });
        Assert.Equal(CommandError.Ill, h.Ns.CommandQueueError);
        Assert.Equal(TranslationOutcome.Translated, h.Read(secure: true, Sid, Va).Outcome);
    }

    [Fact]
    public void Section_6_3_s_init_inv_all_invalidates_every_cache_of_both_sides()
    {
        var (h, sRoot, nsRoot) = TwoStreams();
        Assert.True(h.Read(secure: true, Sid, Va).IsSuccess);
        Assert.True(h.Read(secure: false, Sid, Va).IsSuccess);
        h.Ns.Unmap4K(sRoot, Va);
        h.Ns.Unmap4K(nsRoot, Va);

        h.Smmu.WriteRegister32(SecureHarness.SInit, 1);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SecureHarness.SInit)); // INV_ALL reads 0 once complete
        Assert.Equal(EventType.FTranslation, h.Read(secure: true, Sid, Va).Fault);
        Assert.Equal(EventType.FTranslation, h.Read(secure: false, Sid, Va).Fault);
    }

    [Fact]
    public void Section_7_the_secure_event_queue_records_secure_faults_and_raises_the_secure_line()
    {
        var (h, _, _) = TwoStreams();
        var result = h.Read(secure: true, Sid, Va + 0x10_0000); // unmapped
        Assert.Equal(EventType.FTranslation, result.Fault);

        var record = Assert.Single(h.DrainSecureEvents());
        Assert.Equal(EventType.FTranslation, record.Type);
        Assert.Equal(Sid, record.StreamId);
        Assert.Equal(Va + 0x10_0000, record.InputAddress);
        Assert.Empty(h.Ns.DrainEvents());
        Assert.Contains(SmmuInterrupt.EventQueue, h.SecureInterrupts);
    }

    [Fact]
    public void Section_5_2_a_secure_ste_enabling_stage_2_is_c_bad_ste_on_the_secure_event_queue()
    {
        var h = new SecureHarness();
        h.SetSecureSte(Sid, DeviceHarness.Stage2Ste(h.Ns.NewTable(), 1)); // S_IDR1.SEL2 = 0: no Secure stage 2
        Assert.Equal(EventType.CBadSte, h.Read(secure: true, Sid, Va).Fault);
        Assert.Equal(EventType.CBadSte, Assert.Single(h.DrainSecureEvents()).Type);
    }

    [Fact]
    public void Section_5_4_nscfg0_nstable_and_ns_choose_the_output_pa_space()
    {
        var h = new SecureHarness();

        // CD.NSCFG0 = 1: the walk starts Non-secure, so the output is Non-secure whatever the leaf's NS says.
        ulong root = h.Stage1Stream(secure: true, 1, Asid, cd => cd with { NSCFG0 = true });
        h.Ns.Map4K(root, Va, SecurePa, DeviceHarness.S1ReadWrite);
        Assert.True(h.Read(secure: true, 1, Va).Attributes.NonSecure);

        // NSTable = 1 in the level-0 table descriptor: every level below is Non-secure.
        root = h.Stage1Stream(secure: true, 2, Asid);
        h.Ns.Map4K(root, Va, SecurePa, DeviceHarness.S1ReadWrite);
        ulong l0 = root + (((Va >> 39) & 0x1FF) * 8);
        h.Memory.WriteUInt64(l0, h.Memory.ReadUInt64(l0) | (1UL << 63));
        Assert.True(h.Read(secure: true, 2, Va).Attributes.NonSecure);

        // NS = 1 in the page descriptor.
        root = h.Stage1Stream(secure: true, 3, Asid);
        h.Ns.Map4K(root, Va, SecurePa, DeviceHarness.S1ReadWrite | (1UL << 5));
        h.Ns.Map4K(root, Va + 0x1000, SecurePa, DeviceHarness.S1ReadWrite);
        Assert.True(h.Read(secure: true, 3, Va).Attributes.NonSecure);
        Assert.False(h.Read(secure: true, 3, Va + 0x1000).Attributes.NonSecure);

        // In a Non-secure walk NS and NSTable are ignored: the output is Non-secure anyway, and translation succeeds.
        root = h.Stage1Stream(secure: false, 3, Asid);
        h.Ns.Map4K(root, Va, NonSecurePa, DeviceHarness.S1ReadWrite | (1UL << 5));
        Assert.Equal(NonSecurePa, h.Read(secure: false, 3, Va).PhysicalAddress);
    }

    [Fact]
    public void Section_3_17_1_a_secure_translation_from_non_secure_memory_is_non_global()
    {
        var h = new SecureHarness();
        const ulong global = DeviceHarness.S1ReadWrite & ~(1UL << 11); // nG = 0

        // Stream 1 walks Non-secure memory (CD.NSCFG0 = 1) and ends on an nG = 0 page: still a non-global entry.
        ulong fromNonSecure = h.Stage1Stream(secure: true, 1, 1, cd => cd with { NSCFG0 = true });
        h.Ns.Map4K(fromNonSecure, Va, NonSecurePa, global);
        Assert.Equal(NonSecurePa, h.Read(secure: true, 1, Va).PhysicalAddress);

        // Stream 2 (ASID 2, same Secure world and VMID) must walk its own table rather than hit stream 1's entry.
        ulong own = h.Stage1Stream(secure: true, 2, 2);
        h.Ns.Map4K(own, Va, SecurePa, global);
        Assert.Equal(SecurePa, h.Read(secure: true, 2, Va).PhysicalAddress);

        // A Secure-table nG = 0 page is global: stream 3 (ASID 3), mapping Va elsewhere, hits stream 2's entry.
        ulong other = h.Stage1Stream(secure: true, 3, 3);
        h.Ns.Map4K(other, Va, SecurePa + 0x10_0000, global);
        Assert.Equal(SecurePa, h.Read(secure: true, 3, Va).PhysicalAddress);
    }

    [Theory]
    [InlineData(0b00u, false)] // use incoming: Secure
    [InlineData(0b10u, false)]
    [InlineData(0b11u, true)]
    public void Section_5_2_nscfg_of_a_secure_bypass_ste_chooses_the_output_pa_space(uint nscfg, bool nonSecure)
    {
        var h = new SecureHarness();
        h.SetSecureSte(Sid, StreamTableEntry.BypassEntry with { NSCFG = nscfg });
        var result = h.Read(secure: true, Sid, Va);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(nonSecure, result.Attributes.NonSecure);
    }

    [Fact]
    public void Section_6_3_14_s_gbpa_decides_secure_traffic_while_s_cr0_smmuen_is_0()
    {
        var h = new SecureHarness();
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xC); // Secure SMMUEN off, queues on
        Assert.Equal(0xCu, h.Smmu.ReadRegister32(SecureHarness.SCr0Ack));

        h.Smmu.WriteRegister32(SecureHarness.SGbpa, (1u << 31) | (1u << 20)); // Update, ABORT
        Assert.Equal(TranslationOutcome.Faulted, h.Read(secure: true, Sid, Va).Outcome);
        Assert.Empty(h.DrainSecureEvents()); // GBPA aborts record nothing

        h.Smmu.WriteRegister32(SecureHarness.SGbpa, (1u << 31) | (0b11u << 14)); // bypass, NSCFG Non-secure
        Assert.Equal(1u << 14 | 1u << 15, h.Smmu.ReadRegister32(SecureHarness.SGbpa));
        var bypassed = h.Read(secure: true, Sid, Va);
        Assert.Equal(TranslationOutcome.Bypassed, bypassed.Outcome);
        Assert.True(bypassed.Attributes.NonSecure);

        // Non-secure traffic still translates through the (enabled) Non-secure side; GBPA has no NSCFG (RES0).
        Assert.Equal(TranslationOutcome.Faulted, h.Read(secure: false, Sid, Va).Outcome); // NS STE: abort
        h.Smmu.WriteRegister32(SmmuRegister.GBPA, (1u << 31) | (0b11u << 14));
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GBPA) & 0xC000);
    }

    [Fact]
    public void Section_6_3_secure_registers_reset_values()
    {
        var smmu = new SmmuV3(new SparseMemory());
        // IHI0070 §6.3.46: SECURE_IMPL [31], SEL2 [29] = 0, S_SIDSIZE [5:0] = 16 (the default SIDSIZE).
        Assert.Equal((1u << 31) | 16u, smmu.ReadRegister32(SecureHarness.SIdr1));
        // §6.3.45: STALL_MODEL [25:24] = 0b00 (stall and terminate), MSI [13].
        Assert.Equal(1u << 13, smmu.ReadRegister32(SecureHarness.SIdr0));
        foreach (ulong offset in new ulong[] { SecureHarness.SCr0, SecureHarness.SCr0Ack, SecureHarness.SIrqCtrl, SecureHarness.SGerror, SecureHarness.SGerrorN, SecureHarness.SCmdqProd, SecureHarness.SCmdqCons, SecureHarness.SEventqProd, SecureHarness.SEventqCons, SecureHarness.SInit })
        {
            Assert.Equal(0u, smmu.ReadRegister32(offset));
        }

        Assert.Equal(0UL, smmu.ReadRegister64(SecureHarness.SStrtabBase));
        Assert.Equal(smmu.ReadRegister32(SmmuRegister.GBPA), smmu.ReadRegister32(SecureHarness.SGbpa)); // same IMPLEMENTATION DEFINED reset

        // S_CR0 takes only the Secure enables: no ATSCHK, PRIQEN or VMW on the Secure side.
        smmu.WriteRegister32(SecureHarness.SCr0, 0x1FF);
        Assert.Equal(0xDu, smmu.ReadRegister32(SecureHarness.SCr0Ack));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.CR0)); // the Non-secure side is untouched
    }

    [Fact]
    public void Section_6_2_undefined_offsets_of_the_secure_page_are_raz_wi()
    {
        var smmu = new SmmuV3(new SparseMemory());
        // S_STATUSR-like and PRI-queue twins (no Secure PRI queue), S_GATOS_CTRL (RUN reads 0: an operation completes
        // within the write), past S_GATOS_PAR (no Secure VATOS or ECMDQ), the rest of the page.
        foreach (ulong offset in new ulong[] { 0x8040, 0x8048, 0x80C0, 0x80C8, 0x8100, 0x8120, 0x8180, 0x8FFC })
        {
            smmu.WriteRegister32(offset, 0xFFFF_FFFF);
            Assert.Equal(0u, smmu.ReadRegister32(offset));
        }

        smmu.WriteRegister32(SecureHarness.SIdr1, 0); // read-only
        Assert.Equal(smmu.Features.SIdr1, smmu.ReadRegister32(SecureHarness.SIdr1));
    }

    [Fact]
    public void Section_3_10_without_a_secure_side_the_page_reads_as_zero_and_secure_streams_are_f_uut()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { Secure = false });
        h.Reset();
        h.Smmu.WriteRegister32(SecureHarness.SCr0, 0xD);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SecureHarness.SCr0));
        Assert.Equal(0u, h.Smmu.ReadRegister32(SecureHarness.SIdr1));
        Assert.Equal(EventType.FUut, h.Smmu.Translate(new TranslationRequest(3, Va, AccessKind.Read, Secure: true)).Fault);
    }
}
