using System.Text.Json;
using ArmSmmu.Cli;

namespace ArmSmmu.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("stage1-dma.json")]
    [InlineData("stage2-guest.json")]
    [InlineData("faults.json")]
    public void Every_example_meets_all_its_expectations(string name)
    {
        string path = Path.Combine(ExamplesDirectory(), name);
        int expectations = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("transactions")
            .EnumerateArray().Count(t => t.TryGetProperty("expect", out _));

        var (code, output, error) = CliRunner.Run("run", path);

        Assert.True(code == 0, output + error);
        Assert.Empty(error);
        Assert.Contains($"{expectations} of {expectations} expectations met.", output, StringComparison.Ordinal);
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_expectation_exits_1_and_shows_the_mismatch()
    {
        // A 4 KB read-only stage-1 page (AP[2] = 1): the read translates, the write is an F_PERMISSION (DDI0487 D8.4).
        string path = Write("""
            {
              "streams": [ { "streamId": 3, "mode": "stage1",
                "mappings": [ { "iova": "0x100000", "pa": "0x40000000", "size": "4K", "permissions": "r" } ] } ],
              "transactions": [
                { "streamId": 3, "address": "0x100010", "access": "read", "expect": { "outcome": "translated", "pa": "0x40000010" } },
                { "streamId": 3, "address": "0x100010", "access": "write", "expect": { "outcome": "translated", "pa": "0x40000010" } }
              ]
            }
            """);

        var (code, output, _) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.RuntimeError, code);
        Assert.Contains("1 of 2 expectations met.", output, StringComparison.Ordinal);
        Assert.Contains("✗ #2: outcome, address: expected translated 0x40000010, got faulted F_PERMISSION", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_fault_name_is_a_mismatch_even_when_the_outcome_is_right()
    {
        // IHI0070 §7.3: an invalid descriptor is F_TRANSLATION, not F_PERMISSION.
        string path = Write("""
            {
              "streams": [ { "streamId": 3, "mode": "stage1" } ],
              "transactions": [ { "streamId": 3, "address": "0x5000", "access": "read", "expect": { "outcome": "faulted", "fault": "F_PERMISSION" } } ]
            }
            """);

        var (code, output, _) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.RuntimeError, code);
        Assert.Contains("✗ #1: fault: expected faulted F_PERMISSION, got faulted F_TRANSLATION", output, StringComparison.Ordinal);
        Assert.Contains("0 of 1 expectations met.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_scenario_exits_2_with_one_message_naming_the_place()
    {
        string path = Write("""{ "streams": [ { "streamId": 1, "mode": "stage9" } ] }""");

        var (code, output, error) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.UsageError, code);
        Assert.Empty(output);
        Assert.Equal($"smmu: error: {path}: $.streams[0].mode: 'stage9' is not a stream mode", error.Split(" (expected")[0]);
        Assert.DoesNotContain(" at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_and_a_missing_file_exit_2()
    {
        string broken = Write("{ \"streams\": [ }");
        var (code, _, error) = CliRunner.Run("run", broken);
        Assert.Equal(CliApp.UsageError, code);
        Assert.StartsWith($"smmu: error: {broken}:1:", error, StringComparison.Ordinal);

        string missing = Path.Combine(_directory, "missing.json");
        (code, _, error) = CliRunner.Run("run", missing);
        Assert.Equal(CliApp.UsageError, code);
        Assert.StartsWith($"smmu: error: {missing}: cannot read the file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_the_host_driver_refuses_is_reported_at_its_place()
    {
        // docs/seed-api.md: a nested stream reserves the IPAs of the driver's structure window (0xF000_0000, 256 MB).
        string path = Write("""
            { "streams": [ { "streamId": 1, "mode": "nested",
                "stage2Mappings": [ { "iova": "0xF0000000", "pa": "0x1000", "size": "4K", "permissions": "rw" } ] } ] }
            """);

        var (code, _, error) = CliRunner.Run("run", path);

        Assert.Equal(CliApp.UsageError, code);
        Assert.StartsWith($"smmu: error: {path}: $.streams[0].stage2Mappings[0]: the host driver refused it: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_parses_and_has_one_entry_per_transaction()
    {
        string path = Path.Combine(ExamplesDirectory(), "stage2-guest.json");
        int transactions = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("transactions").GetArrayLength();

        var (code, output, _) = CliRunner.Run("run", path, "--json");

        Assert.Equal(0, code);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        JsonElement results = root.GetProperty("transactions");
        Assert.Equal(transactions, results.GetArrayLength());
        Assert.True(root.GetProperty("allMet").GetBoolean());
        Assert.Equal(transactions, root.GetProperty("expectationsMet").GetInt32());

        // The example's first transaction: IPA 0x40000010 in the 2 MB stage-2 block at PA 0x200000000.
        JsonElement first = results[0];
        Assert.Equal(1, first.GetProperty("index").GetInt32());
        Assert.Equal(32, first.GetProperty("streamId").GetInt32());
        Assert.Equal("translated", first.GetProperty("outcome").GetString());
        Assert.Equal(0x200000010UL, first.GetProperty("pa").GetUInt64());
        Assert.Equal("0x200000010", first.GetProperty("paHex").GetString());
        Assert.Equal(0x40000010UL, first.GetProperty("address").GetUInt64());

        // Its seventh: an unmapped IPA of a stage-2-only stream is a stage-2 F_TRANSLATION (S2 = 1, IPA = input),
        // listed with the transaction that raised it; StreamID and IPA are JSON numbers.
        JsonElement fault = results[6].GetProperty("events").EnumerateArray().Single();
        Assert.Equal(7, fault.GetProperty("transaction").GetInt32());
        Assert.Equal("F_TRANSLATION", fault.GetProperty("type").GetString());
        Assert.Equal(32, fault.GetProperty("streamId").GetInt32());
        Assert.True(fault.GetProperty("stage2").GetBoolean());
        Assert.Equal(0x60000000UL, fault.GetProperty("ipa").GetUInt64());
        Assert.Equal(4, fault.GetProperty("words").GetArrayLength());
        Assert.Equal(JsonValueKind.Number, fault.GetProperty("words")[0].ValueKind);
        Assert.Equal(results.EnumerateArray().Sum(t => t.TryGetProperty("events", out JsonElement e) ? e.GetArrayLength() : 0), root.GetProperty("eventCount").GetInt32());
    }

    [Fact]
    public void Json_output_of_a_failed_scenario_still_parses_and_exits_1()
    {
        string path = Write("""
            { "streams": [ { "streamId": 2, "mode": "bypass" } ],
              "transactions": [ { "streamId": 2, "address": "0x1234", "access": "read", "expect": { "outcome": "translated" } } ] }
            """);

        var (code, output, error) = CliRunner.Run("run", path, "--json");

        Assert.Equal(CliApp.RuntimeError, code);
        JsonElement entry = JsonDocument.Parse(output).RootElement.GetProperty("transactions").EnumerateArray().Single();
        Assert.Equal("bypassed", entry.GetProperty("outcome").GetString());
        Assert.Equal(0x1234UL, entry.GetProperty("pa").GetUInt64());
        Assert.False(entry.GetProperty("met").GetBoolean());
        Assert.Contains("0 of 1 expectations met.", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scenario_without_expectations_reports_and_exits_0()
    {
        string path = Write("""{ "streams": [ { "streamId": 2, "mode": "abort" } ], "transactions": [ { "streamId": 2, "address": "0x0", "access": "read" } ] }""");

        var (code, output, _) = CliRunner.Run("run", path);

        Assert.Equal(0, code);
        Assert.Contains("1 transactions, no expectations given.", output, StringComparison.Ordinal);
        Assert.Contains("abort, no event", output, StringComparison.Ordinal);
        Assert.Contains("No event records.", output, StringComparison.Ordinal);
    }

    private string Write(string json)
    {
        string path = Path.Combine(_directory, $"case-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    internal static string ExamplesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ArmSmmu.slnx")))
            {
                return Path.Combine(dir.FullName, "examples");
            }
        }

        throw new DirectoryNotFoundException("repository root (ArmSmmu.slnx) not found above " + AppContext.BaseDirectory);
    }
}
