using ArmSmmu.Memory;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>
/// The ATS port's remaining rules: the Smallest Translation Unit, a stage-2 fault on the CD fetch of a Translation
/// Request, the fields CMD_ATC_INV and CMD_PRI_RESP ignore or refuse, and connecting functions (IHI0070 §3.9.1,
/// §4.5, §13.6).
/// </summary>
public class AtsPortRuleTests
{
    // A nested stream with full ATS whose CD (at CdTableBase, an IPA) is fetched through the stage-2 tables at s2Root.
    private static StreamTableEntry NestedFullAts(ulong s2Root) => DeviceHarness.Stage2Ste(s2Root, vmid: 5) with
    {
        Config = SteConfig.Nested,
        S1ContextPtr = DeviceHarness.CdTableBase,
        S1CIR = 1,
        S1COR = 1,
        S1CSH = 3,
        EATS = AtsEnable.Full,
    };

    [Theory]
    [InlineData(true, true, 12, 0x6000UL)]
    [InlineData(false, true, 14, 0x4000UL)]
    [InlineData(false, false, 16, 0UL)]
    public void A_no_access_completion_is_the_size_of_the_smallest_granule(bool granule4K, bool granule16K, int stu, ulong offset)
    {
        // IHI0070 §3.9.1: the STU is the smallest translation granule the SMMU supports (IDR5.GRAN*). With stage 1
        // skipped by S1DSS and no stage 2, an address beyond the 48-bit OAS answers "no access" of that size (§13.6.4).
        var features = new SmmuFeatures { Granule4K = granule4K, Granule16K = granule16K };
        var a = new AtsHarness(features);
        a.H.SetSte(AtsHarness.Sid, a.Ste with { S1DSS = DefaultSubstream.Bypass });

        var c = a.Request((1UL << 48) | 0x6345, AccessKind.Read);
        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.True(c.GrantsNothing);
        Assert.Equal(stu, c.SizeShift);
        Assert.Equal((1UL << 48) | offset, c.TranslatedAddress);
        Assert.Empty(a.H.DrainEvents());
    }

    [Fact]
    public void A_stage2_translation_fault_on_the_cd_fetch_answers_no_access_without_an_event()
    {
        // IHI0070 §3.9.1.2: a Translation Request whose CD fetch takes a stage-2 Translation fault gets a Success
        // completion granting nothing; the same transaction as ordinary traffic records F_TRANSLATION with CLASS = CD,
        // InputAddr the transaction's address and IPA the CD's (§7.3, event 0x10).
        var h = new DeviceHarness();
        h.Reset();
        ulong emptyS2 = h.NewTable();
        h.SetSte(AtsHarness.Sid, NestedFullAts(emptyS2));

        var c = h.Smmu.RequestAtsTranslation(new TranslationRequest(AtsHarness.Sid, 0x4000_1234, AccessKind.Read));
        Assert.Equal(AtsCompletionStatus.Success, c.Status);
        Assert.True(c.GrantsNothing);
        Assert.Equal(12, c.SizeShift);
        Assert.Empty(h.DrainEvents());

        var ordinary = h.Read(AtsHarness.Sid, 0x4000_1234);
        Assert.Equal(EventType.FTranslation, ordinary.Fault);
        var recorded = Assert.Single(h.DrainEvents());
        Assert.Equal((EventType.FTranslation, FaultClass.CD, 0x4000_1234UL, DeviceHarness.CdTableBase), (recorded.Type, recorded.Class, recorded.InputAddress, recorded.Ipa));
    }

