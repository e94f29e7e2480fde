using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Structures;
using ArmSmmu.Translation;
using Command = System.CommandLine.Command;

namespace ArmSmmu.Cli.Commands;

/// <summary>
/// <c>smmu decode &lt;kind&gt; &lt;words…&gt;</c>: raw 64-bit words (as hex, or a pasted kernel log, or <c>-</c> for stdin)
/// decoded field by field with the ArmSmmu.Structures decoders.
/// </summary>
internal sealed class DecodeCommand : ICliCommand
{
    private const string PteKind = "pte";
    private const string RegKind = "reg";

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var kind = new Argument<string>("kind")
        {
            Description = "What the words are: " + string.Join(", ", RecordKind.All.Select(k => $"{k.Name} ({k.Words} word{(k.Words == 1 ? string.Empty : "s")})"))
                + ", pte (1 VMSAv8-64 descriptor), reg (<name|offset> <value>).",
        };
        var words = new Argument<string[]>("words")
        {
            Description = "64-bit words in hex (0x optional; spaces, commas or newlines between; a kernel log's 'prefix: 0x…' lines work), or '-' to read them from standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var stage = new Option<int>("--stage") { Description = "pte: translation stage, 1 or 2.", DefaultValueFactory = _ => 1 };
        var level = new Option<int>("--level") { Description = "pte: lookup level, 0 to 3.", DefaultValueFactory = _ => 3 };
        var granule = new Option<string>("--granule") { Description = "pte: granule, 4k, 16k or 64k.", DefaultValueFactory = _ => "4k" };
        var log2Size = new Option<int?>("--log2size") { Description = "reg: the queue's LOG2SIZE, to split a PROD/CONS value into index and wrap." };

        var command = new Command("decode", "Decode raw SMMU records, page-table descriptors and register values field by field.");
        command.Arguments.Add(kind);
        command.Arguments.Add(words);
        command.Options.Add(stage);
        command.Options.Add(level);
        command.Options.Add(granule);
        command.Options.Add(log2Size);
        command.SetAction(parse => Run(
            context,
            parse.GetValue(kind) ?? string.Empty,
            parse.GetValue(words) ?? [],
            new PteOptions(parse.GetValue(stage), parse.GetValue(level), parse.GetValue(granule) ?? "4k"),
            parse.GetValue(log2Size)));
        return command;
    }

    private static int Run(CliContext context, string kind, string[] arguments, PteOptions pte, int? log2Size)
    {
        if (string.Equals(kind, RegKind, StringComparison.OrdinalIgnoreCase))
        {
            return DecodeRegister(context, arguments, log2Size);
        }

        if (string.Equals(kind, PteKind, StringComparison.OrdinalIgnoreCase))
        {
            List<ulong> descriptor = ReadWords(context, arguments, PteKind, 1);
            return DecodeDescriptor(context, descriptor[0], pte);
        }

        RecordKind record = RecordKind.Find(kind) ?? throw new CliUsageException(
            $"kind '{kind}' is not a record kind; expected one of {string.Join(", ", RecordKind.All.Select(k => k.Name))}, {PteKind}, {RegKind}.");
        List<ulong> given = ReadWords(context, arguments, record.Name, record.Words);
        var padded = new ulong[record.Words];
        given.CopyTo(padded);

        string words = string.Join(' ', padded.Select(w => $"0x{w:X16}"));
        context.Output.WriteLine($"{record.Name}: {words}");
        if (given.Count < record.Words)
        {
            context.Output.WriteLine(given.Count == record.Words - 1
                ? $"note: {given.Count} of {record.Words} words given; dw{given.Count} taken as 0."
                : $"note: {given.Count} of {record.Words} words given; dw{given.Count}..dw{record.Words - 1} taken as 0.");
        }

        context.Console.Write(FieldTable.Create(record.Title, record.Describe(padded)));
        return 0;
    }

    private static List<ulong> ReadWords(CliContext context, string[] arguments, string kind, int maximum)
    {
        List<ulong> words = HexWords.Parse(arguments, context.Input);
        if (words.Count == 0)
        {
            throw new CliUsageException($"words: no words given for '{kind}' (expected {maximum}).");
        }

        if (words.Count > maximum)
        {
            throw new CliUsageException($"words: {words.Count} words given, but '{kind}' has {maximum}.");
        }

        return words;
    }

    private static int DecodeDescriptor(CliContext context, ulong value, PteOptions options)
    {
        if (options.Stage is not (1 or 2))
        {
            throw new CliUsageException($"--stage {options.Stage}: the stage must be 1 or 2.");
        }

        if (options.Level is < 0 or > 3)
        {
            throw new CliUsageException($"--level {options.Level}: the level must be 0 to 3.");
        }

        Granule granule = options.Granule.ToUpperInvariant() switch
        {
            "4K" => Granule.Size4K,
            "16K" => Granule.Size16K,
            "64K" => Granule.Size64K,
            _ => throw new CliUsageException($"--granule '{options.Granule}': the granule must be 4k, 16k or 64k."),
        };

        string title = string.Create(CultureInfo.InvariantCulture, $"Stage-{options.Stage} descriptor, level {options.Level}, {granule.PageSize >> 10} KB granule (DDI0487 D8.3)");
        context.Output.WriteLine($"pte: 0x{value:X16}");
        context.Console.Write(FieldTable.Create(title, new PageTableDescriptor(value).Describe(options.Stage, options.Level, granule)));
        return 0;
    }

    private static int DecodeRegister(CliContext context, string[] arguments, int? log2Size)
    {
        if (arguments.Length == 0)
        {
            throw new CliUsageException("reg: expected a register name or offset and a value, e.g. 'smmu decode reg CR0 0x0C'.");
        }

        RegisterKind register = RegisterKind.Find(arguments[0]);
        List<ulong> values = ReadWords(context, arguments[1..], register.Name, 1);
        ulong value = values[0];
        if (!register.Is64Bit && value > uint.MaxValue)
        {
            throw new CliUsageException($"value 0x{value:X} does not fit the 32-bit register {register.Name}.");
        }

        if (log2Size is int qs && (!register.IsQueueIndex || qs is < 0 or > SmmuQueue.MaxLog2Size))
        {
            throw new CliUsageException(register.IsQueueIndex
                ? $"--log2size {qs}: a queue's LOG2SIZE is 0 to {SmmuQueue.MaxLog2Size}."
                : $"--log2size applies to queue PROD/CONS registers, not {register.Name}.");
        }

        string width = register.Is64Bit ? "X16" : "X8";
        string title = string.Create(CultureInfo.InvariantCulture, $"{register.Name} (offset 0x{register.Offset:X}) = 0x{value.ToString(width, CultureInfo.InvariantCulture)}");
        context.Console.Write(FieldTable.Create(title, register.Describe(value, log2Size)));
        return 0;
    }

    private readonly record struct PteOptions(int Stage, int Level, string Granule);
}
