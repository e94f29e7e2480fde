using System.CommandLine;
using ArmSmmu.Cli.Replay;
using ArmSmmu.Cli.Scenarios;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu replay RECORDING</c> or <c>smmu replay --setup SCENARIO.json TRACE</c> (docs/replay.md): replays a recorded
/// run or a DMA trace through the device, compares with the recording, counts faults and cache behaviour, and sweeps
/// cache geometries. Exit 0, 1 when a recording's row disagrees, 2 for bad input.
/// </summary>
internal sealed class ReplayCommand : ICliCommand
{
    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var input = new Argument<string>("input") { Description = "A recording folder (regs.tsv, memory.bin, translations.tsv), or with --setup a trace file (docs/trace-format.md), '-' for standard input." };
        var setup = new Option<string?>("--setup") { Description = "A scenario file whose streams and mappings the trace runs against (its transactions are ignored)." };
        var json = CommandFactory.Json("Print one JSON object instead of tables.");
        var entries = new Option<string?>("--tlb-entries") { Description = "Sweep: TLB sizes to replay the traffic on, e.g. 64,128,256." };
        var ways = new Option<int?>("--tlb-ways") { Description = "Sweep: the TLB's associativity (default 8)." };
        var configEntries = new Option<string?>("--config-cache-entries") { Description = "Sweep: STE/CD cache sizes, e.g. 16,64." };
        var plot = new Option<string?>("--plot") { Description = "With a sweep: draw hit rate and walks per 1,000 translations against TLB entries to FILE.png or FILE.svg." };
        var keep = new Option<int>("--disagreements") { Description = "How many disagreements to show with their explanations.", DefaultValueFactory = _ => 5 };
        var checkDriver = CommandFactory.CheckDriver();
        return CommandFactory.Create(
            "replay",
            "Replay a recorded run (compared with what the platform did) or a DMA trace, with cache counters and TLB sizing sweeps.",
            parse => Run(context, new ReplayOptions(
                parse.GetValue(input) ?? string.Empty,
                parse.GetValue(setup),
                parse.GetValue(json),
                ReplayOptions.ParseList(parse.GetValue(entries), "--tlb-entries"),
                parse.GetValue(ways),
                ReplayOptions.ParseList(parse.GetValue(configEntries), "--config-cache-entries"),
                parse.GetValue(plot),
                parse.GetValue(keep),
                parse.GetValue(checkDriver))),
            input,
            setup,
            json,
            entries,
            ways,
            configEntries,
            plot,
            keep,
            checkDriver);
    }

    private static int Run(CliContext context, ReplayOptions options)
    {
        string? buffered = null;
        try
        {
            SmmuFeatures baseline;
            ReplaySession session;
            if (options.Setup is string setup)
            {
                Scenario scenario = Load(setup);
                baseline = scenario.ToFeatures();
                string trace = options.Input;
                if (trace == "-" && options.Sweeping)
                {
                    // Every geometry reads the traffic from the start: keep standard input in a file.
                    buffered = Path.GetTempFileName();
                    using var copy = new StreamWriter(buffered);
                    char[] block = new char[1 << 16];
                    for (int read; (read = context.Input.Read(block, 0, block.Length)) > 0;)
                    {
                        copy.Write(block, 0, read);
                    }
                }
                else if (trace != "-" && !File.Exists(trace))
                {
                    throw new CliUsageException(Directory.Exists(trace) ? $"{trace}: is a directory; expected a trace file" : $"{trace}: no such trace file");
                }

                string name = trace;
                string? path = buffered ?? (trace == "-" ? null : trace);
                session = new ReplaySession(
                    name,
                    () => path is null ? new TraceSource(context.Input, null, "-") : TraceSource.Open(path, name),
                    features => SetUp(scenario, setup, features),
                    options.Disagreements);
            }
            else
            {
                Recording recording = Recording.Open(options.Input);
                baseline = SmmuFeatures.Default;
                session = new ReplaySession(options.Input, () => RecordingSource.Open(recording.TranslationsPath), recording.BringUp, options.Disagreements);
            }

            IReadOnlyList<SmmuFeatures> sweep = options.Geometries(baseline);
            baseline = baseline with { CheckDriver = options.CheckDriver }; // the sweep's geometries only count cache behaviour
            ReplayReport report = ReplayProgress.Run(context, session, baseline, sweep);
            if (options.Plot is string plot)
            {
                SweepPlot.Save(plot, $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(options.Input))}: TLB sizing sweep", report.Sweep!);
            }

            return Print(context, report, options.Json);
        }
        catch (ReplayInputException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }
        finally
        {
            if (buffered is not null)
            {
                File.Delete(buffered);
            }
        }
    }

    private static Scenario Load(string path)
    {
        try
        {
            return ScenarioLoader.Load(path);
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }
    }

    private static ReplayTarget SetUp(Scenario scenario, string source, SmmuFeatures features)
    {
        try
        {
            ArmSmmu.Driver.Iommu iommu = ScenarioRunner.Configure(scenario, source, features);
            return new ReplayTarget(iommu.Device, () => iommu.Driver.DrainEvents());
        }
        catch (ScenarioException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }
    }

    private static int Print(CliContext context, ReplayReport report, bool json)
    {
        if (json)
        {
            ReplayView.WriteJson(context.Output, report);
        }
        else
        {
            ReplayView.Write(context, report);
        }

        if (!report.AllAgreed || report.DriverChecks is { Count: > 0 })
        {
            if (json)
            {
                context.Error.WriteLine(ReplayView.Summary(report));
            }

            return CliApp.RuntimeError;
        }

        return 0;
    }
}
