using System.Text.Json.Serialization;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>Source-generated JSON metadata for the output of <c>smmu run --json</c>: one compact line per row.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TransactionReport))]
[JsonSerializable(typeof(EventReport))]
[JsonSerializable(typeof(StatisticsReport))]
[JsonSerializable(typeof(DriverCheckLine))]
[JsonSerializable(typeof(string))]
internal sealed partial class ScenarioReportJsonContext : JsonSerializerContext
{
}
