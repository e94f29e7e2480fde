using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// IHI0070 §7.4: a fault record from a stalled transaction is not discarded when the event queue cannot take it;
/// it is reported when the queue is next writable, and it never causes an overflow.
/// </summary>
public class HeldStallRecordTests
{
    private const uint StallSid = 0x10;
    private const uint AbortSid = 0x11;
    private const ulong Unmapped = 0x7000;
    private const int QueueEntries = 1 << DeviceHarness.EventQueueLog2;

    private static DeviceHarness Setup()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        var stallingCd = DeviceHarness.LinuxCd(1, pgd) with { S = true };
        var abortingCd = DeviceHarness.LinuxCd(2, pgd);
        Assert.True(stallingCd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        Assert.True(abortingCd.TryWrite(h.Memory, DeviceHarness.CdTableBase + 0x1000));
        h.InstallSte(StallSid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S1STALLD = false });
        h.InstallSte(AbortSid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase + 0x1000));
        return h;
    }

    [Fact]
    public void A_stall_record_meeting_a_full_queue_is_held_without_overflow_and_written_once_space_is_freed()
    {
        var h = Setup();
        for (int i = 0; i < QueueEntries; i++)
        {
            Assert.True(h.Read(AbortSid, Unmapped).FaultRecorded);
        }

        var stalled = h.Read(StallSid, Unmapped);
        Assert.Equal(TranslationOutcome.Stalled, stalled.Outcome);
        uint prod = h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        Assert.Equal(0u, prod >> 31); // no overflow: stall records are never discarded

        // A terminated transaction's record meeting the same full queue is discarded and does signal overflow.
        Assert.False(h.Read(AbortSid, Unmapped).FaultRecorded);
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD) >> 31);

        // Consuming one record makes room: the held stall record appears at once, behind the 128 older ones.
        var events = h.DrainEvents();
        Assert.Equal(QueueEntries + 1, events.Count);
        var last = events[^1];
        Assert.Equal((EventType.FTranslation, StallSid, true, stalled.StallTag), (last.Type, last.StreamId, last.Stall, last.StallTag));
        Assert.All(events.Take(QueueEntries), e => Assert.Equal(AbortSid, e.StreamId));
    }

    [Fact]
    public void A_stall_record_raised_while_the_queue_is_disabled_is_delivered_when_it_is_enabled()
    {
        var h = Setup();
        h.WriteAndPoll(SmmuRegister.CR0, 0x9, SmmuRegister.CR0ACK); // EVENTQEN = 0
        var stalled = h.Read(StallSid, Unmapped);
        Assert.Equal(TranslationOutcome.Stalled, stalled.Outcome);
        Assert.False(h.Read(AbortSid, Unmapped).FaultRecorded); // non-stall records are discarded
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));

        h.WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK);
        var record = Assert.Single(h.DrainEvents());
        Assert.Equal((StallSid, true, stalled.StallTag), (record.StreamId, record.Stall, record.StallTag));
    }

    [Fact]
    public void Terminating_a_stall_drops_its_held_record()
    {
        var h = Setup();
        h.WriteAndPoll(SmmuRegister.CR0, 0x9, SmmuRegister.CR0ACK);
        Assert.Equal(TranslationOutcome.Stalled, h.Read(StallSid, Unmapped).Outcome);

        // IHI0070 §4.6.2: CMD_STALL_TERM ends every stall of the StreamID; nothing is left to report.
        h.Submit(Command.StallTerm(StallSid));
        h.WriteAndPoll(SmmuRegister.CR0, 0xD, SmmuRegister.CR0ACK);
        Assert.Empty(h.DrainEvents());
        Assert.Equal(0, h.Smmu.StalledTransactionCount);
    }
}
