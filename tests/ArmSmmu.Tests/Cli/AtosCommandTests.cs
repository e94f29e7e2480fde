using System.Text.Json;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu atos</c> and <c>smmu decode reg GATOS_*</c> (IHI0070 chapter 9, §6.3.37-§6.3.40).</summary>
public class AtosCommandTests
{
    private static string Stage1Dma => Path.Combine(RunCommandTests.ExamplesDirectory(), "stage1-dma.json");

    [Fact]
    public void Atos_of_a_2mb_mapping_decodes_the_size_marker_and_the_output_address()
    {
        // stage1-dma.json maps 0x10000000 to 0x80000000 with a 2 MB block: ADDR = 0x80000000 | bit 20, Size = 1.
        var (code, output, _) = CliRunner.Run("atos", Stage1Dma, "--sid", "16", "--address", "0x10001234");
        Assert.Equal(0, code);
        Assert.Contains("GATOS_PAR = 0xFF00000080100B00", output, StringComparison.Ordinal);
        Assert.Contains("Output address 0x80001234 in a 2^21-byte translation at 0x80000000.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Atos_fault_exits_1_with_the_faultcode_and_json_has_the_fields()
    {
        var (code, output, _) = CliRunner.Run("atos", Stage1Dma, "--sid", "0x10", "--address", "10200010", "--access", "write");
        Assert.Equal(1, code);
        Assert.Contains("Fault: F_PERMISSION", output, StringComparison.Ordinal);

        (code, output, _) = CliRunner.Run("atos", Stage1Dma, "--sid", "16", "--address", "0x400010", "--ssid", "1", "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("0xFF00000090000300", json.RootElement.GetProperty("valueHex").GetString()); // PASID 1: 64K mapped as 4K pages
    }

    [Theory]
    [InlineData("--sid", "x1")]
    [InlineData("--type", "s3")]
    [InlineData("--access", "fetch")]
    public void Bad_atos_options_are_usage_errors(string option, string value)
    {
        string[] args = ["atos", Stage1Dma, "--sid", "16", "--address", "0x1000", option, value];
        var (code, _, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_reg_gatos_par_reads_both_formats_6_3_40()
    {
        var (code, output, _) = CliRunner.Run("decode", "reg", "GATOS_PAR", "0x0000000088000107");
        Assert.Equal(0, code);
        Assert.Matches(@"FAULTCODE\s*│\s*\[11:4\]\s*│\s*0x10\s*│\s*0x10 F_TRANSLATION", output);
        Assert.Matches(@"REASON\s*│\s*\[2:1\]\s*│\s*3\s*│\s*0b11 stage 2, input IPA", output);

        (code, output, _) = CliRunner.Run("decode", "reg", "0x118", "0x00000000F0008000");
        Assert.Equal(0, code);
        Assert.Matches(@"ATTR\s*│\s*\[63:56\]\s*│\s*0\s*│\s*0x0 Device-nGnRnE", output);
        Assert.Matches(@"ADDR\s*│\s*\[55:12\]\s*│\s*0xF0008000", output);
    }
}
