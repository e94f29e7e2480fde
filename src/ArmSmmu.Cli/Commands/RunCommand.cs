using System.CommandLine;
using ArmSmmu.Cli.Scenarios;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu run &lt;scenario.json&gt; [--json] [--summary] [--explain] [--rows N]</c>: loads and validates a scenario
/// (docs/scenario-format.md), runs it on a fresh SMMU while its transactions are read, and reports them against their
/// expectations. Exit 0 when all hold, 1 when one does not, 2 when the file is not a usable scenario.
/// </summary>
internal sealed class RunCommand : ICliCommand
{
    private const long ProgressThreshold = 1 << 20;

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var file = new Argument<string>("scenario") { Description = "A scenario file (JSON, see docs/scenario-format.md); 'smmu example stage1-dma > stage1-dma.json' writes one." };
        var json = CommandFactory.Json("Print the results as JSON: one line per transaction (with the event records it raised), then the tally and the counters.");
        var summary = new Option<bool>("--summary") { Description = "Print only the SMMU's counters and the expectation tally." };
        var explain = new Option<bool>("--explain") { Description = "For every transaction that does not translate, print the steps the SMMU took: STE, CD, walk, and the rule an invalid structure breaks." };
        var checkDriver = CommandFactory.CheckDriver();
        var rows = new Option<int>("--rows")
        {
            Description = "How many transactions (and failed expectations, and event records) the tables show; the counts always cover all.",
            DefaultValueFactory = _ => 100,
        };
        return CommandFactory.Create(
            "run",
            "Run a scenario file: configure streams and mappings, translate its transactions, check the expected outcomes.",
            parse => Run(
                context,
                parse.GetValue(file) ?? string.Empty,
                new OutputOptions(parse.GetValue(json), parse.GetValue(summary), parse.GetValue(rows)),
                parse.GetValue(explain),
                parse.GetValue(checkDriver)),
            file,
            json,
            summary,
            explain,
            rows,
            checkDriver);
    }

    /// <summary>Runs a scenario and prints it; the exit code says whether every expectation held.</summary>
    /// <param name="context">Where to write.</param>
    /// <param name="reader">The opened scenario.</param>
    /// <param name="output">How to print.</param>
    /// <param name="explain">Explain every transaction that does not succeed.</param>
    /// <param name="observer">Also sees every row (when not printing JSON), or null.</param>
    /// <param name="checkDriver">Run with the driver-bug detector on, and fail when it finds a mistake.</param>
    /// <returns>0 when every expectation held, <see cref="CliApp.RuntimeError"/> otherwise.</returns>
    internal static int Execute(CliContext context, ScenarioReader reader, OutputOptions output, bool explain, IScenarioObserver? observer = null, bool checkDriver = false)
    {
        var options = new ScenarioRunOptions { Explain = explain, KeepRows = output.Rows, KeepEvents = output.Rows, CheckDriver = checkDriver };
        ScenarioJsonWriter? json = output.Json ? new ScenarioJsonWriter(context.Output, rows: !output.Summary) : null;
        json?.Begin(reader.Header.Name);
        IScenarioObserver? sink = (IScenarioObserver?)json ?? observer;
        ScenarioReport report;
        try
        {
            // A file that runs in a blink gets no bar: it would only flicker.
            Func<ScenarioReport> run = () => ScenarioRunner.Run(reader.Header, reader.ReadTransactions(), reader.Source, options, sink);
            Progress? display = reader.Length >= ProgressThreshold
                ? context.ErrorProgress(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                : null;
            report = display is null ? run() : WithProgress(display, reader, run);
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        if (json is not null)
        {
            json.End(report);
        }
        else if (output.Summary)
        {
            ScenarioReportView.WriteSummary(context, report);
        }
        else
        {
            ScenarioReportView.Write(context, report);
        }

        if (!report.AllMet || report.DriverChecks is { Count: > 0 })
        {
            // Scripts reading the JSON still learn the verdict from the exit code; people get a line on stderr too.
            if (json is not null)
            {
                context.Error.WriteLine(ScenarioReportView.Summary(report));
            }

            return CliApp.RuntimeError;
        }

        return 0;
    }

    private static int Run(CliContext context, string path, OutputOptions output, bool explain, bool checkDriver)
    {
        if (output.Rows < 0)
        {
            throw new CliUsageException($"--rows {output.Rows}: the number of rows must be 0 or more.");
        }

        ScenarioReader reader;
        try
        {
            reader = ScenarioReader.Open(path);
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        using (reader)
        {
            return Execute(context, reader, output, explain, checkDriver: checkDriver);
        }
    }

    /// <summary>A progress bar on the terminal's stderr, following how far into the file the run has read.</summary>
    private static ScenarioReport WithProgress(Progress display, ScenarioReader reader, Func<ScenarioReport> run) =>
        display.Start(progress =>
            {
                ProgressTask task = progress.AddTask(Markup.Escape(Path.GetFileName(reader.Source)), maxValue: Math.Max(1, reader.Length));
                using var timer = new Timer(_ => task.Value = reader.Position, null, 100, 100);
                ScenarioReport report = run();
                task.Value = task.MaxValue;
                return report;
            });

    /// <summary>How the report is printed.</summary>
    /// <param name="Json">JSON instead of tables.</param>
    /// <param name="Summary">Only the counters and the tally.</param>
    /// <param name="Rows">How many rows the tables show.</param>
    internal readonly record struct OutputOptions(bool Json, bool Summary, int Rows);
}
