using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ArmSmmu.Cli;
using ArmSmmu.Cli.Scenarios;

namespace ArmSmmu.Tests.Cli;

/// <summary>A long <c>smmu run</c>: transactions read while they run, the first rows shown, the counts over all.</summary>
public sealed class StreamingRunTests : IDisposable
{
    private const string Streams = """
        "streams": [ { "streamId": 7, "mode": "stage1",
          "mappings": [ { "iova": "0x100000", "pa": "0x40000000", "size": "64K", "permissions": "rw" } ] } ]
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-stream-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Rows_beyond_the_limit_are_counted_and_every_failure_is_tallied()
    {
        // Ten reads in a 64 KB mapping (IOVA 0x100000 -> PA 0x40000000); #5, #8 and #9 expect the wrong PA.
        string path = Write(Scenario(streamsFirst: true, count: 10, wrong: [5, 8, 9]));

        var (code, output, _) = CliRunner.Run("run", path, "--rows", "2");

        Assert.Equal(CliApp.RuntimeError, code);
        Assert.Matches(@"│ 2\s+│ 0x7\s+│", output);
        Assert.DoesNotMatch(@"│ 3\s+│ 0x7\s+│", output);
        Assert.Contains("… 8 more transactions not shown (--json lists every one, --summary only the counts).", output, StringComparison.Ordinal);
        Assert.Contains("✗ #5: address: expected translated 0x40000FFF, got translated 0x40000400", output, StringComparison.Ordinal);
        Assert.Contains("✗ #8: address", output, StringComparison.Ordinal);
        Assert.DoesNotContain("✗ #9", output, StringComparison.Ordinal);
        Assert.Contains("… 1 more failed expectations not listed", output, StringComparison.Ordinal);
        Assert.EndsWith("10 transactions; 7 of 10 expectations met.", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_lists_every_transaction_whatever_the_row_limit()
    {
        string path = Write(Scenario(streamsFirst: true, count: 10, wrong: []));

        var (code, output, _) = CliRunner.Run("run", path, "--json", "--rows", "2");

        Assert.Equal(0, code);
        JsonElement root = JsonDocument.Parse(output).RootElement;
        JsonElement[] rows = [.. root.GetProperty("transactions").EnumerateArray()];
        Assert.Equal(10, rows.Length);
        Assert.Equal(10, root.GetProperty("transactionCount").GetInt32());
        Assert.Equal(0x40000900UL, rows[9].GetProperty("pa").GetUInt64());
        Assert.Equal(7, rows[9].GetProperty("streamId").GetInt32());
    }

    [Fact]
    public void Summary_prints_only_the_counters_and_the_tally()
    {
        string path = Write(Scenario(streamsFirst: true, count: 10, wrong: [3]));

        var (code, output, _) = CliRunner.Run("run", path, "--summary");

        Assert.Equal(CliApp.RuntimeError, code);
        Assert.DoesNotContain("Transactions", output, StringComparison.Ordinal);
        Assert.DoesNotContain("✗", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Event records drained", output, StringComparison.Ordinal);
        Assert.Contains("SMMU counters (whole run)", output, StringComparison.Ordinal);

        // One 64 KB mapping of 4 KB pages: the first read walks, the nine others hit the TLB unless on a new page;
        // reads at +0x000..+0x900 stay on the first page.
        Assert.Matches(@"TLB hits / misses\s*│\s*9 / 1", output);
        Assert.EndsWith("10 transactions; 9 of 10 expectations met.", output.TrimEnd(), StringComparison.Ordinal);

        var json = CliRunner.Run("run", path, "--summary", "--json");
        JsonElement root = JsonDocument.Parse(json.Output).RootElement;
        Assert.False(root.TryGetProperty("transactions", out _));
        Assert.Equal(9, root.GetProperty("expectationsMet").GetInt32());
        Assert.Equal(9, root.GetProperty("statistics").GetProperty("tlbHits").GetInt32());
    }

    [Fact]
    public void Transactions_may_come_before_the_streams()
    {
        string first = Write(Scenario(streamsFirst: true, count: 4, wrong: [2]));
        string last = Write(Scenario(streamsFirst: false, count: 4, wrong: [2]));

        var a = CliRunner.Run("run", first, "--json");
        var b = CliRunner.Run("run", last, "--json");

        Assert.Equal(CliApp.RuntimeError, b.Code);
        Assert.Equal(a.Output, b.Output);
    }

    [Fact]
    public void Transactions_are_read_one_at_a_time_and_a_bad_one_is_named_when_reached()
    {
        var text = new StringBuilder("{ ").Append(Streams).Append(",\n \"transactions\": [\n");
        text.Append("""  { "streamId": 7, "address": "0x100000", "access": "read" },""").Append('\n');
        text.Append("""  { "streamId": 7, "address": "0x100008", "access": "read" },""").Append('\n');
        text.Append("""  { "streamId": 9, "address": "0x100010", "access": "read" }""").Append("\n] }");

        using ScenarioReader reader = ScenarioReader.FromText(text.ToString(), "s.json");
        using IEnumerator<TransactionSpec> transactions = reader.ReadTransactions().GetEnumerator();

        Assert.True(transactions.MoveNext());
        Assert.Equal("0x100000", transactions.Current.Address);
        Assert.True(transactions.MoveNext());
        Assert.Equal("0x100008", transactions.Current.Address);
        ScenarioException ex = Assert.Throws<ScenarioException>(() => transactions.MoveNext());
        Assert.Equal("s.json:6: $.transactions[2].streamId: stream 9 is not defined in \"streams\"", ex.Message);
    }

    [Fact]
    public void Configure_sets_up_the_streams_and_runs_no_transaction()
    {
        // What a replay of a trace against a scenario's setup meets: the example's mappings, nothing translated yet.
        Scenario scenario = ScenarioLoader.Load(Path.Combine(RunCommandTests.ExamplesDirectory(), "stage1-dma.json"));
        TransactionSpec first = scenario.Transactions[0];

        Iommu iommu = ScenarioRunner.Configure(scenario, "stage1-dma.json");

        Assert.Equal(0, iommu.Statistics.Tlb.Snapshot().Hits + iommu.Statistics.Tlb.Snapshot().Misses);
        TranslationResult result = iommu.Device.Translate(first.ToRequest());
        Assert.Equal(first.Expect!.PaValue, result.PhysicalAddress);
    }

    private static string Scenario(bool streamsFirst, int count, int[] wrong)
    {
        var rows = new List<string>();
        for (int i = 1; i <= count; i++)
        {
            ulong offset = (ulong)(i - 1) * 0x100;
            string pa = wrong.Contains(i) ? "0x40000FFF" : string.Create(CultureInfo.InvariantCulture, $"0x{0x40000000 + offset:X}");
            rows.Add(string.Create(
                CultureInfo.InvariantCulture,
                $$"""    { "streamId": 7, "address": "0x{{0x100000 + offset:X}}", "access": "read", "expect": { "outcome": "translated", "pa": "{{pa}}" } }"""));
        }

        string transactions = "\"transactions\": [\n" + string.Join(",\n", rows) + "\n]";
        return streamsFirst ? $"{{ \"name\": \"n\", {Streams},\n {transactions} }}" : $"{{ \"name\": \"n\", {transactions},\n {Streams} }}";
    }

    private string Write(string text)
    {
        string path = Path.Combine(_directory, $"case-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }
}
