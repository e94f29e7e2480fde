using System.Globalization;
using System.IO.Compression;

namespace ArmSmmu.Cli.Replay;

/// <summary>
/// The rows of a recording's translations.tsv (or .tsv.gz), in recorded order: <c>sid iova qemu_pa qemu_perm final
/// agree [final_perm]</c>, tab-separated, hex with 0x, a header line naming the columns.
/// </summary>
internal sealed class RecordingSource : IReplaySource
{
    private readonly LineReader _lines;
    private readonly Stream _file;
    private readonly string _name;
    private readonly int[] _columns; // index of each Column in a row
    private readonly int _width;

    private RecordingSource(Stream file, TextReader reader, string name)
    {
        _file = file;
        _lines = new LineReader(reader);
        _name = name;
        if (!_lines.TryReadLine(out ReadOnlySpan<char> header))
        {
            throw new ReplayInputException($"{_name}: the file is empty; expected a header line naming the columns");
        }

        _columns = new int[ColumnNames.Length];
        for (int c = 0; c < ColumnNames.Length; c++)
        {
            _columns[c] = IndexOf(header, ColumnNames[c]);
            if (_columns[c] < 0 && c != (int)Column.FinalPerm)
            {
                throw new ReplayInputException($"{_name}:1: the header has no '{ColumnNames[c]}' column (expected {string.Join(' ', ColumnNames)})");
            }
        }

        _width = _columns.Max() + 1;
    }

    private enum Column
    {
        Sid,
        Iova,
        QemuPa,
        QemuPerm,
        Final,
        Agree,
        FinalPerm,
    }

    private static string[] ColumnNames { get; } = ["sid", "iova", "qemu_pa", "qemu_perm", "final", "agree", "final_perm"];

    /// <inheritdoc />
    public double? Fraction => _file.Length > 0 ? (double)_file.Position / _file.Length : null;

    /// <summary>Opens <paramref name="path"/> (gzip-compressed when it ends in .gz).</summary>
    /// <param name="path">translations.tsv or translations.tsv.gz.</param>
    /// <returns>The source, past the header.</returns>
    public static RecordingSource Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            Stream text = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            return new RecordingSource(file, new StreamReader(text), Path.GetFileName(path));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public bool TryRead(out ReplayRow row)
    {
        Span<Range> fields = stackalloc Range[ColumnNames.Length + 1];
        while (_lines.TryReadLine(out ReadOnlySpan<char> line))
        {
            if (line.IsWhiteSpace())
            {
                continue;
            }

            int count = line.Split(fields, '\t');
            if (count < _width)
            {
                throw Error($"{count} columns, the header names {_width}");
            }

            uint sid = (uint)Hex(line[fields[_columns[(int)Column.Sid]]], "sid", uint.MaxValue);
            ulong iova = Hex(line[fields[_columns[(int)Column.Iova]]], "iova", ulong.MaxValue);
            ulong qemuPa = Hex(line[fields[_columns[(int)Column.QemuPa]]], "qemu_pa", ulong.MaxValue);
            byte permission = (byte)Hex(line[fields[_columns[(int)Column.QemuPerm]]], "qemu_perm", 3);
            ReadOnlySpan<char> final = line[fields[_columns[(int)Column.Final]]];
            bool agree = line[fields[_columns[(int)Column.Agree]]].SequenceEqual("yes");
            int finalPermColumn = _columns[(int)Column.FinalPerm];
            if (finalPermColumn >= 0 && !line[fields[finalPermColumn]].SequenceEqual("-"))
            {
                permission = (byte)Hex(line[fields[finalPermColumn]], "final_perm", 3);
            }

            // One access per row, as the device made it: a read unless only a write was allowed (a stage-2 write-only page).
            AccessKind access = permission == 2 ? AccessKind.Write : AccessKind.Read;
            RowCheck check = agree ? RowCheck.Agree : final.SequenceEqual("fault") ? RowCheck.Unmapped : RowCheck.None;
            row = new ReplayRow(new TranslationRequest(sid, iova, access), check, qemuPa, agree ? permission : (byte)0);
            return true;
        }

        row = default;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _lines.Dispose();

    private static int IndexOf(ReadOnlySpan<char> header, string name)
    {
        int index = 0;
        foreach (Range range in header.Split('\t'))
        {
            if (header[range].Trim().SequenceEqual(name))
            {
                return index;
            }

            index++;
        }

        return -1;
    }

    private ulong Hex(ReadOnlySpan<char> text, string column, ulong max)
    {
        ReadOnlySpan<char> digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value) || value > max)
        {
            throw Error($"{column} '{text}' is not a hex number{(max == 3 ? " from 0x0 to 0x3" : string.Empty)}");
        }

        return value;
    }

    private ReplayInputException Error(string reason) => new($"{_name}:{_lines.LineNumber}: {reason}");
}
