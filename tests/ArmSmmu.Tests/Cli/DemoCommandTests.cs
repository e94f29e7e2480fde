using System.Text.RegularExpressions;

namespace ArmSmmu.Tests.Cli;

public class DemoCommandTests
{
    [Fact]
    public void Demo_meets_every_expectation()
    {
        var (code, output, error) = CliRunner.Run("demo");

        Assert.True(code == 0, output + error);
        Assert.Empty(error);
        Assert.Matches(@"(\d+) of \1 expectations met\.", output);
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_shows_each_kind_of_outcome()
    {
        var (_, output, _) = CliRunner.Run("demo");

        // Bypass (STE.Config 0b100): output address = input address.
        Assert.Matches(@"│ 0x30\s+│ -\s+│ read\s+│ 0x12345678\s+│ bypassed\s+│ 0x12345678\s+│", output);

        // Nested: IOVA 0x1010 -> IPA 0x80000010 (stage-1 page at IPA 0x80000000) -> PA 0x400000010 (stage-2 block at 0x400000000).
        Assert.Matches(@"│ 0x21\s+│ -\s+│ read\s+│ 0x1010\s+│ translated\s+│ 0x400000010\s+│", output);

        // PASID 2's read-only buffer: reads translate, writes are F_PERMISSION (AP[2] = 1).
        Assert.Matches(@"│ 0x10\s+│ 2\s+│ write\s+│ 0x400100\s+│ faulted\s+│ F_PERMISSION\s+│", output);

        // Unmapped IOVA: F_TRANSLATION; PASID 5 never created: its CD has V = 0, C_BAD_CD (IHI0070 §5.4).
        Assert.Matches(@"│ 0x10\s+│ -\s+│ read\s+│ 0x20000000\s+│ faulted\s+│ F_TRANSLATION\s+│", output);
        Assert.Matches(@"│ 0x10\s+│ 5\s+│ read\s+│ 0x400000\s+│ faulted\s+│ C_BAD_CD\s+│", output);

        // Abort STE (Config 0b000): terminated, no event record.
        Assert.Matches(@"│ 0x31\s+│ -\s+│ write\s+│ 0x1000\s+│ faulted\s+│ abort, no event\s+│", output);

        // The nested stage-2 fault carries the IPA stage 1 produced (IHI0070 §7.3: S2 = 1, IPA[55:12]).
        Assert.Matches(@"│ F_TRANSLATION\s+│ 0x21\s+│ -\s+│ 0x200000\s+│ 0xA0000000\s+│ IN\s+│ 1 \(stage 2\)", output);
        Assert.Contains("TLB hit rate", output, StringComparison.Ordinal);
        Assert.Contains("Commands consumed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_ends_with_a_decode_command_for_the_first_event_record()
    {
        var (_, output, _) = CliRunner.Run("demo");

        // The first record is the F_PERMISSION (0x13) of StreamID 0x10, PASID 2 (SSV = 1), a write (RnW = 0),
        // stage 1, CLASS = IN (0b10 at dw1[41:40]), InputAddr 0x400100 (IHI0070 §7.3).
        const string Words = "0x0000001000002813 0x0000020000000000 0x0000000000400100 0x0000000000000000";
        string last = output.TrimEnd().Split('\n')[^1];
        Assert.Contains("smmu example stage1-dma > stage1-dma.json && smmu run stage1-dma.json", last, StringComparison.Ordinal);
        Assert.Contains($"smmu decode event {Words}", last, StringComparison.Ordinal);

        // ... and that command works.
        var (code, decoded, _) = CliRunner.Run(["decode", "event", .. Words.Split(' ')]);
        Assert.Equal(0, code);
        Assert.Contains("F_PERMISSION", decoded, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_output_is_the_same_every_run()
    {
        Assert.Equal(CliRunner.Run("demo").Output, CliRunner.Run("demo").Output);
        Assert.DoesNotMatch(new Regex(@"\d+(\.\d+)?\s*(ms|µs|s)\b"), CliRunner.Run("demo").Output);
    }

    [Fact]
    public void Help_lists_run_and_demo()
    {
        var (_, output, _) = CliRunner.Run("--help");
        Assert.Matches(new Regex(@"^\s+run\s", RegexOptions.Multiline), output);
        Assert.Matches(new Regex(@"^\s+demo\s", RegexOptions.Multiline), output);
    }
}
