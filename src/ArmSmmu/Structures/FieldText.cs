using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>Builds <see cref="DecodedField"/> lists and the short meanings shared by several records.</summary>
internal sealed class FieldText
{
    private readonly List<DecodedField> _fields = [];
    private readonly string _prefix;

    /// <summary>Starts a list; <paramref name="prefix"/> is empty for registers.</summary>
    public FieldText(string prefix = "") => _prefix = prefix;

    public IReadOnlyList<DecodedField> Fields => _fields;

    /// <summary>Adds field [hi:lo] of word <paramref name="word"/> (shifted down) with its meaning.</summary>
    public FieldText Add(string name, int word, ulong value, int hi, int lo, Func<ulong, string>? meaning = null)
    {
        ulong raw = ArmSmmu.Bits.Extract(value, hi, lo);
        _fields.Add(new DecodedField(name, Range(word, hi, lo), raw, meaning is null ? Default(raw, hi - lo + 1) : meaning(raw)));
        return this;
    }

    /// <summary>Adds a single bit with the text for 1 and for 0.</summary>
    public FieldText Flag(string name, int word, ulong value, int bit, string whenSet, string whenClear)
    {
        ulong raw = (value >> bit) & 1;
        _fields.Add(new DecodedField(name, Range(word, bit, bit), raw, raw != 0 ? "1 " + whenSet : "0 " + whenClear));
        return this;
    }

    /// <summary>Adds an address field [hi:lo] kept in place.</summary>
    public FieldText Address(string name, int word, ulong value, int hi, int lo)
    {
        ulong address = ArmSmmu.Bits.Address(value, hi, lo);
        _fields.Add(new DecodedField(name, Range(word, hi, lo), address, Hex(address)));
        return this;
    }

    private string Range(int word, int hi, int lo)
    {
        string where = _prefix.Length == 0 ? string.Empty : _prefix + word.ToString(CultureInfo.InvariantCulture);
        return hi == lo
            ? string.Create(CultureInfo.InvariantCulture, $"{where}[{hi}]")
            : string.Create(CultureInfo.InvariantCulture, $"{where}[{hi}:{lo}]");
    }

    /// <summary>"NAME 0xVALUE (FIELD=v ...)" listing the non-zero fields.</summary>
    public static string Summary(string name, ulong value, IReadOnlyList<DecodedField> fields)
    {
        var text = new System.Text.StringBuilder(name).Append(" 0x").Append(value.ToString("X", CultureInfo.InvariantCulture));
        string separator = " (";
        foreach (DecodedField field in fields)
        {
            if (field.Value != 0)
            {
                text.Append(separator).Append(field.Name).Append('=').Append(field.Value < 10 ? Dec(field.Value) : Hex(field.Value));
                separator = " ";
            }
        }

        return separator == " " ? text.Append(')').ToString() : text.ToString();
    }

    public static string Hex(ulong value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X}");

    public static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"0b101" with the field's width.</summary>
    public static string Bin(ulong value, int width) => "0b" + Convert.ToString((long)value, 2).PadLeft(width, '0');

    /// <summary>"0b10 text": the field in binary and the text for its value; values past the list take the last text.</summary>
    public static string Enumerated(ulong value, int width, params ReadOnlySpan<string> texts) =>
        Bin(value, width) + " " + texts[(int)Math.Min(value, (ulong)(texts.Length - 1))];

    public static string Default(ulong value, int width) => width == 1 ? Dec(value) : width <= 4 ? Bin(value, width) : Dec(value);

    /// <summary>SH encodings (IHI0070 §5.2, §5.4): 00 NSH, 01 reserved, 10 OSH, 11 ISH.</summary>
    public static string Shareability(ulong v) => Enumerated(
        v, 2, "non-shareable", "reserved (as non-shareable)", "outer shareable", "inner shareable");

    /// <summary>Override shareability (STE/GBPA SHCFG): 01 means "use incoming".</summary>
    public static string ShareabilityOverride(ulong v) => Enumerated(v, 2, "non-shareable", "use incoming", "outer shareable", "inner shareable");

    /// <summary>TCR-style RGN cacheability (CD IRx/ORx, STE S1CIR/S1COR/S2IR0/S2OR0).</summary>
    public static string Cacheability(ulong v) => Enumerated(
        v,
        2,
        "non-cacheable",
        "write-back read-allocate write-allocate",
        "write-through read-allocate",
        "write-back read-allocate no write-allocate");

    /// <summary>CR1 cacheability (NOT the RGN encoding): 11 is reserved.</summary>
    public static string Cr1Cacheability(ulong v) => Enumerated(v, 2, "non-cacheable", "write-back", "write-through", "reserved (as non-cacheable)");

    /// <summary>IPS/S2PS/OAS size encodings.</summary>
    public static string AddressSize(ulong v) => Enumerated(
        v, 3, "32 bits", "36 bits", "40 bits", "42 bits", "44 bits", "48 bits", "52 bits", "56 bits");

    /// <summary>NSCFG (Secure STEs and SMMU_S_GBPA): 00 incoming, 01 reserved (as incoming), 10 Secure, 11 Non-secure (IHI0070 §5.2, §6.3.14).</summary>
    public static string NsCfg(ulong v) => Enumerated(v, 2, "use incoming", "reserved (as incoming)", "Secure", "Non-secure");

    /// <summary>PRIVCFG: 00 incoming, 01 reserved, 10 unprivileged, 11 privileged.</summary>
    public static string PrivCfg(ulong v) => Enumerated(v, 2, "use incoming", "reserved (as incoming)", "unprivileged", "privileged");

    /// <summary>INSTCFG: 00 incoming, 01 reserved, 10 data, 11 instruction.</summary>
    public static string InstCfg(ulong v) => Enumerated(v, 2, "use incoming", "reserved (as incoming)", "data", "instruction");

    /// <summary>ALLOCCFG: 0xxx incoming, 1RWT override.</summary>
    public static string AllocCfg(ulong v) => Bin(v, 4) + ((v & 8) == 0
        ? " use incoming"
        : string.Create(CultureInfo.InvariantCulture, $" override RA={(v >> 2) & 1} WA={(v >> 1) & 1} TR={v & 1}"));

    /// <summary>Stage-2 style MemAttr (IHI0070 §5.2, digest 7.7).</summary>
    public static string MemAttr(ulong v) => Bin(v, 4) + " " + ((v >> 2) == 0
        ? v switch
        {
            0 => "Device-nGnRnE",
            1 => "Device-nGnRE",
            2 => "Device-nGRE",
            _ => "Device-GRE",
        }
        : "Normal outer " + Cache2(v >> 2) + ", inner " + Cache2(v & 3));

    private static string Cache2(ulong v) => v switch
    {
        0 => "(Device)",
        1 => "non-cacheable",
        2 => "write-through",
        _ => "write-back",
    };
}
