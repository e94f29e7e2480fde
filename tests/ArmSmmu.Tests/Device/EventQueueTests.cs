using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>The event queue producer: records, disabled queue, overflow, aborts, statistics (IHI0070 §3.5, §7.2, §7.4, §7.5).</summary>
public class EventQueueTests
{
    // Beyond STRTAB_BASE_CFG.LOG2SIZE = 8: C_BAD_STREAMID, recorded because the harness sets CR2.RECINVSID.
    private const uint BadSid = 0x1234;
    private const uint Capacity = 1u << DeviceHarness.EventQueueLog2;

    private static TranslationResult RaiseEvent(DeviceHarness h) => h.Read(BadSid, 0x1000);

    private static uint Prod(DeviceHarness h) => h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);

    private static uint Cons(DeviceHarness h) => h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS);

    [Fact]
    public void A_recorded_event_is_a_32_byte_record_at_prod_and_prod_advances()
    {
        var h = new DeviceHarness();
        h.Reset();
        var result = RaiseEvent(h);
        Assert.Equal(TranslationOutcome.Faulted, result.Outcome);
        Assert.True(result.FaultRecorded);
        Assert.Equal(1u, Prod(h));

        // IHI0070 §7.3.3 C_BAD_STREAMID: type 0x02 in [7:0], StreamID in [63:32]; nothing else.
        Assert.True(EventRecord.TryRead(h.Memory, DeviceHarness.EventQueueBase, out var record));
        Assert.Equal(0x02UL | ((ulong)BadSid << 32), record.Dw0);
        Assert.Equal((0UL, 0UL, 0UL), (record.Dw1, record.Dw2, record.Dw3));
        Assert.Single(h.DrainEvents());
        Assert.Equal(1u, Cons(h));
    }

    [Fact]
    public void A_disabled_event_queue_discards_records_silently_without_overflow()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN), SmmuRegister.CR0ACK);
        for (int i = 0; i < Capacity + 5; i++)
        {
            Assert.False(RaiseEvent(h).FaultRecorded);
        }

        // IHI0070 §7.2: EVENTQEN = 0 discards records; this is not an overflow (OVFLG unchanged).
        Assert.Equal(0u, Prod(h));
        Assert.Equal(Capacity + 5, (uint)h.Smmu.Statistics.EventsDiscarded);
        Assert.Equal(0, h.Smmu.Statistics.EventsWritten);
        Assert.Equal(0u, h.Memory.ReadUInt64(DeviceHarness.EventQueueBase));
    }

    [Fact]
    public void A_full_queue_toggles_ovflg_once_discards_and_recovers_after_ovackflg()
    {
        var h = new DeviceHarness();
        h.Reset();
        for (uint i = 0; i < Capacity; i++)
        {
            Assert.True(RaiseEvent(h).FaultRecorded);
        }

        // IHI0070 §3.5.1: full = same index, different wrap.
        Assert.Equal(Capacity, Prod(h));
        Assert.Equal(0u, Cons(h));

        // §7.4: the next records are discarded; OVFLG (PROD[31]) toggles once for the overflow condition.
        Assert.False(RaiseEvent(h).FaultRecorded);
        Assert.Equal(Capacity | (1u << 31), Prod(h));
        Assert.False(RaiseEvent(h).FaultRecorded);
        Assert.Equal(Capacity | (1u << 31), Prod(h));
        Assert.Equal(2, h.Smmu.Statistics.EventsDiscarded);

        // The consumer drains every record and acknowledges by copying OVFLG into OVACKFLG (CONS[31]).
        var events = h.DrainEvents();
        Assert.Equal((int)Capacity, events.Count);
        Assert.All(events, e => Assert.Equal((EventType.CBadStreamId, BadSid), (e.Type, e.StreamId)));
        Assert.Equal(1u << 31, Cons(h) & (1u << 31));
        Assert.Equal(Prod(h), Cons(h));

        // Out of overflow: a new record is written; another overflow toggles OVFLG back to 0.
        Assert.True(RaiseEvent(h).FaultRecorded);
        Assert.Equal((1u << 31) | Capacity | 1u, Prod(h)); // wrap 1, index 1
    }

    [Fact]
    public void An_aborting_event_queue_sets_eventq_abt_err_and_discards_until_acknowledged()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.Memory.AddAbortRange(DeviceHarness.EventQueueBase, 32);
        Assert.False(RaiseEvent(h).FaultRecorded);

        // IHI0070 §7.5: EVENTQ_ABT_ERR (GERROR[2]); the queue is not writable while it is active.
        Assert.Equal((uint)GerrorFlags.EVENTQ_ABT_ERR, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(1u << 2, (uint)GerrorFlags.EVENTQ_ABT_ERR);
        Assert.Equal(0u, Prod(h));
        h.Memory.ClearAbortRanges();
        Assert.False(RaiseEvent(h).FaultRecorded);
        Assert.Equal(0u, Prod(h));

        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.True(RaiseEvent(h).FaultRecorded);
        Assert.Equal(1u, Prod(h));
    }

    [Fact]
    public void Statistics_count_written_discarded_and_per_type()
    {
        var h = new DeviceHarness();
        h.Reset();
        RaiseEvent(h);
        RaiseEvent(h);
        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN), SmmuRegister.CR0ACK);
        RaiseEvent(h);
        Assert.Equal(2, h.Smmu.Statistics.EventsWritten);
        Assert.Equal(1, h.Smmu.Statistics.EventsDiscarded);
        Assert.Equal(3, h.Smmu.Statistics.EventCount(EventType.CBadStreamId));
        Assert.Equal(0, h.Smmu.Statistics.EventCount(EventType.CBadSte));
    }
}
