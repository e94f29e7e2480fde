using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>
/// What an ATS Translation Completion grants and when there is none (IHI0070 §3.9.1, §5.2 EATS and INSTCFG,
/// §13.7.1), and the ATS port's connection of several functions to one StreamID.
/// </summary>
public class AtsCompletionRulesTests
{
    private const ulong NoExecVa = AtsHarness.PasidVa + 0x10000;
    private const ulong NoExecPa = 0x9001_0000;
    private const ulong Uxn = 1UL << 54; // stage-1 leaf UXN (DDI0487 D8.3)

    // CD 1 (PASID 1) maps an EL0 read/write page with UXN = 1 next to the executable PasidVa; STE.INSTCFG as given.
    private static AtsHarness WithInstCfg(uint instCfg)
    {
        var a = new AtsHarness();
        a.H.Map4K(a.Root1, NoExecVa, NoExecPa, DeviceHarness.S1ReadWrite | Uxn);
        a.H.SetSte(AtsHarness.Sid, a.Ste with { INSTCFG = instCfg });
        return a;
    }

    // IHI0070 §13.7.1, INSTCFG 0b00 (use incoming): an unprivileged Exe request to a UXN page gets R and W, not Exe.
    [Fact]
    public void Section_13_7_1_instcfg_incoming_grants_no_exe_on_a_uxn_page()
    {
        var c = WithInstCfg(0).Request(NoExecVa, AccessKind.Execute, pasid: 1);

        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.True(c.Read);
        Assert.True(c.Write);
        Assert.False(c.Execute);
        Assert.Equal(NoExecPa, c.TranslatedAddress);
    }

    // INSTCFG 0b10 (Data): every access is data, so whatever is readable may also be executed, UXN or not.
    [Fact]
    public void Section_13_7_1_instcfg_data_grants_exe_wherever_read_is_granted()
    {
        var a = WithInstCfg(2);
        var c = a.Request(NoExecVa, AccessKind.Execute, pasid: 1);
        Assert.True(c.Read);
        Assert.True(c.Execute);

        // Exe is granted only to an Exe request.
        var read = a.Request(NoExecVa, AccessKind.Read, pasid: 1);
        Assert.True(read.Read);
        Assert.False(read.Execute);
    }

    // INSTCFG 0b11 (Instruction): every read is an instruction fetch, so a UXN page grants neither R nor Exe.
    [Fact]
    public void Section_13_7_1_instcfg_instruction_makes_read_follow_execute_permission()
    {
        var a = WithInstCfg(3);
        var noExec = a.Request(NoExecVa, AccessKind.Execute, pasid: 1);
        Assert.Equal(AtsCompletionStatus.Success, noExec.Status);
        Assert.False(noExec.Read);
        Assert.False(noExec.Execute);
        Assert.True(noExec.Write);

        var exec = a.Request(AtsHarness.PasidVa, AccessKind.Execute, pasid: 1);
        Assert.True(exec.Read);
        Assert.True(exec.Execute);
        Assert.Equal(AtsHarness.PasidPa, exec.TranslatedAddress);
    }

