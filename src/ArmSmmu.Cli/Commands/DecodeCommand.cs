using System.CommandLine;
using System.Globalization;
using ArmSmmu.Cli.Decoding;
using ArmSmmu.Device;
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
            Description = "64-bit words in hex (0x optional; spaces, commas or newlines between), or '-' to read them from standard input; "
                + "a pasted Linux arm-smmu-v3 event or CMDQ-error block works, and words for several records decode as several records.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var stage = new Option<int>("--stage") { Description = "pte: translation stage, 1 or 2.", DefaultValueFactory = _ => 1 };
        var level = new Option<int>("--level") { Description = "pte: lookup level, 0 to 3.", DefaultValueFactory = _ => 3 };
        var granule = new Option<string>("--granule") { Description = "pte: granule, 4k, 16k or 64k.", DefaultValueFactory = _ => "4k" };
        var log2Size = new Option<int?>("--log2size") { Description = "reg: the queue's LOG2SIZE, to split a PROD/CONS value into index and wrap." };
        var pad = new Option<bool>("--pad") { Description = "Take the missing words of a short record as 0 (without it, a record needs all its words)." };
        var json = CommandFactory.Json("Print the decoded fields as JSON (name, bits, value, meaning) instead of tables.");
        var features = new FeatureOptions();

        var command = CommandFactory.Create(
            "decode",
            "Decode raw SMMU records, page-table descriptors and register values field by field.",
            parse => Run(
                context,
                parse.GetValue(kind) ?? string.Empty,
                parse.GetValue(words) ?? [],
                new PteOptions(parse.GetValue(stage), parse.GetValue(level), parse.GetValue(granule) ?? "4k"),
                parse.GetValue(log2Size),
                new RecordOptions(parse.GetValue(pad), parse.GetValue(json), () => features.Read(parse))),
            kind,
            words,
            stage,
            level,
            granule,
            log2Size,
            pad,
            json);
        features.AddTo(command);
        return command;
    }

    private static int Run(CliContext context, string kind, string[] arguments, PteOptions pte, int? log2Size, RecordOptions options)
    {
        if (string.Equals(kind, RegKind, StringComparison.OrdinalIgnoreCase))
        {
            return DecodeRegister(context, arguments, log2Size, options.Json);
        }

        if (string.Equals(kind, PteKind, StringComparison.OrdinalIgnoreCase))
        {
            List<ulong> descriptor = ReadWords(context, arguments, PteKind, 1).Words;
            return DecodeDescriptor(context, descriptor[0], pte, options.Json);
        }

        RecordKind record = RecordKind.Find(kind) ?? throw new CliUsageException(
            $"kind '{kind}' is not a record kind; expected one of {string.Join(", ", RecordKind.All.Select(k => k.Name))}, {PteKind}, {RegKind}.");
        (SmmuFeatures features, string featuresName) = options.Features();
        Parsed parsed = HexWords.Parse(arguments, context.Input);
        List<ulong> given = parsed.Words;
        int size = record.Words;
        if (given.Count == 0)
        {
            throw new CliUsageException($"words: no words given for '{record.Name}' (it takes {Plural(size)}).");
        }

        if (given.Count % size != 0 && !options.Pad)
        {
            throw new CliUsageException(given.Count < size
                ? $"words: {Plural(given.Count)} given, but '{record.Name}' takes {Plural(size)}; give all {size}, or add --pad to take the missing ones as 0."
                : $"words: {Plural(given.Count)} given, which is not a whole number of {record.Name} records of {Plural(size)} each; add --pad to take the missing words of the last one as 0.");
        }

        var records = new List<DecodedRecord>();
        for (int start = 0; start < given.Count; start += size)
        {
            var words = new ulong[size];
            int count = Math.Min(size, given.Count - start);
            given.CopyTo(start, words, 0, count);
            ConfigurationVerdict? verdict = record.Check is null ? null : Verdict(record.Check(words, features), featuresName);
            records.Add(new DecodedRecord(words, [.. words.Select(w => $"0x{w:X16}")], count, record.Describe(words), verdict));
        }

        var decoded = new DecodedRecords(record.Name, record.Title, parsed.Log.Count == 0 ? null : parsed.Log, record.Check is null ? null : featuresName, records);
        if (options.Json)
        {
            DecodeJson.Write(context.Output, decoded, DecodeJsonContext.Default.DecodedRecords);
            return 0;
        }

        foreach (string message in parsed.Log)
        {
            context.Output.WriteLine($"log: {message}");
        }

        for (int i = 0; i < records.Count; i++)
        {
            DecodedRecord r = records[i];
            string title = records.Count == 1 ? record.Title : string.Create(CultureInfo.InvariantCulture, $"{record.Title}, record {i + 1} of {records.Count}");
            context.Output.WriteLine($"{record.Name}: {string.Join(' ', r.WordsHex)}");
            if (r.WordsGiven < size)
            {
                context.Output.WriteLine(r.WordsGiven == size - 1
                    ? $"note: {r.WordsGiven} of {size} words given; dw{r.WordsGiven} taken as 0 (--pad)."
                    : $"note: {r.WordsGiven} of {size} words given; dw{r.WordsGiven}..dw{size - 1} taken as 0 (--pad).");
            }

            context.Console.Write(FieldTable.Create(title, r.Fields));
            if (r.Check is not null)
            {
                context.Output.WriteLine(r.Check.Text);
            }
        }

        return 0;
    }

    /// <summary>The device's verdict on an STE or CD, as one line naming the event and the rule (the words Explain uses).</summary>
    private static ConfigurationVerdict Verdict((string Event, string Rule)? problem, string features) => problem is (string ev, string rule)
        ? new ConfigurationVerdict(false, ev, rule, $"{(rule == "V = 0" ? "INVALID" : "ILLEGAL")} ({ev}): {rule} (checked against {features}).")
        : new ConfigurationVerdict(true, null, null, $"valid: the SMMU takes it (checked against {features}, IHI0070 §5.2.2, §5.4.2).");

    private static string Plural(int words) => string.Create(CultureInfo.InvariantCulture, $"{words} word{(words == 1 ? string.Empty : "s")}");

    private static Parsed ReadWords(CliContext context, string[] arguments, string kind, int maximum)
    {
        Parsed parsed = HexWords.Parse(arguments, context.Input);
        if (parsed.Words.Count == 0)
        {
            throw new CliUsageException($"words: no words given for '{kind}' (expected {maximum}).");
        }

        if (parsed.Words.Count > maximum)
        {
            throw new CliUsageException($"words: {parsed.Words.Count} words given, but '{kind}' has {maximum}.");
        }

        return parsed;
    }

    private static int DecodeDescriptor(CliContext context, ulong value, PteOptions options, bool json)
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

        IReadOnlyList<DecodedField> fields = new PageTableDescriptor(value).Describe(options.Stage, options.Level, granule);
        if (json)
        {
            var decoded = new DecodedDescriptor(options.Stage, options.Level, (int)(granule.PageSize >> 10), value, DecodeJson.Hex(value), fields);
            DecodeJson.Write(context.Output, decoded, DecodeJsonContext.Default.DecodedDescriptor);
            return 0;
        }

        string title = string.Create(CultureInfo.InvariantCulture, $"Stage-{options.Stage} descriptor, level {options.Level}, {granule.PageSize >> 10} KB granule (DDI0487 D8.3)");
        context.Output.WriteLine($"pte: 0x{value:X16}");
        context.Console.Write(FieldTable.Create(title, fields));
        return 0;
    }

    private static int DecodeRegister(CliContext context, string[] arguments, int? log2Size, bool json)
    {
        if (arguments.Length == 0)
        {
            throw new CliUsageException("reg: expected a register name or offset and a value, e.g. 'smmu decode reg CR0 0x0C'.");
        }

        RegisterKind register = RegisterKind.Find(arguments[0]);
        List<ulong> values = ReadWords(context, arguments[1..], register.Name, 1).Words;
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

        IReadOnlyList<DecodedField> fields = register.Describe(value, log2Size);
        if (json)
        {
            DecodeJson.Write(context.Output, new DecodedRegister(register.Name, register.Offset, value, DecodeJson.Hex(value), fields), DecodeJsonContext.Default.DecodedRegister);
            return 0;
        }

        string width = register.Is64Bit ? "X16" : "X8";
        string title = string.Create(CultureInfo.InvariantCulture, $"{register.Name} (offset 0x{register.Offset:X}) = 0x{value.ToString(width, CultureInfo.InvariantCulture)}");
        context.Console.Write(FieldTable.Create(title, fields));
        return 0;
    }

    private readonly record struct PteOptions(int Stage, int Level, string Granule);

    private readonly record struct RecordOptions(bool Pad, bool Json, Func<(SmmuFeatures Features, string Name)> Features);
}
