using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>PRI queue overflow (IHI0070 §8.1), whose active condition differs from the event queue's (§7.4).</summary>
public class PriQueueOverflowTests
{
    private const ulong PriQueueBase = PriQueueTests.PriQueueBase; // 4 entries (LOG2SIZE 2)

    private static DeviceHarness Started() => PriQueueTests.Started();

    private static PriQueueEntry Request(uint prg, bool last = false) => new()
    {
        StreamId = 0x10,
        Read = true,
        Last = last,
        PrgIndex = prg,
        PageAddress = 0x7000_0000,
    };

    [Fact]
    public void Section_8_1_an_active_overflow_inhibits_new_entries_even_after_software_frees_space()
    {
        var h = Started();
        for (uint i = 0; i < 4; i++)
        {
            Assert.True(h.Smmu.SubmitPageRequest(Request(i)));
        }

        Assert.False(h.Smmu.SubmitPageRequest(Request(4))); // full: overflow, OVFLG toggles
        uint prod = h.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD);
        Assert.Equal(4u | SmmuQueue.OverflowFlag, prod);

        // Software consumes two entries but has not acknowledged the overflow (OVACKFLG still 0).
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 2);
        Assert.False(h.Smmu.SubmitPageRequest(Request(5)));
        Assert.False(h.Smmu.SubmitPageRequest(Request(6, last: true)));
        Assert.Equal(prod, h.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
        Assert.True(PriQueueEntry.TryRead(h.Memory, PriQueueBase, out var kept)); // slot 0 still holds request 0
        Assert.Equal(0u, kept.PrgIndex);

        // Acknowledging (OVACKFLG = OVFLG) ends the condition: the next request is written at PROD.
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 2u | SmmuQueue.OverflowFlag);
        Assert.True(h.Smmu.SubmitPageRequest(Request(7)));
        Assert.Equal(5u | SmmuQueue.OverflowFlag, h.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
        Assert.True(PriQueueEntry.TryRead(h.Memory, PriQueueBase, out var written)); // slot 0 (index of PROD 4)
        Assert.Equal(7u, written.PrgIndex);
    }

    [Fact]
    public void Section_7_4_an_event_queue_overflow_does_not_inhibit_new_records()
    {
        // The contrast §8.1 draws: with OVFLG unacknowledged the event queue keeps writing where there is space.
        var h = new DeviceHarness();
        h.Reset();
        int capacity = 1 << DeviceHarness.EventQueueLog2;
        for (int i = 0; i <= capacity; i++)
        {
            h.Read(0x1234, 0); // C_BAD_STREAMID: one record each, the last one overflows
        }

        uint prod = h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        Assert.NotEqual(0u, prod & SmmuQueue.OverflowFlag);
        h.Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_CONS) + 1); // free one, no ack
        h.Read(0x1234, 0);
        Assert.Equal(((prod & ~SmmuQueue.OverflowFlag) + 1) | SmmuQueue.OverflowFlag, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));
    }
}
