using System.Globalization;
using ScottPlot;

namespace ArmSmmu.Cli.Replay;

/// <summary>Draws a sweep: TLB hit rate (left axis) and walks per 1,000 translations (right axis) against TLB entries on a log2 axis.</summary>
internal static class SweepPlot
{
    /// <summary>Writes the plot to <paramref name="path"/>: SVG when it ends in .svg, PNG otherwise.</summary>
    /// <param name="path">The picture file.</param>
    /// <param name="title">The plot's title (the traffic's name).</param>
    /// <param name="sweep">The sweep's points; geometries without a TLB are left out (no place on a log axis).</param>
    public static void Save(string path, string title, IReadOnlyList<SweepPoint> sweep)
    {
        var plot = new Plot();
        var groups = sweep.Where(p => p.TlbEntries > 0).GroupBy(p => (p.TlbWays, p.ConfigCacheEntries)).ToList();
        foreach (var group in groups)
        {
            var points = group.OrderBy(p => p.TlbEntries).ToArray();
            double[] x = [.. points.Select(p => Math.Log2(p.TlbEntries))];
            string suffix = groups.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({group.Key.TlbWays} ways, config cache {group.Key.ConfigCacheEntries})") : string.Empty;

            var hitRate = plot.Add.Scatter(x, [.. points.Select(p => p.TlbHitRate * 100)]);
            hitRate.LegendText = "TLB hit rate, %" + suffix;
            hitRate.LineWidth = 2;
            hitRate.MarkerSize = 7;

            var walks = plot.Add.Scatter(x, [.. points.Select(p => p.WalksPer1000)]);
            walks.LegendText = "walks per 1,000 translations" + suffix;
            walks.LineWidth = 2;
            walks.MarkerSize = 7;
            walks.LinePattern = LinePattern.Dashed;
            walks.Axes.YAxis = plot.Axes.Right;
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (int entries in sweep.Where(p => p.TlbEntries > 0).Select(p => p.TlbEntries).Distinct().Order())
        {
            ticks.AddMajor(Math.Log2(entries), entries.ToString(CultureInfo.InvariantCulture));
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.Label.Text = groups.Count == 1
            ? string.Create(CultureInfo.InvariantCulture, $"TLB entries (log2 scale; {groups[0].Key.TlbWays}-way, config caches {groups[0].Key.ConfigCacheEntries} entries)")
            : "TLB entries (log2 scale)";
        plot.Axes.Left.Label.Text = "TLB hit rate (%)";
        plot.Axes.Right.Label.Text = "walks per 1,000 translations";
        plot.Axes.SetLimitsY(0, 105, plot.Axes.Left);
        double mostWalks = sweep.Select(p => p.WalksPer1000).DefaultIfEmpty(0).Max();
        plot.Axes.SetLimitsY(0, Math.Max(10, mostWalks * 1.1), plot.Axes.Right);
        plot.Title(title);
        plot.ShowLegend(Edge.Bottom);

        const int Width = 900, Height = 540;
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
        {
            plot.SaveSvg(path, Width, Height);
        }
        else
        {
            plot.SavePng(path, Width, Height);
        }
    }
}
