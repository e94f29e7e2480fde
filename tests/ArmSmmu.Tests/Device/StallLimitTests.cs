using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// SMMU_IDR5.STALL_MAX (IHI0070 §6.3.6): the outstanding stalls the SMMU holds; a fault that would stall beyond that
/// number is terminated and recorded as an ordinary fault (Stall = 0), and the held stall is unaffected.
/// </summary>
public class StallLimitTests
{
    [Fact]
    public void Section_6_3_6_a_fault_beyond_stall_max_is_terminated_and_recorded_without_stall()
    {
        var f = new StallFixture(SmmuFeatures.Default with { StallMax = 1 });
        Assert.Equal(1u, f.H.Smmu.ReadRegister32(SmmuRegister.IDR5) >> 16);

        var first = f.Stall(StallFixture.Sid);
        var second = f.Stall(StallFixture.OtherSid);

        Assert.Equal(TranslationOutcome.Stalled, first.Outcome);
        Assert.Equal(TranslationOutcome.Faulted, second.Outcome);
        Assert.Equal(EventType.FTranslation, second.Fault);
        Assert.True(second.FaultRecorded);
        Assert.Equal(1, f.H.Smmu.StalledTransactionCount);

        var records = f.H.DrainEvents();
        Assert.Equal(2, records.Count);
        Assert.Equal((StallFixture.Sid, true, first.StallTag), (records[0].StreamId, records[0].Stall, records[0].StallTag));
        Assert.Equal((StallFixture.OtherSid, false, EventType.FTranslation), (records[1].StreamId, records[1].Stall, records[1].Type));
        Assert.Equal(StallFixture.Unmapped, records[1].InputAddress);

        // Once the first stall is resumed, the next fault stalls again.
        f.H.Submit(Command.Resume(StallFixture.Sid, first.StallTag, retry: false, abort: true));
        Assert.Equal(TranslationOutcome.Stalled, f.Stall(StallFixture.OtherSid).Outcome);
    }
}
