namespace ArmSmmu.Cli.Replay;

/// <summary>
/// Hands out the lines of a text stream as spans over one reused buffer, so reading a million-line trace allocates
/// nothing per line. A span stays valid until the next call.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly TextReader _reader;
    private char[] _buffer = new char[64 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Reads lines from <paramref name="reader"/>, which this reader disposes.</summary>
    /// <param name="reader">The text.</param>
    public LineReader(TextReader reader) => _reader = reader;

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The next line without its line terminator (\n or \r\n).</summary>
    /// <param name="line">The line; valid until the next call.</param>
    /// <returns>False at the end of the text.</returns>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf('\n');
            if (newline >= 0)
            {
                line = Trim(_buffer.AsSpan(_start, newline));
                _start += newline + 1;
                LineNumber++;
                return true;
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    line = default;
                    return false;
                }

                // The last line has no terminator.
                line = Trim(_buffer.AsSpan(_start, _end - _start));
                _start = _end;
                LineNumber++;
                return true;
            }

            Fill();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private static ReadOnlySpan<char> Trim(ReadOnlySpan<char> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private void Fill()
    {
        // Keep the partial line, moved to the front; grow only for a line longer than the buffer.
        int pending = _end - _start;
        if (pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        Array.Copy(_buffer, _start, _buffer, 0, pending);
        _start = 0;
        _end = pending;
        int read = _reader.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
