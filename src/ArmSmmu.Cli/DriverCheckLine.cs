using System.Globalization;
using ArmSmmu.Diagnostics.DriverCheck;

namespace ArmSmmu.Cli;

/// <summary>
/// One finding of the driver-bug detector (<c>--check-driver</c>, <see cref="SmmuFeatures.CheckDriver"/>) as the CLI
/// reports it: the kind, the transaction, the structure, the cached and current words, the command that would have
/// covered it and the explanation. Hex strings are for people; JSON readers get the same text.
/// </summary>
/// <param name="Mistake">The <see cref="DriverMistake"/> name.</param>
/// <param name="Title">Its short name: "stale STE", "torn structure", ...</param>
/// <param name="StreamId">The StreamID of the transaction that exposed it.</param>
/// <param name="SubstreamId">Its SubstreamID, or null.</param>
/// <param name="Address">Its input address.</param>
/// <param name="StructureAddress">Where the structure or descriptor lives, or null.</param>
/// <param name="Cached">The words the SMMU holds (hex, space-separated).</param>
/// <param name="Current">The words memory holds now.</param>
/// <param name="Command">The command that would have prevented it.</param>
/// <param name="Explanation">What happened and the rule.</param>
public sealed record DriverCheckLine(
    string Mistake, string Title, uint StreamId, uint? SubstreamId, string Address, string? StructureAddress, string Cached, string Current, string Command, string Explanation)
{
    /// <summary>The CLI's form of a library report.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The line.</returns>
    public static DriverCheckLine From(DriverCheckReport report) => new(
        report.Mistake.ToString(),
        report.Title,
        report.StreamId,
        report.SubstreamId,
        Hex(report.InputAddress),
        report.StructureAddress == 0 ? null : Hex(report.StructureAddress),
        DriverCheckReport.Hex(report.CachedWords),
        DriverCheckReport.Hex(report.CurrentWords),
        report.Command,
        report.Explanation);

    /// <summary>The findings of one device, or null when it did not check.</summary>
    /// <param name="device">The device.</param>
    /// <returns>The lines, or null.</returns>
    public static IReadOnlyList<DriverCheckLine>? Of(SmmuV3 device) =>
        device.Features.CheckDriver ? [.. device.DriverCheckReports.Select(From)] : null;

    /// <summary>Writes the "Driver check" section: a verdict line, then each finding with its explanation and words.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="lines">The findings.</param>
    public static void Write(TextWriter output, IReadOnlyList<DriverCheckLine> lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lines);
        output.WriteLine(lines.Count == 0
            ? "Driver check: no mistake found."
            : string.Create(CultureInfo.InvariantCulture, $"Driver check: {lines.Count} mistake{(lines.Count == 1 ? string.Empty : "s")} found."));
        foreach (var line in lines)
        {
            string ssid = line.SubstreamId is uint s ? string.Create(CultureInfo.InvariantCulture, $" SubstreamID 0x{s:X}") : string.Empty;
            string where = line.StructureAddress is null ? string.Empty : $" [{line.StructureAddress}]";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"✗ {line.Title}: StreamID 0x{line.StreamId:X}{ssid} address {line.Address}{where}"));
            output.WriteLine("  why      " + line.Explanation);
            if (line.Cached.Length > 0)
            {
                output.WriteLine("  cached   " + line.Cached);
            }

            if (line.Current.Length > 0)
            {
                output.WriteLine("  memory   " + line.Current);
            }

            output.WriteLine("  needs    " + line.Command);
        }
    }

    private static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");
}
