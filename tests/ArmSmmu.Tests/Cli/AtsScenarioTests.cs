using ArmSmmu.Cli.Scenarios;
using ArmSmmu.Driver;

namespace ArmSmmu.Tests.Cli;

/// <summary>Scenario files with ATS/PRI functions ("ats" streams, "kind" transactions) and the seed-api.md ATS example.</summary>
public class AtsScenarioTests
{
    [Fact]
    public void The_shipped_ats_example_meets_every_expectation()
    {
        var scenario = ScenarioLoader.Load(Path.Combine(RunCommandTests.ExamplesDirectory(), "ats-sva.json"));
        var report = ScenarioRunner.Run(scenario, "ats-sva.json");

        Assert.Equal(report.ExpectationsTotal, report.ExpectationsMet);
        Assert.Equal(8, report.ExpectationsTotal);
        Assert.Empty(report.Events); // ATS faults are never recorded (IHI0070 §3.9.1)
    }

    [Theory]
    [InlineData("""{ "streams": [ { "streamId": 1, "mode": "stage1" } ], "transactions": [ { "streamId": 1, "kind": "ats", "address": "0x1000", "access": "read" } ] }""", "$.transactions[0].kind")]
    [InlineData("""{ "streams": [ { "streamId": 1, "mode": "stage1" } ], "transactions": [ { "streamId": 1, "kind": "pri", "address": "0x1000", "access": "read" } ] }""", "\"untranslated\", \"ats\" or \"translated\"")]
    [InlineData("""{ "streams": [ { "streamId": 1, "mode": "bypass", "ats": {} } ] }""", "$.streams[0].ats")]
    public void Ats_mistakes_in_a_scenario_are_named_where_they_are(string json, string expected)
    {
        // An "ats" transaction needs an ATS function on its stream; kinds are a closed list; a bypass stream does not translate.
        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json, "t.json"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_seed_api_ats_example_prints_what_the_document_says()
    {
        // docs/seed-api.md, "ATS and PRI".
        var iommu = new Iommu();
        iommu.ConfigureStream(0x40, StreamMode.Stage1, new StreamOptions { PasidBits = 4 });
        iommu.CreatePasid(0x40, 1);
        var function = iommu.EnableAts(0x40);
        iommu.SetPageFaultHandler(group =>
        {
            foreach (var page in group.Requests)
            {
                iommu.Map(group.StreamId, page.PageAddress, 0xC000_0000, 0x1000, IoPagePermissions.ReadWrite, group.SubstreamId);
            }

            return ArmSmmu.Structures.PriResponseCode.Success;
        });

        Assert.StartsWith("Translated -> 0xC0000010 (", function.Translate(0x7F12_3010, AccessKind.Write, pasid: 1).ToString(), StringComparison.Ordinal);
        Assert.StartsWith("AtsEndpointStatistics { AtcHits = 0, TranslationRequests = 2, PageRequests = 1, PageResponses = 1, ", function.Statistics.ToString(), StringComparison.Ordinal);
    }
}
