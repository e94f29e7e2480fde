using System.Globalization;

namespace ArmSmmu.Cli.Decoding;

/// <summary>
/// Reads raw 64-bit words as people paste them: hex with or without <c>0x</c>, <c>_</c> digit separators allowed,
/// separated by spaces, commas or newlines, or as a kernel log prints them (Linux arm-smmu-v3: "event 0x10 received:"
/// followed by one "0x%016llx" per line, each line behind a "driver device:" prefix).
/// </summary>
internal static class HexWords
{
    private static readonly char[] Separators = [' ', '\t', ',', '\r'];

    /// <summary>
    /// The words in <paramref name="arguments"/>; a single <c>-</c> reads them from <paramref name="input"/>.
    /// On a line holding a colon only the text after the last colon counts: that drops log prefixes and headers.
    /// Command-line words form one line; if it holds colons, the words are the hex runs right after each colon.
    /// </summary>
    /// <param name="arguments">Command-line tokens.</param>
    /// <param name="input">Standard input.</param>
    /// <returns>The words in order.</returns>
    /// <exception cref="CliUsageException">A token that is not a 64-bit hex number.</exception>
    public static List<ulong> Parse(IReadOnlyList<string> arguments, TextReader input)
    {
        string text;
        if (arguments.Count == 1 && arguments[0] == "-")
        {
            text = input.ReadToEnd();
        }
        else if (arguments.Contains("-"))
        {
            throw new CliUsageException("'-' (read words from standard input) must be the only word argument.");
        }
        else
        {
            // Tokens typed on one command line form one line, so a pasted log line keeps its prefix together.
            text = string.Join(' ', arguments);
        }

        var words = new List<ulong>();
        string[] lines = text.Split('\n');
        foreach (string line in lines)
        {
            int colon = line.LastIndexOf(':');
            if (colon < 0)
            {
                AddAll(line, words);
            }
            else if (lines.Length > 1)
            {
                // A log line: "prefix: 0x…" carries its word after the last colon; "… received:" carries none.
                AddAll(line[(colon + 1)..], words);
            }
            else
            {
                // A log pasted as command-line words is one line: each word follows a "prefix:" and ends at the next prefix.
                foreach (string segment in line.Split(':').Skip(1))
                {
                    foreach (string token in segment.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!TryParse(token, out ulong value, out _))
                        {
                            break;
                        }

                        words.Add(value);
                    }
                }
            }
        }

        return words;
    }

    private static void AddAll(string text, List<ulong> words)
    {
        foreach (string token in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            words.Add(ParseWord(token, string.Create(CultureInfo.InvariantCulture, $"word {words.Count + 1}")));
        }
    }

    /// <summary>Parses one hex number of at most 64 bits.</summary>
    /// <param name="token">The text, e.g. <c>0x0000_E205_C000_3510</c> or <c>ff</c>.</param>
    /// <param name="what">Names the argument in the error message.</param>
    /// <returns>The value.</returns>
    /// <exception cref="CliUsageException">Not hex, or wider than 64 bits.</exception>
    public static ulong ParseWord(string token, string what)
    {
        if (!TryParse(token, out ulong value, out string? reason))
        {
            throw new CliUsageException($"{what} '{token}' {reason}.");
        }

        return value;
    }

    /// <summary>Parses one hex number of at most 64 bits.</summary>
    /// <param name="token">The text.</param>
    /// <param name="value">The value.</param>
    /// <param name="reason">Why it failed, phrased to follow the token.</param>
    /// <returns>True when <paramref name="token"/> is a valid number.</returns>
    public static bool TryParse(string token, out ulong value, out string? reason)
    {
        value = 0;
        string digits = token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? token[2..] : token;
        digits = digits.Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.Length == 0 || !digits.All(char.IsAsciiHexDigit))
        {
            reason = "is not a hex number";
            return false;
        }

        digits = digits.TrimStart('0');
        if (digits.Length > 16)
        {
            reason = "does not fit in 64 bits";
            return false;
        }

        value = digits.Length == 0 ? 0 : ulong.Parse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        reason = null;
        return true;
    }
}
