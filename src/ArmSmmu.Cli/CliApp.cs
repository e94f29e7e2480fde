using System.CommandLine;
using ArmSmmu.Cli.Commands;
using Spectre.Console;

namespace ArmSmmu.Cli;

/// <summary>The <c>smmu</c> command-line application, runnable in-process (tests) or from <c>Main</c>.</summary>
public static class CliApp
{
    /// <summary>Exit code for a command line that does not parse (unknown command or option, bad value).</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a command that failed while running.</summary>
    public const int RuntimeError = 1;

    /// <summary>Every subcommand; add new ones here.</summary>
    private static readonly ICliCommand[] Commands =
    [
        new InfoCommand(),
        new DecodeCommand(),
        new RunCommand(),
        new DemoCommand(),
        new ReplayCommand(),
        new ExampleCommand(),
        new AtosCommand(),
    ];

    /// <summary>Parses <paramref name="args"/> and runs the chosen subcommand.</summary>
    /// <param name="args">Command-line arguments, without the program name.</param>
    /// <param name="output">Where results (and help) are written.</param>
    /// <param name="error">Where error messages are written.</param>
    /// <returns>0 on success, <see cref="UsageError"/> for a bad command line, <see cref="RuntimeError"/> for a failure.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, Console.In);

    /// <summary>Parses <paramref name="args"/> and runs the chosen subcommand, reading standard input from <paramref name="input"/>.</summary>
    /// <param name="args">Command-line arguments, without the program name.</param>
    /// <param name="output">Where results (and help) are written.</param>
    /// <param name="error">Where error messages are written.</param>
    /// <param name="input">What <c>-</c> arguments read.</param>
    /// <returns>0 on success, <see cref="UsageError"/> for bad input, <see cref="RuntimeError"/> for a failure.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(input);

        bool errorIsTerminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        var context = new CliContext(CreateConsole(output), output, error, input, errorIsTerminal);
        RootCommand root = BuildRoot(context);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word explains the failure better than the "required command" error it also causes.
            string message = parse.UnmatchedTokens.Count > 0
                ? $"unrecognized command or option '{parse.UnmatchedTokens[0]}'."
                : parse.Errors[0].Message;
            error.WriteLine($"smmu: error: {message}");
            error.WriteLine("Run 'smmu --help' for usage.");
            return UsageError;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliUsageException ex)
        {
            error.WriteLine($"smmu: error: {ex.Message}");
            return UsageError;
        }
#pragma warning disable CA1031 // The tool's last line of defence: a message, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error.WriteLine($"smmu: error: {ex.Message}");
            return RuntimeError;
        }
    }

    private static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("smmu: explore the ArmSmmu model of the Arm SMMUv3 (IHI0070).");
        foreach (ICliCommand command in Commands)
        {
            root.Subcommands.Add(command.Build(context));
        }

        return root;
    }

    /// <summary>A Spectre console writing to <paramref name="output"/>; colours and ANSI only on a real terminal.</summary>
    private static IAnsiConsole CreateConsole(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });

        if (!terminal)
        {
            // Redirected output has no width to detect: keep tables on one line per row.
            console.Profile.Width = 160;
        }

        return console;
    }
}
