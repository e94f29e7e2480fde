using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// A scenario file opened for a streaming run. Opening reads the whole document once, keeping everything but the
/// transactions (which it only tokenizes, so a syntax error anywhere is found before anything runs) and validating
/// it; <see cref="ReadTransactions"/> then reads the transactions one at a time from where the array starts, so the
/// order of the top-level properties does not matter and no more than one transaction is held.
/// </summary>
public sealed class ScenarioReader : IDisposable
{
    private readonly Func<Stream> _open;
    private readonly ScenarioLoader.Validator _validator;
    private long _transactionsOffset = -1;
    private long _transactionsLine;
    private long _transactionsColumn;
    private Stream? _current;

    private ScenarioReader(Func<Stream> open, string source)
    {
        _open = open;
        Source = source;
        Header = new Scenario();
        using (var reader = new JsonChunkReader(open(), source))
        {
            ReadHeader(reader);
            Length = reader.Offset;
        }

        _validator = new ScenarioLoader.Validator(source);
        _validator.CheckHeader(Header);
    }

    /// <summary>Where the scenario came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The scenario without its transactions: name, features, streams (validated).</summary>
    public Scenario Header { get; }

    /// <summary>Size of the document in bytes.</summary>
    public long Length { get; }

    /// <summary>Bytes read so far by <see cref="ReadTransactions"/>, for a progress bar (0 to <see cref="Length"/>).</summary>
    public long Position
    {
        get
        {
            // Read from a progress timer's thread: the stream may close (end of file, a bad transaction) meanwhile.
            try
            {
                return _current is { } stream ? Math.Min(stream.Position, Length) : 0;
            }
            catch (ObjectDisposedException)
            {
                return Length;
            }
        }
    }

    /// <summary>Opens and validates everything but the transactions of the scenario in <paramref name="path"/>.</summary>
    /// <param name="path">A JSON file.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ScenarioException">Not a readable, valid scenario; the message names the place.</exception>
    public static ScenarioReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new ScenarioException(path, null, null, null, "this is a directory, not a scenario file; give the path of a JSON file inside it");
        }

        Stream Open()
        {
            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                string reason = ex switch
                {
                    FileNotFoundException or DirectoryNotFoundException => "no such file",
                    UnauthorizedAccessException => "permission denied",
                    _ => ex.Message,
                };
                throw new ScenarioException(path, null, null, null, "cannot read the file: " + reason, ex);
            }
        }

        return new ScenarioReader(Open, path);
    }

    /// <summary>Reads a scenario held in a string.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Name of the source, used in messages.</param>
    /// <returns>The reader.</returns>
    /// <exception cref="ScenarioException">Not a valid scenario.</exception>
    public static ScenarioReader FromText(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        return new ScenarioReader(() => new MemoryStream(bytes, writable: false), source);
    }

    /// <summary>The transactions in file order, each validated against the streams as it is read.</summary>
    /// <returns>One transaction at a time.</returns>
    /// <exception cref="ScenarioException">A transaction that is not valid; the message names it.</exception>
    public IEnumerable<TransactionSpec> ReadTransactions()
    {
        if (_transactionsOffset < 0)
        {
            yield break;
        }

        Stream stream = _open();
        _current = stream;
        stream.Position = _transactionsOffset;
        using var reader = new JsonChunkReader(stream, Source, _transactionsLine, _transactionsColumn);
        reader.SkipToValue();
        reader.Read(); // '[': checked by the first pass
        for (int i = 0; ; i++)
        {
            string path = string.Create(CultureInfo.InvariantCulture, $"$.transactions[{i}]");
            TransactionSpec? transaction = reader.Value(ScenarioJsonContext.Default.TransactionSpec, path);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            _validator.CheckTransaction(transaction, path, reader.ValueLine);
            yield return transaction!;
        }

        _current = null;
    }

    /// <inheritdoc />
    public void Dispose() => _current?.Dispose();

    private void ReadHeader(JsonChunkReader reader)
    {
        if (!reader.Read())
        {
            throw reader.Fail(null, "the file holds no JSON (it is empty or only blanks); a scenario is a JSON object");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw reader.Fail("$", "a scenario must be a JSON object { … } (docs/scenario-format.md)");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.Text!;
            string path = "$." + name;
            switch (name)
            {
                case "name":
                    Header.Name = reader.Value(ScenarioJsonContext.Default.String, path);
                    break;
                case "description":
                    Header.Description = reader.Value(ScenarioJsonContext.Default.String, path);
                    break;
                case "features":
                    Header.Features = reader.Value(ScenarioJsonContext.Default.FeaturesSpec, path);
                    break;
                case "streams":
                    Header.Streams = reader.Value(ScenarioJsonContext.Default.ListStreamSpec, path)
                        ?? throw reader.Fail(path, "streams must be an array [ … ], not null");
                    break;
                case "transactions":
                    _transactionsOffset = reader.Offset;
                    _transactionsLine = reader.Line;
                    _transactionsColumn = reader.Column;
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw reader.Fail(path, "transactions must be an array [ … ]");
                    }

                    SkipArray(reader);
                    break;
                default:
                    throw reader.Fail(path, $"unknown property '{name}' (see docs/scenario-format.md)");
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw reader.Incomplete();
        }

        if (reader.Read())
        {
            throw reader.Fail(null, "more JSON follows the scenario's closing '}'");
        }
    }

    private static void SkipArray(JsonChunkReader reader)
    {
        int depth = 1;
        while (depth > 0)
        {
            if (!reader.Read())
            {
                throw reader.Incomplete();
            }

            depth += reader.TokenType switch
            {
                JsonTokenType.StartObject or JsonTokenType.StartArray => 1,
                JsonTokenType.EndObject or JsonTokenType.EndArray => -1,
                _ => 0,
            };
        }
    }
}
