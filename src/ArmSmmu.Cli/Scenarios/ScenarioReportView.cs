using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>Renders a <see cref="ScenarioReport"/>: Spectre tables for people, JSON for scripts. Nothing time-dependent is printed.</summary>
internal static class ScenarioReportView
{
    private const string Met = "✓";
    private const string Failed = "✗";
    private const string None = "-";

    /// <summary>The results table, the mismatches, the event records and the counters, then the summary line.</summary>
    /// <param name="context">Where to write: tables to the Spectre console, plain lines (never wrapped) to the output writer.</param>
    /// <param name="report">The report.</param>
    public static void Write(CliContext context, ScenarioReport report)
    {
        context.Console.Write(Results(report));
        if (report.TransactionCount > report.Transactions.Count)
        {
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"… {report.TransactionCount - report.Transactions.Count} more transactions not shown (--json lists every one, --summary only the counts)."));
        }

        foreach (TransactionReport failed in report.Failures)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Failed} #{failed.Index}: {failed.Mismatch}"));
        }

        int unlisted = report.ExpectationsTotal - report.ExpectationsMet - report.Failures.Count;
        if (unlisted > 0)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"… {unlisted} more failed expectations not listed (--json lists every one)."));
        }

        foreach (TransactionReport explained in report.Transactions.Where(t => t.Explanation is not null))
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Why #{explained.Index} did not translate:"));
            foreach (string step in explained.Explanation!)
            {
                context.Output.WriteLine("  " + step);
            }
        }

        context.Console.Write(Events(report.Events));
        if (report.EventCount > report.Events.Count)
        {
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"… {report.EventCount - report.Events.Count} more event records not shown."));
        }

        WriteSummary(context, report);
    }

    /// <summary>Only the counters and the expectation tally (<c>--summary</c>).</summary>
    /// <param name="context">Where to write.</param>
    /// <param name="report">The report.</param>
    public static void WriteSummary(CliContext context, ScenarioReport report)
    {
        context.Console.Write(Statistics(report.Statistics));
        if (report.DriverChecks is { } checks)
        {
            DriverCheckLine.Write(context.Output, checks);
        }

        context.Output.WriteLine(Summary(report));
    }

    /// <summary>"N of M expectations met", or a note that the scenario had none.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The line.</returns>
    public static string Summary(ScenarioReport report) => report.ExpectationsTotal == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{report.TransactionCount} transactions, no expectations given.")
        : string.Create(CultureInfo.InvariantCulture, $"{report.TransactionCount} transactions; {report.ExpectationsMet} of {report.ExpectationsTotal} expectations met.");

    private static Table Results(ScenarioReport report)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape(report.Name is null ? "Transactions" : $"Transactions of {report.Name}")) };
        table.AddColumns("#", "Stream", "PASID", "Access", "Address", "Outcome", "PA or fault", "Expected", "OK");
        foreach (TransactionReport t in report.Transactions)
        {
            string result = t.PaHex ?? t.Fault ?? "abort, no event";
            if (t.Fault is not null && !t.FaultRecorded)
            {
                result += " (not recorded)";
            }

            table.AddRow(Cells(
                Dec(t.Index),
                Hex(t.StreamId),
                t.Pasid is uint pasid ? Dec(pasid) : None,
                t.Privileged ? t.Access + " (priv)" : t.Access,
                t.AddressHex,
                t.Outcome,
                result,
                t.Expected ?? None,
                t.Met switch { true => Met, false => Failed, null => None }));
        }

        return table;
    }

    private static IRenderable Events(IReadOnlyList<EventReport> events)
    {
        if (events.Count == 0)
        {
            return new Text("No event records.\n");
        }

        var table = new Table { Title = new TableTitle("Event records drained from the event queue (IHI0070 §7.3)") };
        table.AddColumns("After #", "Type", "StreamID", "SubstreamID", "InputAddr", "IPA", "CLASS", "S2");
        foreach (EventReport e in events)
        {
            table.AddRow(Cells(
                e.Transaction is int index ? Dec(index) : "setup",
                e.Type,
                Hex(e.StreamId),
                e.SubstreamId is uint ssid ? Dec(ssid) : None,
                e.InputAddress is ulong input ? Hex(input) : None,
                e.Ipa is ulong ipa ? Hex(ipa) : None,
                e.Class ?? None,
                e.Stage2 switch { true => "1 (stage 2)", false => "0 (stage 1)", null => None }));
        }

        return table;
    }

    private static Table Statistics(StatisticsReport s)
    {
        var table = new Table { Title = new TableTitle("SMMU counters (whole run)") };
        table.AddColumns("Counter", "Value");
        table.AddRow(Cells("TLB hits / misses", $"{Dec(s.TlbHits)} / {Dec(s.TlbMisses)}"));
        table.AddRow(Cells("TLB hit rate", s.TlbHitRate.ToString("P1", CultureInfo.InvariantCulture)));
        table.AddRow(Cells("Table walks (descriptors read)", $"{Dec(s.Walks)} ({Dec(s.DescriptorReads)})"));
        table.AddRow(Cells("STE cache hits / misses", $"{Dec(s.SteCacheHits)} / {Dec(s.SteCacheMisses)}"));
        table.AddRow(Cells("CD cache hits / misses", $"{Dec(s.CdCacheHits)} / {Dec(s.CdCacheMisses)}"));
        table.AddRow(Cells("Commands consumed", Dec(s.Commands)));
        table.AddRow(Cells("Event records written", Dec(s.EventsWritten)));
        if (s.EventsDiscarded != 0)
        {
            table.AddRow(Cells("Event records discarded", Dec(s.EventsDiscarded)));
        }

        return table;
    }

    // Plain Text cells: addresses and fault names must not be read as Spectre markup.
    private static IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];

    private static string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");
}
