using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ArmSmmu.Generators;

/// <summary>
/// Writes a record or register view from its field table (a <c>## record</c> or <c>## register</c> section of a
/// <c>*.table.md</c> file): inline words, constructors, one get/init property per field with constant shifts and
/// masks, Describe, equality, TryRead/TryWrite without allocation, and the Layout metadata the layout tests walk.
/// </summary>
internal static class RecordGenerator
{
    private static readonly Regex Heading = new(@"^(record|register)\s+(\w+)\s*\(([^)]*)\)$");

    /// <summary>True when <paramref name="heading"/> declares a record or register.</summary>
    public static bool Declares(string heading) => Heading.IsMatch(heading);

    /// <summary>Appends the type the table declares.</summary>
    public static void Emit(StringBuilder s, MarkdownTable table)
    {
        Match m = Heading.Match(table.Heading);
        string name = m.Groups[2].Value;
        bool register = m.Groups[1].Value == "register";
        string[] options = m.Groups[3].Value.Split(',').Select(o => o.Trim()).ToArray();
        int size = int.Parse(options[0].Split(' ')[0], CultureInfo.InvariantCulture);
        int words = register ? 1 : size;
        string storageType = register && size == 32 ? "uint" : "ulong";
        bool customDescribe = options.Contains("custom Describe");
        bool overlapping = options.Contains("overlapping views");
        if (register ? size != 32 && size != 64 : !options[0].EndsWith("word", StringComparison.Ordinal) && !options[0].EndsWith("words", StringComparison.Ordinal))
        {
            throw new FormatException($"line {table.Line}: '## {table.Heading}': a record is '(N words)', a register '(32 bits)' or '(64 bits)'");
        }

        var fields = table.Rows.Select(r => Field.From(table, r)).ToList();
        s.AppendLine();
        if (table.Paragraphs.Count > 0)
        {
            s.Append("/// <summary>").Append(MarkdownTable.Xml(table.Paragraphs[0])).AppendLine("</summary>");
        }

        if (table.Paragraphs.Count > 1)
        {
            s.Append("/// <remarks>").Append(MarkdownTable.Xml(string.Join(" ", table.Paragraphs.Skip(1)))).AppendLine("</remarks>");
        }

        if (register)
        {
            s.AppendLine("/// <param name=\"Value\">The raw register value.</param>");
            s.Append("public readonly partial record struct ").Append(name).Append('(').Append(storageType).AppendLine(" Value)");
        }
        else
        {
            s.Append("public readonly partial struct ").Append(name).Append(" : global::System.IEquatable<").Append(name).AppendLine(">");
        }

        s.AppendLine("{");
        if (!register)
        {
            Plumbing(s, name, words);
        }

        foreach (Field f in fields)
        {
            Accessor(s, f, register, words, storageType);
        }

        Describe(s, fields, register, customDescribe);
        if (register)
        {
            s.AppendLine("    /// <summary>The register value and its non-zero fields.</summary>");
            s.AppendLine("    /// <returns>A one-line summary.</returns>");
            s.Append("    public override string ToString() => global::ArmSmmu.Structures.FieldText.Summary(")
                .Append(Quote(name.EndsWith("Register", StringComparison.Ordinal) ? name.Substring(0, name.Length - "Register".Length) : name))
                .AppendLine(", Value, Describe());");
            s.AppendLine();
        }

        s.AppendLine("    /// <summary>Fields are per-command or per-event views and may share bits without being aliases.</summary>");
        s.Append("    internal const bool FieldsMayOverlap = ").Append(overlapping ? "true" : "false").AppendLine(";");
        s.AppendLine();
        s.AppendLine("    /// <summary>The field table this struct was generated from, in declaration order.</summary>");
        s.AppendLine("    internal static readonly global::ArmSmmu.Structures.RecordField[] Layout =");
        s.AppendLine("    [");
        foreach (Field f in fields)
        {
            s.Append("        new(\"").Append(f.Name).Append("\", ").Append(f.Word).Append(", ").Append(f.Hi).Append(", ").Append(f.Lo)
                .Append(", ").Append(f.Address ? "true" : "false").Append(", ").Append(f.Alias is null ? "null" : Quote(f.Alias)).AppendLine("),");
        }

        s.AppendLine("    ];");
        s.AppendLine("}");
    }

