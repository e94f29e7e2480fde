using Spectre.Console;

namespace ArmSmmu.Cli;

/// <summary>What every subcommand writes to: the rich console for results, and plain writers for data and errors.</summary>
/// <param name="Console">Spectre console over the output writer (no colours unless it is a terminal).</param>
/// <param name="Output">The raw output writer.</param>
/// <param name="Error">The error writer.</param>
/// <param name="Input">Standard input, for commands that read data from <c>-</c>.</param>
/// <param name="ErrorIsTerminal">Standard error is a terminal: progress may be shown there.</param>
internal sealed record CliContext(IAnsiConsole Console, TextWriter Output, TextWriter Error, TextReader Input, bool ErrorIsTerminal = false);
