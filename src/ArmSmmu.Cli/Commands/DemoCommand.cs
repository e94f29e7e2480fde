using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Scenarios;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu demo [--json]</c>: brings an SMMU up, attaches five devices (stage-1 DMA domain with two PASIDs, stage-2 guest,
/// nested guest, bypass, abort), runs a dozen transactions through it and shows results, event records and counters.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context) => CommandFactory.WithJsonSwitch(
        "demo",
        "Run a built-in scenario: five devices attached to an SMMU, translations, faults and the event records they raise.",
        "Print the results as JSON, as 'smmu run --json' does.",
        json => Run(context, json));

    private static int Run(CliContext context, bool json)
    {
        using ScenarioReader reader = ScenarioReader.FromText(DemoScenario.Json, DemoScenario.Source);
        var output = new RunCommand.OutputOptions(json, Summary: false, Rows: 100);
        if (json)
        {
            return RunCommand.Execute(context, reader, output, explain: false);
        }

        Scenario scenario = reader.Header;
        context.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"An SMMUv3 (SmmuFeatures.Default) brought up by the host driver; {scenario.Streams.Count} devices attached, each transaction below presented to it as DMA."));
        var streams = new Table { Title = new TableTitle("Devices (one STE each, IHI0070 §5.2)") };
        streams.AddColumns("StreamID", "Mode", "What");
        foreach (StreamSpec stream in scenario.Streams)
        {
            streams.AddRow(new Text(string.Create(CultureInfo.InvariantCulture, $"0x{stream.StreamId:X}")), new Text(stream.Mode), new Text(stream.Description ?? string.Empty));
        }

        context.Console.Write(streams);
        var first = new FirstEvent();
        int code = RunCommand.Execute(context, reader, output, explain: false, first);
        AtsDemo.Show(context);

        string decode = first.Words is null
            ? string.Empty
            : $", or decode the first event record field by field with 'smmu decode event {string.Join(' ', first.Words)}'";
        context.Output.WriteLine($"Next: write an example scenario to a file and run it with 'smmu example stage1-dma > stage1-dma.json && smmu run stage1-dma.json'{decode}.");
        return code;
    }

    /// <summary>Remembers the words of the first event record a transaction raised.</summary>
    private sealed class FirstEvent : IScenarioObserver
    {
        public IReadOnlyList<string>? Words { get; private set; }

        public void Setup(IReadOnlyList<EventReport> events)
        {
        }

        public void Transaction(TransactionReport report) => Words ??= report.Events?[0].WordsHex;
    }
}
