using Spectre.Console;

namespace ArmSmmu.Cli;

/// <summary>What every subcommand writes to: the rich console for results, and plain writers for data and errors.</summary>
/// <param name="Console">Spectre console over the output writer (no colours unless it is a terminal).</param>
/// <param name="Output">The raw output writer.</param>
/// <param name="Error">The error writer.</param>
/// <param name="Input">Standard input, for commands that read data from <c>-</c>.</param>
/// <param name="ErrorIsTerminal">Standard error is a terminal: progress may be shown there.</param>
internal sealed record CliContext(IAnsiConsole Console, TextWriter Output, TextWriter Error, TextReader Input, bool ErrorIsTerminal = false)
{
    /// <summary>A self-clearing progress display on the error writer, or null when that is not a terminal (piped output stays clean).</summary>
    /// <param name="columns">The columns each task shows.</param>
    /// <returns>The display, or null.</returns>
    public Progress? ErrorProgress(params ProgressColumn[] columns) => ErrorIsTerminal
        ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Error) }).Progress().AutoClear(true).Columns(columns)
        : null;
}
