using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>SubstreamID handling: S1CDMax, S1DSS, stage-1-disabled streams (IHI0070 §3.8, §5.2 S1CDMax/S1DSS, §7.3.7, §7.3.9).</summary>
public class SubstreamTests
{
    private const uint Sid = 0x12;
    private const ulong Iova = 0x0070_0000;
    private const ulong Pa0 = 0x6100_0000;
    private const ulong Pa3 = 0x6300_0000;

    private static DeviceHarness Setup(uint s1CdMax, uint s1dss, SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        ulong pgd0 = h.NewTable();
        ulong pgd3 = h.NewTable();
        h.Map4K(pgd0, Iova, Pa0, DeviceHarness.S1ReadWrite);
        h.Map4K(pgd3, Iova, Pa3, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd0).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        Assert.True(DeviceHarness.LinuxCd(3, pgd3).TryWrite(h.Memory, DeviceHarness.CdTableBase + (3 * 64)));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax, s1dss));
        return h;
    }

    private static EventRecord BadSubstream(uint ssid) => new() { Type = EventType.CBadSubstreamId, StreamId = Sid, SubstreamId = ssid };

    private static EventRecord StreamDisabled => new() { Type = EventType.FStreamDisabled, StreamId = Sid };

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)] // reserved, behaves as 0b00
    public void S1dss_terminate_refuses_traffic_without_a_substream(uint s1dss)
    {
        // IHI0070 §5.2 S1DSS 0b00: abort + F_STREAM_DISABLED (StreamID only).
        var h = Setup(2, s1dss);
        var result = h.Read(Sid, Iova);
        Assert.Equal(EventType.FStreamDisabled, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(StreamDisabled, Assert.Single(h.DrainEvents()));
        Assert.Equal(Pa3, h.Read(Sid, Iova, ssid: 3).PhysicalAddress);
        Assert.Equal(Pa0, h.Read(Sid, Iova, ssid: 0).PhysicalAddress); // SSID 0 selects CD 0 under S1DSS 0b00
    }

    [Fact]
    public void S1dss_bypass_skips_stage1_for_traffic_without_a_substream()
    {
        // IHI0070 §5.2 S1DSS 0b01: as though Config = 0b1x0 (here: no stage 2, so the address is output unchanged).
        var h = Setup(2, 1);
        var result = h.Read(Sid, Iova + 4);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Equal(Iova + 4, result.PhysicalAddress);
        Assert.Equal(Pa3 + 4, h.Read(Sid, Iova + 4, ssid: 3).PhysicalAddress);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void S1dss_substream0_uses_cd0_without_a_substream_and_refuses_ssid_0()
    {
        // IHI0070 §5.2 S1DSS 0b10: no SubstreamID -> CD 0; SubstreamID 0 -> abort + F_STREAM_DISABLED.
        var h = Setup(2, 2);
        Assert.Equal(Pa0, h.Read(Sid, Iova).PhysicalAddress);
        var result = h.Read(Sid, Iova, ssid: 0);
        Assert.Equal(EventType.FStreamDisabled, result.Fault);
        Assert.Equal(StreamDisabled, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Substream_with_s1cdmax_0_is_c_bad_substreamid()
    {
        // IHI0070 §5.2 S1CDMax = 0: SSV = 1 traffic is terminated with C_BAD_SUBSTREAMID; no-SSID traffic uses the single CD.
        var h = Setup(0, 0);
        Assert.Equal(Pa0, h.Read(Sid, Iova).PhysicalAddress);
        var result = h.Read(Sid, Iova, ssid: 0);
        Assert.Equal(EventType.CBadSubstreamId, result.Fault);
        Assert.Equal(BadSubstream(0), Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Substream_beyond_s1cdmax_is_c_bad_substreamid()
    {
        // IHI0070 §5.2 S1CDMax: SubstreamID >= 2^S1CDMax terminates with C_BAD_SUBSTREAMID.
        var h = Setup(2, 0);
        var result = h.Read(Sid, Iova, ssid: 4);
        Assert.Equal(EventType.CBadSubstreamId, result.Fault);
        Assert.Equal(Termination.Abort, result.Termination);
        Assert.Equal(BadSubstream(4), Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Substream_on_an_smmu_without_substreams_is_c_bad_substreamid()
    {
        // IHI0070 §5.2 S1CDMax: with SSIDSIZE = 0 a transaction may not supply a SubstreamID; S1CDMax is IGNORED.
        var h = Setup(0, 0, SmmuFeatures.Default with { SubstreamIdBits = 0 });
        Assert.Equal(Pa0, h.Read(Sid, Iova).PhysicalAddress);
        Assert.Equal(EventType.CBadSubstreamId, h.Read(Sid, Iova, ssid: 1).Fault);
        Assert.Equal(BadSubstream(1), Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Substream_on_a_stage1_disabled_ste_is_c_bad_substreamid()
    {
        // IHI0070 §5.2 S1Fmt: Config 0b1x0 (bypass or stage-2 only) with a SubstreamID aborts with C_BAD_SUBSTREAMID.
        var h = new DeviceHarness();
        h.Reset();
        h.SetSte(Sid, StreamTableEntry.BypassEntry);
        h.SetSte(Sid + 1, DeviceHarness.Stage2Ste(h.NewTable(), 2));

        Assert.Equal(EventType.CBadSubstreamId, h.Read(Sid, Iova, ssid: 7).Fault);
        Assert.Equal(EventType.CBadSubstreamId, h.Read(Sid + 1, Iova, ssid: 8).Fault);
        var events = h.DrainEvents();
        Assert.Equal([BadSubstream(7), BadSubstream(8) with { StreamId = Sid + 1 }], events);
    }
}
