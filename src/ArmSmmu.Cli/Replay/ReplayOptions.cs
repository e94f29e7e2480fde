using System.Globalization;

namespace ArmSmmu.Cli.Replay;

/// <summary>The command line of <c>smmu replay</c>.</summary>
/// <param name="Input">The recording folder, or the trace file ("-" for standard input).</param>
/// <param name="Setup">The scenario a trace runs against, or null for a recording.</param>
/// <param name="Json">JSON instead of tables.</param>
/// <param name="TlbEntries">Sweep: TLB sizes, or null.</param>
/// <param name="TlbWays">Sweep: TLB associativity, or null.</param>
/// <param name="ConfigCacheEntries">Sweep: configuration cache sizes, or null.</param>
/// <param name="Plot">The picture to draw the sweep to, or null.</param>
/// <param name="Disagreements">How many disagreements to keep.</param>
/// <param name="CheckDriver">Replay the baseline with the driver-bug detector on (<see cref="SmmuFeatures.CheckDriver"/>).</param>
internal sealed record ReplayOptions(
    string Input, string? Setup, bool Json, IReadOnlyList<int>? TlbEntries, int? TlbWays, IReadOnlyList<int>? ConfigCacheEntries, string? Plot, int Disagreements, bool CheckDriver = false)
{
    /// <summary>True when a sweep option was given.</summary>
    public bool Sweeping => TlbEntries is not null || TlbWays is not null || ConfigCacheEntries is not null;

    /// <summary>Every geometry of the sweep (TLB entries × configuration cache entries), each checked; empty without a sweep.</summary>
    /// <param name="baseline">The features the sweep varies.</param>
    /// <returns>The geometries.</returns>
    /// <exception cref="CliUsageException">A geometry the device cannot have, or --plot without a sweep.</exception>
    public IReadOnlyList<SmmuFeatures> Geometries(SmmuFeatures baseline)
    {
        if (Disagreements < 0)
        {
            throw new CliUsageException("--disagreements: expected a count of 0 or more");
        }

        if (!Sweeping)
        {
            return Plot is null ? [] : throw new CliUsageException("--plot draws a sweep: give --tlb-entries (and optionally --tlb-ways, --config-cache-entries) too");
        }

        int ways = TlbWays ?? baseline.TlbWays;
        if (ways is < 1 or > 255)
        {
            throw new CliUsageException($"--tlb-ways {ways}: expected 1 to 255");
        }

        var geometries = new List<SmmuFeatures>();
        foreach (int entries in TlbEntries ?? [baseline.TlbEntries])
        {
            if (entries % ways != 0)
            {
                throw new CliUsageException($"--tlb-entries {entries}: not a multiple of the {ways} ways");
            }

            foreach (int config in ConfigCacheEntries ?? [baseline.ConfigCacheEntries])
            {
                geometries.Add(baseline with { TlbEntries = entries, TlbWays = ways, ConfigCacheEntries = config });
            }
        }

        return geometries;
    }

    /// <summary>Parses "64,128,256".</summary>
    /// <param name="text">The option's value, or null.</param>
    /// <param name="option">The option's name, for messages.</param>
    /// <returns>The numbers, or null when the option was not given.</returns>
    /// <exception cref="CliUsageException">A value is not a count of 0 or more.</exception>
    public static IReadOnlyList<int>? ParseList(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var values = new List<int>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value > 1 << 24)
            {
                throw new CliUsageException($"{option}: '{item}' is not a count from 0 to {1 << 24} (give a comma-separated list, e.g. 64,128,256)");
            }

            values.Add(value);
        }

        return values;
    }
}
