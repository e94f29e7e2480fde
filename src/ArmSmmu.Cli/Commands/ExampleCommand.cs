using System.CommandLine;
using System.Reflection;
using Spectre.Console;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu example [NAME]</c>: the scenario files of the repository's examples/ folder, shipped inside the tool. Without
/// a name, lists them; with one, prints it to standard output, ready to redirect into a file and run.
/// </summary>
internal sealed class ExampleCommand : ICliCommand
{
    private const string Prefix = "examples/";
    private const string Suffix = ".json";

    /// <summary>The names of the shipped examples, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        .. typeof(ExampleCommand).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^Suffix.Length])
            .Order(StringComparer.Ordinal),
    ];

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var name = new Argument<string?>("name") { Description = "The example to print, e.g. stage1-dma; leave out to list them.", Arity = ArgumentArity.ZeroOrOne };
        return CommandFactory.Create(
            "example",
            "List the example scenarios shipped with the tool, or print one: 'smmu example stage1-dma > stage1-dma.json && smmu run stage1-dma.json'.",
            parse => Run(context, parse.GetValue(name)),
            name);
    }

    /// <summary>The text of the example <paramref name="name"/>, or null when there is none.</summary>
    /// <param name="name">A name from <see cref="Names"/> (".json" may be added).</param>
    /// <returns>The JSON text.</returns>
    public static string? Text(string name)
    {
        string bare = name.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) ? name[..^Suffix.Length] : name;
        using Stream? stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + bare + Suffix);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static int Run(CliContext context, string? name)
    {
        if (name is null)
        {
            var table = new Table { Title = new TableTitle("Example scenarios (print one with 'smmu example NAME > NAME.json')") };
            table.AddColumns("Name", "What it shows");
            foreach (string example in Names)
            {
                table.AddRow(new Text(example), new Text(Scenarios.ScenarioLoader.Parse(Text(example)!, example).Description ?? string.Empty));
            }

            context.Console.Write(table);
            return 0;
        }

        string text = Text(name) ?? throw new CliUsageException(
            $"there is no example '{name}'; the examples are {string.Join(", ", Names)}.");
        context.Output.Write(text);
        if (!text.EndsWith('\n'))
        {
            context.Output.WriteLine();
        }

        return 0;
    }
}
