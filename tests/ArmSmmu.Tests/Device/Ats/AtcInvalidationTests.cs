using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>CMD_ATC_INV reaches the functions behind a StreamID, and CMD_SYNC waits for it (IHI0070 §3.9.1.4, §4.5.1, §7.1).</summary>
public class AtcInvalidationTests
{
    [Fact]
    public void Atc_inv_sends_an_aligned_span_to_every_function_of_the_stream_only()
    {
        var a = new AtsHarness();
        var first = new RecordingEndpoint();
        var second = new RecordingEndpoint();
        var other = new RecordingEndpoint();
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, first);
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, second);
        a.Smmu.ConnectEndpoint(0x11, other);

        // IHI0070 §4.5.1: span 4096 * 2^Size, address aligned down to it; SSV selects the PASID prefix, Global needs SSV.
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, substreamId: 7, address: 0x1234_5678, size: 4, global: true));
        var expected = new AtcInvalidation(AtsHarness.Sid, 7, 0x1234_0000, 16, Global: true);
        Assert.Equal(expected, Assert.Single(first.Invalidations));
        Assert.Equal(expected, Assert.Single(second.Invalidations));
        Assert.Empty(other.Invalidations);

        a.H.Submit(Command.AtcInv(AtsHarness.Sid, substreamId: null, address: 0, size: 52, global: true));
        Assert.Equal(new AtcInvalidation(AtsHarness.Sid, null, 0, 64, Global: false), first.Invalidations[1]);
    }

    [Fact]
    public void Atc_inv_is_ignored_while_smmuen_is_zero_and_illegal_above_size_52()
    {
        var a = new AtsHarness();
        var endpoint = new RecordingEndpoint();
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, endpoint);
        a.H.WriteAndPoll(SmmuRegister.CR0, 0xC, SmmuRegister.CR0ACK);
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, 0, 0, false));
        Assert.Empty(endpoint.Invalidations); // IHI0070 §4.5.1: IGNORED

        a.H.WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK);
        a.H.SubmitRaw(Command.AtcInv(AtsHarness.Sid, null, 0, 53, false));
        Assert.Equal(CommandError.Ill, a.H.CommandQueueError);
    }

    [Fact]
    public void A_function_that_never_completes_fails_the_next_sync_with_cerror_atc_inv_sync()
    {
        var a = new AtsHarness();
        var endpoint = new RecordingEndpoint { Answers = false };
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, endpoint);
        uint atcIndex = a.H.CommandProducer;
        a.H.SubmitRaw(Command.AtcInv(AtsHarness.Sid, null, 0x1000, 0, false), Command.Sync(SyncCompletionSignal.None));

        // IHI0070 §3.9.1.4, §7.1: CONS stops on the CMD_SYNC (after the consumed ATC_INV) with CERROR_ATC_INV_SYNC.
        uint cons = a.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS);
        Assert.Equal(atcIndex + 1, cons & 0xFFFFF);
        Assert.Equal(CommandError.AtcInvSync, (CommandError)((cons >> 24) & 0x7F));
        uint gerror = a.Smmu.ReadRegister32(SmmuRegister.GERROR);
        Assert.NotEqual(0u, gerror & (uint)GerrorFlags.CMDQ_ERR);

        // Acknowledged, the repeated CMD_SYNC completes: the failure was reported once.
        a.Smmu.WriteRegister32(SmmuRegister.GERRORN, gerror);
        Assert.Equal(atcIndex + 2, a.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS) & 0xFFFFF);
    }

    [Fact]
    public void Atc_inv_removes_the_covered_entries_of_an_ats_endpoint_by_pasid()
    {
        var a = new AtsHarness();
        using var endpoint = new AtsEndpoint(a.Smmu, AtsHarness.Sid, new AtsEndpointOptions { PageRequests = false });
        Assert.True(endpoint.Translate(AtsHarness.ReadWriteVa, AccessKind.Read).IsSuccess);
        Assert.True(endpoint.Translate(AtsHarness.ReadOnlyVa, AccessKind.Read).IsSuccess);
        Assert.True(endpoint.Translate(AtsHarness.PasidVa, AccessKind.Read, pasid: 1).IsSuccess);
        Assert.Equal(3, endpoint.AtcCount);

        // PCIe ATS: a request with a PASID prefix reaches only that PASID's entries.
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, 1, AtsHarness.ReadWriteVa, 52, false));
        Assert.Equal(2, endpoint.AtcCount);

        // Without a PASID, the one page of the span: ReadWriteVa goes, ReadOnlyVa (next page) stays.
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, AtsHarness.ReadWriteVa, 0, false));
        Assert.Equal(1, endpoint.AtcCount);
        var stats = endpoint.Statistics;
        Assert.Equal(2, stats.InvalidationsReceived);
        Assert.Equal(2, stats.EntriesInvalidated);

        Assert.True(endpoint.Translate(AtsHarness.ReadOnlyVa, AccessKind.Read).IsSuccess);
        Assert.Equal(1, endpoint.Statistics.AtcHits);
    }
}
