using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>PRG responses: CMD_PRI_RESP and the SMMU's automatic ones (IHI0070 §4.5.2, §8.1, §8.2).</summary>
public class PriResponseTests
{
    private const ulong PriQueueBase = 0x1400_0000;

    // A 4-entry PRI queue, enabled (IHI0070 §6.3.32).
    internal static AtsHarness WithPriQueue(out RecordingEndpoint endpoint, bool ppar = false, SmmuFeatures? features = null)
    {
        var a = new AtsHarness(features);
        if (ppar)
        {
            a.H.SetSte(AtsHarness.Sid, a.Ste with { PPAR = true });
        }

        a.Smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, (1UL << 62) | PriQueueBase | 2);
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xF, SmmuRegister.CR0ACK);
        endpoint = new RecordingEndpoint();
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, endpoint);
        return a;
    }

    internal static PriQueueEntry Request(uint prg, bool last = true, uint? pasid = 5, uint sid = AtsHarness.Sid) => new()
    {
        StreamId = sid,
        SSV = pasid.HasValue,
        SubstreamId = pasid ?? 0,
        Read = true,
        Last = last,
        PrgIndex = prg,
        PageAddress = 0x4000_2000,
    };

    [Fact]
    public void Pri_resp_delivers_the_group_response_to_the_function()
    {
        var a = WithPriQueue(out var endpoint);
        a.H.Submit(Command.PriResp(AtsHarness.Sid, 5, 0x1A3, PriResponseCode.Success));
        a.H.Submit(Command.PriResp(AtsHarness.Sid, null, 2, PriResponseCode.InvalidRequest));
        Assert.Equal(
            [new PageRequestGroupResponse(AtsHarness.Sid, 5, 0x1A3, PriResponseCode.Success, false), new PageRequestGroupResponse(AtsHarness.Sid, null, 2, PriResponseCode.InvalidRequest, false)],
            endpoint.Responses);
    }

    [Fact]
    public void Overflow_answers_last_requests_with_success_and_the_pasid_only_with_ppar()
    {
        foreach (bool ppar in new[] { false, true })
        {
            var a = WithPriQueue(out var endpoint, ppar);
            for (uint i = 0; i < 4; i++)
            {
                Assert.True(a.Smmu.SubmitPageRequest(Request(i)));
            }

            // IHI0070 §8.1: the queue is full; a Last = 0 request is dropped silently, a Last = 1 one answered Success.
            Assert.False(a.Smmu.SubmitPageRequest(Request(10, last: false)));
            Assert.False(a.Smmu.SubmitPageRequest(Request(11)));
            var response = Assert.Single(endpoint.Responses);
            Assert.Equal(new PageRequestGroupResponse(AtsHarness.Sid, ppar ? 5u : null, 11, PriResponseCode.Success, Automatic: true), response);

            // No PASID on the request: Success without one, whatever PPAR says.
            Assert.False(a.Smmu.SubmitPageRequest(Request(12, pasid: null)));
            Assert.Null(endpoint.Responses[^1].SubstreamId);
        }
    }

    [Fact]
    public void An_active_overflow_keeps_discarding_until_it_is_acknowledged()
    {
        var a = WithPriQueue(out _);
        for (uint i = 0; i < 5; i++)
        {
            a.Smmu.SubmitPageRequest(Request(i));
        }

        // The consumer frees space but does not acknowledge: IHI0070 §8.1, new entries are still inhibited.
        a.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 4);
        Assert.False(a.Smmu.SubmitPageRequest(Request(20)));

        uint prod = a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD);
        a.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 4 | (prod & (1u << 31)));
        Assert.True(a.Smmu.SubmitPageRequest(Request(21)));
    }

    [Fact]
    public void A_disabled_pri_queue_answers_every_request_with_response_failure_but_not_stop_markers()
    {
        var a = WithPriQueue(out var endpoint);
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK); // PRIQEN = 0

        // IHI0070 §8.2: Response Failure, no PASID, for every page request (Last or not); none for a Stop marker.
        Assert.False(a.Smmu.SubmitPageRequest(Request(1, last: false)));
        Assert.False(a.Smmu.SubmitPageRequest(Request(2) with { Read = false }));
        Assert.Equal([new PageRequestGroupResponse(AtsHarness.Sid, null, 1, PriResponseCode.Failure, Automatic: true)], endpoint.Responses);
    }
}
