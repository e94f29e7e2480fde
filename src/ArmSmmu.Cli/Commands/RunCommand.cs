using System.CommandLine;
using ArmSmmu.Cli.Scenarios;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu run &lt;scenario.json&gt; [--json] [--explain]</c>: loads and validates a scenario (docs/scenario-format.md), runs it on a
/// fresh SMMU and reports every transaction against its expectation. Exit 0 when all hold, 1 when one does not, 2
/// when the file is not a usable scenario.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var file = new Argument<string>("scenario") { Description = "A scenario file (JSON, see docs/scenario-format.md), e.g. examples/stage1-dma.json." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON (one entry per transaction, the event records and the counters) instead of tables." };
        var explain = new Option<bool>("--explain") { Description = "For every transaction that does not translate, print the steps the SMMU took: STE, CD, walk, and the rule an invalid structure breaks." };
        var command = new Command("run", "Run a scenario file: configure streams and mappings, translate its transactions, check the expected outcomes.");
        command.Arguments.Add(file);
        command.Options.Add(json);
        command.Options.Add(explain);
        command.SetAction(parse => Run(context, parse.GetValue(file) ?? string.Empty, parse.GetValue(json), parse.GetValue(explain)));
        return command;
    }

    private static int Run(CliContext context, string path, bool json, bool explain)
    {
        Scenario scenario;
        ScenarioReport report;
        try
        {
            scenario = ScenarioLoader.Load(path);
            report = ScenarioRunner.Run(scenario, path, explain);
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        return Print(context, report, json);
    }

    /// <summary>Prints <paramref name="report"/> as tables or JSON; the exit code says whether every expectation held.</summary>
    /// <param name="context">Where to write.</param>
    /// <param name="report">The report.</param>
    /// <param name="json">JSON instead of tables.</param>
    /// <returns>0 when every expectation held, <see cref="CliApp.RuntimeError"/> otherwise.</returns>
    internal static int Print(CliContext context, ScenarioReport report, bool json)
    {
        if (json)
        {
            ScenarioReportView.WriteJson(context.Output, report);
        }
        else
        {
            ScenarioReportView.Write(context, report);
        }

        if (!report.AllMet)
        {
            // Scripts reading the JSON still learn the verdict from the exit code; people get a line on stderr too.
            if (json)
            {
                context.Error.WriteLine(ScenarioReportView.Summary(report));
            }

            return CliApp.RuntimeError;
        }

        return 0;
    }
}
