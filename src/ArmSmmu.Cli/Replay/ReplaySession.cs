namespace ArmSmmu.Cli.Replay;

/// <summary>
/// Replays the same traffic once per cache geometry, each on a device of its own, in parallel across cores; the first
/// geometry is the default one, whose replay gives the full report.
/// </summary>
/// <param name="Source">The name of the input, for the report.</param>
/// <param name="Open">Opens the input from its start (called once per geometry, possibly concurrently).</param>
/// <param name="BringUp">A fresh device with the given features, configured for the traffic.</param>
/// <param name="KeepDisagreements">How many disagreements to keep.</param>
internal sealed record ReplaySession(string Source, Func<IReplaySource> Open, Func<SmmuFeatures, ReplayTarget> BringUp, int KeepDisagreements)
{
    /// <summary>Replays on <paramref name="baseline"/> and every geometry of <paramref name="sweep"/>.</summary>
    /// <param name="baseline">The default features: the full report is this replay's.</param>
    /// <param name="sweep">The geometries to sweep, or empty.</param>
    /// <param name="progress">Told each replay's progress (index into [baseline, sweep...], fraction), or null.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ReplayInputException">A line of the input is wrong.</exception>
    public ReplayReport Run(SmmuFeatures baseline, IReadOnlyList<SmmuFeatures> sweep, Action<int, double?>? progress = null)
    {
        SmmuFeatures[] geometries = [baseline, .. sweep];
        var replays = new Replayer[geometries.Length];
        try
        {
            Parallel.For(0, geometries.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var replayer = new Replayer(BringUp(geometries[i]), i == 0 ? KeepDisagreements : 0);
                using IReplaySource source = Open();
                replayer.Replay(source, progress is null ? null : fraction => progress(i, fraction));
                replays[i] = replayer;
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.FirstOrDefault(e => e is ReplayInputException or CliUsageException) is Exception first)
        {
            // Every geometry reads the same input: one bad line is reported once.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }

        return Report(replays[0], baseline, sweep.Count == 0 ? null : [.. sweep.Select((g, i) => Point(g, replays[i + 1]))]);
    }

    private ReplayReport Report(Replayer replay, SmmuFeatures features, IReadOnlyList<SweepPoint>? sweep)
    {
        ReplayTally total = replay.Total;
        return new ReplayReport(
            Source,
            total.Translations,
            total.Compared,
            total.Agreed,
            total.Compared - total.Agreed,
            total.Unmapped,
            total.UnmappedFaulted,
            replay.FaultsByType(),
            features.TlbEntries,
            features.TlbWays,
            features.ConfigCacheEntries,
            total.Counters,
            [.. replay.Streams.OrderBy(s => s.Key).Select(s => new StreamReplayReport(
                s.Key, s.Value.Translations, s.Value.Compared, s.Value.Agreed, s.Value.Compared - s.Value.Agreed, s.Value.Unmapped, s.Value.Faults, s.Value.Counters))],
            replay.Disagreements,
            sweep)
        {
            DriverChecks = DriverCheckLine.Of(replay.Device),
        };
    }

    private static SweepPoint Point(SmmuFeatures features, Replayer replay)
    {
        long translations = replay.Total.Translations;
        return new SweepPoint(
            features.TlbEntries,
            features.TlbWays,
            features.ConfigCacheEntries,
            translations,
            translations == 0 ? 0 : replay.Total.Counters.Walks * 1000.0 / translations,
            replay.Total.Counters);
    }
}
