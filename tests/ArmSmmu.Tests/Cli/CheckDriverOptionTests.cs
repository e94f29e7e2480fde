using System.Text.Json;
using ArmSmmu.Cli;
using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu run/replay --check-driver</c>: the driver-bug detector's verdict in the report, in JSON, and in the exit code.</summary>
public class CheckDriverOptionTests
{
    // Linux 6.1 is a correct driver: its recorded runs (stage 1 with range TLBIs; stage 2) give no report.
    [Theory]
    [InlineData("linux61-qemu72-strict")]
    [InlineData("linux61-qemu10-s2-strict")]
    public void Replaying_linux_recordings_with_the_check_finds_no_mistake(string name)
    {
        var (code, output, error) = CliRunner.Run("replay", ReplayRecordingTests.Recording(name), "--check-driver");

        Assert.True(code == 0, error);
        Assert.Contains("Driver check: no mistake found.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Replay_json_has_an_empty_driver_check_list_only_when_asked()
    {
        var (_, checkedJson, _) = CliRunner.Run("replay", ReplayRecordingTests.Recording("linux61-qemu72-strict"), "--json", "--check-driver");
        var (_, plainJson, _) = CliRunner.Run("replay", ReplayRecordingTests.Recording("linux61-qemu72-strict"), "--json");

        using var withCheck = JsonDocument.Parse(checkedJson);
        using var without = JsonDocument.Parse(plainJson);
        Assert.Equal(0, withCheck.RootElement.GetProperty("driverChecks").GetArrayLength());
        Assert.False(without.RootElement.TryGetProperty("driverChecks", out _));
    }

    [Theory]
    [InlineData("stage1-dma.json")]
    [InlineData("stage2-guest.json")]
    [InlineData("faults.json")]
    public void Running_scenarios_through_the_library_driver_with_the_check_finds_no_mistake(string scenario)
    {
        string path = Path.Combine(RunCommandTests.ExamplesDirectory(), scenario);
        var (_, text, _) = CliRunner.Run("run", path, "--check-driver");
        var (_, json, _) = CliRunner.Run("run", path, "--check-driver", "--json");

        Assert.Contains("Driver check: no mistake found.", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(0, document.RootElement.GetProperty("driverChecks").GetArrayLength());
    }

    [Fact]
    public void A_finding_prints_as_a_line_with_why_the_words_and_the_command_and_round_trips_through_json()
    {
        var iommu = new Iommu(SmmuFeatures.Default with { CheckDriver = true });
        iommu.ConfigureStream(5, StreamMode.Stage1);
        iommu.Map(5, 0x1000, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);
        iommu.Translate(5, 0x1000, AccessKind.Read);
        ulong ste = iommu.Driver.SteAddress(5);
        Assert.True(iommu.Memory.TryWriteUInt64(ste + 8, StreamTableEntry.BypassEntry.Dw1));
        iommu.Translate(5, 0x1000, AccessKind.Read);

        var line = Assert.Single(DriverCheckLine.Of(iommu.Device)!);
        using var output = new StringWriter();
        DriverCheckLine.Write(output, [line]);
        string[] lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("Driver check: 1 mistake found.", lines[0]);
        Assert.Equal($"✗ stale STE: StreamID 0x5 address 0x1000 [0x{ste:X}]", lines[1]);
        Assert.StartsWith("  why      the SMMU used its cached STE", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("  cached   0x", lines[3], StringComparison.Ordinal);
        Assert.Contains("0x0000100000000000", lines[4], StringComparison.Ordinal); // SHCFG = 01 now in word 1
        Assert.Equal("  needs    CMD_CFGI_STE for StreamID 0x5 and CMD_SYNC", lines[5]);
        Assert.Equal(nameof(DriverMistake.StaleStreamTableEntry), line.Mistake);
    }
}
