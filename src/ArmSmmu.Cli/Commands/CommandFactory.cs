using System.CommandLine;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>The plumbing every subcommand shares: a command made of its arguments and options, and one action.</summary>
internal static class CommandFactory
{
    /// <summary>A command with <paramref name="symbols"/> (arguments and options, in help order) and <paramref name="action"/>.</summary>
    /// <param name="name">The subcommand's name.</param>
    /// <param name="description">Its help text.</param>
    /// <param name="action">Runs the parsed command and returns the exit code.</param>
    /// <param name="symbols">Its arguments and options.</param>
    /// <returns>The command.</returns>
    public static Command Create(string name, string description, Func<ParseResult, int> action, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (Symbol symbol in symbols)
        {
            switch (symbol)
            {
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Option option:
                    command.Options.Add(option);
                    break;
                default:
                    throw new ArgumentException($"'{symbol.Name}' is neither an argument nor an option.", nameof(symbols));
            }
        }

        command.SetAction(action);
        return command;
    }

    /// <summary>A command whose only option is <c>--json</c>.</summary>
    /// <param name="name">The subcommand's name.</param>
    /// <param name="description">Its help text.</param>
    /// <param name="json">What the JSON holds.</param>
    /// <param name="run">Runs the command, given whether --json was set, and returns the exit code.</param>
    /// <returns>The command.</returns>
    public static Command WithJsonSwitch(string name, string description, string json, Func<bool, int> run)
    {
        var option = Json(json);
        return Create(name, description, parse => run(parse.GetValue(option)), option);
    }

    /// <summary>The <c>--json</c> switch of the commands that can print JSON instead of tables.</summary>
    /// <param name="description">What the JSON holds.</param>
    /// <returns>The option.</returns>
    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary>The <c>--check-driver</c> switch of <c>run</c> and <c>replay</c>: the driver-bug detector (docs/driver-developers.md).</summary>
    /// <returns>The option.</returns>
    public static Option<bool> CheckDriver() => new("--check-driver")
    {
        Description = "Turn on the driver-bug detector: report stale STE/CD/TLB use, torn structures, TLBIs without CMD_SYNC and missing break-before-make (exit 1 when it finds one).",
    };
}