    private static void Plumbing(StringBuilder s, string name, int words)
    {
        var w = Enumerable.Range(0, words).ToArray();
        s.AppendLine("    /// <summary>Size in bytes.</summary>");
        s.Append("    public const int Size = ").Append(words * 8).AppendLine(";");
        s.AppendLine();
        s.AppendLine("    /// <summary>Number of 64-bit words.</summary>");
        s.Append("    public const int WordCount = ").Append(words).AppendLine(";");
        s.AppendLine();
        s.Append("    private readonly ulong ").Append(string.Join(", ", w.Select(i => "_w" + I(i)))).AppendLine(";");
        s.AppendLine();
        if (words == 1)
        {
            s.AppendLine("    /// <summary>Creates a descriptor from its word.</summary>");
            s.AppendLine("    /// <param name=\"value\">The 64-bit word.</param>");
            s.Append("    public ").Append(name).AppendLine("(ulong value) => _w0 = value;");
            s.AppendLine();
            s.AppendLine("    /// <summary>The 64-bit word.</summary>");
            s.AppendLine("    public ulong Value { get => _w0; init => _w0 = value; }");
            s.AppendLine();
        }
        else
        {
            s.AppendLine("    /// <summary>Creates the record from its words.</summary>");
            foreach (int i in w)
            {
                s.Append("    /// <param name=\"dw").Append(i).Append("\">Word ").Append(i).AppendLine(".</param>");
            }

            s.Append("    public ").Append(name).Append('(')
                .Append(string.Join(", ", w.Select(i => "ulong dw" + I(i) + (i == 0 ? string.Empty : " = 0")))).AppendLine(")");
            s.AppendLine("    {");
            foreach (int i in w)
            {
                s.Append("        _w").Append(i).Append(" = dw").Append(i).AppendLine(";");
            }

            s.AppendLine("    }");
            s.AppendLine();
            s.Append("    /// <summary>Creates the record from at least ").Append(words).AppendLine(" words.</summary>");
            s.AppendLine("    /// <param name=\"words\">The words, dw0 first.</param>");
            s.Append("    /// <exception cref=\"global::System.ArgumentException\">Fewer than ").Append(words).AppendLine(" words.</exception>");
            s.Append("    public ").Append(name).AppendLine("(global::System.ReadOnlySpan<ulong> words)");
            s.AppendLine("    {");
            s.Append("        global::ArmSmmu.Structures.RecordIo.RequireLength(words, WordCount, \"").Append(name).AppendLine("\");");
            foreach (int i in w)
            {
                s.Append("        _w").Append(i).Append(" = words[").Append(i).AppendLine("];");
            }

            s.AppendLine("    }");
            s.AppendLine();
            foreach (int i in w)
            {
                s.Append("    /// <summary>Word ").Append(i).AppendLine(".</summary>");
                s.Append("    public ulong Dw").Append(i).Append(" => _w").Append(i).AppendLine(";");
                s.AppendLine();
            }

            s.AppendLine("    /// <summary>The words in order.</summary>");
            s.Append("    /// <returns>A new ").Append(words).AppendLine("-element array.</returns>");
            s.Append("    public ulong[] ToArray() => [").Append(string.Join(", ", w.Select(i => "_w" + I(i)))).AppendLine("];");
            s.AppendLine();
        }

        // Reads word by word (each a single-copy-atomic 64-bit access, IHI0070 §3.21.3); the result is all-zero on abort.
        s.AppendLine("    /// <summary>Reads the record, one 64-bit access per word.</summary>");
        s.AppendLine("    /// <param name=\"memory\">Memory to read.</param>");
        s.AppendLine("    /// <param name=\"address\">Address of word 0.</param>");
        s.AppendLine("    /// <param name=\"value\">The record, or default on abort.</param>");
        s.AppendLine("    /// <returns><see langword=\"false\"/> on an external abort.</returns>");
        s.Append("    public static bool TryRead(global::ArmSmmu.IPhysicalMemory memory, ulong address, out ").Append(name).AppendLine(" value)");
        s.AppendLine("    {");
        s.AppendLine("        global::System.ArgumentNullException.ThrowIfNull(memory);");
        if (words == 1)
        {
            s.AppendLine("        bool ok = memory.TryReadUInt64(address, out ulong w0);");
            s.Append("        value = new ").Append(name).AppendLine("(w0);");
            s.AppendLine("        return ok;");
        }
        else
        {
            // One record read (PhysicalMemoryExtensions.TryReadWords): on SparseMemory one abort check and one page lookup.
            s.Append("        global::System.Span<ulong> words = stackalloc ulong[").Append(I(words)).AppendLine("];");
            s.AppendLine("        bool ok = global::ArmSmmu.Memory.PhysicalMemoryExtensions.TryReadWords(memory, address, words);");
            s.Append("        value = ok ? new ").Append(name).Append('(').Append(string.Join(", ", w.Select(i => "words[" + I(i) + "]"))).AppendLine(") : default;");
            s.AppendLine("        return ok;");
        }

        s.AppendLine("    }");
        s.AppendLine();
        s.AppendLine("    /// <summary>Writes the record in one access, so an abort leaves memory untouched.</summary>");
        s.AppendLine("    /// <param name=\"memory\">Memory to write.</param>");
        s.AppendLine("    /// <param name=\"address\">Address of word 0.</param>");
        s.AppendLine("    /// <returns><see langword=\"false\"/> on an external abort.</returns>");
        s.AppendLine("    public bool TryWrite(global::ArmSmmu.IPhysicalMemory memory, ulong address)");
        s.AppendLine("    {");
        s.AppendLine("        global::System.ArgumentNullException.ThrowIfNull(memory);");
        if (words == 1)
        {
            s.AppendLine("        return memory.TryWriteUInt64(address, _w0);");
        }
        else
        {
            s.Append("        global::System.ReadOnlySpan<ulong> words = [").Append(string.Join(", ", w.Select(i => "_w" + I(i)))).AppendLine("];");
            s.AppendLine("        return global::ArmSmmu.Memory.PhysicalMemoryExtensions.TryWriteWords(memory, address, words);");
        }

        s.AppendLine("    }");
        s.AppendLine();
        s.AppendLine("    /// <inheritdoc/>");
        s.Append("    public bool Equals(").Append(name).Append(" other) => ")
            .Append(string.Join(" && ", w.Select(i => "_w" + I(i) + " == other._w" + I(i)))).AppendLine(";");
        s.AppendLine();
        s.AppendLine("    /// <inheritdoc/>");
        s.Append("    public override bool Equals(object? obj) => obj is ").Append(name).AppendLine(" other && Equals(other);");
        s.AppendLine();
        s.AppendLine("    /// <inheritdoc/>");
        s.Append("    public override int GetHashCode() => ").Append(words == 1
            ? "_w0.GetHashCode()"
            : "global::System.HashCode.Combine(" + string.Join(", ", w.Select(i => "_w" + I(i))) + ")").AppendLine(";");
        s.AppendLine();
        s.AppendLine("    /// <summary>Word-wise equality.</summary>");
        s.AppendLine("    /// <param name=\"left\">Left operand.</param>");
        s.AppendLine("    /// <param name=\"right\">Right operand.</param>");
        s.AppendLine("    /// <returns>True when all words are equal.</returns>");
        s.Append("    public static bool operator ==(").Append(name).Append(" left, ").Append(name).AppendLine(" right) => left.Equals(right);");
        s.AppendLine();
        s.AppendLine("    /// <summary>Word-wise inequality.</summary>");
        s.AppendLine("    /// <param name=\"left\">Left operand.</param>");
        s.AppendLine("    /// <param name=\"right\">Right operand.</param>");
        s.AppendLine("    /// <returns>True when a word differs.</returns>");
        s.Append("    public static bool operator !=(").Append(name).Append(" left, ").Append(name).AppendLine(" right) => !left.Equals(right);");
        s.AppendLine();
    }

