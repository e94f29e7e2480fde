using System.Linq;
using System.Text;

namespace ArmSmmu.Generators;

/// <summary>
/// Writes a C ABI mirror of a managed type from its table (a <c>## mirror struct Name of Managed</c> section): the
/// sequential struct, field for field as the C header declares it, and the conversion from the managed value
/// (<c>Mirror</c>); with <c>, both ways</c> also the conversion back (<c>ToMirrored</c>) and the boolean fields in
/// order (<c>BooleanFields</c>), for the caller's range checks. Each field is named once, in its row.
/// </summary>
internal static class MirrorGenerator
{
    /// <summary>Appends the struct <paramref name="name"/> the table declares, the mirror of <paramref name="managed"/>.</summary>
    public static void Emit(StringBuilder s, MarkdownTable table, string name, string managed, bool bothWays)
    {
        int field = TableGenerator.Required(table, "Field");
        int c = TableGenerator.Required(table, "C");
        int type = TableGenerator.Required(table, "Type");
        int from = TableGenerator.Required(table, "Managed");
        int kind = TableGenerator.Required(table, "As");
        var rows = table.Rows.Select(r => (Field: r[field], C: r[c], Type: r[type], Managed: r[from], As: r[kind])).ToList();
        var mirrored = rows.Where(r => r.Managed.Length > 0).ToList();

        s.AppendLine();
        if (table.Paragraphs.Count > 0)
        {
            s.Append("/// <summary>").Append(MarkdownTable.Xml(table.Paragraphs[0])).AppendLine("</summary>");
        }

        s.AppendLine("[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Sequential)]");
        s.Append("internal partial struct ").AppendLine(name);
        s.AppendLine("{");
        foreach (var r in rows)
        {
            s.Append("    /// <summary><c>").Append(r.C).AppendLine("</c>.</summary>");
            s.Append("    public ").Append(r.Type).Append(' ').Append(r.Field).AppendLine(";");
            s.AppendLine();
        }

        s.Append("    /// <summary>The fields of <paramref name=\"m\"/> this struct mirrors; the others (size, reserved) are zero.</summary>");
        s.AppendLine();
        s.Append("    internal static ").Append(name).Append(" Mirror(").Append(managed).AppendLine(" m) => new()");
        s.AppendLine("    {");
        foreach (var r in mirrored)
        {
            string value = r.As == "bool" ? "m." + r.Managed + " ? (" + r.Type + ")1 : (" + r.Type + ")0" : "(" + r.Type + ")m." + r.Managed;
            s.Append("        ").Append(r.Field).Append(" = ").Append(value).AppendLine(",");
        }

        s.AppendLine("    };");
        if (bothWays)
        {
            s.AppendLine();
            s.Append("    /// <summary>The managed value, unchecked: the caller checks the ranges first (<see cref=\"BooleanFields\"/>).</summary>");
            s.AppendLine();
            s.Append("    internal readonly ").Append(managed).AppendLine(" ToMirrored() => new()");
            s.AppendLine("    {");
            foreach (var r in mirrored)
            {
                string value = r.As == "bool" ? r.Field + " != 0" : "(" + r.As + ")" + r.Field;
                s.Append("        ").Append(r.Managed).Append(" = ").Append(value).AppendLine(",");
            }

            s.AppendLine("    };");
            s.AppendLine();
            s.AppendLine("    /// <summary>The boolean fields in header order, each of which must be 0 or 1.</summary>");
            s.Append("    internal readonly byte[] BooleanFields() => [")
                .Append(string.Join(", ", mirrored.Where(r => r.As == "bool").Select(r => r.Field))).AppendLine("];");
        }

        s.AppendLine("}");
    }
}