    // IHI0070 §5.2: EATS 0b11 (DPT) behaves as 0b00 without IDR3.DPT: UR and F_BAD_ATS_TREQ (§3.9.1.2, §7.3.6).
    [Fact]
    public void Section_5_2_eats_dpt_without_idr3_dpt_is_unsupported_request_with_f_bad_ats_treq()
    {
        var a = new AtsHarness(eats: AtsEnable.FullWithDpt);
        var c = a.Request(AtsHarness.ReadWriteVa + 0x20, AccessKind.Read);

        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, c.Status);
        Assert.Equal(EventType.FBadAtsTreq, c.Event);
        var e = Assert.Single(a.H.DrainEvents());
        Assert.Equal(EventType.FBadAtsTreq, e.Type);
        Assert.Equal(AtsHarness.Sid, e.StreamId);
        Assert.Equal(AtsHarness.ReadWriteVa + 0x20, e.InputAddress);
    }

    // IHI0070 §3.9.1: Secure streams have no ATS; the request is UR and nothing reaches the Non-secure event queue.
    [Fact]
    public void Section_3_9_1_a_secure_translation_request_is_unsupported_request_without_an_event()
    {
        var a = new AtsHarness();
        var c = a.Smmu.RequestAtsTranslation(new TranslationRequest(AtsHarness.Sid, AtsHarness.ReadWriteVa, AccessKind.Read, Secure: true));

        Assert.Equal(AtsCompletionStatus.UnsupportedRequest, c.Status);
        Assert.Equal(EventType.None, c.Event);
        Assert.False(c.Permits(AccessKind.Read));
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void Without_idr0_ats_there_is_no_ats_port_and_a_pasid_has_20_bits()
    {
        var noAts = new DeviceHarness(SmmuFeatures.Default with { Ats = false, Pri = false });
        Assert.Throws<InvalidOperationException>(() => noAts.Smmu.RequestAtsTranslation(new TranslationRequest(1, 0, AccessKind.Read)));

        var a = new AtsHarness();
        Assert.Throws<ArgumentOutOfRangeException>(() => a.Request(AtsHarness.PasidVa, AccessKind.Read, pasid: 1u << 20));
        Assert.Equal(AtsCompletionStatus.Success, a.Request(AtsHarness.PasidVa, AccessKind.Read, pasid: 1).Status);
    }

    // IHI0070 §3.9.1.3: CMD_ATC_INV reaches every function connected with the StreamID, and only those still connected.
    [Fact]
    public void Section_3_9_1_3_atc_inv_reaches_the_functions_still_connected_to_the_streamid()
    {
        var a = new AtsHarness();
        var options = AtsEndpointOptions.Default with { PageRequests = false };
        var first = new AtsEndpoint(a.Smmu, AtsHarness.Sid, options);
        using var second = new AtsEndpoint(a.Smmu, AtsHarness.Sid, options);
        Assert.True(first.Translate(AtsHarness.ReadWriteVa, AccessKind.Read).IsSuccess);
        Assert.True(second.Translate(AtsHarness.ReadWriteVa, AccessKind.Read).IsSuccess);

        first.Dispose();
        first.Dispose(); // a second Dispose does nothing
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, AtsHarness.ReadWriteVa, size: 0, global: false));

        Assert.Equal(0, first.Statistics.InvalidationsReceived);
        Assert.Equal(1, first.AtcCount);
        Assert.Equal(1, second.Statistics.InvalidationsReceived);
        Assert.Equal(0, second.AtcCount);
    }

    // IHI0070 §3.9.1.2: an external abort on the table walk is Completer Abort with F_WALK_EABT, recorded with
    // CR2.REC_CFG_ATS = 1, its fetch address that of the aborting table.
    [Fact]
    public void Section_3_9_1_2_a_walk_external_abort_is_completer_abort_with_f_walk_eabt()
    {
        var a = new AtsHarness(SmmuFeatures.Default with { AtsRecordErrors = true });
        a.H.SetCr2(0x6 | 0x8); // RECINVSID, PTM, REC_CFG_ATS
        a.H.Memory.AddAbortRange(a.Root0, 0x1000);

        var c = a.Request(AtsHarness.ReadWriteVa, AccessKind.Read);

        Assert.Equal(AtsCompletionStatus.CompleterAbort, c.Status);
        Assert.Equal(EventType.FWalkEabt, c.Event);
        var e = Assert.Single(a.H.DrainEvents());
        Assert.Equal(EventType.FWalkEabt, e.Type);
        Assert.Equal(AtsHarness.Sid, e.StreamId);
        Assert.Equal(a.Root0, e.FetchAddress);
    }

    // IHI0070 §3.9.1.1, §6.3.9: with CR0.ATSCHK = 1 an ATS Translated transaction of a StreamID whose STE is invalid
    // is aborted as C_BAD_STE, recorded only with CR2.REC_CFG_ATS = 1.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Section_3_9_1_1_a_translated_transaction_with_an_invalid_ste_under_atschk_is_c_bad_ste(bool recordConfigErrors)
    {
        const uint BadSid = 0x13;
        var a = new AtsHarness(SmmuFeatures.Default with { AtsRecordErrors = true });
        a.H.SetSte(BadSid, StreamTableEntry.Abort with { V = false });
        if (recordConfigErrors)
        {
            a.H.SetCr2(0x6 | 0x8);
        }

        a.SetAtsCheck(true);

        var result = a.Translated(0x8000_0000, sid: BadSid);

        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.Equal(EventType.CBadSte, result.Fault);
        Assert.Equal(recordConfigErrors, result.FaultRecorded);
        var events = a.H.DrainEvents();
        if (recordConfigErrors)
        {
            var e = Assert.Single(events);
            Assert.Equal(EventType.CBadSte, e.Type);
            Assert.Equal(BadSid, e.StreamId);
        }
        else
        {
            Assert.Empty(events);
        }
    }
}