    private static void Accessor(StringBuilder s, Field f, bool register, int words, string storageType)
    {
        string word = register ? "Value" : "_w" + I(f.Word);
        int width = f.Hi - f.Lo + 1;
        ulong mask = width >= 64 ? ulong.MaxValue : (1UL << width) - 1;
        ulong inPlace = mask << f.Lo;
        string where = register || words == 1 ? string.Empty : "dw" + I(f.Word);
        where += width == 64 ? string.Empty : f.Hi == f.Lo ? "[" + I(f.Hi) + "]" : "[" + I(f.Hi) + ":" + I(f.Lo) + "]";
        string doc = (f.Spec ?? f.Name) + ", " + where;
        if (f.Address)
        {
            doc += ", as an address kept in place (bits [" + I(f.Lo - 1) + ":0] zero)";
        }

        if (f.Doc.Length > 0)
        {
            doc += ": " + f.Doc;
        }

        string get;
        string set;
        string narrow = register && storageType == "uint" ? "(uint)" : string.Empty;
        if (f.Kind == Kind.Bool)
        {
            get = "(" + word + " & " + Hex(inPlace) + ") != 0";
            set = word + " = " + narrow + "(value ? " + word + " | " + Hex(inPlace) + " : " + word + " & ~" + Hex(inPlace) + ")";
        }
        else if (f.Address)
        {
            get = "(ulong)" + word + " & " + Hex(inPlace);
            set = word + " = " + narrow + "((" + word + " & ~" + Hex(inPlace) + ") | (value & " + Hex(inPlace) + "))";
        }
        else
        {
            string shifted = f.Lo == 0 ? "(ulong)" + word : "(" + word + " >> " + I(f.Lo) + ")";
            string raw = width == 64 ? shifted : "(" + shifted + " & " + Hex(mask) + ")";
            get = "(" + f.Type + ")" + raw;
            string lifted = f.Lo == 0 ? "(ulong)value" : "((ulong)value << " + I(f.Lo) + ")";
            set = width == 64
                ? word + " = (ulong)value"
                : word + " = " + narrow + "((" + word + " & ~" + Hex(inPlace) + ") | (" + lifted + " & " + Hex(inPlace) + "))";
        }

        s.Append("    /// <summary>").Append(MarkdownTable.Xml(doc)).AppendLine("</summary>");
        s.Append("    public ").Append(f.Type).Append(' ').Append(f.Name).Append(" { get => ").Append(get).Append("; init => ").Append(set).AppendLine("; }");
        s.AppendLine();
    }

