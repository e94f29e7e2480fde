using System.Text.RegularExpressions;
using ArmSmmu.Cli.Scenarios;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Cli;

public sealed class ScenarioLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("smmu-scenario-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("stage1-dma.json")]
    [InlineData("stage2-guest.json")]
    [InlineData("faults.json")]
    public void Each_example_loads(string file)
    {
        Scenario scenario = ScenarioLoader.Load(Path.Combine(ExamplesDirectory(), file));
        Assert.False(string.IsNullOrWhiteSpace(scenario.Description));
        Assert.NotEmpty(scenario.Streams);
        Assert.NotEmpty(scenario.Transactions);
        Assert.All(scenario.Transactions, t => Assert.NotNull(t.Expect?.Outcome));
    }

    [Fact]
    public void The_documented_example_loads()
    {
        string doc = File.ReadAllText(Path.Combine(ExamplesDirectory(), "..", "docs", "scenario-format.md"));
        int heading = doc.IndexOf("## A complete example", StringComparison.Ordinal);
        int start = doc.IndexOf("```json\n", heading, StringComparison.Ordinal) + "```json\n".Length;
        int end = doc.IndexOf("```", start, StringComparison.Ordinal);
        Scenario scenario = ScenarioLoader.Parse(doc[start..end], "scenario-format.md");
        Assert.Equal(2, scenario.Streams.Count);
        Assert.Equal(44, scenario.ToFeatures().OutputAddressBits);
        Assert.Equal(0x80000000UL, scenario.Streams[0].Mappings[0].PaValue);
    }

    [Fact]
    public void Values_are_parsed_from_their_spellings()
    {
        Scenario scenario = Load("""
            {
              "streams": [
                { "streamId": 5, "mode": "nested", "granule": "64k", "pasids": [7],
                  "mappings": [ { "iova": "0x1_0000", "pa": "20000", "size": "2M", "permissions": "rxp", "pasid": 7 } ],
                  "stage2Mappings": [ { "iova": "0x20000", "pa": "0x40000000", "size": "0x200000", "permissions": "w" } ] }
              ],
              "transactions": [
                { "streamId": 5, "pasid": 7, "address": "0x10010", "access": "exec", "privileged": true,
                  "expect": { "outcome": "faulted", "fault": "F_PERMISSION" } }
              ]
            }
            """);
        StreamSpec stream = scenario.Streams[0];
        Assert.Equal(StreamMode.Nested, stream.ModeValue);
        Assert.Equal(Granule.Size64K, stream.GranuleValue);
        MappingSpec mapping = stream.Mappings[0];
        Assert.Equal(0x10000UL, mapping.IovaValue);
        Assert.Equal(0x20000UL, mapping.PaValue);
        Assert.Equal(2UL << 20, mapping.SizeValue);
        Assert.Equal(new MappingPermissions(Read: true, Write: false, Execute: true, PrivilegedOnly: true), mapping.PermissionsValue);
        Assert.Equal(new MappingPermissions(false, true, false, false), stream.Stage2Mappings![0].PermissionsValue);
        TransactionSpec transaction = scenario.Transactions[0];
        Assert.Equal(new TranslationRequest(5, 0x10010, AccessKind.Execute, 7, Privileged: true), transaction.ToRequest());
        Assert.Equal(TranslationOutcome.Faulted, transaction.Expect!.OutcomeValue);
        Assert.Equal(EventType.FPermission, transaction.Expect.FaultValue);
    }

    [Fact]
    public void Feature_overrides_apply_to_the_default()
    {
        Scenario scenario = Load("""{ "features": { "stage2": false, "oas": 40, "granules": ["4k"], "ril": false } }""");
        SmmuFeatures features = scenario.ToFeatures();
        Assert.True(features.Stage1);
        Assert.False(features.Stage2);
        Assert.Equal(40, features.OutputAddressBits);
        Assert.True(features.Granule4K);
        Assert.False(features.Granule16K);
        Assert.False(features.Granule64K);
        Assert.False(features.RangeInvalidation);
    }

    [Fact]
    public void Malformed_json_names_the_file_line_and_column()
    {
        string path = Write("""
            {
              "streams": [
                { "streamId": 1, "mode": "bypass" } }
              ]
            }
            """);
        ScenarioException ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
        Assert.StartsWith(path + ":3:", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, ex.Line);
        Assert.DoesNotContain("LineNumber", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        string path = Path.Combine(_directory, "absent.json");
        ScenarioException ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(path));
        Assert.StartsWith(path + ": cannot read the file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "streams": [ { "streamId": 1, "mode": "bypass", "colour": "red" } ] }""", "$.streams[0].colour", "unknown property 'colour'")]
    [InlineData("""{ "name": "x", "steams": [] }""", "$.steams", "unknown property 'steams'")]
    [InlineData("""{ "streams": [ { "streamId": 1 } ] }""", "$.streams[0]", "missing required property 'mode'")]
    [InlineData("""{ "streams": [ { "streamId": "0x10", "mode": "bypass" } ] }""", "$.streams[0].streamId", "streamId must be an integer from 0 to 65535 (SIDSIZE 16)")]
    public void Serializer_errors_name_the_json_path(string json, string path, string reason)
    {
        ScenarioException ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(Write(json)));
        Assert.Contains(": " + path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> SemanticCases => new()
    {
        {
            Stream("stage1", """{ "iova": "0xZZ", "pa": "0x1000", "size": "4K", "permissions": "r" }"""),
            "$.streams[0].mappings[0].iova", "'0xZZ' is not a hex number"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "stage3" } ] }""",
            "$.streams[0].mode", "'stage3' is not a stream mode"
        },
        {
            Stream("stage1", """{ "iova": "0x1000", "pa": "0x1000", "size": "4K", "permissions": "rwz" }"""),
            "$.streams[0].mappings[0].permissions", "'rwz' is not a permission"
        },
        {
            Stream("stage1", """{ "iova": "0x1000", "pa": "0x1000", "size": "0x1800", "permissions": "r" }"""),
            "$.streams[0].mappings[0].size", "is not a multiple of the 4K granule"
        },
        {
            Stream("stage1", """{ "iova": "0x1000", "pa": "0x1000", "size": "4096", "permissions": "r" }"""),
            "$.streams[0].mappings[0].size", "'4096' is not a size"
        },
        {
            Stream("stage1", """{ "iova": "0x800", "pa": "0x1000", "size": "4K", "permissions": "r" }"""),
            "$.streams[0].mappings[0].iova", "not aligned to the 4K granule"
        },
        {
            Stream("stage1", """
                { "iova": "0x10000", "pa": "0x1000000", "size": "64K", "permissions": "r" },
                { "iova": "0x1F000", "pa": "0x2000000", "size": "8K", "permissions": "rw" }
                """),
            "$.streams[0].mappings[1]", "overlaps mapping 0"
        },
        {
            Stream("stage1", """{ "iova": "0x1000", "pa": "0x1000000000000", "size": "4K", "permissions": "r" }"""),
            "$.streams[0].mappings[0].pa", "beyond the 48-bit output address size"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" } ], "transactions": [ { "streamId": 7, "address": "0x0", "access": "read" } ] }""",
            "$.transactions[0].streamId", "stream 7 is not defined"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" } ], "transactions": [ { "streamId": 1, "pasid": 3, "address": "0x0", "access": "read" } ] }""",
            "$.transactions[0].pasid", "PASID given for stream 1, a bypass stream"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "stage2", "pasids": [1] } ] }""",
            "$.streams[0].pasids", "PASIDs given for a stage2 stream"
        },
        {
            Stream("stage1", """{ "iova": "0x1000", "pa": "0x1000", "size": "4K", "permissions": "r", "pasid": 4 }"""),
            "$.streams[0].mappings[0].pasid", "PASID 4 is not in the stream's \"pasids\" list"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "abort", "mappings": [ { "iova": "0x0", "pa": "0x0", "size": "4K", "permissions": "r" } ] } ] }""",
            "$.streams[0].mappings", "does not translate"
        },
        {
            Stream("stage2", """{ "iova": "0x1000", "pa": "0x1000", "size": "4K", "permissions": "rp" }"""),
            "$.streams[0].mappings[0].permissions", "stage 2 does not distinguish privilege"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" }, { "streamId": 1, "mode": "abort" } ] }""",
            "$.streams[1].streamId", "stream 1 is defined twice"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" } ], "transactions": [ { "streamId": 1, "address": "0x0", "access": "fetch" } ] }""",
            "$.transactions[0].access", "'fetch' is not an access"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" } ], "transactions": [ { "streamId": 1, "address": "0x0", "access": "read", "expect": { "fault": "F_BOGUS" } } ] }""",
            "$.transactions[0].expect.fault", "'F_BOGUS' is not an event name"
        },
        {
            """{ "streams": [ { "streamId": 1, "mode": "bypass" } ], "transactions": [ { "streamId": 1, "address": "0x0", "access": "read", "expect": { "outcome": "faulted", "pa": "0x0" } } ] }""",
            "$.transactions[0].expect.pa", "cannot be expected of a faulted transaction"
        },
        {
            """{ "features": { "stage1": false }, "streams": [ { "streamId": 1, "mode": "nested" } ] }""",
            "$.streams[0].mode", "needs stage 1"
        },
        {
            """{ "features": { "granules": ["4k"] }, "streams": [ { "streamId": 1, "mode": "stage1", "granule": "16k" } ] }""",
            "$.streams[0].granule", "16k granule is not among the device's granules"
        },
        {
            """{ "features": { "oas": 47 } }""",
            "$.features.oas", "47 is not an output address size"
        },
    };

    [Theory]
    [MemberData(nameof(SemanticCases))]
    public void Semantic_errors_name_the_file_the_json_path_and_the_reason(string json, string path, string reason)
    {
        string file = Write(json);
        ScenarioException ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(file));
        // Transactions are checked as they are read, and name their line too.
        Assert.Matches("^" + Regex.Escape(file) + @"(:\d+)?: " + Regex.Escape(path) + ": ", ex.Message);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.JsonPath);
    }

    private static string Stream(string mode, string mappings) =>
        $$"""{ "streams": [ { "streamId": 1, "mode": "{{mode}}", "mappings": [ {{mappings}} ] } ] }""";

    private static Scenario Load(string json) => ScenarioLoader.Parse(json, "test.json");

    private string Write(string json)
    {
        string path = Path.Combine(_directory, $"case-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string ExamplesDirectory()
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
