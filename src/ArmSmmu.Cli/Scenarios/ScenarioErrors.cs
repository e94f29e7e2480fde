using System.Globalization;
using System.Text.Json;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Turns a JSON reader or serializer error into the tool's own words: what the file's author wrote wrong and what was
/// expected there, never the serializer's wording or the .NET type it wanted.
/// </summary>
internal static class ScenarioErrors
{
    /// <summary>The reason given for a document that stops in the middle.</summary>
    public const string EndsEarly = "the JSON ends before the scenario is complete";

    /// <summary>The reason for <paramref name="ex"/>, raised at <paramref name="path"/> (a JSON path, or null).</summary>
    public static string Reason(JsonException ex, string? path)
    {
        string message = ex.Message;
        if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            return "the file holds no JSON (it is empty or only blanks); a scenario is a JSON object";
        }

        if (message.Contains("after a single JSON value", StringComparison.Ordinal))
        {
            return "more JSON follows the scenario's closing '}'";
        }

        if (message.Contains("Expected depth to be zero", StringComparison.Ordinal) || message.Contains("end of data", StringComparison.Ordinal))
        {
            return EndsEarly;
        }

        const string RequiredPrefix = "JSON deserialization for type '";
        if (message.StartsWith(RequiredPrefix, StringComparison.Ordinal))
        {
            // "… was missing required properties including: 'pa'."
            int including = message.IndexOf("including: ", StringComparison.Ordinal);
            string names = including >= 0 ? message[(including + "including: ".Length)..].Split(" Path:")[0].TrimEnd('.') : string.Empty;
            return "missing required property " + names;
        }

        const string UnmappedPrefix = "The JSON property '";
        if (message.StartsWith(UnmappedPrefix, StringComparison.Ordinal) && message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            string name = message[UnmappedPrefix.Length..message.IndexOf('\'', UnmappedPrefix.Length)];
            return $"unknown property '{name}' (see docs/scenario-format.md)";
        }

        if (message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            return Expected(path);
        }

        // A syntax error: name the character when it is printable, in our words.
        int quote = message.IndexOf('\'', StringComparison.Ordinal);
        if (quote >= 0 && quote + 2 < message.Length && message[quote + 2] == '\'' && message[quote + 1] is >= ' ' and <= '~')
        {
            return $"this is not valid JSON: unexpected '{message[quote + 1]}'";
        }

        return "this is not valid JSON";
    }

    /// <summary>What the value at <paramref name="path"/> must be, from the last property name in the path.</summary>
    public static string Expected(string? path)
    {
        bool element = false;
        string name = path is null ? string.Empty : LastName(path, out element);
        if (element && name is "streams" or "transactions" or "mappings" or "stage2Mappings")
        {
            return $"wrong value: each entry of {name} must be an object {{ … }}";
        }

        SmmuFeatures d = SmmuFeatures.Default;
        string expected = name switch
        {
            "streamId" => string.Create(CultureInfo.InvariantCulture, $"streamId must be an integer from 0 to {(1L << d.StreamIdBits) - 1} (SIDSIZE {d.StreamIdBits})"),
            "pasid" or "pasids" => string.Create(CultureInfo.InvariantCulture, $"a PASID must be an integer from 1 to {(1L << d.SubstreamIdBits) - 1} (SSIDSIZE {d.SubstreamIdBits})"),
            "oas" => "oas must be an integer number of bits: 32, 36, 40, 42, 44, 48 or 52",
            "iova" or "pa" or "address" => $"{name} must be a hex string, e.g. \"0x40000000\"",
            "size" => "size must be a string: hex with 0x (\"0x200000\") or a number with K, M or G (\"4K\", \"2M\")",
            "stage1" or "stage2" or "ril" or "privileged" or "secure" => $"{name} must be true or false",
            "streams" or "transactions" or "mappings" or "stage2Mappings" or "granules" => $"{name} must be an array [ … ]",
            "features" or "expect" => $"{name} must be an object {{ … }}",
            "" => "a scenario must be a JSON object { … }",
            _ => $"{name} must be a string (see docs/scenario-format.md)",
        };
        return "wrong value: " + expected;
    }

    private static string LastName(string path, out bool element)
    {
        string trimmed = path.TrimEnd(']');
        element = trimmed.Length != path.Length;
        if (element)
        {
            // "$.pasids[3]": the element of a list takes the list's name.
            trimmed = trimmed[..trimmed.LastIndexOf('[')];
        }

        int dot = trimmed.LastIndexOf('.');
        return dot < 0 ? string.Empty : trimmed[(dot + 1)..];
    }
}