    private static void Describe(StringBuilder s, List<Field> fields, bool register, bool custom)
    {
        string prefix = register ? string.Empty : "dw";
        foreach (Field f in fields)
        {
            string word = register ? "Value" : "_w" + I(f.Word);
            string spec = Quote(f.Spec ?? f.Name);
            s.Append("    private global::ArmSmmu.Structures.FieldText Describe").Append(f.Name).Append("(global::ArmSmmu.Structures.FieldText f) => ");
            if (f.Address)
            {
                s.Append("f.Address(").Append(spec).Append(", ").Append(f.Word).Append(", ").Append(word).Append(", ").Append(f.Hi).Append(", ").Append(f.Lo).AppendLine(");");
            }
            else if (f.Set is not null && f.Clear is not null)
            {
                s.Append("f.Flag(").Append(spec).Append(", ").Append(f.Word).Append(", ").Append(word).Append(", ").Append(f.Lo)
                    .Append(", ").Append(Quote(f.Set)).Append(", ").Append(Quote(f.Clear)).AppendLine(");");
            }
            else
            {
                s.Append("f.Add(").Append(spec).Append(", ").Append(f.Word).Append(", ").Append(word).Append(", ").Append(f.Hi).Append(", ").Append(f.Lo)
                    .Append(f.Meaning is null ? string.Empty : ", " + f.Meaning).AppendLine(");");
            }

            s.AppendLine();
        }

        if (custom)
        {
            return;
        }

        s.AppendLine("    /// <summary>Every field with its position and meaning.</summary>");
        s.AppendLine("    /// <returns>The decoded fields, in declaration order.</returns>");
        s.AppendLine("    public global::System.Collections.Generic.IReadOnlyList<global::ArmSmmu.Structures.DecodedField> Describe()");
        s.AppendLine("    {");
        s.Append("        var f = new global::ArmSmmu.Structures.FieldText(").Append(Quote(prefix)).AppendLine(");");
        foreach (Field f in fields)
        {
            s.Append("        Describe").Append(f.Name).AppendLine("(f);");
        }

        s.AppendLine("        return f.Fields;");
        s.AppendLine("    }");
        s.AppendLine();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture) + "UL";

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private enum Kind
    {
        Bool,
        Integer,
        Enum,
    }

