using System.Globalization;
using System.Text;

namespace ArmSmmu.Diagnostics.DriverCheck;

/// <summary>One mistake the driver-bug detector found (<see cref="SmmuFeatures.CheckDriver"/>). Never architecturally visible: the SMMU behaves as real hardware would.</summary>
/// <param name="Mistake">What went wrong.</param>
/// <param name="StreamId">The StreamID of the transaction that exposed it.</param>
/// <param name="SubstreamId">Its SubstreamID, when it had one.</param>
/// <param name="InputAddress">Its input address (VA, or IPA for a stage-2-only stream).</param>
/// <param name="StructureAddress">Where in memory the structure or descriptor concerned lives (for a TLBI without CMD_SYNC, 0).</param>
/// <param name="CachedWords">What the SMMU holds: the doublewords of the cached STE or CD, or the output address of the cached translation; the old value of a replaced descriptor.</param>
/// <param name="CurrentWords">What memory holds now, in the same form (for a translation, the leaf descriptor).</param>
/// <param name="Command">The command that would have prevented it, e.g. <c>CMD_CFGI_STE for StreamID 0x5</c>.</param>
/// <param name="Explanation">What happened and the rule, in words.</param>
public sealed record DriverCheckReport(
    DriverMistake Mistake,
    uint StreamId,
    uint? SubstreamId,
    ulong InputAddress,
    ulong StructureAddress,
    IReadOnlyList<ulong> CachedWords,
    IReadOnlyList<ulong> CurrentWords,
    string Command,
    string Explanation)
{
    /// <summary>The short name of <see cref="Mistake"/> used in reports: <c>stale STE</c>, <c>torn structure</c>, ...</summary>
    public string Title => Mistake switch
    {
        DriverMistake.StaleStreamTableEntry => "stale STE",
        DriverMistake.StaleContextDescriptor => "stale CD",
        DriverMistake.StaleTranslation => "stale TLB entry",
        DriverMistake.StaleWalkCacheEntry => "stale walk-cache entry",
        DriverMistake.TornStructure => "torn structure",
        DriverMistake.TlbiWithoutSync => "TLBI without CMD_SYNC",
        _ => "break-before-make",
    };

    /// <summary>One line: the mistake, the transaction, and the command that would have covered it.</summary>
    /// <returns>e.g. <c>stale STE: StreamID 0x5 VA 0x1000, STE [0xF0000140]: needs CMD_CFGI_STE for StreamID 0x5</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Title).Append(CultureInfo.InvariantCulture, $": StreamID 0x{StreamId:X}");
        if (SubstreamId is uint ssid)
        {
            text.Append(CultureInfo.InvariantCulture, $" SubstreamID 0x{ssid:X}");
        }

        text.Append(CultureInfo.InvariantCulture, $" address 0x{InputAddress:X}");
        if (StructureAddress != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" [0x{StructureAddress:X}]");
        }

        return text.Append(": ").Append(Explanation).Append("; needs ").Append(Command).ToString();
    }

    /// <summary>The doublewords as <c>0x…</c> text, for reports.</summary>
    /// <param name="words">Doublewords.</param>
    /// <returns>Space-separated hexadecimal values.</returns>
    public static string Hex(IReadOnlyList<ulong> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return string.Join(' ', words.Select(w => string.Create(CultureInfo.InvariantCulture, $"0x{w:X16}")));
    }
}

/// <summary>The argument of <see cref="SmmuV3.DriverMistakeFound"/>.</summary>
/// <param name="report">What was found.</param>
public sealed class DriverCheckEventArgs(DriverCheckReport report) : EventArgs
{
    /// <summary>What was found.</summary>
    public DriverCheckReport Report { get; } = report;
}
