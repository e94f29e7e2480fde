using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of CMD_RESUME (IHI0070 §4.7.1) and of held stall fault records meeting invalidation and CMD_SYNC
/// (§4.7.3, §7.2.1).
/// </summary>
public class StallCommandAuditTests
{
    private const uint Sid = StallFixture.Sid;
    private const uint OtherSid = StallFixture.OtherSid;

    private static TranslationResult Stalled(StallFixture f, uint sid = Sid)
    {
        var result = f.Stall(sid);
        Assert.Equal(TranslationOutcome.Stalled, result.Outcome);
        return result;
    }

    [Theory]
    [InlineData(false, false, false)] // TERM_MODEL 0: Ab = 0 terminates as RAZ/WI
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]   // TERM_MODEL 1: "the Ab parameter is IGNORED: transaction is terminated with abort"
    [InlineData(true, true, true)]
    public void Section_4_7_1_resume_terminate_follows_ab_unless_term_model_is_1(bool termModel1, bool ab, bool aborted)
    {
        var f = new StallFixture(SmmuFeatures.Default with { AbortOnlyTermination = termModel1 });
        var stall = Stalled(f);
        f.H.Submit(Command.Resume(Sid, stall.StallTag, retry: false, abort: ab));

        var resolved = Assert.Single(f.Resolved);
        Assert.Equal((Sid, stall.StallTag, false, aborted), (resolved.StreamId, resolved.StallTag, resolved.Retry, resolved.Abort));
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);
    }

    [Fact]
    public void Section_4_7_1_resume_of_a_stall_whose_record_is_not_yet_visible_drops_the_record()
    {
        // CONSTRAINED UNPREDICTABLE whether such a RESUME affects the transaction; this model lets it, and then the
        // record would name a STAG the SMMU may reuse, so it is never written.
        var f = new StallFixture();
        f.EventQueue(on: false);
        var stall = Stalled(f);
        f.H.Submit(Command.Resume(Sid, stall.StallTag, retry: true, abort: false));
        f.EventQueue(on: true);

        Assert.Single(f.Resolved);
        Assert.Empty(f.H.DrainEvents());
    }

    [Theory]
    [InlineData("CFGI_STE")]
    [InlineData("CFGI_CD")]
    [InlineData("CFGI_STE_RANGE")]
    [InlineData("TLBI_NH_ASID")]
    public void Section_7_2_1_a_held_stall_record_invalidated_and_synchronised_is_retried_when_the_queue_is_writable(string invalidation)
    {
        var f = new StallFixture();
        f.EventQueue(on: false);
        var stall = Stalled(f);
        var command = invalidation switch
        {
            "CFGI_STE" => Command.CfgiSte(Sid, leaf: true),
            "CFGI_CD" => Command.CfgiCd(Sid, 0, leaf: true),
            "CFGI_STE_RANGE" => Command.CfgiSteRange(Sid + 1, 1), // Sid 0x10 lies in 0x10..0x13
            _ => Command.TlbiNhAsid(0, 1),
        };
        f.H.Submit(command); // followed by CMD_SYNC
        Assert.Empty(f.Resolved); // the queue is still unwritable: no retry yet

        // §4.7.3: "The original event record pertaining to prior invalidated configuration or translations must not
        // be recorded after the CMD_SYNC completes"; §7.2.1: "the transaction must be retried after the queue becomes
        // writable again".
        f.EventQueue(on: true);
        Assert.Empty(f.H.DrainEvents());
        var retried = Assert.Single(f.Resolved);
        Assert.Equal((Sid, stall.StallTag, true), (retried.StreamId, retried.StallTag, retried.Retry));
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);

        // The device's retry meets the same (still faulting) configuration: a new fault, a new record.
        var again = Stalled(f);
        var record = Assert.Single(f.H.DrainEvents());
        Assert.Equal((EventType.FTranslation, Sid, true, again.StallTag), (record.Type, record.StreamId, record.Stall, record.StallTag));
    }

    [Fact]
    public void Section_7_2_1_a_held_stall_record_not_named_by_the_invalidation_is_written_when_the_queue_is_writable()
    {
        var f = new StallFixture();
        f.EventQueue(on: false);
        var stall = Stalled(f);
        f.H.Submit(Command.CfgiSte(OtherSid, leaf: true), Command.CfgiSteRange(0x20, 3));
        f.EventQueue(on: true);

        Assert.Empty(f.Resolved);
        var record = Assert.Single(f.H.DrainEvents());
        Assert.Equal((Sid, true, stall.StallTag), (record.StreamId, record.Stall, record.StallTag));
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);
    }

    [Fact]
    public void Section_4_7_3_without_a_cmd_sync_the_held_record_is_still_written()
    {
        // Only the completion of a CMD_SYNC gives the guarantee; an invalidation alone leaves the record pending.
        var f = new StallFixture();
        f.EventQueue(on: false);
        var stall = Stalled(f);
        f.H.SubmitRaw(Command.CfgiSte(Sid, leaf: true));
        f.EventQueue(on: true);

        Assert.Empty(f.Resolved);
        Assert.Equal(stall.StallTag, Assert.Single(f.H.DrainEvents()).StallTag);
    }

    [Fact]
    public void Section_7_2_1_a_stall_held_behind_a_full_queue_is_retried_once_a_slot_is_freed()
    {
        // Writable = enabled, not full and no EVENTQ_ABT_ERR: freeing a slot of a full queue is what makes it so.
        var f = new StallFixture();
        int entries = 1 << DeviceHarness.EventQueueLog2;
        for (int i = 0; i < entries; i++)
        {
            Stalled(f, OtherSid);
        }

        var stall = Stalled(f);
        f.H.Submit(Command.CfgiSte(Sid, leaf: true));
        Assert.Empty(f.Resolved);

        var events = f.H.DrainEvents();
        Assert.Equal(entries, events.Count);
        Assert.All(events, e => Assert.Equal(OtherSid, e.StreamId));
        Assert.Equal(stall.StallTag, Assert.Single(f.Resolved).StallTag);
    }

    [Fact]
    public void Section_3_11_a_reset_forgets_held_records_pending_retries_and_the_stag_sequence()
    {
        // IHI0070 §3.11: after a reset the SMMU behaves as at power-on; a stall invalidated while its record was held
        // (§7.2.1) must not be retried by the reset device, and STAGs start again as on a fresh one.
        var fresh = new StallFixture();
        ushort firstStag = Stalled(fresh).StallTag;
        ushort secondStag = Stalled(fresh, StallFixture.OtherSid).StallTag;

        var f = new StallFixture();
        f.EventQueue(on: false);
        Stalled(f);
        Stalled(f, StallFixture.OtherSid);
        f.H.Submit(Command.CfgiSte(Sid, leaf: true)); // the held record of Sid's stall is now due for a retry

        f.H.Smmu.Reset();
        f.H.Reset(); // the driver brings the device up again, event queue on, and installs the streams again
        var ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false };
        f.H.InstallSte(Sid, ste);
        f.H.InstallSte(StallFixture.OtherSid, ste);
        Assert.Empty(f.Resolved);
        Assert.Equal(0, f.H.Smmu.StalledTransactionCount);
        Assert.Equal((firstStag, secondStag), (Stalled(f).StallTag, Stalled(f, StallFixture.OtherSid).StallTag));
    }
}