    private sealed class Field
    {
        public string Name = string.Empty;
        public int Word;
        public int Hi;
        public int Lo;
        public string Type = "uint";
        public Kind Kind;
        public bool Address;
        public string Doc = string.Empty;
        public string? Spec;
        public string? Meaning;
        public string? Set;
        public string? Clear;
        public string? Alias;

        public static Field From(MarkdownTable table, string[] row)
        {
            string Cell(string column) => table.Column(column) is int i && i >= 0 ? row[i] : string.Empty;
            string bits = Cell("Bits");
            string[] hiLo = bits.Split(':');
            string word = Cell("Word");
            string describe = Cell("Describe");
            string type = Cell("Type");
            var f = new Field
            {
                Name = Cell("Field"),
                Word = word.Length == 0 ? 0 : int.Parse(word, CultureInfo.InvariantCulture),
                Hi = int.Parse(hiLo[0], CultureInfo.InvariantCulture),
                Lo = int.Parse(hiLo[hiLo.Length - 1], CultureInfo.InvariantCulture),
                Address = type == "address",
                Doc = Cell("Summary"),
                Spec = Cell("Spec") is { Length: > 0 } spec ? spec : null,
                Alias = Cell("Alias") is { Length: > 0 } alias ? alias : null,
            };
            if (f.Name.Length == 0 || f.Hi < f.Lo || f.Hi > 63 || f.Word < 0)
            {
                throw new FormatException($"'## {table.Heading}': row '{string.Join(" | ", row)}' needs a Field name and Bits 'hi:lo' or 'bit'");
            }

            if (describe.StartsWith("`", StringComparison.Ordinal))
            {
                f.Meaning = describe.Trim('`');
            }
            else if (describe.Length > 0)
            {
                int slash = describe.IndexOf(" / ", StringComparison.Ordinal);
                if (slash < 0)
                {
                    throw new FormatException($"'## {table.Heading}': {f.Name}'s Describe is neither `Expression` nor 'text when 1 / text when 0'");
                }

                f.Set = describe.Substring(0, slash);
                f.Clear = describe.Substring(slash + 3);
            }

            int width = f.Hi - f.Lo + 1;
            if (f.Address)
            {
                f.Type = "ulong";
                f.Kind = Kind.Integer;
            }
            else if (type.Length == 0)
            {
                f.Kind = width == 1 ? Kind.Bool : Kind.Integer;
                f.Type = width == 1 ? "bool" : width <= 32 ? "uint" : "ulong";
            }
            else if (type == "bool")
            {
                f.Kind = Kind.Bool;
                f.Type = "bool";
            }
            else
            {
                f.Kind = type is "byte" or "ushort" or "uint" or "ulong" ? Kind.Integer : Kind.Enum;
                f.Type = type;
            }

            return f;
        }
    }
}
