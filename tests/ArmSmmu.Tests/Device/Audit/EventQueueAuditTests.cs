using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>The re-audit of IHI0070 §7.4 (event queue overflow) and the recording rules of §5.5 the queue sees.</summary>
public class EventQueueAuditTests
{
    private const uint BadSid = 0x1234; // C_BAD_STREAMID with the harness's LOG2SIZE 8 and RECINVSID
    private const uint Capacity = 1u << DeviceHarness.EventQueueLog2;

    [Fact]
    public void Section_7_4_a_full_but_disabled_queue_discards_without_overflow()
    {
        // §7.4: "When EVENTQEN == 0, events are not delivered and non-stall event records might be discarded but do
        // not cause an overflow condition" — also when the queue happens to be full.
        var h = new DeviceHarness();
        h.Reset();
        for (uint i = 0; i < Capacity; i++)
        {
            Assert.True(h.Read(BadSid, 0).FaultRecorded);
        }

        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN), SmmuRegister.CR0ACK);
        Assert.False(h.Read(BadSid, 0).FaultRecorded);
        Assert.Equal(Capacity, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD)); // WR = 0 with WRAP = 1, OVFLG = 0

        // Enabled again, the same full queue overflows on the next discarded record.
        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN), SmmuRegister.CR0ACK);
        Assert.False(h.Read(BadSid, 0).FaultRecorded);
        Assert.Equal(Capacity | SmmuQueue.OverflowFlag, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD));
    }

    [Fact]
    public void Section_5_5_s2s_stalls_and_records_even_with_s2r_clear()
    {
        // §5.5 S: "The stall is always reported and the R bit is ignored" (ARS = 0bxx1: effective R = 1).
        var h = new DeviceHarness();
        h.Reset();
        ulong s2 = h.NewTable();
        h.SetSte(7, DeviceHarness.Stage2Ste(s2, 1) with { S2R = false, S2S = true });

        var result = h.Read(7, 0x4000);
        Assert.Equal(TranslationOutcome.Stalled, result.Outcome);
        var record = Assert.Single(h.DrainEvents());
        Assert.Equal((EventType.FTranslation, true, true, result.StallTag), (record.Type, record.S2, record.Stall, record.StallTag));
    }
}
