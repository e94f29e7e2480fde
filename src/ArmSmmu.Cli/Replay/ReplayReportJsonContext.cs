using System.Text.Json.Serialization;

namespace ArmSmmu.Cli.Replay;

/// <summary>Source-generated JSON metadata for the output of <c>smmu replay --json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(ReplayReport))]
internal sealed partial class ReplayReportJsonContext : JsonSerializerContext
{
}
