using System.Globalization;
using System.Text.Json;
using ArmSmmu.Cli;
using ArmSmmu.Cli.Replay;
using ArmSmmu.Cli.Scenarios;

namespace ArmSmmu.Tests.Cli;

/// <summary><c>smmu replay --setup SCENARIO TRACE</c>: DMA traces over a scenario's streams, sweeps and plots.</summary>
public sealed class ReplayTraceTests : IDisposable
{
    // One stage-1 stream: 16 pages read/write at 0x10000 (PA not 2 MB aligned, so every page is its own leaf), one
    // read-only page, one privileged-only page under PASID 1.
    private const string Scenario = """
        {
          "streams": [ { "streamId": 5, "mode": "stage1", "pasids": [1],
            "mappings": [
              { "iova": "0x10000", "pa": "0x80001000", "size": "64K", "permissions": "rw" },
              { "iova": "0x40000", "pa": "0x90000000", "size": "4K", "permissions": "r" },
              { "iova": "0x50000", "pa": "0x98000000", "size": "4K", "permissions": "rwp", "pasid": 1 } ] } ]
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-trace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Trace_lines_reach_the_device_as_the_scenario_mapped_them()
    {
        string scenarioPath = Write("s.json", Scenario);
        Scenario scenario = ScenarioLoader.Load(scenarioPath);
        var iommu = ScenarioRunner.Configure(scenario, scenarioPath);

        // Expected PAs from the mappings: PA = mapping PA + (IOVA - mapping IOVA).
        (string Line, ulong? Pa)[] cases =
        [
            ("5,0x10010,r", 0x8000_1010),
            ("5, 65552 , w", 0x8000_1010), // decimal 0x10010, spaces around fields
            ("0x5,0x1FFF8,read", 0x8001_0FF8),
            ("5,0x40008,r", 0x9000_0008),
            ("5,0x40008,w", null), // read-only page: F_PERMISSION
            ("5,0x50040,r,1,p", 0x9800_0040),
            ("5,0x50040,r,1,true", 0x9800_0040),
            ("5,0x50040,r,1,u", null), // privileged-only page, unprivileged access: F_PERMISSION
            ("5,0x60000,r", null), // unmapped: F_TRANSLATION
        ];
        foreach (var (line, pa) in cases)
        {
            Assert.True(TraceParser.TryParse(line, out TranslationRequest request, out string? error), error);
            TranslationResult result = iommu.Device.Translate(request);
            Assert.Equal(pa is not null, result.IsSuccess);
            if (pa is ulong expected)
            {
                Assert.Equal(expected, result.PhysicalAddress);
            }
        }
    }

    [Fact]
    public void A_trace_replays_with_faults_by_type_and_tlb_counters()
    {
        string scenario = Write("s.json", Scenario);
        string trace = Write("t.trace", """
            # sid,iova,access[,ssid][,priv]
            5,0x10000,r
            5,0x10008,w

