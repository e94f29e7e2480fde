using System.Text.Json;
using System.Text.Json.Serialization;
using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Decoding;

/// <summary>
/// What <c>smmu decode --json</c> and <c>smmu info --json</c> print: numbers as JSON numbers (with a hex string beside
/// each raw value for people), every decoded field as a name/bits/value/meaning object.
/// </summary>
internal static class DecodeJson
{
    /// <summary>Writes <paramref name="value"/> as indented JSON.</summary>
    public static void Write<T>(TextWriter output, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        output.WriteLine(JsonSerializer.Serialize(value, info));

    /// <summary>Hex text of a raw value.</summary>
    public static string Hex(ulong value) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"0x{value:X}");
}

/// <summary>The records found in the words given to <c>smmu decode</c>.</summary>
/// <param name="Kind">The record kind, e.g. "ste".</param>
/// <param name="Title">What it is, with its spec section.</param>
/// <param name="Log">Kernel log messages found among the words, or null.</param>
/// <param name="Features">The feature set STEs and CDs were checked against, in words, or null for other kinds.</param>
/// <param name="Records">One entry per record.</param>
internal sealed record DecodedRecords(string Kind, string Title, IReadOnlyList<string>? Log, string? Features, IReadOnlyList<DecodedRecord> Records);

/// <summary>One record.</summary>
/// <param name="Words">Its 64-bit words (missing ones taken as 0 with --pad).</param>
/// <param name="WordsHex">The same, hex.</param>
/// <param name="WordsGiven">How many of the words were given (fewer only with --pad).</param>
/// <param name="Fields">The decoded fields.</param>
/// <param name="Check">For an STE or CD: whether the SMMU would take it, else null.</param>
internal sealed record DecodedRecord(IReadOnlyList<ulong> Words, IReadOnlyList<string> WordsHex, int WordsGiven, IReadOnlyList<DecodedField> Fields, ConfigurationVerdict? Check);

/// <summary>Whether the SMMU takes an STE or CD (IHI0070 §5.2.2, §5.4.2).</summary>
/// <param name="Valid">True when it does.</param>
/// <param name="Event">The event it raises otherwise ("C_BAD_STE", "C_BAD_CD"), or null.</param>
/// <param name="Rule">The rule broken, in the device's words, or null.</param>
/// <param name="Text">The verdict as the table output prints it.</param>
internal sealed record ConfigurationVerdict(bool Valid, string? Event, string? Rule, string Text);

/// <summary>One register value decoded (<c>smmu decode reg</c>, and each ID register of <c>smmu info</c>).</summary>
/// <param name="Register">The register's name.</param>
/// <param name="Offset">Its offset from the SMMU base.</param>
/// <param name="Value">The value.</param>
/// <param name="ValueHex">The value, hex.</param>
/// <param name="Fields">The decoded fields.</param>
internal sealed record DecodedRegister(string Register, ulong Offset, ulong Value, string ValueHex, IReadOnlyList<DecodedField> Fields);

/// <summary>One page-table descriptor decoded (<c>smmu decode pte</c>).</summary>
/// <param name="Stage">Translation stage, 1 or 2.</param>
/// <param name="Level">Lookup level.</param>
/// <param name="GranuleKb">Granule size in KB.</param>
/// <param name="Value">The descriptor.</param>
/// <param name="ValueHex">The descriptor, hex.</param>
/// <param name="Fields">The decoded fields.</param>
internal sealed record DecodedDescriptor(int Stage, int Level, int GranuleKb, ulong Value, string ValueHex, IReadOnlyList<DecodedField> Fields);

/// <summary>The ID registers <c>smmu info --json</c> prints.</summary>
/// <param name="Features">Which feature set.</param>
/// <param name="Registers">Each ID register, decoded.</param>
/// <param name="PerformanceMonitor">The PMCG's CFGR and CEID0 (offsets from the PMCG base), or null without a PMCG.</param>
internal sealed record InfoReport(string Features, IReadOnlyList<DecodedRegister> Registers, IReadOnlyList<DecodedRegister>? PerformanceMonitor = null);

/// <summary>Source-generated JSON metadata for decode and info output.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(DecodedRecords))]
[JsonSerializable(typeof(DecodedRegister))]
[JsonSerializable(typeof(DecodedDescriptor))]
[JsonSerializable(typeof(InfoReport))]
internal sealed partial class DecodeJsonContext : JsonSerializerContext
{
}
