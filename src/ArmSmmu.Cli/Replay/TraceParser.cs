namespace ArmSmmu.Cli.Replay;

/// <summary>
/// Parses one line of a DMA trace (docs/trace-format.md): <c>sid,iova,access[,ssid][,priv]</c>, numbers decimal or hex
/// with 0x, access r/w/x, <c>#</c> starts a comment. Works on spans: nothing is allocated unless the line is wrong.
/// </summary>
internal static class TraceParser
{
    /// <summary>Parses <paramref name="line"/>.</summary>
    /// <param name="line">One line, without its terminator.</param>
    /// <param name="request">The transaction, when the result is true.</param>
    /// <param name="error">Why the line is wrong, or null.</param>
    /// <returns>True for a transaction; false for a comment or blank line (error null) or a wrong line (error set).</returns>
    public static bool TryParse(ReadOnlySpan<char> line, out TranslationRequest request, out string? error)
    {
        error = null;
        if (TryParseCompact(line, out request))
        {
            return true;
        }

        int comment = line.IndexOf('#');
        if (comment >= 0)
        {
            line = line[..comment];
        }

        line = line.Trim();
        if (line.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<char> sidText = NextField(ref line);
        ReadOnlySpan<char> iovaText = NextField(ref line);
        ReadOnlySpan<char> accessText = NextField(ref line);
        ReadOnlySpan<char> ssidText = NextField(ref line);
        ReadOnlySpan<char> privText = NextField(ref line);
        if (!line.IsEmpty)
        {
            error = "too many fields: expected sid,iova,access[,ssid][,priv]";
            return false;
        }

        if (!TryNumber(sidText, out ulong sid) || sid > uint.MaxValue)
        {
            error = Wrong("StreamID", sidText, "a 32-bit number (decimal, or hex with 0x)");
            return false;
        }

        if (!TryNumber(iovaText, out ulong iova))
        {
            error = Wrong("address", iovaText, "a 64-bit number (decimal, or hex with 0x)");
            return false;
        }

        if (!TryAccess(accessText, out AccessKind access))
        {
            error = Wrong("access", accessText, "r, w or x");
            return false;
        }

        uint? ssid = null;
        if (!ssidText.IsEmpty && !ssidText.SequenceEqual("-"))
        {
            if (!TryNumber(ssidText, out ulong value) || value >= 1u << 20)
            {
                error = Wrong("SubstreamID", ssidText, "a 20-bit number, or empty or - for none");
                return false;
            }

            ssid = (uint)value;
        }

        bool privileged = false;
        if (!privText.IsEmpty && !TryPrivilege(privText, out privileged))
        {
            error = Wrong("privilege", privText, "0/1, true/false, u/p");
            return false;
        }

        request = new TranslationRequest((uint)sid, iova, access, ssid, privileged);
        return true;
    }

    /// <summary>
    /// The common form, <c>sid,iova,access</c> with nothing else (no spaces, comment or optional fields), in one pass;
    /// anything else is left to the general parser, which also words the errors.
    /// </summary>
    private static bool TryParseCompact(ReadOnlySpan<char> line, out TranslationRequest request)
    {
        request = default;
        int at = 0;
        if (!ScanNumber(line, ref at, out ulong sid) || sid > uint.MaxValue || !Comma(line, ref at)
            || !ScanNumber(line, ref at, out ulong iova) || !Comma(line, ref at) || at != line.Length - 1)
        {
            return false;
        }

        AccessKind access;
        switch (line[at] | 0x20)
        {
            case 'r': access = AccessKind.Read; break;
            case 'w': access = AccessKind.Write; break;
            case 'x': access = AccessKind.Execute; break;
            default: return false;
        }

        request = new TranslationRequest((uint)sid, iova, access);
        return true;
    }

    private static bool Comma(ReadOnlySpan<char> line, ref int at)
    {
        if (at < line.Length && line[at] == ',')
        {
            at++;
            return true;
        }

        return false;
    }

    /// <summary>Digits from <paramref name="at"/> while they last: hex after 0x, else decimal; false without digits or on overflow.</summary>
    private static bool ScanNumber(ReadOnlySpan<char> line, ref int at, out ulong value)
    {
        value = 0;
        int start = at;
        if (line.Length - at > 2 && line[at] == '0' && (line[at + 1] | 0x20) == 'x')
        {
            start = at += 2;
            for (int digit; at < line.Length && (digit = HexDigit(line[at])) >= 0; at++)
            {
                if (value >> 60 != 0)
                {
                    return false;
                }

                value = (value << 4) | (uint)digit;
            }
        }
        else
        {
            for (uint digit; at < line.Length && (digit = (uint)(line[at] - '0')) <= 9; at++)
            {
                if (value > (ulong.MaxValue - digit) / 10)
                {
                    return false;
                }

                value = (value * 10) + digit;
            }
        }

        return at > start;
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> rest)
    {
        int comma = rest.IndexOf(',');
        ReadOnlySpan<char> field;
        if (comma < 0)
        {
            field = rest;
            rest = default;
        }
        else
        {
            field = rest[..comma];
            rest = rest[(comma + 1)..];
            if (rest.IsEmpty)
            {
                // "a,b," leaves an empty last field, not "no more fields".
                rest = " ";
            }
        }

        return field.Trim();
    }

    /// <summary>Decimal, or hex after 0x; hand-rolled because the general parsers' style and culture checks cost more than the translation.</summary>
    private static bool TryNumber(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length > 2 && text[0] == '0' && (text[1] | 0x20) == 'x')
        {
            foreach (char c in text[2..])
            {
                int digit = HexDigit(c);
                if (digit < 0 || value >> 60 != 0)
                {
                    return false;
                }

                value = (value << 4) | (uint)digit;
            }

            return true;
        }

        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit > 9 || value > (ulong.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    private static int HexDigit(char c)
    {
        uint d = (uint)(c - '0');
        if (d <= 9)
        {
            return (int)d;
        }

        uint letter = (uint)((c | 0x20) - 'a');
        return letter <= 5 ? (int)letter + 10 : -1;
    }

    private static bool TryAccess(ReadOnlySpan<char> text, out AccessKind access)
    {
        access = AccessKind.Read;
        if (text.Length == 1)
        {
            switch (text[0] | 0x20)
            {
                case 'r': access = AccessKind.Read; return true;
                case 'w': access = AccessKind.Write; return true;
                case 'x': access = AccessKind.Execute; return true;
                default: return false;
            }
        }

        if (text.Equals("read", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Equals("write", StringComparison.OrdinalIgnoreCase))
        {
            access = AccessKind.Write;
            return true;
        }

        if (text.Equals("exec", StringComparison.OrdinalIgnoreCase) || text.Equals("execute", StringComparison.OrdinalIgnoreCase))
        {
            access = AccessKind.Execute;
            return true;
        }

        return false;
    }

    private static bool TryPrivilege(ReadOnlySpan<char> text, out bool privileged)
    {
        privileged = text.Equals("1", StringComparison.Ordinal) || text.Equals("p", StringComparison.OrdinalIgnoreCase)
            || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("priv", StringComparison.OrdinalIgnoreCase);
        return privileged || text.Equals("0", StringComparison.Ordinal) || text.Equals("u", StringComparison.OrdinalIgnoreCase)
            || text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("user", StringComparison.OrdinalIgnoreCase);
    }

    private static string Wrong(string field, ReadOnlySpan<char> text, string expected) =>
        text.IsEmpty ? $"{field} is missing: expected {expected}" : $"{field} '{Shown(text)}' is not {expected}";

    /// <summary>The offending text, cut short and with control characters replaced, so binary garbage is not echoed back.</summary>
    private static string Shown(ReadOnlySpan<char> text)
    {
        Span<char> shown = stackalloc char[Math.Min(text.Length, 24)];
        for (int i = 0; i < shown.Length; i++)
        {
            shown[i] = char.IsControl(text[i]) || char.IsSurrogate(text[i]) ? '?' : text[i];
        }

        return text.Length > shown.Length ? shown.ToString() + "…" : shown.ToString();
    }
}
