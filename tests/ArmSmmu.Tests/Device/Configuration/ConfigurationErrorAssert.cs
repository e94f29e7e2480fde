using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Configuration;

/// <summary>What the STE and CD rule tables check on the device: the configuration error exactly when a rule is broken.</summary>
internal static class ConfigurationErrorAssert
{
    /// <summary>
    /// With <paramref name="rule"/> null, the transaction neither faulted with nor recorded <paramref name="error"/>;
    /// otherwise it faulted with it and the one event is exactly C_BAD_STE/C_BAD_CD for <paramref name="streamId"/>
    /// (IHI0070 §7.3.3, §7.3.5: no SubstreamID, no address).
    /// </summary>
    public static void RaisedExactlyWhenBroken(string? rule, EventType error, uint streamId, in TranslationResult result, List<EventRecord> events)
    {
        if (rule is null)
        {
            Assert.NotEqual(error, result.Fault);
            Assert.DoesNotContain(events, e => e.Type == error);
        }
        else
        {
            Assert.Equal(error, result.Fault);
            Assert.Equal(new EventRecord { Type = error, StreamId = streamId }, Assert.Single(events));
        }
    }
}
