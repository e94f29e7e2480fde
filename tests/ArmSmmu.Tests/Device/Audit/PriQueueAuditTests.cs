using ArmSmmu.Structures;
using ArmSmmu.Tests.Device.Ats;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of IHI0070 §8.1 (PRI queue overflow): what is written, what is answered automatically, and what is
/// recorded while the queue is full or its overflow is unacknowledged.
/// </summary>
public class PriQueueAuditTests
{
    private const ulong PriQueueBase = PriQueueTests.PriQueueBase; // where PriResponseTests.WithPriQueue puts the queue
    private const uint OtherSid = 0x11;

    // A full 4-entry PRI queue (PriResponseTests' set-up), CR2 as given (RECINVSID | PTM by default).
    private static AtsHarness Overflowing(out RecordingEndpoint endpoint, uint cr2 = 0x6, SmmuFeatures? features = null)
    {
        var a = PriResponseTests.WithPriQueue(out endpoint, features: features);
        a.H.SetCr2(cr2);
        foreach (uint sid in new[] { OtherSid, 0x1000u })
        {
            a.Smmu.ConnectEndpoint(sid, endpoint);
        }

        for (uint i = 0; i < 4; i++)
        {
            Assert.True(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, i, last: false)));
        }

        a.H.DrainEvents();
        return a;
    }

    private static PriQueueEntry Request(uint sid, uint prg, bool last = true, uint? pasid = 5) => PriResponseTests.Request(prg, last, pasid, sid);

    [Fact]
    public void Section_8_1_the_last_request_that_causes_the_overflow_is_answered_too()
    {
        // §8.1: "An automatic PRG Response is generated for Page Request messages having Last == 1, including the
        // PRGI of the PPR that caused the overflow condition to become active."
        var a = Overflowing(out var endpoint);
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 9)));
        Assert.Equal([new PageRequestGroupResponse(AtsHarness.Sid, null, 9, PriResponseCode.Success, Automatic: true)], endpoint.Responses);
        Assert.Equal(4u | SmmuQueue.OverflowFlag, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
    }

    [Fact]
    public void Section_8_1_stop_markers_and_last_0_requests_in_overflow_get_no_response()
    {
        // §8.1: "PPRs having Last == 0 are silently ignored"; "Stop PASID markers that arrive in an overflow condition
        // are discarded and no auto-response is generated." A Stop marker has a PASID and LWR = 0b100 (§8).
        var a = Overflowing(out var endpoint);
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 7, last: false)));
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 8) with { Read = false }));
        Assert.Empty(endpoint.Responses);

        // Without a PASID, LWR = 0b100 is not a Stop marker but a Page Request: answered.
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 8, pasid: null) with { Read = false }));
        Assert.Equal([new PageRequestGroupResponse(AtsHarness.Sid, null, 8, PriResponseCode.Success, Automatic: true)], endpoint.Responses);
    }

    [Theory]
    [InlineData(OtherSid)] // STE V = 0: C_BAD_STE
    [InlineData(0x1000u)]  // beyond the Stream table: C_BAD_STREAMID
    public void Section_8_1_a_ste_that_cannot_be_checked_answers_failure_without_a_pasid(uint sid)
    {
        // §8.1 (IDR3.PPS = 0): "If the associated STE is inaccessible or invalid, such that STE.PPAR cannot be
        // checked, no PASID is used and the ResponseCode is Failure (0b1111)."
        var a = Overflowing(out var endpoint);
        a.H.SetSte(OtherSid, default);
        Assert.False(a.Smmu.SubmitPageRequest(Request(sid, 3)));
        Assert.Equal([new PageRequestGroupResponse(sid, null, 3, PriResponseCode.Failure, Automatic: true)], endpoint.Responses);

        // No PASID on the request: Success, STE.PPAR not involved.
        Assert.False(a.Smmu.SubmitPageRequest(Request(sid, 4, pasid: null)));
        Assert.Equal(PriResponseCode.Success, endpoint.Responses[^1].Response);
    }

    [Theory]
    [InlineData(0x6u, OtherSid, false)]         // REC_CFG_ATS = 0: no event
    [InlineData(0xEu, OtherSid, true)]          // REC_CFG_ATS = 1: C_BAD_STE recorded
    [InlineData(0xCu, 0x1000u, false)]          // C_BAD_STREAMID needs RECINVSID as well
    [InlineData(0xEu, 0x1000u, true)]
    public void Section_8_1_an_error_checking_ppar_is_recorded_only_with_rec_cfg_ats(uint cr2, uint sid, bool recorded)
    {
        // §8.1: "If SMMU_CR2.RECINVSID == 1 and SMMU_CR2.REC_CFG_ATS == 1, and the SMMU encounters C_BAD_STREAMID
        // while attempting to check STE.PPAR, the event is recorded [...] If SMMU_CR2.REC_CFG_ATS == 1, and the SMMU
        // encounters [...] C_BAD_STE [...], the event is recorded in the Event queue. Otherwise, no event is recorded."
        var a = Overflowing(out _, cr2, SmmuFeatures.Default with { AtsRecordErrors = true });
        a.H.SetSte(OtherSid, default);
        Assert.False(a.Smmu.SubmitPageRequest(Request(sid, 3)));

        var expected = sid == OtherSid ? EventType.CBadSte : EventType.CBadStreamId;
        var events = a.H.DrainEvents();
        Assert.Equal(recorded ? [expected] : [], events.Select(static e => e.Type));
        if (recorded)
        {
            Assert.Equal((sid, true, 5u), (events[0].StreamId, events[0].SSV, events[0].SubstreamId));
        }
    }

    [Fact]
    public void Section_8_1_a_disabled_queue_never_enters_overflow()
    {
        // §8.1: overflow needs "the effective value of SMMU_CR0.PRIQEN == 1"; §8.2 answers the request instead.
        var a = Overflowing(out var endpoint);
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK); // PRIQEN = 0
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 6)));
        Assert.Equal(4u, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
        Assert.Equal([new PageRequestGroupResponse(AtsHarness.Sid, null, 6, PriResponseCode.Failure, Automatic: true)], endpoint.Responses);
    }

    [Fact]
    public void Section_8_2_a_synchronous_abort_writing_an_entry_answers_failure_and_priq_abt_err_stops_the_queue()
    {
        // §8.2: a synchronous external abort on the write gives "an automatic PRG Response with ResponseCode ==
        // 0b1111" and activates GERROR.PRIQ_ABT_ERR; while it is active no entries are written and every PPR (Last
        // or not) gets Response Failure without a PASID.
        var a = PriResponseTests.WithPriQueue(out var endpoint);
        a.H.Memory.AddAbortRange(PriQueueBase, 16);

        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 1, last: false)));
        Assert.Equal((uint)GerrorFlags.PRIQ_ABT_ERR, a.Smmu.ReadRegister32(SmmuRegister.GERROR) & (uint)GerrorFlags.PRIQ_ABT_ERR);
        a.H.Memory.ClearAbortRanges();
        Assert.False(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 2, last: false)));
        Assert.Equal(0u, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
        Assert.Equal(
            [new PageRequestGroupResponse(AtsHarness.Sid, null, 1, PriResponseCode.Failure, Automatic: true), new PageRequestGroupResponse(AtsHarness.Sid, null, 2, PriResponseCode.Failure, Automatic: true)],
            endpoint.Responses);

        // Acknowledged (GERRORN = GERROR), the queue takes entries again.
        a.Smmu.WriteRegister32(SmmuRegister.GERRORN, a.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.True(a.Smmu.SubmitPageRequest(Request(AtsHarness.Sid, 3)));
        Assert.Equal(1u, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
    }
}
