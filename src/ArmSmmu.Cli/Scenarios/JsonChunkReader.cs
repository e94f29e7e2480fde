using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// Reads a JSON document from a stream one token (or one whole value) at a time, holding only the part being read:
/// a 200,000-transaction file is never in memory at once. Tracks the 1-based line of what it reads, for messages.
/// Every JSON error becomes a <see cref="ScenarioException"/> in the tool's own words.
/// </summary>
internal sealed class JsonChunkReader : IDisposable
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private readonly Stream _stream;
    private readonly string _source;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private bool _final;
    private bool _started;
    private readonly bool _checkText;
    private readonly long _stateLine;
    private readonly long _stateColumn;
    private JsonReaderState _state;
    private long _line;
    private long _column;

    /// <summary>Starts reading <paramref name="stream"/> at its current position, which is on line <paramref name="line"/>.</summary>
    public JsonChunkReader(Stream stream, string source, long line = 1, long column = 1)
    {
        _checkText = line == 1 && column == 1 && stream.Position == 0;
        _stream = stream;
        _source = source;
        _line = _stateLine = line;
        _column = _stateColumn = column;
        _state = new JsonReaderState(Options);
    }

    /// <summary>The type of the last token read.</summary>
    public JsonTokenType TokenType { get; private set; }

    /// <summary>The last token's text, for property names and strings.</summary>
    public string? Text { get; private set; }

    /// <summary>Stream offset where the last token ends: a reader started there continues after it.</summary>
    public long Offset => _stream.Position - (_end - _start);

    /// <summary>Line where the last value read by <see cref="Value"/> starts.</summary>
    public long ValueLine { get; private set; }

    /// <summary>Line of the next unread byte.</summary>
    public long Line => _line;

    /// <summary>Column of the next unread byte.</summary>
    public long Column => _column;

    /// <summary>Reads the next token; false at the end of the document.</summary>
    public bool Read()
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            bool read = Guard(ref reader, static (ref Utf8JsonReader r) => r.Read());
            if (read)
            {
                TokenType = reader.TokenType;
                Text = reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String ? reader.GetString() : null;
                Advance(reader);
                return true;
            }

            if (_final)
            {
                return false;
            }

            Fill();
        }
    }

    /// <summary>Deserializes the next value whole (it is held until it is complete); in an array, the default at its ']'.</summary>
    /// <param name="info">Its type.</param>
    /// <param name="path">JSON path of the value, for messages.</param>
    public T? Value<T>(JsonTypeInfo<T> info, string path)
    {
        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            Utf8JsonReader probe = reader;
            if (Guard(ref probe, static (ref Utf8JsonReader r) => r.Read()) && probe.TokenType == JsonTokenType.EndArray)
            {
                TokenType = JsonTokenType.EndArray;
                Advance(probe);
                return default;
            }

            if (probe.TokenType != JsonTokenType.None)
            {
                int start = (int)probe.TokenStartIndex;
                if (Guard(ref probe, static (ref Utf8JsonReader r) => r.TrySkip()))
                {
                    // The value alone, as a complete document: the serializer sees nothing before or after it.
                    Advance(start);
                    ValueLine = _line;
                    int length = (int)probe.BytesConsumed - start;
                    var scoped = new Utf8JsonReader(_buffer.AsSpan(_start, length), Options);
                    T? value;
                    try
                    {
                        value = JsonSerializer.Deserialize(ref scoped, info);
                    }
                    catch (JsonException ex)
                    {
                        throw Error(ex, path, scoped: true);
                    }

                    TokenType = probe.TokenType;
                    Advance(length);
                    _state = probe.CurrentState;
                    return value;
                }
            }

            if (_final)
            {
                throw Incomplete();
            }

            Fill();
        }
    }

    /// <summary>
    /// Moves past the ':' that follows a property name (and the blanks around it), so a reader started at the offset
    /// <see cref="Offset"/> gave after that name begins at the value.
    /// </summary>
    public void SkipToValue()
    {
        Fill();
        while (_start < _end && _buffer[_start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)':')
        {
            Advance(1);
        }
    }

    /// <summary>The document ended inside a value.</summary>
    public ScenarioException Incomplete()
    {
        long last = _line + _buffer.AsSpan(_start, _end - _start).TrimEnd("\r\n "u8).Count((byte)'\n');
        return new(_source, null, null, null, $"the JSON ends before the scenario is complete (line {last})");
    }

    /// <summary>An error at the current place.</summary>
    public ScenarioException Fail(string? path, string reason) => new(_source, path, _line, _column, reason);

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private delegate bool ReaderStep(ref Utf8JsonReader reader);

    private bool Guard(ref Utf8JsonReader reader, ReaderStep step)
    {
        try
        {
            return step(ref reader);
        }
        catch (JsonException ex)
        {
            throw Error(ex, null, scoped: false);
        }
    }

    private ScenarioException Error(JsonException ex, string? path, bool scoped)
    {
        if (_final && ScenarioErrors.Reason(ex, null) == ScenarioErrors.EndsEarly)
        {
            return Incomplete();
        }

        // The reader state carries positions from where it was first created; a scoped value reader starts afresh.
        (long baseLine, long baseColumn) = scoped ? (_line, _column) : (_stateLine, _stateColumn);
        long line = baseLine + (ex.LineNumber ?? 0);
        long column = (ex.LineNumber ?? 0) == 0 ? baseColumn + (ex.BytePositionInLine ?? 0) : (ex.BytePositionInLine ?? 0) + 1;
        string? fullPath = path is null ? null : ex.Path is { Length: > 1 } inner ? path + inner[1..] : path;
        return new ScenarioException(_source, fullPath, line, column, ScenarioErrors.Reason(ex, fullPath), ex);
    }

    private void Advance(in Utf8JsonReader reader)
    {
        Advance((int)reader.BytesConsumed);
        _state = reader.CurrentState;
    }

    private void Advance(int consumed)
    {
        ReadOnlySpan<byte> done = _buffer.AsSpan(_start, consumed);
        int newline = done.LastIndexOf((byte)'\n');
        if (newline >= 0)
        {
            _line += done.Count((byte)'\n');
            _column = consumed - newline;
        }
        else
        {
            _column += consumed;
        }

        _start += consumed;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            // One value larger than the buffer (a big "streams" list): grow for it.
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        _end += read;
        _final = read == 0;
        if (!_started && _checkText)
        {
            CheckText(read);
        }

        _started = true;
    }

    /// <summary>The first chunk decides whether this is text at all: binary data is named, never echoed back.</summary>
    private void CheckText(int read)
    {
        if (read == 0)
        {
            throw new ScenarioException(_source, null, null, null, "the file is empty; a scenario is a JSON object (docs/scenario-format.md)");
        }

        ReadOnlySpan<byte> head = _buffer.AsSpan(0, read);
        if (head.StartsWith("\uFEFF"u8))
        {
            _start = 3; // a UTF-8 byte order mark is allowed
        }

        // A full chunk may end inside a character that the next chunk completes.
        bool valid = System.Text.Unicode.Utf8.IsValid(head);
        for (int cut = 1; !valid && cut <= 3 && read == _buffer.Length; cut++)
        {
            valid = System.Text.Unicode.Utf8.IsValid(head[..^cut]);
        }

        bool control = head.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || head.IndexOfAnyInRange((byte)14, (byte)31) >= 0;
        if (control || !valid)
        {
            throw new ScenarioException(_source, null, null, null, "the file is not text (it holds binary data); a scenario is a JSON text file (docs/scenario-format.md)");
        }
    }
}
