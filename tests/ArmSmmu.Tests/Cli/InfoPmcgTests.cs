using System.Text.Json;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu info</c> shows the PMCG of the default device (IHI0070 §10.5.2.13, §10.5.2.16).</summary>
public class InfoPmcgTests
{
    [Fact]
    public void Info_table_decodes_the_PMCG_CFGR_and_CEID0()
    {
        var (code, output, _) = CliRunner.Run("info");
        Assert.Equal(0, code);
        Assert.Contains("PMCG_CFGR", output, StringComparison.Ordinal);
        Assert.Matches(@"NCTR\s*│\s*\[5:0\]\s*│\s*7\s*│\s*7 \(8 counters\)", output);
        Assert.Matches(@"SIZE\s*│\s*\[13:8\]\s*│\s*63\s*│\s*63 \(64-bit counters\)", output);
        Assert.Matches(@"TLB_MISS\s*│\s*\[2\]\s*│\s*1\s*│", output);
    }

    [Fact]
    public void Info_json_gives_the_PMCG_registers_as_numbers()
    {
        var (code, output, _) = CliRunner.Run("info", "--json");
        Assert.Equal(0, code);
        JsonElement pmcg = JsonDocument.Parse(output).RootElement.GetProperty("performanceMonitor");
        JsonElement cfgr = pmcg.EnumerateArray().Single(r => r.GetProperty("register").GetString() == "PMCG_CFGR");
        Assert.Equal(0xE00, cfgr.GetProperty("offset").GetInt32());
        // NCTR 7, SIZE 63, RELOC_CTRS, MSI, CAPTURE (IHI0070 §10.5.2.13 bit positions).
        Assert.Equal(7u | (63u << 8) | (1u << 20) | (1u << 21) | (1u << 22), cfgr.GetProperty("value").GetUInt32());
        JsonElement ceid0 = pmcg.EnumerateArray().Single(r => r.GetProperty("register").GetString() == "PMCG_CEID0");
        Assert.Equal(0xFFu, ceid0.GetProperty("value").GetUInt32()); // events 0-7, ATS included
    }
}
