using System.Globalization;
using ArmSmmu.Soak;

// Concurrency soak (docs/reliability.md):
//   dotnet run --project tests/ArmSmmu.Soak -c Release -- [seconds] [translators] [seed] [stream-name filter]
// Exit code 0 when no translation broke the rule, 1 otherwise.
double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
int translators = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : Math.Max(1, Environment.ProcessorCount);
int seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.TickCount;
var run = new SoakRun(args.Length > 3 ? args[3] : string.Empty);
var result = run.Run(TimeSpan.FromSeconds(seconds), translators, seed);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"soak: {result.Elapsed.TotalSeconds:F1} s, seed {seed}, {translators} translator(s), {run.Configs.Count} streams ({string.Join(", ", run.Configs.Select(c => c.Name))})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"soak: {result.Translations:N0} translations ({result.Translations / result.Elapsed.TotalSeconds:N0}/s), {result.Remaps:N0} remaps with TLBI + CMD_SYNC, {result.Violations} violations"));
Console.WriteLine($"soak: TLB {result.TlbStatistics}");
if (result.FirstViolation is { } first)
{
    Console.WriteLine($"soak: first violation: {first}");
}

return result.Violations == 0 ? 0 : 1;
