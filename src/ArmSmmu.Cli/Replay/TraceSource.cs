namespace ArmSmmu.Cli.Replay;

/// <summary>The transactions of a DMA trace file or of standard input, read line by line (docs/trace-format.md).</summary>
internal sealed class TraceSource : IReplaySource
{
    private readonly LineReader _lines;
    private readonly Stream? _file;
    private readonly string _name;

    /// <summary>Reads <paramref name="reader"/>; <paramref name="file"/>, when given, is the stream under it, for progress.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="file">The file the text comes from, or null.</param>
    /// <param name="name">The name messages use ("-" for standard input).</param>
    public TraceSource(TextReader reader, Stream? file, string name)
    {
        _lines = new LineReader(reader);
        _file = file;
        _name = name;
    }

    /// <inheritdoc />
    public double? Fraction => _file is { CanSeek: true, Length: > 0 } f ? (double)f.Position / f.Length : null;

    /// <summary>Opens the trace file at <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="name">The name messages use.</param>
    /// <returns>The source.</returns>
    public static TraceSource Open(string path, string name)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return new TraceSource(new StreamReader(file), file, name);
    }

    /// <inheritdoc />
    public bool TryRead(out ReplayRow row)
    {
        while (_lines.TryReadLine(out ReadOnlySpan<char> line))
        {
            if (TraceParser.TryParse(line, out TranslationRequest request, out string? error))
            {
                row = new ReplayRow(request, RowCheck.None, 0, 0);
                return true;
            }

            if (error is not null)
            {
                throw new ReplayInputException($"{_name}:{_lines.LineNumber}: {error}");
            }
        }

        row = default;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _lines.Dispose();
}