            5,0x10FF0,r   # same page: two TLB hits
            5,0x40000,w   # read-only: F_PERMISSION
            5,0x70000,r   # unmapped: F_TRANSLATION
            5,0x50000,r,1,u
            """);

        var (code, output, error) = CliRunner.Run("replay", "--setup", scenario, trace, "--json");

        Assert.True(code == 0, error);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(6, json.GetProperty("translations").GetInt64());
        Assert.Equal(0, json.GetProperty("compared").GetInt64());
        Assert.Equal(2, json.GetProperty("faults").GetProperty("F_PERMISSION").GetInt64());
        Assert.Equal(1, json.GetProperty("faults").GetProperty("F_TRANSLATION").GetInt64());

        // Page 0x10000: one walk, then two hits. 0x40000 walks (the permission check needs the leaf) and 0x50000
        // under PASID 1 too; the invalid descriptor at 0x70000 walks and is not cached (DDI0487 D8.16, IHI0070 §3.21: only valid translations are cached).
        Assert.Equal(2, json.GetProperty("tlbHits").GetInt64());
        Assert.Equal(4, json.GetProperty("walks").GetInt64());
        JsonElement stream = Assert.Single(json.GetProperty("streams").EnumerateArray());
        Assert.Equal(5u, stream.GetProperty("streamId").GetUInt32());
        Assert.Equal(3, stream.GetProperty("faults").GetInt64());
    }

    [Fact]
    public void Standard_input_replays_like_the_file()
    {
        string scenario = Write("s.json", Scenario);
        string text = string.Join('\n', Enumerable.Range(0, 200).Select(i => string.Create(CultureInfo.InvariantCulture, $"5,0x{0x10000 + ((i % 20) * 0x1000):x},r")));
        string trace = Write("t.trace", text);

        var fromFile = CliRunner.Run("replay", "--setup", scenario, trace, "--json", "--tlb-entries", "8,64");
        var fromStdin = CliRunner.RunWithInput(text, "replay", "--setup", scenario, "-", "--json", "--tlb-entries", "8,64");

        Assert.Equal(0, fromStdin.Code);
        Assert.Equal(fromFile.Output.Replace(trace, "-", StringComparison.Ordinal), fromStdin.Output);
        Assert.Equal(200, JsonDocument.Parse(fromStdin.Output).RootElement.GetProperty("translations").GetInt64());
    }

    [Fact]
    public void Standard_input_without_a_sweep_is_read_as_it_comes()
    {
        var (code, output, error) = CliRunner.RunWithInput("5,0x10000,r\n5,0x10004,r\n# end\n", "replay", "--setup", Write("s.json", Scenario), "-", "--json");

        Assert.True(code == 0, error);
        JsonElement json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("-", json.GetProperty("source").GetString());
        Assert.Equal(2, json.GetProperty("translations").GetInt64());
        Assert.Equal(1, json.GetProperty("tlbHits").GetInt64());
        Assert.False(json.TryGetProperty("sweep", out _));
    }

    [Fact]
    public void A_configuration_cache_of_no_entries_never_hits()
    {
        // 0 entries: nothing is cached, so every transaction fetches its STE and CD again (IHI0070 §3.21: a fetched structure may be cached, nothing says it must be).
        string trace = Write("t.trace", string.Join('\n', Enumerable.Repeat("5,0x10000,r", 50)));

        var (code, output, error) = CliRunner.Run("replay", "--setup", Write("s.json", Scenario), trace, "--json", "--config-cache-entries", "0,16");

        Assert.True(code == 0, error);
        JsonElement[] sweep = [.. JsonDocument.Parse(output).RootElement.GetProperty("sweep").EnumerateArray()];
        Assert.Equal([0, 16], sweep.Select(p => p.GetProperty("configCacheEntries").GetInt32()));
        Assert.Equal(0, sweep[0].GetProperty("steCacheHits").GetInt64());
        Assert.Equal(50, sweep[0].GetProperty("steCacheMisses").GetInt64());
        Assert.Equal(49, sweep[1].GetProperty("steCacheHits").GetInt64());
        Assert.Equal(49, sweep[1].GetProperty("cdCacheHits").GetInt64());
    }

    [Fact]
    public void Sweep_hit_rate_never_falls_as_the_tlb_grows_and_is_all_but_the_first_pass_once_it_holds_the_working_set()
    {
        // 20 passes over the 16 pages, cyclically. The set index scales a hash by the set count, so doubling the
        // entries (same ways) splits every set in two: no set ever holds more pages, so no page ever loses its hits.
        // With 8 entries (one 8-way set, round-robin victims) a cycle over 16 pages never hits; once every page fits
        // only the first pass misses.
        string scenario = Write("s.json", Scenario);
        const int Passes = 20, Pages = 16;
        string trace = Write("t.trace", string.Join('\n', Enumerable.Range(0, Passes * Pages)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"5,0x{0x10000 + ((i % Pages) * 0x1000):x},r"))));
        string plot = Path.Combine(_directory, "sweep.png");

        var (code, output, error) = CliRunner.Run("replay", "--setup", scenario, trace, "--json", "--tlb-entries", "8,16,32,64,128,256,512,1024,2048", "--tlb-ways", "8", "--plot", plot);

        Assert.True(code == 0, error);
        JsonElement[] sweep = [.. JsonDocument.Parse(output).RootElement.GetProperty("sweep").EnumerateArray()];
        Assert.Equal([8, 16, 32, 64, 128, 256, 512, 1024, 2048], sweep.Select(p => p.GetProperty("tlbEntries").GetInt32()));
        Assert.All(sweep, p => Assert.Equal(8, p.GetProperty("tlbWays").GetInt32()));
        double[] rates = [.. sweep.Select(p => p.GetProperty("tlbHitRate").GetDouble())];
        for (int i = 1; i < rates.Length; i++)
        {
            Assert.True(rates[i] >= rates[i - 1], $"hit rate fell from {rates[i - 1]} to {rates[i]} at {sweep[i].GetProperty("tlbEntries")} entries");
        }

        Assert.Equal(0, rates[0]);
        Assert.Equal(Passes * Pages, sweep[0].GetProperty("walks").GetInt64());
        Assert.Equal(Pages, sweep[^1].GetProperty("walks").GetInt64());
        Assert.Equal((double)(Passes - 1) / Passes, rates[^1], 12);
        Assert.Equal(1000.0 / Passes, sweep[^1].GetProperty("walksPer1000").GetDouble(), 9);

        byte[] png = File.ReadAllBytes(plot);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }

    [Fact]
    public void Plot_to_svg_writes_an_svg_document()
    {
        string svg = Path.Combine(_directory, "sweep.svg");
        var (code, _, error) = CliRunner.Run("replay", "--setup", Write("s.json", Scenario), Write("t.trace", "5,0x10000,r\n"), "--tlb-entries", "16,32", "--plot", svg);

        Assert.True(code == 0, error);
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5,0x10000,q", "t.trace:2: access 'q' is not r, w or x")]
    [InlineData("5,0xZZ,r", "t.trace:2: address '0xZZ' is not a 64-bit number")]
    [InlineData("0x100000000,0x1000,r", "t.trace:2: StreamID '0x100000000' is not a 32-bit number")]
    [InlineData("5,0x1000", "t.trace:2: access is missing")]
    [InlineData("5,0x1000,r,0x100000", "t.trace:2: SubstreamID '0x100000' is not a 20-bit number")]
    [InlineData("5,0x1000,r,1,maybe", "t.trace:2: privilege 'maybe' is not 0/1")]
    [InlineData("5,0x1000,r,1,1,9", "t.trace:2: too many fields")]
    public void A_bad_trace_line_is_exit_2_naming_file_line_and_reason(string line, string message)
    {
        string trace = Write("t.trace", "5,0x10000,r\n" + line + "\n5,0x10000,r\n");

        var (code, output, error) = CliRunner.Run("replay", "--setup", Write("s.json", Scenario), trace, "--tlb-entries", "16,32");

        Assert.Equal(CliApp.UsageError, code);
        Assert.Empty(output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one message, not one per geometry
    }

    [Fact]
    public void Bad_command_lines_are_exit_2_with_the_reason()
    {
        string scenario = Write("s.json", Scenario);
        string trace = Write("t.trace", "5,0x10000,r\n");
        (string[] Args, string Message)[] cases =
        [
            (["replay", "--setup", scenario, Path.Combine(_directory, "none.trace")], "none.trace: no such trace file"),
            (["replay", "--setup", scenario, _directory], "is a directory; expected a trace file"),
            (["replay", "--setup", Path.Combine(_directory, "none.json"), trace], "none.json"),
            (["replay", "--setup", scenario, trace, "--tlb-entries", "64,lots"], "--tlb-entries: 'lots' is not a count"),
            (["replay", "--setup", scenario, trace, "--tlb-entries", "100"], "--tlb-entries 100: not a multiple of the 8 ways"),
            (["replay", "--setup", scenario, trace, "--plot", Path.Combine(_directory, "p.png")], "--plot draws a sweep"),
        ];
        foreach (var (args, message) in cases)
        {
            var (code, _, error) = CliRunner.Run(args);
            Assert.True(code == CliApp.UsageError, string.Join(' ', args) + ": " + error);
            Assert.Contains(message, error, StringComparison.Ordinal);
        }
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
