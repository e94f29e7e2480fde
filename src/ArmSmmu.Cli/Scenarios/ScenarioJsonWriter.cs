using System.Globalization;
using System.Text.Json;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Writes <c>smmu run --json</c> as the run goes: one JSON object whose <c>transactions</c> array gets one line per
/// transaction as it completes (with the event records it raised), so a long run is never held in memory. Numbers
/// (StreamIDs, PASIDs, addresses, counters) are JSON numbers; addresses also come as hex strings for people.
/// </summary>
internal sealed class ScenarioJsonWriter(TextWriter output, bool rows) : IScenarioObserver
{
    private static readonly ScenarioReportJsonContext Json = ScenarioReportJsonContext.Default;
    private bool _first = true;

    /// <summary>Opens the object.</summary>
    /// <param name="name">The scenario's name, or null.</param>
    public void Begin(string? name)
    {
        output.WriteLine("{");
        if (name is not null)
        {
            output.WriteLine($"  \"name\": {JsonSerializer.Serialize(name, Json.String)},");
        }
    }

    /// <inheritdoc />
    public void Setup(IReadOnlyList<EventReport> events)
    {
        if (rows)
        {
            output.WriteLine("  \"setupEvents\": [" + string.Join(", ", events.Select(e => JsonSerializer.Serialize(e, Json.EventReport))) + "],");
            output.Write("  \"transactions\": [");
        }
    }

    /// <inheritdoc />
    public void Transaction(TransactionReport report)
    {
        if (rows)
        {
            output.Write(_first ? "\n    " : ",\n    ");
            output.Write(JsonSerializer.Serialize(report, Json.TransactionReport));
            _first = false;
        }
    }

    /// <summary>Closes the array and writes the tally and the counters.</summary>
    /// <param name="report">The finished run.</param>
    public void End(ScenarioReport report)
    {
        if (rows)
        {
            output.WriteLine(_first ? "]," : "\n  ],");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"transactionCount\": {report.TransactionCount},"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"eventCount\": {report.EventCount},"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"expectationsTotal\": {report.ExpectationsTotal},"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  \"expectationsMet\": {report.ExpectationsMet},"));
        output.WriteLine($"  \"allMet\": {(report.AllMet ? "true" : "false")},");
        if (report.DriverChecks is { } checks)
        {
            output.WriteLine("  \"driverChecks\": [" + string.Join(", ", checks.Select(c => JsonSerializer.Serialize(c, Json.DriverCheckLine))) + "],");
        }

        output.WriteLine($"  \"statistics\": {JsonSerializer.Serialize(report.Statistics, Json.StatisticsReport)}");
        output.WriteLine("}");
    }
}
