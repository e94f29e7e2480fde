using System.Globalization;
using Microsoft.Coyote;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.SystematicTesting;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ArmSmmu.Coyote;

/// <summary>
/// Runs one scenario under the Coyote testing engine: each iteration is one interleaving of the scenario's tasks,
/// chosen by the engine, with a scheduling point at every Volatile and Interlocked operation, every lock acquisition
/// and every task operation of the (rewritten) cache code.
/// </summary>
internal static class Exploration
{
    /// <summary>Iterations per scenario: 100 in CI, ARMSMMU_COYOTE_ITERATIONS for a long run.</summary>
    public static uint Iterations { get; } =
        uint.TryParse(Environment.GetEnvironmentVariable("ARMSMMU_COYOTE_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out uint n) && n > 0 ? n : 100;

    /// <summary>Explores <paramref name="scenario"/> (stopping at the first bug) and returns the report: bugs found, iterations, steps.</summary>
    public static TestReport Explore(Func<Task> scenario, ITestOutputHelper output, string name, uint? iterations = null)
    {
        // Without the rewriting, Volatile/Interlocked/lock are not scheduling points and nothing is explored.
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(Exploration).Assembly), "ArmSmmu.Coyote.dll was not rewritten by `dotnet coyote rewrite` (see the project file).");
        var configuration = Configuration.Create()
            .WithTestingIterations(iterations ?? Iterations)
            .WithRandomGeneratorSeed(20261201)
            .WithVolatileOperationRaceCheckingEnabled()
            .WithAtomicOperationRaceCheckingEnabled()
            .WithLockAccessRaceCheckingEnabled()
            .WithTelemetryEnabled(false);
        using var engine = TestingEngine.Create(configuration, scenario);
        engine.Run();
        var report = engine.TestReport;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"coyote: {name}: {report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths} interleavings, {report.TotalExploredFairSteps + report.TotalExploredUnfairSteps} scheduling steps, {report.NumOfFoundBugs} bugs"));
        foreach (string bug in report.BugReports)
        {
            output.WriteLine($"coyote: {name}: {bug}");
        }

        return report;
    }

    /// <summary>Explores <paramref name="scenario"/> and fails the test with the engine's report when any interleaving breaks an assertion.</summary>
    public static void ExpectNoBug(Func<Task> scenario, ITestOutputHelper output, string name)
    {
        var report = Explore(scenario, output, name);
        Assert.True(report.NumOfFoundBugs == 0, string.Join(Environment.NewLine, report.BugReports));
        Assert.Equal((int)Iterations, report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths);
    }
}
