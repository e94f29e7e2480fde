using Spectre.Console;

namespace ArmSmmu.Cli.Replay;

/// <summary>Runs a <see cref="ReplaySession"/>, with a progress bar per geometry on standard error when that is a terminal.</summary>
internal static class ReplayProgress
{
    /// <summary>Runs <paramref name="session"/> on <paramref name="baseline"/> and <paramref name="sweep"/>.</summary>
    /// <param name="context">Where the command writes; progress goes to its error writer only when that is a terminal.</param>
    /// <param name="session">The replay.</param>
    /// <param name="baseline">The default geometry.</param>
    /// <param name="sweep">The sweep's geometries.</param>
    /// <returns>The report.</returns>
    public static ReplayReport Run(CliContext context, ReplaySession session, SmmuFeatures baseline, IReadOnlyList<SmmuFeatures> sweep)
    {
        if (context.ErrorProgress(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn()) is not { } display)
        {
            return session.Run(baseline, sweep);
        }

        ReplayReport? report = null;
        display.Start(progress =>
            {
                ProgressTask[] tasks =
                [
                    progress.AddTask("replay"),
                    .. sweep.Select(f => progress.AddTask($"TLB {f.TlbEntries}x{f.TlbWays}, config {f.ConfigCacheEntries}")),
                ];
                report = session.Run(baseline, sweep, (i, fraction) =>
                {
                    if (fraction is double f)
                    {
                        tasks[i].Value = f * 100;
                    }
                    else
                    {
                        tasks[i].IsIndeterminate = true;
                    }
                });
            });
        return report!;
    }
}
