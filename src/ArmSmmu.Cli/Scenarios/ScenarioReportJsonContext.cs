using System.Text.Json.Serialization;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>Source-generated JSON metadata for the output of <c>smmu run --json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(ScenarioReport))]
internal sealed partial class ScenarioReportJsonContext : JsonSerializerContext
{
}
