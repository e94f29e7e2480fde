using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>ATS Translation Requests and their Translation Completions (IHI0070 §3.9.1.2, §13.6, §13.7).</summary>
public class AtsTranslationRequestTests
{
    [Fact]
    public void A_mapped_page_completes_with_its_pa_size_and_permissions()
    {
        var a = new AtsHarness();
        var c = a.Request(AtsHarness.ReadWriteVa + 0x123, AccessKind.Write);

        // IHI0070 §3.9.1: Success with the PA of the 4 KiB page, R and W granted, U and Global 0.
        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.Equal(AtsHarness.ReadWritePa, c.TranslatedAddress);
        Assert.Equal(12, c.SizeShift);
        Assert.True(c.Read);
        Assert.True(c.Write);
        Assert.False(c.UntranslatedOnly);
        Assert.False(c.Global);
        Assert.Equal(AtsHarness.ReadWritePa + 0x123, c.Translate(AtsHarness.ReadWriteVa + 0x123));
    }

    [Fact]
    public void A_read_only_page_grants_read_but_not_write_and_records_nothing()
    {
        var a = new AtsHarness();
        var c = a.Request(AtsHarness.ReadOnlyVa, AccessKind.Write);

        // IHI0070 §13.7 table: NW = 0 to a read-only page: R = 1, W = 0; a Translation Request records no fault.
        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.True(c.Read);
        Assert.False(c.Write);
        Assert.Equal(AtsHarness.ReadOnlyPa, c.TranslatedAddress);
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void An_unmapped_page_is_success_with_no_permissions_the_size_of_the_stu()
    {
        var a = new AtsHarness();
        var c = a.Request(AtsHarness.UnmappedVa + 0x40, AccessKind.Read);

        // IHI0070 §3.9.1.2: a Translation fault is Success, R = W = 0, translation size = STU (4 KiB, IDR5.GRAN4K).
        Assert.True(c.GrantsNothing);
        Assert.Equal(12, c.SizeShift);
        Assert.Equal(AtsHarness.UnmappedVa, c.TranslatedAddress);
        Assert.Empty(a.H.DrainEvents());

        // The same address as an ordinary transaction is a recorded F_TRANSLATION: only ATS is silent.
        Assert.Equal(EventType.FTranslation, a.H.Read(AtsHarness.Sid, AtsHarness.UnmappedVa).Fault);
    }

    [Fact]
    public void With_a_pasid_execute_and_privilege_are_requested_and_echoed()
    {
        var a = new AtsHarness();

        // IHI0070 §13.7: EL0 read/write, UXN = 0 page: an unprivileged Exe request is granted R, W and Exe.
        var user = a.Request(AtsHarness.PasidVa, AccessKind.Execute, pasid: 1);
        Assert.True(user.Read && user.Write && user.Execute);
        Assert.False(user.Privileged);
        Assert.Equal(AtsHarness.PasidPa, user.TranslatedAddress);

        // Privileged: an EL0-writable page is implicitly PXN (DDI0487 D8.4.1.2.3), so no Exe; Priv echoes the request.
        var priv = a.Request(AtsHarness.PasidVa, AccessKind.Execute, pasid: 1, privileged: true);
        Assert.True(priv.Read);
        Assert.False(priv.Execute);
        Assert.True(priv.Privileged);
    }

    [Fact]
    public void Without_a_pasid_execute_and_privilege_are_not_granted()
    {
        var a = new AtsHarness();

        // IHI0070 §13.7: a request without a PASID is Data, Unprivileged; the completion's Exe and Priv are 0.
        var c = a.Request(AtsHarness.ReadWriteVa, AccessKind.Execute, privileged: true);
        Assert.True(c.Read);
        Assert.False(c.Execute);
        Assert.False(c.Privileged);
    }

    [Fact]
    public void Eats_zero_is_unsupported_request_with_f_bad_ats_treq()
    {
        var a = new AtsHarness(eats: AtsEnable.Disabled);
        var c = a.Request(AtsHarness.ReadWriteVa + 0x10, AccessKind.Read);

        // IHI0070 §3.9.1.2, §7.3.6: UR and F_BAD_ATS_TREQ with the StreamID and the input address.
        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, c.Status);
        var e = Assert.Single(a.H.DrainEvents());
        Assert.Equal(EventType.FBadAtsTreq, e.Type);
        Assert.Equal(AtsHarness.Sid, e.StreamId);
        Assert.Equal(AtsHarness.ReadWriteVa + 0x10, e.InputAddress);

        // An ordinary transaction on the same stream still translates.
        Assert.True(a.H.Read(AtsHarness.Sid, AtsHarness.ReadWriteVa).IsSuccess);
    }

