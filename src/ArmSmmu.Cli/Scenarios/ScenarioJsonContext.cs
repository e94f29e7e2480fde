using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Source-generated JSON metadata for <see cref="Scenario"/>: camelCase names, comments and trailing commas allowed,
/// and an unknown property is an error rather than silently ignored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(Scenario))]
[JsonSerializable(typeof(List<StreamSpec>))]
[JsonSerializable(typeof(TransactionSpec))]
[JsonSerializable(typeof(FeaturesSpec))]
[JsonSerializable(typeof(string))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext
{
}
