using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>
/// The PRI side of <see cref="AtsEndpoint"/> (IHI0070 §3.9.1, §8): a Translation Completion that grants too little
/// leads to one page request (a group of one, Last = 1) on the PRI queue, a wait for its PRG response
/// (CMD_PRI_RESP, §4.7.1) and a new Translation Request; a failed, automatic or missing response ends in a fault.
/// </summary>
public class AtsEndpointPageRequestTests
{
    private const ulong PriQueueBase = 0x1700_0000;
    private const int PriLog2 = 3;

    // IHI0070 §6.3.32-§6.3.34: PRIQ_BASE, PROD/CONS, then CR0.PRIQEN with the other queues and SMMUEN.
    private static AtsHarness WithPriQueue()
    {
        var a = new AtsHarness();
        a.Smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, (1UL << 62) | PriQueueBase | PriLog2);
        a.Smmu.WriteRegister32(SmmuRegister.PRIQ_PROD, 0);
        a.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 0);
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xF, SmmuRegister.CR0ACK); // SMMUEN, PRIQEN, EVENTQEN, CMDQEN
        return a;
    }

    // The host's PRI handler: takes the entry at PRIQ_CONS and consumes it (IHI0070 §6.3.34).
    private static PriQueueEntry TakePageRequest(AtsHarness a)
    {
        uint cons = a.Smmu.ReadRegister32(SmmuRegister.PRIQ_CONS);
        Assert.NotEqual(cons & 0xF, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD) & 0xF);
        Assert.True(PriQueueEntry.TryRead(a.H.Memory, PriQueueBase + ((cons & 7) * 16), out var entry));
        a.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, (cons + 1) & 0xF);
        return entry;
    }

    [Fact]
    public void Section_8_a_write_to_a_read_only_page_is_requested_answered_and_retried_to_success()
    {
        var a = WithPriQueue();
        var requests = new List<PriQueueEntry>();
        var responses = new List<PageRequestGroupResponse>();
        AtsEndpoint? endpoint = null;
        var options = AtsEndpointOptions.Default with
        {
            PageRequestService = () =>
            {
                // The host makes the page writable, invalidates the TLB (§4.4.2.3) and answers the group Success.
                var request = TakePageRequest(a);
                requests.Add(request);
                a.H.Map4K(a.Root0, AtsHarness.ReadOnlyVa, AtsHarness.ReadOnlyPa, DeviceHarness.S1ReadWrite);
                a.H.Submit(Command.TlbiNhVa(0, 1, AtsHarness.ReadOnlyVa, leaf: true), Command.PriResp(AtsHarness.Sid, null, request.PrgIndex, PriResponseCode.Success));
            },
        };
        using (endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid, options))
        {
            endpoint.PageResponseReceived += (_, r) => responses.Add(r);

            var result = endpoint.Translate(AtsHarness.ReadOnlyVa + 0x24, AccessKind.Write);

            Assert.Equal(TranslationOutcome.Translated, result.Outcome);
            Assert.Equal(AtsHarness.ReadOnlyPa + 0x24, result.PhysicalAddress);

            // IHI0070 §8: one request, no PASID (so X = Priv = 0), R and W of the write, Last = 1, the page address.
            var request = Assert.Single(requests);
            Assert.Equal(AtsHarness.Sid, request.StreamId);
            Assert.False(request.SSV);
            Assert.True(request.Read);
            Assert.True(request.Write);
            Assert.False(request.Exec);
            Assert.False(request.Priv);
            Assert.True(request.Last);
            Assert.Equal(AtsHarness.ReadOnlyVa, request.PageAddress);

            var response = Assert.Single(responses);
            Assert.Equal(new PageRequestGroupResponse(AtsHarness.Sid, null, request.PrgIndex, PriResponseCode.Success, Automatic: false), response);
            var stats = endpoint.Statistics;
            Assert.Equal(2, stats.TranslationRequests); // the read-only completion, then the read/write one
            Assert.Equal(1, stats.PageRequests);
            Assert.Equal(1, stats.PageResponses);
        }
    }

    [Fact]
    public void Section_8_page_requests_take_successive_prg_indexes_and_a_pasid_request_carries_exec_and_priv()
    {
        var a = WithPriQueue();
        var requests = new List<PriQueueEntry>();
        var options = AtsEndpointOptions.Default with
        {
            PageRequestService = () =>
            {
                var request = TakePageRequest(a);
                requests.Add(request);
                a.H.Submit(Command.PriResp(AtsHarness.Sid, request.SSV ? request.SubstreamId : null, request.PrgIndex, PriResponseCode.Failure));
            },
        };
        using var endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid, options);

        // Unmapped: the completion grants nothing, the host answers Response Failure (IHI0070 §8), so the access faults.
        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(AtsHarness.UnmappedVa, AccessKind.Read).Outcome);
        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(AtsHarness.PasidVa + 0x5000, AccessKind.Execute, pasid: 1, privileged: true).Outcome);

        Assert.Equal(2, requests.Count);
        Assert.Equal([0u, 1u], requests.Select(r => r.PrgIndex));
        Assert.True(requests[1].SSV);
        Assert.Equal(1u, requests[1].SubstreamId);
        Assert.True(requests[1].Exec); // X and Priv are sent only with a PASID (IHI0070 §8)
        Assert.True(requests[1].Priv);
        Assert.False(requests[1].Write);
        Assert.Equal(AtsHarness.PasidVa + 0x5000, requests[1].PageAddress);
        Assert.Equal(0, endpoint.AtcCount); // nothing granted, nothing cached
    }

    [Fact]
    public void Section_8_2_with_the_pri_queue_disabled_the_request_is_answered_failure_automatically()
    {
        var a = new AtsHarness(); // CR0.PRIQEN = 0
        using var endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid);
        var responses = new List<PageRequestGroupResponse>();
        endpoint.PageResponseReceived += (_, r) => responses.Add(r);

        var result = endpoint.Translate(AtsHarness.ReadOnlyVa, AccessKind.Write);

        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        var response = Assert.Single(responses);
        Assert.Equal(new PageRequestGroupResponse(AtsHarness.Sid, null, 0, PriResponseCode.Failure, Automatic: true), response);
        Assert.Equal(1, endpoint.Statistics.PageRequests);
        Assert.Equal(1, endpoint.Statistics.PageResponses);
    }

    [Fact]
    public void Section_8_1_overflow_answers_success_and_the_endpoint_stops_after_max_page_requests()
    {
        var a = WithPriQueue();
        for (uint i = 0; i < 8; i++)
        {
            Assert.True(a.Smmu.SubmitPageRequest(new PriQueueEntry { StreamId = 0x99, Read = true, Last = false, PrgIndex = 0x100 + i }));
        }

        // The queue is full: every request overflows and, being Last, is answered Success (IHI0070 §8.1), yet the page
        // stays read-only, so the endpoint asks again until MaxPageRequestsPerTranslation and then gives up.
        using var endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid, AtsEndpointOptions.Default with { MaxPageRequestsPerTranslation = 3 });
        var responses = new List<PageRequestGroupResponse>();
        endpoint.PageResponseReceived += (_, r) => responses.Add(r);

        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(AtsHarness.ReadOnlyVa, AccessKind.Write).Outcome);

        Assert.Equal(3, endpoint.Statistics.PageRequests);
        Assert.Equal(4, endpoint.Statistics.TranslationRequests);
        Assert.Equal(3, responses.Count);
        Assert.All(responses, r => Assert.Equal(PriResponseCode.Success, r.Response));
        Assert.All(responses, r => Assert.True(r.Automatic));
        Assert.NotEqual(0u, a.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD) & (1u << 31)); // PRIQ_PROD.OVFLG
    }

    [Fact]
    public void Section_8_no_prg_response_within_the_timeout_is_a_failure_and_frees_the_prg_index()
    {
        var a = WithPriQueue();
        using var endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid, AtsEndpointOptions.Default with { PageResponseTimeout = TimeSpan.FromMilliseconds(20) });

        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(AtsHarness.ReadOnlyVa, AccessKind.Write).Outcome);
        Assert.Equal(0u, TakePageRequest(a).PrgIndex);

        // A late response for the abandoned group completes nothing, but is still received.
        a.H.Submit(Command.PriResp(AtsHarness.Sid, null, 0, PriResponseCode.Success));
        Assert.Equal(1, endpoint.Statistics.PageRequests);
        Assert.Equal(1, endpoint.Statistics.PageResponses);
    }

    [Fact]
    public void Page_requests_on_an_smmu_without_pri_are_refused_at_creation_and_options_are_validated()
    {
        var noPri = new DeviceHarness(SmmuFeatures.Default with { Pri = false });
        Assert.Throws<InvalidOperationException>(() => new AtsEndpoint(noPri.Smmu, 1));
        using var plain = new AtsEndpoint(noPri.Smmu, 1, AtsEndpointOptions.Default with { PageRequests = false });
        Assert.Equal(1u, plain.StreamId);

        var a = new AtsHarness();
        Assert.Throws<ArgumentException>(() => new AtsEndpoint(a.Smmu, 2, AtsEndpointOptions.Default with { AtcEntries = 0 }));
        Assert.Throws<ArgumentException>(() => new AtsEndpoint(a.Smmu, 2, AtsEndpointOptions.Default with { PageResponseTimeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => new AtsEndpoint(a.Smmu, 2, AtsEndpointOptions.Default with { MaxPageRequestsPerTranslation = 0 }));
    }
}
