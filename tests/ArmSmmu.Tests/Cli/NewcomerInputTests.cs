using System.Text.Json;
using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

/// <summary>What a newcomer typed or pasted (issue 8, section 5): each gets a message naming the place and the reason.</summary>
public sealed class NewcomerInputTests : IDisposable
{
    // IHI0070 §5.2 (digest 2.1): V dw0[0], Config dw0[3:1] (0b101 = stage 1 translates), S1CDMax dw0[63:59].
    private const string Stage1SteWord0 = "0x000000008000000B";
    private const string S1CdMax21Word0 = "0xA80000008000000B"; // S1CDMax = 21 = 0b10101

    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-newcomer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Run_of_a_directory_says_it_is_a_directory()
    {
        var (code, output, error) = CliRunner.Run("run", _directory);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Empty(output);
        Assert.Contains($"{_directory}: this is a directory, not a scenario file", error, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_record_is_an_error_unless_padded()
    {
        var (code, output, error) = CliRunner.Run("decode", "event", "0x10");
        Assert.Equal(CliApp.UsageError, code);
        Assert.Empty(output);
        Assert.Contains("1 word given, but 'event' takes 4 words", error, StringComparison.Ordinal);

        (code, output, error) = CliRunner.Run("decode", "event", "0x10", "--pad");
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("1 of 4 words given; dw1..dw3 taken as 0 (--pad)", output, StringComparison.Ordinal);
        Assert.Matches(@"Type\s*│\s*dw0\[7:0\]\s*│\s*0x10\s*│\s*0x10 F_TRANSLATION", output);
    }

    [Theory]
    [InlineData(new[] { S1CdMax21Word0 }, "ILLEGAL (C_BAD_STE): S1CDMax 21 exceeds IDR1.SSIDSIZE 20")] // §5.2: S1CDMax > SSIDSIZE
    [InlineData(new[] { Stage1SteWord0, "--ssid-bits", "16" }, "valid: the SMMU takes it")]
    [InlineData(new[] { S1CdMax21Word0, "--ssid-bits", "16" }, "ILLEGAL (C_BAD_STE): S1CDMax 21 exceeds IDR1.SSIDSIZE 16")]
    [InlineData(new[] { Stage1SteWord0, "--no-stage1" }, "ILLEGAL (C_BAD_STE): Config 0b101 enables a stage this SMMU does not implement")]
    [InlineData(new[] { "0" }, "INVALID (C_BAD_STE): V = 0")]
    public void Decode_ste_applies_the_devices_checks(string[] word0AndOptions, string verdict)
    {
        string[] args = ["decode", "ste", word0AndOptions[0], "0", "0", "0", "0", "0", "0", "0", .. word0AndOptions[1..]];

        var (code, output, error) = CliRunner.Run(args);

        Assert.Equal(0, code);
        Assert.Empty(error);
        string last = output.TrimEnd().Split('\n')[^1];
        Assert.StartsWith(verdict, last, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_cd_applies_the_devices_checks()
    {
        // Digest 3.1: Linux CD dw0 with T0SZ 16 is valid; T0SZ 10 is outside 16..39 (no IDR3.STT), ILLEGAL (§5.4.2).
        var valid = CliRunner.Run("decode", "cd", "0x0001_E205_C000_3510", "--pad");
        var illegal = CliRunner.Run("decode", "cd", "0x0001_E205_C000_350A", "--pad");

        Assert.Contains("valid: the SMMU takes it", valid.Output, StringComparison.Ordinal);
        Assert.Contains("ILLEGAL (C_BAD_CD): T0SZ 10 is outside 16..39", illegal.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Ste_verdict_in_json_names_the_event_and_rule()
    {
        var (code, output, _) = CliRunner.Run("decode", "ste", S1CdMax21Word0, "--pad", "--json");

        Assert.Equal(0, code);
        JsonElement record = JsonDocument.Parse(output).RootElement.GetProperty("records").EnumerateArray().Single();
        JsonElement check = record.GetProperty("check");
        Assert.False(check.GetProperty("valid").GetBoolean());
        Assert.Equal("C_BAD_STE", check.GetProperty("event").GetString());
        Assert.Equal("S1CDMax 21 exceeds IDR1.SSIDSIZE 20", check.GetProperty("rule").GetString());
        JsonElement cdMax = record.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "S1CDMax");
        Assert.Equal(21, cdMax.GetProperty("value").GetInt32());
        Assert.Equal(0xA80000008000000BUL, record.GetProperty("words")[0].GetUInt64());
    }

    [Fact]
    public void A_mapping_past_the_input_address_size_names_the_ias()
    {
        string path = Write("""
            { "streams": [ { "streamId": 1, "mode": "stage1",
              "mappings": [ { "iova": "0xFFFF_FFFF_FFFF_F000", "pa": "0x1000", "size": "4K", "permissions": "rw" } ] } ] }
            """);

        var (code, _, error) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("$.streams[0].mappings[0].iova: the range 0xFFFF_FFFF_FFFF_F000 + 4K exceeds the 48-bit input address size", error, StringComparison.Ordinal);
        Assert.DoesNotContain("64-bit", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1180591620717411303424")] // 2^70
    [InlineData("\"0x10\"")]
    public void A_streamid_out_of_range_says_what_was_expected(string value)
    {
        string path = Write($$"""{ "streams": [ { "streamId": {{value}}, "mode": "bypass" } ] }""");

        var (code, _, error) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains("$.streams[0].streamId: wrong value: streamId must be an integer from 0 to 65535 (SIDSIZE 16)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("JSON type", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("  \n ", "the file holds no JSON")]
    [InlineData("{ \"streams\": [ { \"streamId\": 1, \"mode\": \"bypass\" } ],\n  \"transactions\": [ { \"streamId\": 1,", "the JSON ends before the scenario is complete (line 2)")]
    [InlineData("{ \"streams\": [ ] } }", "more JSON follows the scenario's closing '}'")]
    [InlineData("[ 1, 2 ]", "a scenario must be a JSON object")]
    public void Json_errors_are_in_the_tools_words(string text, string reason)
    {
        string path = Write(text);

        var (code, _, error) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Expected depth", error, StringComparison.Ordinal);
        Assert.DoesNotContain("JSON tokens", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_garbage_is_named_not_echoed()
    {
        byte[] garbage = [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0xFF, 0xFE, 0x1B, 0x5B, 0x33, 0x31, 0x6D];
        string path = Path.Combine(_directory, "a.out");
        File.WriteAllBytes(path, garbage);

        var run = CliRunner.Run("run", path);
        var decode = CliRunner.RunWithInput(System.Text.Encoding.Latin1.GetString(garbage), "decode", "event", "-");

        Assert.Equal(CliApp.UsageError, run.Code);
        Assert.Contains("the file is not text (it holds binary data)", run.Error, StringComparison.Ordinal);
        Assert.Equal(CliApp.UsageError, decode.Code);
        Assert.Contains("the input is not text (it holds binary data)", decode.Error, StringComparison.Ordinal);
        foreach (string error in new[] { run.Error, decode.Error })
        {
            Assert.DoesNotContain('\x1B', error);
            Assert.DoesNotContain("ELF", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_pasted_cmdq_error_block_decodes_the_command_it_skipped()
    {
        // Linux arm-smmu-v3 (__arm_smmu_cmdq_skip_err): "CMDQ error (cons 0x%08x): %s", "skipping command in error
        // state:", then each of the command's two words as "\t0x%016llx". Opcode 0x12 is CMD_TLBI_NH_VA (IHI0070 §4.4).
        const string Log = """
            [  7.1] arm-smmu-v3 9050000.smmuv3: CMDQ error (cons 0x01000003): Illegal command
            [  7.1] arm-smmu-v3 9050000.smmuv3: skipping command in error state:
            [  7.1] arm-smmu-v3 9050000.smmuv3: 	0x0000000000000012
            [  7.1] arm-smmu-v3 9050000.smmuv3: 	0x0000000000000000
            """;

        var (code, output, error) = CliRunner.RunWithInput(Log, "decode", "cmd", "-");

        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("log: CMDQ error (cons 0x01000003): Illegal command", output, StringComparison.Ordinal);
        Assert.Matches(@"Opcode\s*│\s*dw0\[7:0\]\s*│\s*0x12\s*│\s*0x12 CMD_TLBI_NH_VA", output);
    }

    [Fact]
    public void Two_events_in_one_paste_decode_as_two_records()
    {
        // Linux prints "event 0x%02x received:" and four "\t0x%016llx" lines per event (6.14 and later follow them with
        // decoded lines, "event: %s client: %s sid: %#x … ipa: %#llx", which hold no record words); StreamID is dw0[63:32].
        const string Log = """
            arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000800000010
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000020800000000
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000012345000
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000000000000
            arm-smmu-v3 arm-smmu-v3.0.auto: event: F_TRANSLATION client: 0000:00:01.0 sid: 0x8 ssid: 0x0 iova: 0x12345000 ipa: 0x0
            arm-smmu-v3 arm-smmu-v3.0.auto: unpriv data read s1 "Input address caused fault" stag: 0x0
            arm-smmu-v3 arm-smmu-v3.0.auto: event 0x13 received:
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000900000013
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000020000000000
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000000400100
            arm-smmu-v3 arm-smmu-v3.0.auto: 	0x0000000000000000
            """;

        var (code, output, _) = CliRunner.RunWithInput(Log, "decode", "event", "-", "--json");

        Assert.Equal(0, code);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        JsonElement[] records = [.. root.GetProperty("records").EnumerateArray()];
        Assert.Equal(2, records.Length);
        Assert.Equal("event 0x10 received:", root.GetProperty("log")[0].GetString());
        Assert.Equal(4, root.GetProperty("log").GetArrayLength());
        Assert.Equal(8, Field(records[0], "StreamID").GetProperty("value").GetInt32());
        Assert.Equal(9, Field(records[1], "StreamID").GetProperty("value").GetInt32());
        Assert.Contains("F_PERMISSION", Field(records[1], "Type").GetProperty("meaning").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Examples_ship_inside_the_tool_and_run_as_printed()
    {
        var list = CliRunner.Run("example");
        Assert.Equal(0, list.Code);
        foreach (string name in new[] { "faults", "stage1-dma", "stage2-guest" })
        {
            Assert.Contains(name, list.Output, StringComparison.Ordinal);
        }

        var (code, text, _) = CliRunner.Run("example", "stage1-dma");
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(Path.Combine(RunCommandTests.ExamplesDirectory(), "stage1-dma.json")).TrimEnd(), text.TrimEnd());
        string path = Write(text);
        Assert.Equal(0, CliRunner.Run("run", path).Code);

        var missing = CliRunner.Run("example", "stage3");
        Assert.Equal(CliApp.UsageError, missing.Code);
        string[] shipped = [.. Directory.GetFiles(RunCommandTests.ExamplesDirectory(), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!];
        Assert.Contains($"there is no example 'stage3'; the examples are {string.Join(", ", shipped)}.", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_json_gives_register_values_as_numbers()
    {
        var (code, output, _) = CliRunner.Run("info", "--json");

        Assert.Equal(0, code);
        JsonElement idr1 = JsonDocument.Parse(output).RootElement.GetProperty("registers").EnumerateArray()
            .Single(r => r.GetProperty("register").GetString() == "IDR1");
        Assert.Equal(4, idr1.GetProperty("offset").GetInt32()); // IHI0070 §6.3: IDR1 at 0x4
        Assert.Equal(SmmuFeatures.Default.Idr1, idr1.GetProperty("value").GetUInt32());

        // IDR1.SSIDSIZE [10:6] and SIDSIZE [5:0] of the default device: 20 and 16 bits.
        Assert.Equal(20, Field(idr1, "SSIDSIZE").GetProperty("value").GetInt32());
        Assert.Equal(16, Field(idr1, "SIDSIZE").GetProperty("value").GetInt32());
    }

    [Fact]
    public void Demo_json_is_the_run_json_of_the_demo()
    {
        var (code, output, _) = CliRunner.Run("demo", "--json");

        Assert.Equal(0, code);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("allMet").GetBoolean());
        JsonElement first = root.GetProperty("transactions")[0];
        Assert.Equal(16, first.GetProperty("streamId").GetInt32());
        Assert.Equal(0x80000040UL, first.GetProperty("pa").GetUInt64());
    }

    private static JsonElement Field(JsonElement record, string name) =>
        record.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    private string Write(string text)
    {
        string path = Path.Combine(_directory, $"case-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }
}
