using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

public class CliAppTests
{
    [Fact]
    public void Info_prints_the_default_ID_registers_decoded_from_their_values()
    {
        var (code, output, error) = Run("info");
        Assert.Equal(0, code);
        Assert.Empty(error);

        Assert.Contains($"0x{SmmuFeatures.Default.Idr0:X8}", output, StringComparison.Ordinal);
        Assert.Contains($"0x{SmmuFeatures.Default.Idr5:X8}", output, StringComparison.Ordinal);
        foreach (string name in new[] { "IDR0", "IDR1", "IDR3", "IDR5", "IIDR", "AIDR", "ST_LEVEL", "STALL_MODEL", "SIDSIZE", "CMDQS", "RIL", "GRAN16K", "OAS", "Implementer", "ArchMinorRev" })
        {
            Assert.Contains(name, output, StringComparison.Ordinal);
        }

        // Digest §1.3: TTF [3:2] = 10 is VMSAv8-64 (AArch64); §1.5: OAS 101 = 48 bits; IIDR Implementer 0x43B = Arm.
        Assert.Matches(@"TTF\s*│\s*\[3:2\]\s*│\s*2\s*│\s*0b10 AArch64", output);
        Assert.Matches(@"OAS\s*│\s*\[2:0\]\s*│\s*5\s*│\s*0b101 48 bits", output);
        Assert.Matches(@"SIDSIZE\s*│\s*\[5:0\]\s*│\s*16\s*│", output);
        Assert.Matches(@"Implementer\s*│\s*\[11:0\]\s*│\s*1083\s*│\s*0x43B", output);
        Assert.DoesNotContain("\u001b[", output, StringComparison.Ordinal); // no colours when not a terminal
    }

    [Fact]
    public void Info_decodes_a_cleared_bit_as_absent()
    {
        // The default has VATOS = 0 (IDR0[20]).
        var (_, output, _) = Run("info");
        Assert.Matches(@"VATOS\s*│\s*\[20\]\s*│\s*0\s*│\s*0 clear", output);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("info", "--no-such-option")]
    public void Unknown_command_or_option_fails_with_one_message(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(args[^1], error, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error, StringComparison.Ordinal); // no stack trace
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("error", StringComparison.Ordinal));
        Assert.Empty(output);
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        var (code, _, error) = Run();
        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("--help", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_info_command()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("info", output, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);
}
