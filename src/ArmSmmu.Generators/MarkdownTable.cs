using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ArmSmmu.Generators;

/// <summary>
/// One <c>## heading</c> of a <c>*.table.md</c> file: the heading, the prose under it and the first pipe table that
/// follows. The files are written for a reader with the specification open, so the parser accepts plain GitHub
/// Markdown and nothing more.
/// </summary>
internal sealed class MarkdownTable
{
    private MarkdownTable(string heading, int line)
    {
        Heading = heading;
        Line = line;
    }

    /// <summary>The heading text without the leading <c>##</c>.</summary>
    public string Heading { get; }

    /// <summary>1-based line of the heading, for diagnostics.</summary>
    public int Line { get; }

    /// <summary>The paragraphs between the heading and the table, each joined into one line.</summary>
    public List<string> Paragraphs { get; } = [];

    /// <summary>Column names, as written in the header row.</summary>
    public List<string> Columns { get; } = [];

    /// <summary>The body rows, one cell per column (missing cells are empty).</summary>
    public List<string[]> Rows { get; } = [];

    /// <summary>The <c>namespace X</c> line of the file, or null.</summary>
    public static string? Namespace(string text)
    {
        foreach (string raw in Lines(text))
        {
            string line = raw.Trim().Trim('`').Trim();
            if (line.StartsWith("namespace ", StringComparison.Ordinal))
            {
                return line.Substring("namespace ".Length).Trim().TrimEnd(';');
            }
        }

        return null;
    }

    /// <summary>Every <c>##</c> section of the file that has a table.</summary>
    public static List<MarkdownTable> Parse(string text)
    {
        var tables = new List<MarkdownTable>();
        MarkdownTable? current = null;
        var paragraph = new List<string>();
        string[] lines = Lines(text);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = new MarkdownTable(line.Substring(3).Trim(), i + 1);
                tables.Add(current);
                paragraph.Clear();
            }
            else if (current is null || line.StartsWith("#", StringComparison.Ordinal))
            {
                current = line.StartsWith("#", StringComparison.Ordinal) ? null : current;
            }
            else if (line.StartsWith("|", StringComparison.Ordinal))
            {
                Flush(current, paragraph);
                string[] cells = Cells(line);
                if (current.Columns.Count == 0)
                {
                    current.Columns.AddRange(cells);
                }
                else if (!cells.All(c => c.Length > 0 && c.Trim('-', ':').Length == 0))
                {
                    var row = new string[current.Columns.Count];
                    for (int c = 0; c < row.Length; c++)
                    {
                        row[c] = c < cells.Length ? cells[c] : string.Empty;
                    }

                    current.Rows.Add(row);
                }
            }
            else if (line.Length == 0)
            {
                Flush(current, paragraph);
            }
            else if (current.Columns.Count == 0)
            {
                paragraph.Add(line);
            }
        }

        if (current is not null)
        {
            Flush(current, paragraph);
        }

        return tables.Where(t => t.Columns.Count > 0).ToList();
    }

    /// <summary>The index of a column by name (case-insensitive), or -1.</summary>
    public int Column(string name) => Columns.FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Markdown prose as XML doc text: escaped, with <c>`code`</c> spans as &lt;c&gt; elements.</summary>
    public static string Xml(string text)
    {
        string escaped = text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
        var s = new StringBuilder();
        bool code = false;
        foreach (char ch in escaped)
        {
            if (ch == '`')
            {
                s.Append(code ? "</c>" : "<c>");
                code = !code;
            }
            else
            {
                s.Append(ch);
            }
        }

        return s.ToString();
    }

    private static void Flush(MarkdownTable table, List<string> paragraph)
    {
        if (paragraph.Count > 0 && table.Columns.Count == 0)
        {
            table.Paragraphs.Add(string.Join(" ", paragraph));
        }

        paragraph.Clear();
    }

    private static string[] Cells(string line)
    {
        string inner = line.Trim();
        inner = inner.Substring(1, inner.EndsWith("|", StringComparison.Ordinal) && inner.Length > 1 ? inner.Length - 2 : inner.Length - 1);
        return inner.Split('|').Select(c => c.Trim()).ToArray();
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").Split('\n');
}
