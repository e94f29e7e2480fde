using System.Diagnostics;
using System.Globalization;
using ArmSmmu.Fuzz;

// The fuzz target (docs/reliability.md):
//   seeds <examples-dir> <corpus-dir>     write the seed corpus from recordings and scenarios
//   run <file-or-dir>...                  run inputs once each (a corpus, or a crash AFL++ found)
//   random <count> [seed] [corpus-dir]    managed loop: <count> mutated inputs, exec/s reported
//   afl                                   the AFL++ target (SharpFuzz in-process persistent loop; see docs)
// Exit code 1 when an input broke an invariant or threw.
switch (args.FirstOrDefault())
{
    case "seeds" when args.Length == 3:
        Console.WriteLine($"fuzz: wrote {SeedCorpus.Write(args[1], args[2])} seed inputs to {args[2]}");
        return 0;
    case "run" when args.Length >= 2:
        return RunFiles(args[1..]);
    case "random" when args.Length >= 2:
        return RunRandom(
            long.Parse(args[1], CultureInfo.InvariantCulture),
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.TickCount,
            args.Length > 3 ? args[3] : null);
    case "afl":
        // SharpFuzz's in-process persistent loop: one process runs every input AFL++ sends (no process start, no JIT
        // per input); an exception escaping the action is reported to AFL++ as a crash.
        var buffer = new MemoryStream();
        SharpFuzz.Fuzzer.Run(stream =>
        {
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            GuestProgram.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    default:
        Console.Error.WriteLine("usage: ArmSmmu.Fuzz seeds <examples-dir> <corpus-dir> | run <file-or-dir>... | random <count> [seed] [corpus-dir] | afl");
        return 2;
}

static int RunFiles(string[] paths)
{
    var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order(StringComparer.Ordinal) : (IEnumerable<string>)[p]).ToList();
    int failures = 0;
    var stopwatch = Stopwatch.StartNew();
    foreach (string file in files)
    {
        if (Execute(File.ReadAllBytes(file)) is { } failure)
        {
            Console.WriteLine($"fuzz: {file}: {failure}");
            failures++;
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"fuzz: {files.Count} inputs, {GuestProgram.Operations:N0} operations, {GuestProgram.Translations:N0} translations ({GuestProgram.SuccessfulTranslations:N0} successful), {failures} failures, {stopwatch.Elapsed.TotalSeconds:F1} s"));
    return failures == 0 ? 0 : 1;
}

static int RunRandom(long count, int seed, string? corpusDirectory)
{
    var random = new Random(seed);
    var corpus = corpusDirectory is null ? [] : Directory.GetFiles(corpusDirectory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
    var stopwatch = Stopwatch.StartNew();
    for (long i = 0; i < count; i++)
    {
        byte[] input = Mutator.Next(random, corpus);
        if (Execute(input) is { } failure)
        {
            string path = Path.Combine(Path.GetTempPath(), $"armsmmu-fuzz-failure-{seed}-{i}");
            File.WriteAllBytes(path, input);
            Console.WriteLine($"fuzz: input {i} (seed {seed}) failed, saved to {path}: {failure}");
            return 1;
        }
    }

    double seconds = stopwatch.Elapsed.TotalSeconds;

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"fuzz: {count:N0} inputs (seed {seed}), {GuestProgram.Operations:N0} operations, {GuestProgram.Translations:N0} translations ({GuestProgram.SuccessfulTranslations:N0} successful), 0 failures, {seconds:F1} s, {count / seconds:N0} exec/s"));
    return 0;
}

static string? Execute(byte[] input)
{
    try
    {
        GuestProgram.Run(input);
        return null;
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        return e.ToString();
    }
}
