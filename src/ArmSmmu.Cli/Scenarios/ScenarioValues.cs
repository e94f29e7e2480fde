using System.Globalization;
using ArmSmmu.Driver;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>Parses the string values of a scenario; each method throws <see cref="FormatException"/> with the reason.</summary>
public static class ScenarioValues
{
    /// <summary>The spellings of <see cref="StreamMode"/>.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["abort", "bypass", "stage1", "stage2", "nested"];

    /// <summary>A hex address, with or without <c>0x</c>; <c>_</c> separators allowed.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The address.</returns>
    /// <exception cref="FormatException">Not a 64-bit hex number.</exception>
    public static ulong ParseAddress(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        digits = digits.Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
        {
            throw new FormatException($"'{text}' is not a hex number");
        }

        digits = digits.TrimStart('0');
        if (digits.Length > 16)
        {
            throw new FormatException($"'{text}' does not fit in 64 bits");
        }

        return digits.Length == 0 ? 0 : ulong.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    /// <summary>A size: hex with <c>0x</c> ("0x200000"), or a decimal number with a K, M or G suffix ("4K", "2M", "1G").</summary>
    /// <param name="text">The text.</param>
    /// <returns>The size in bytes.</returns>
    /// <exception cref="FormatException">Neither form, zero, or too large.</exception>
    public static ulong ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ulong size;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            size = ParseAddress(text);
        }
        else
        {
            int shift = text.Length == 0 ? -1 : char.ToUpperInvariant(text[^1]) switch
            {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                _ => -1,
            };
            if (shift < 0 || !ulong.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out ulong count))
            {
                throw new FormatException($"'{text}' is not a size: write hex with 0x (\"0x200000\") or a number with K, M or G (\"4K\", \"2M\", \"1G\")");
            }

            if (count > ulong.MaxValue >> shift)
            {
                throw new FormatException($"'{text}' does not fit in 64 bits");
            }

            size = count << shift;
        }

        return size == 0 ? throw new FormatException($"'{text}' is an empty size") : size;
    }

    /// <summary>"4k", "16k" or "64k" (case-insensitive).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The granule.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static Granule ParseGranule(string text) => text?.ToUpperInvariant() switch
    {
        "4K" => Granule.Size4K,
        "16K" => Granule.Size16K,
        "64K" => Granule.Size64K,
        _ => throw new FormatException($"'{text}' is not a granule (expected \"4k\", \"16k\" or \"64k\")"),
    };

    /// <summary>One of <see cref="Modes"/>.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static StreamMode ParseMode(string text)
    {
        int index = Modes.ToList().IndexOf(text);
        return index >= 0
            ? (StreamMode)index
            : throw new FormatException($"'{text}' is not a stream mode (expected {Quoted(Modes)})");
    }

    /// <summary>"untranslated" (or absent), "ats" or "translated".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The transaction kind.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static TransactionKind ParseKind(string? text) => text switch
    {
        null or "untranslated" => TransactionKind.Untranslated,
        "ats" => TransactionKind.AtsTranslationRequest,
        "translated" => TransactionKind.AtsTranslated,
        _ => throw new FormatException($"'{text}' is not a transaction kind (expected \"untranslated\", \"ats\" or \"translated\")"),
    };

    /// <summary>"read", "write" or "exec".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The access.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static AccessKind ParseAccess(string text) => text switch
    {
        "read" => AccessKind.Read,
        "write" => AccessKind.Write,
        "exec" => AccessKind.Execute,
        _ => throw new FormatException($"'{text}' is not an access (expected \"read\", \"write\" or \"exec\")"),
    };

    /// <summary>"translated", "bypassed", "faulted" or "stalled".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static TranslationOutcome ParseOutcome(string text) => text switch
    {
        "translated" => TranslationOutcome.Translated,
        "bypassed" => TranslationOutcome.Bypassed,
        "faulted" => TranslationOutcome.Faulted,
        "stalled" => TranslationOutcome.Stalled,
        _ => throw new FormatException($"'{text}' is not an outcome (expected \"translated\", \"bypassed\", \"faulted\" or \"stalled\")"),
    };

    /// <summary>An event name as the specification spells it (<see cref="EventRecord.TypeName"/>), e.g. "F_TRANSLATION".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The event type.</returns>
    /// <exception cref="FormatException">Not a defined event name.</exception>
    public static EventType ParseFault(string text)
    {
        foreach (EventType type in Enum.GetValues<EventType>())
        {
            if (type != EventType.None && EventRecord.TypeName(type) == text)
            {
                return type;
            }
        }

        throw new FormatException($"'{text}' is not an event name (e.g. \"F_TRANSLATION\", \"F_PERMISSION\", \"C_BAD_STE\")");
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}

/// <summary>What a mapping allows; <see cref="PrivilegedOnly"/> denies unprivileged accesses (stage-1 AP[1] = 0).</summary>
/// <param name="Read">Reads allowed.</param>
/// <param name="Write">Writes allowed.</param>
/// <param name="Execute">Instruction fetches allowed.</param>
/// <param name="PrivilegedOnly">Only privileged accesses allowed.</param>
public readonly record struct MappingPermissions(bool Read, bool Write, bool Execute, bool PrivilegedOnly)
{
    private static readonly string[] Valid = ["r", "w", "rw", "rx", "rwx"];

    /// <summary>"r", "w", "rw", "rx" or "rwx", optionally followed by "p".</summary>
    /// <param name="text">The text.</param>
    /// <returns>The permissions.</returns>
    /// <exception cref="FormatException">Another value.</exception>
    public static MappingPermissions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool privileged = text.EndsWith('p');
        string core = privileged ? text[..^1] : text;
        if (!Valid.Contains(core))
        {
            throw new FormatException($"'{text}' is not a permission (expected \"r\", \"w\", \"rw\", \"rx\" or \"rwx\", optionally followed by \"p\" for privileged-only)");
        }

        return new MappingPermissions(core.Contains('r', StringComparison.Ordinal), core.Contains('w', StringComparison.Ordinal), core.Contains('x', StringComparison.Ordinal), privileged);
    }
}
