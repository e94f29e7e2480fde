using ArmSmmu.Structures;
using Fixture = ArmSmmu.Tests.Device.StallFixture;

namespace ArmSmmu.Tests.Device;

/// <summary>The stall fault model: stalled transactions, CMD_RESUME, CMD_STALL_TERM (IHI0070 §3.12.2, §4.6, §5.5).</summary>
public class StallTests
{
    private const uint Sid = StallFixture.Sid;
    private const uint OtherSid = StallFixture.OtherSid;
    private const ulong Unmapped = StallFixture.Unmapped;

    [Fact]
    public void A_stalling_fault_returns_stalled_with_stall_and_stag_in_the_record()
    {
        var f = new Fixture();
        var result = f.Stall();
        Assert.Equal(TranslationOutcome.Stalled, result.Outcome);
        Assert.False(result.IsSuccess);
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);

        // IHI0070 §7.3.12 F_TRANSLATION: Stall = dw1[31] = 1, STAG = dw1[15:0], the stalled access is a read.
        var record = Assert.Single(f.H.DrainEvents());
        Assert.Equal(EventType.FTranslation, record.Type);
        Assert.True(record.Stall);
        Assert.Equal(result.StallTag, record.StallTag);
        Assert.Equal(Sid, record.StreamId);
        Assert.Equal(Unmapped, record.InputAddress);
        Assert.Equal((1UL << 31) | (1UL << 35) | (2UL << 40) | result.StallTag, record.Dw1);

        // A mapped address on the same stream still translates.
        Assert.True(f.H.Read(Sid, 0x1000).IsSuccess);
    }

    [Fact]
    public void Cmd_resume_resolves_exactly_the_named_stall()
    {
        var f = new Fixture();
        var first = f.Stall();
        var second = f.Stall();
        Assert.NotEqual(first.StallTag, second.StallTag); // unique per StreamID while outstanding (§3.12.2)

        // IHI0070 §4.6.1: CMD_RESUME(SID, STAG, Ac = retry).
        f.H.Submit(Command.Resume(Sid, second.StallTag, retry: true, abort: false));
        var resolved = Assert.Single(f.Resolved);
        Assert.Equal((Sid, second.StallTag, true), (resolved.StreamId, resolved.StallTag, resolved.Retry));
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);

        // Terminate with abort (Ac = 0, Ab = 1).
        f.H.Submit(Command.Resume(Sid, first.StallTag, retry: false, abort: true));
        Assert.Equal(2, f.Resolved.Count);
        Assert.Equal((false, true), (f.Resolved[1].Retry, f.Resolved[1].Abort));
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);
    }

    [Fact]
    public void Cmd_resume_for_an_unknown_stag_or_streamid_is_ignored()
    {
        var f = new Fixture();
        var stalled = f.Stall();
        f.H.Submit(
            Command.Resume(Sid, (ushort)(stalled.StallTag + 1), retry: true, abort: false),
            Command.Resume(OtherSid, stalled.StallTag, retry: true, abort: false));
        // IHI0070 §4.6.1: no matching stall: the command is consumed without effect and without error.
        Assert.Empty(f.Resolved);
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);
        Assert.Equal(0u, f.H.Smmu.ReadRegister32(SmmuRegister.GERROR));
    }

    [Fact]
    public void Cmd_stall_term_terminates_every_stall_of_its_streamid_only()
    {
        var f = new Fixture();
        f.Stall();
        f.Stall();
        var other = f.Stall(OtherSid);
        Assert.Equal(3, f.H.Smmu.StalledTransactionCount);

        // IHI0070 §4.6.2: CMD_STALL_TERM(SID) terminates (abort) all stalled transactions of that StreamID.
        f.H.Submit(Command.StallTerm(Sid));
        Assert.Equal(2, f.Resolved.Count);
        Assert.All(f.Resolved, r => Assert.Equal((Sid, false, true), (r.StreamId, r.Retry, r.Abort)));
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);

        f.H.Submit(Command.Resume(OtherSid, other.StallTag, retry: true, abort: false));
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);
    }

    [Fact]
    public void Disabling_the_smmu_terminates_outstanding_stalls()
    {
        var f = new Fixture();
        f.Stall();
        f.Stall(OtherSid);
        // IHI0070 §6.3.9 SMMUEN 1 -> 0: stalled transactions are terminated (abort).
        f.H.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN), SmmuRegister.CR0ACK);
        Assert.Equal(2, f.Resolved.Count);
        Assert.All(f.Resolved, r => Assert.True(r.Abort && !r.Retry));
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);
    }

    [Fact]
    public void Stall_model_terminate_only_makes_resume_and_stall_term_illegal()
    {
        var h = new DeviceHarness(SmmuFeatures.Default with { StallModel = StallModel.TerminateOnly });
        h.Reset();
        // IHI0070 §6.3.1 STALL_MODEL = 0b01: CMD_RESUME and CMD_STALL_TERM are not available (CERROR_ILL).
        uint index = h.CommandProducer;
        h.SubmitRaw(Command.Resume(Sid, 0, retry: true, abort: false));
        Assert.Equal(index, h.Smmu.ReadRegister32(SmmuRegister.CMDQ_CONS) & 0xFFFFF);
        Assert.Equal(CommandError.Ill, h.CommandQueueError);
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.GERROR) & 1);
    }
}
