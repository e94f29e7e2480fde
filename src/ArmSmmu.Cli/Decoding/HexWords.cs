using System.Globalization;

namespace ArmSmmu.Cli.Decoding;

/// <summary>
/// Reads raw 64-bit words as people paste them: hex with or without <c>0x</c>, <c>_</c> digit separators allowed,
/// separated by spaces, commas or newlines, or as a kernel log prints them. Linux arm-smmu-v3 prints an event as
/// "event 0x10 received:" followed by one "0x%016llx" line per word, and a command error as "CMDQ error (cons
/// 0x…): Illegal command", "skipping command in error state:" and one line per command word; every line carries a
/// "driver device:" prefix. Message lines are kept as <see cref="Parsed.Log"/>, the words are read in order.
/// </summary>
internal static class HexWords
{
    private static readonly char[] Separators = [' ', '\t', ',', '\r'];

    /// <summary>
    /// The words in <paramref name="arguments"/>; a single <c>-</c> reads them from <paramref name="input"/>.
    /// On a log line only the text after the "arm-smmu-v3 device:" prefix (or, for other lines, after the last colon)
    /// counts. A line whose text there does not start like a number ("event 0x10 received:", "… Illegal command",
    /// "event: F_TRANSLATION client: …") is a log message.
    /// Command-line words form one line; if it holds colons, the words are the hex runs right after each colon.
    /// </summary>
    /// <param name="arguments">Command-line tokens.</param>
    /// <param name="input">Standard input.</param>
    /// <returns>The words in order, and the log messages between them.</returns>
    /// <exception cref="CliUsageException">A token that is not a 64-bit hex number, or input that is not text.</exception>
    public static Parsed Parse(IReadOnlyList<string> arguments, TextReader input)
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

        if (text.Any(c => c is '\0' or '\uFFFD' || (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))))
        {
            throw new CliUsageException("words: the input is not text (it holds binary data); give hex words or paste a kernel log.");
        }

        var words = new List<ulong>();
        var log = new List<string>();
        string[] lines = text.Split('\n');
        foreach (string line in lines)
        {
            int colon = line.LastIndexOf(':');
            if (colon < 0 && lines.Length == 1)
            {
                AddAll(line, words);
            }
            else if (lines.Length > 1)
            {
                // A log line: "prefix: 0x…" carries a word; "event 0x10 received:" and Linux 6.14's decoded
                // "event: F_TRANSLATION client: … iova: 0x…" lines are messages, whatever their last field holds.
                string body = Body(line);
                string? first = body.Split(Separators, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                if (first is not null && LooksLikeNumber(first))
                {
                    AddAll(body, words);
                }
                else if (line.Trim().Length > 0)
                {
                    log.Add(body.Trim());
                }
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

        return new Parsed(words, log);
    }

    /// <summary>
    /// A log line without its kernel timestamp and "arm-smmu-v3 device:" prefix; a line from elsewhere keeps what
    /// follows its last colon.
    /// </summary>
    private static string Body(string line)
    {
        int driver = line.IndexOf("arm-smmu-v3", StringComparison.Ordinal);
        int colon = driver >= 0 ? line.IndexOf(':', driver) : line.LastIndexOf(':');
        return colon >= 0 ? line[(colon + 1)..] : line;
    }

    /// <summary>A token a person meant as a number: hex, or starting with 0x or a digit (a mistyped number is an error, not a message).</summary>
    private static bool LooksLikeNumber(string token) =>
        token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || char.IsAsciiDigit(token[0]) || TryParse(token, out _, out _);

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

/// <summary>What a paste held.</summary>
/// <param name="Words">The 64-bit words, in order.</param>
/// <param name="Log">The log messages among them (e.g. "CMDQ error (cons 0x01000003): Illegal command"), in order.</param>
internal sealed record Parsed(List<ulong> Words, List<string> Log);
