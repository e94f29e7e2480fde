namespace ArmSmmu.Cli.Scenarios;

/// <summary>A scenario file that cannot be used: the message names the file, the place in it and the reason.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScenarioException()
    {
    }

    /// <summary>Creates the exception with a complete message.</summary>
    /// <param name="message">The message.</param>
    public ScenarioException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a complete message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a place in a file.</summary>
    /// <param name="source">The file.</param>
    /// <param name="jsonPath">JSON path of the offending value (e.g. <c>$.streams[0].mode</c>), or null.</param>
    /// <param name="line">1-based line, or null.</param>
    /// <param name="column">1-based column, or null.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The cause, or null.</param>
    public ScenarioException(string source, string? jsonPath, long? line, long? column, string reason, Exception? innerException = null)
        : base(Compose(source, jsonPath, line, column, reason), innerException)
    {
        FilePath = source;
        JsonPath = jsonPath;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file (or other source name) the scenario came from.</summary>
    public string? FilePath { get; }

    /// <summary>The JSON path of the offending value, when known.</summary>
    public string? JsonPath { get; }

    /// <summary>1-based line, when known.</summary>
    public long? Line { get; }

    /// <summary>1-based column, when known.</summary>
    public long? Column { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string? Reason { get; }

    private static string Compose(string source, string? jsonPath, long? line, long? column, string reason)
    {
        string place = source;
        if (line is not null)
        {
            place += $":{line}" + (column is null ? string.Empty : $":{column}");
        }

        if (jsonPath is not null)
        {
            place += $": {jsonPath}";
        }

        return $"{place}: {reason}";
    }
}
