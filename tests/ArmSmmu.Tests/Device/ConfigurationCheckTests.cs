using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>ConfigurationCheck: the verdict on an STE or CD held outside a device is the one the device gives when it fetches it.</summary>
public class ConfigurationCheckTests
{
    private const uint Sid = 0x10;

    public static TheoryData<uint, string?> SteCases => new()
    {
        // IHI0070 §5.2.2: S1CDMax above IDR1.SSIDSIZE (20 on the default device) is ILLEGAL; 20 itself is not.
        { 21, "S1CDMax 21 exceeds IDR1.SSIDSIZE 20" },
        { 20, null },
        { 0, null },
    };

    [Theory]
    [MemberData(nameof(SteCases))]
    public void Ste_verdict_matches_what_the_device_does_on_fetch(uint s1CdMax, string? rule)
    {
        StreamTableEntry ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax, s1dss: 2);

        string? problem = ConfigurationCheck.SteProblem(ste, SmmuFeatures.Default);

        Assert.Equal(rule, problem);
        TranslationExplanation explanation = Explain(ste, DeviceHarness.LinuxCd(1, 0x4000_0000));
        Assert.Equal(rule is not null, explanation.Result.Fault == EventType.CBadSte);
        if (rule is not null)
        {
            Assert.Contains(explanation.Steps, s => s.Text.Contains($"{rule}: C_BAD_STE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Cd_verdict_matches_what_the_device_does_on_fetch()
    {
        // IHI0070 §5.4.2: T0SZ below 16 is outside the VMSAv8-64 range, so the CD is ILLEGAL (C_BAD_CD).
        ContextDescriptor bad = DeviceHarness.LinuxCd(1, 0x4000_0000) with { T0SZ = 10 };

        Assert.Null(ConfigurationCheck.CdProblem(DeviceHarness.LinuxCd(1, 0x4000_0000), SmmuFeatures.Default));
        Assert.Equal("T0SZ 10 is outside 16..39", ConfigurationCheck.CdProblem(bad, SmmuFeatures.Default));
        TranslationExplanation explanation = Explain(DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase), bad);
        Assert.Equal(EventType.CBadCd, explanation.Result.Fault);
        Assert.Contains(explanation.Steps, s => s.Text.Contains("T0SZ 10 is outside 16..39: C_BAD_CD", StringComparison.Ordinal));
    }

    [Fact]
    public void Features_change_the_verdict()
    {
        StreamTableEntry ste = DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 16);

        Assert.Null(ConfigurationCheck.SteProblem(ste, SmmuFeatures.Default));
        Assert.Equal("S1CDMax 16 exceeds IDR1.SSIDSIZE 8", ConfigurationCheck.SteProblem(ste, SmmuFeatures.Default with { SubstreamIdBits = 8 }));
        Assert.Throws<ArgumentException>(() => ConfigurationCheck.CdProblem(DeviceHarness.LinuxCd(1, 0), SmmuFeatures.Default with { Stage1 = false }));
    }

    private static TranslationExplanation Explain(in StreamTableEntry ste, in ContextDescriptor cd)
    {
        var h = new DeviceHarness();
        h.Reset();
        Assert.True(cd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, ste);
        return h.Smmu.Explain(new TranslationRequest(Sid, 0x1234, AccessKind.Read, SubstreamId: null));
    }
}