    [Fact]
    public void Smmuen_zero_is_unsupported_request_with_f_bad_ats_treq()
    {
        var a = new AtsHarness();
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xC, SmmuRegister.CR0ACK);
        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, a.Request(AtsHarness.ReadWriteVa, AccessKind.Read).Status);
        Assert.Equal(EventType.FBadAtsTreq, Assert.Single(a.H.DrainEvents()).Type);
    }

    [Fact]
    public void Bypass_ste_is_ur_with_an_event_and_abort_ste_is_ur_without()
    {
        var a = new AtsHarness();

        // IHI0070 §3.9.1.2 table: Config 0b100 -> UR + F_BAD_ATS_TREQ (EATS effectively 0b00, IGNORED, §5.2).
        a.H.SetSte(0x11, StreamTableEntry.BypassEntry with { EATS = AtsEnable.Full });
        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, a.Request(0x1000, AccessKind.Read, sid: 0x11).Status);
        Assert.Equal(EventType.FBadAtsTreq, Assert.Single(a.H.DrainEvents()).Type);

        // Config 0b000 -> UR, no event.
        a.H.SetSte(0x12, StreamTableEntry.Abort with { EATS = AtsEnable.Full });
        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, a.Request(0x1000, AccessKind.Read, sid: 0x12).Status);
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void A_configuration_error_is_completer_abort_recorded_only_with_rec_cfg_ats()
    {
        // IHI0070 §3.9.1.2: C_BAD_STE -> CA; the event only when CR2.REC_CFG_ATS = 1 (IDR0.ATSRECERR).
        var a = new AtsHarness(SmmuFeatures.Default with { AtsRecordErrors = true });
        a.H.SetSte(0x13, StreamTableEntry.Abort with { V = false });
        var c = a.Request(0x1000, AccessKind.Read, sid: 0x13);
        Assert.Equal(AtsCompletionStatus.CompleterAbort, c.Status);
        Assert.Empty(a.H.DrainEvents());

        a.H.SetCr2(0x6 | 0x8); // RECINVSID, PTM, REC_CFG_ATS
        c = a.Request(0x1000, AccessKind.Read, sid: 0x13);
        Assert.Equal(AtsCompletionStatus.CompleterAbort, c.Status);
        Assert.Equal(EventType.CBadSte, c.Event);
        Assert.Equal(EventType.CBadSte, Assert.Single(a.H.DrainEvents()).Type);
    }

    [Fact]
    public void Rec_cfg_ats_is_res0_without_atsrecerr()
    {
        // IHI0070 §6.3.12: REC_CFG_ATS (bit 3) is RES0 unless IDR0.ATSRECERR.
        var without = new AtsHarness();
        without.H.SetCr2(0x2 | 0x8);
        Assert.Equal(0x2u, without.Smmu.ReadRegister32(SmmuRegister.CR2));

        var with = new AtsHarness(SmmuFeatures.Default with { AtsRecordErrors = true });
        with.H.SetCr2(0x2 | 0x8);
        Assert.Equal(0xAu, with.Smmu.ReadRegister32(SmmuRegister.CR2));
    }

    [Fact]
    public void A_bad_substream_is_completer_abort()
    {
        var a = new AtsHarness();

        // IHI0070 §3.9.1.2: C_BAD_SUBSTREAMID (SubstreamID 2 >= 2^S1CDMax) -> CA, not recorded.
        Assert.Equal(AtsCompletionStatus.CompleterAbort, a.Request(AtsHarness.PasidVa, AccessKind.Read, pasid: 2).Status);
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void Stage_one_skipped_by_s1dss_is_an_identity_completion()
    {
        var a = new AtsHarness();
        a.H.SetSte(AtsHarness.Sid, a.Ste with { S1DSS = DefaultSubstream.Bypass });

        // IHI0070 §13.6.4: S1DSS = 0b01, no stage 2: Success, R = W = 1, identity, as large as the OAS (48 bits).
        var c = a.Request(0x1234_5000, AccessKind.Write);
        Assert.True(c.Read && c.Write);
        Assert.Equal(48, c.SizeShift);
        Assert.Equal(0x1234_5000UL, c.Translate(0x1234_5000));
    }

    [Fact]
    public void Translate_with_the_request_kind_answers_as_a_transaction_result()
    {
        var a = new AtsHarness();
        var ok = a.Smmu.Translate(new TranslationRequest(AtsHarness.Sid, AtsHarness.ReadWriteVa + 8, AccessKind.Read, Kind: TransactionKind.AtsTranslationRequest));
        Assert.Equal(TranslationOutcome.Translated, ok.Outcome);
        Assert.Equal(AtsHarness.ReadWritePa + 8, ok.PhysicalAddress);

        var denied = a.Smmu.Translate(new TranslationRequest(AtsHarness.Sid, AtsHarness.ReadOnlyVa, AccessKind.Write, Kind: TransactionKind.AtsTranslationRequest));
        Assert.Equal(TranslationOutcome.Faulted, denied.Outcome);
        Assert.False(denied.FaultRecorded);
    }
}