    [Fact]
    public void An_external_abort_on_the_cd_fetch_walk_is_completer_abort()
    {
        // IHI0070 §3.9.1.2: external aborts are CA, not "no access" (recorded only with CR2.REC_CFG_ATS).
        var memory = new SparseMemory();
        var h = new DeviceHarness(memory: memory);
        h.Reset();
        ulong s2Root = h.NewTable();
        memory.AddAbortRange(s2Root, 0x1000);
        h.SetSte(AtsHarness.Sid, NestedFullAts(s2Root));

        var c = h.Smmu.RequestAtsTranslation(new TranslationRequest(AtsHarness.Sid, 0x4000_1234, AccessKind.Read));
        Assert.Equal(AtsCompletionStatus.CompleterAbort, c.Status);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Without_substreams_atc_inv_and_pri_resp_ignore_ssv()
    {
        // IHI0070 §4.5.1, §4.5.2: with IDR1.SSIDSIZE = 0 the SSV field behaves as 0, and so Global (which needs SSV).
        var features = new SmmuFeatures { SubstreamIdBits = 0 };
        var a = PriResponseTests.WithPriQueue(out var endpoint, features: features);
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, substreamId: 7, address: 0x1234_5678, size: 0, global: true));
        Assert.Equal(new AtcInvalidation(AtsHarness.Sid, null, 0x1234_5000, 12, Global: false), Assert.Single(endpoint.Invalidations));

        a.H.Submit(Command.PriResp(AtsHarness.Sid, 7, 3, PriResponseCode.Success));
        Assert.Equal(new PageRequestGroupResponse(AtsHarness.Sid, null, 3, PriResponseCode.Success, false), Assert.Single(endpoint.Responses));
    }

    [Fact]
    public void Pri_resp_with_the_reserved_response_or_without_pri_is_cerror_ill()
    {
        // IHI0070 §4.5.2: Resp 0b11 is reserved; CMD_PRI_RESP on an SMMU without PRI (IDR0.PRI = 0) is CERROR_ILL.
        var a = PriResponseTests.WithPriQueue(out var endpoint);
        a.H.SubmitRaw(Command.PriResp(AtsHarness.Sid, 5, 1, (PriResponseCode)3));
        Assert.Equal(CommandError.Ill, a.H.CommandQueueError);
        Assert.Empty(endpoint.Responses);

        var noPri = new AtsHarness(new SmmuFeatures { Pri = false });
        var other = new RecordingEndpoint();
        noPri.Smmu.ConnectEndpoint(AtsHarness.Sid, other);
        noPri.H.SubmitRaw(Command.PriResp(AtsHarness.Sid, 5, 1, PriResponseCode.Success));
        Assert.Equal(CommandError.Ill, noPri.H.CommandQueueError);
        Assert.Empty(other.Responses);
    }

    [Fact]
    public void A_secure_atc_inv_from_the_non_secure_queue_is_cerror_ill()
    {
        // IHI0070 §4.5.1: CMD_ATC_INV has no Secure form on the Non-secure command queue.
        var a = new AtsHarness();
        var endpoint = new RecordingEndpoint();
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, endpoint);
        a.H.SubmitRaw(Command.AtcInv(AtsHarness.Sid, null, 0x1000, 0, false) with { SSec = true });
        Assert.Equal(CommandError.Ill, a.H.CommandQueueError);
        Assert.Empty(endpoint.Invalidations);
    }

    [Fact]
    public void A_function_connected_twice_is_sent_each_request_once_and_disconnecting_reports_whether_it_was_connected()
    {
        var a = new AtsHarness();
        var first = new RecordingEndpoint();
        var second = new RecordingEndpoint();
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, first);
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, first);
        a.Smmu.ConnectEndpoint(AtsHarness.Sid, second);
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, 0x1000, 0, false));
        Assert.Single(first.Invalidations);

        Assert.False(a.Smmu.DisconnectEndpoint(0x11, first));
        Assert.True(a.Smmu.DisconnectEndpoint(AtsHarness.Sid, first));
        Assert.False(a.Smmu.DisconnectEndpoint(AtsHarness.Sid, first));
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, 0x2000, 0, false));
        Assert.Single(first.Invalidations);
        Assert.Equal(2, second.Invalidations.Count); // the other function of the stream stays connected

        Assert.True(a.Smmu.DisconnectEndpoint(AtsHarness.Sid, second));
        a.H.Submit(Command.AtcInv(AtsHarness.Sid, null, 0x3000, 0, false));
        Assert.Equal(2, second.Invalidations.Count);
    }
}
