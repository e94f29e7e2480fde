using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ArmSmmu.Cli.Replay;

/// <summary>Renders a <see cref="ReplayReport"/>: Spectre tables for people, one JSON object for scripts.</summary>
internal static class ReplayView
{
    /// <summary>The verdict, faults, cache counters, per-StreamID table, disagreements and sweep, then the summary line.</summary>
    /// <param name="context">Where to write.</param>
    /// <param name="report">The report.</param>
    public static void Write(CliContext context, ReplayReport report)
    {
        context.Console.Write(Totals(report));
        context.Console.Write(Streams(report));
        foreach (Disagreement d in report.Disagreements)
        {
            context.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"✗ row {d.Row}: StreamID 0x{d.StreamId:X} {d.Access} {d.Iova}: expected {d.Expected}, got {d.Got}. Why:"));
            foreach (string step in d.Explanation)
            {
                context.Output.WriteLine("  " + step);
            }
        }

        if (report.Sweep is { } sweep)
        {
            context.Console.Write(Sweep(sweep));
        }

        if (report.DriverChecks is { } checks)
        {
            DriverCheckLine.Write(context.Output, checks);
        }

        context.Output.WriteLine(Summary(report));
    }

    /// <summary>The report as one indented JSON object (camelCase; numbers are JSON numbers).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="report">The report.</param>
    public static void WriteJson(TextWriter output, ReplayReport report) =>
        output.WriteLine(JsonSerializer.Serialize(report, ReplayReportJsonContext.Default.ReplayReport));

    /// <summary>One line: how many rows were replayed and, for a recording, how many agreed.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The line.</returns>
    public static string Summary(ReplayReport report) => report.Compared + report.Unmapped == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{report.Translations} translations replayed.")
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{report.Translations} translations replayed: {report.Agreed} of {report.Compared} comparable rows agreed with the recording, {report.UnmappedFaulted} of {report.Unmapped} unmapped rows faulted with F_TRANSLATION.");

    private static Table Totals(ReplayReport r)
    {
        var table = new Table { Title = new TableTitle(Markup.Escape($"Replay of {r.Source}")) };
        table.AddColumns("Counter", "Value");
        table.AddRow(Cells("Translations replayed", Dec(r.Translations)));
        if (r.Compared + r.Unmapped > 0)
        {
            table.AddRow(Cells("Compared (agree = yes) / agreed / disagreed", $"{Dec(r.Compared)} / {Dec(r.Agreed)} / {Dec(r.Disagreed)}"));
            table.AddRow(Cells("Unmapped by the end / faulted F_TRANSLATION", $"{Dec(r.Unmapped)} / {Dec(r.UnmappedFaulted)}"));
        }

        foreach (var (type, count) in r.Faults)
        {
            table.AddRow(Cells("Faults: " + type, Dec(count)));
        }

        if (r.Faults.Count == 0)
        {
            table.AddRow(Cells("Faults", "0"));
        }

        table.AddRow(Cells("TLB geometry", $"{Dec(r.TlbEntries)} entries, {Dec(r.TlbWays)} ways; config caches {Dec(r.ConfigCacheEntries)} entries"));
        table.AddRow(Cells("TLB hits / misses (hit rate)", $"{Dec(r.TlbHits)} / {Dec(r.TlbMisses)} ({Percent(r.TlbHitRate)})"));
        table.AddRow(Cells("Table walks (descriptors read)", $"{Dec(r.Walks)} ({Dec(r.DescriptorReads)})"));
        table.AddRow(Cells("Walk-cache hits / misses", $"{Dec(r.WalkCacheHits)} / {Dec(r.WalkCacheMisses)}"));
        table.AddRow(Cells("STE cache hits / misses", $"{Dec(r.SteCacheHits)} / {Dec(r.SteCacheMisses)}"));
        table.AddRow(Cells("CD cache hits / misses", $"{Dec(r.CdCacheHits)} / {Dec(r.CdCacheMisses)}"));
        return table;
    }

    private static Table Streams(ReplayReport r)
    {
        var table = new Table { Title = new TableTitle("Per StreamID") };
        table.AddColumns("StreamID", "Translations", "Compared", "Agreed", "Unmapped", "Faults", "TLB hits", "TLB misses", "Hit rate", "Walks", "Descriptors", "STE hits", "CD hits");
        foreach (StreamReplayReport s in r.Streams)
        {
            table.AddRow(Cells(
                string.Create(CultureInfo.InvariantCulture, $"0x{s.StreamId:X}"),
                Dec(s.Translations),
                Dec(s.Compared),
                Dec(s.Agreed),
                Dec(s.Unmapped),
                Dec(s.Faults),
                Dec(s.TlbHits),
                Dec(s.TlbMisses),
                Percent(s.TlbHitRate),
                Dec(s.Walks),
                Dec(s.DescriptorReads),
                Dec(s.SteCacheHits),
                Dec(s.CdCacheHits)));
        }

        return table;
    }

    private static Table Sweep(IReadOnlyList<SweepPoint> sweep)
    {
        var table = new Table { Title = new TableTitle("The same traffic on each cache geometry") };
        table.AddColumns("TLB entries", "Ways", "Config cache", "TLB hit rate", "Walks / 1,000", "Walks", "Descriptors");
        foreach (SweepPoint p in sweep)
        {
            table.AddRow(Cells(
                Dec(p.TlbEntries),
                Dec(p.TlbWays),
                Dec(p.ConfigCacheEntries),
                Percent(p.TlbHitRate),
                p.WalksPer1000.ToString("F1", CultureInfo.InvariantCulture),
                Dec(p.Walks),
                Dec(p.DescriptorReads)));
        }

        return table;
    }

    private static string Percent(double rate) => rate.ToString("P1", CultureInfo.InvariantCulture);

    // Plain Text cells: nothing in a report is Spectre markup.
    private static IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];

    private static string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);
}
