using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Scenarios;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu demo</c>: brings an SMMU up, attaches five devices (stage-1 DMA domain with two PASIDs, stage-2 guest, nested
/// guest, bypass, abort), runs a dozen transactions through it and shows results, event records and counters.
/// </summary>
internal sealed class DemoCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("demo", "Run a built-in scenario: five devices attached to an SMMU, translations, faults and the event records they raise.");
        command.SetAction(_ => Run(context));
        return command;
    }

    private static int Run(CliContext context)
    {
        Scenario scenario = DemoScenario.Load();
        ScenarioReport report = ScenarioRunner.Run(scenario, DemoScenario.Source);

        context.Output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"An SMMUv3 (SmmuFeatures.Default) brought up by the host driver; {scenario.Streams.Count} devices attached, {scenario.Transactions.Count} DMA transactions presented."));
        var streams = new Table { Title = new TableTitle("Devices (one STE each, IHI0070 §5.2)") };
        streams.AddColumns("StreamID", "Mode", "What");
        foreach (StreamSpec stream in scenario.Streams)
        {
            streams.AddRow(new Text(string.Create(CultureInfo.InvariantCulture, $"0x{stream.StreamId:X}")), new Text(stream.Mode), new Text(stream.Description ?? string.Empty));
        }

        context.Console.Write(streams);
        int code = RunCommand.Print(context, report, json: false);

        string decode = report.Events.Count == 0
            ? string.Empty
            : $", or decode the first event record field by field with 'smmu decode event {string.Join(' ', report.Events[0].Words)}'";
        context.Output.WriteLine($"Next: run a scenario file with 'smmu run examples/stage1-dma.json'{decode}.");
        return code;
    }
}
