using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// Isolation: after the invalidation the architecture prescribes and a CMD_SYNC, every translation of every stream
/// equals an independent walk of the tables as they are now (IHI0070 §3.21, §4.4.2): no stale entry, no leak across
/// ASIDs, VMIDs, substreams or streams. The short run is part of the suite; ARMSMMU_ISOLATION_TRANSLATIONS sets a
/// long run, ARMSMMU_ISOLATION_PROGRAM replays a saved counterexample (docs/reliability.md).
/// </summary>
public class IsolationPropertyTests(ITestOutputHelper output)
{
    private const long ShortRunTranslations = 30_000;
    private static readonly ThreadLocal<long> LastTranslations = new();

    [Fact]
    public void Every_translation_equals_the_reference_walk_after_the_prescribed_invalidation()
    {
        var options = new IsolationOptions();
        if (Environment.GetEnvironmentVariable("ARMSMMU_ISOLATION_PROGRAM") is { Length: > 0 } saved)
        {
            Replay(ParseProgram(File.ReadAllText(saved)), options);
            return;
        }

        long target = Environment.GetEnvironmentVariable("ARMSMMU_ISOLATION_TRANSLATIONS") is { Length: > 0 } text
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : ShortRunTranslations;
        long translations = 0;
        long programs = 0;
        while (Interlocked.Read(ref translations) < target)
        {
            Gen.UInt.Array[20, 1500].Sample(program =>
            {
                if (Run(program, options) is { } failure)
                {
                    var minimal = ProgramShrinker.Minimize(program, p => Run(p, options) is not null);
                    throw new IsolationViolationException(
                        $"{Run(minimal, options)!.Message}\nminimal program: [{string.Join(", ", minimal)}]\noriginal failure: {failure.Message.Split('\n')[0]}");
                }

                Interlocked.Add(ref translations, LastTranslations.Value);
                Interlocked.Increment(ref programs);
            }, iter: 200);
        }

        output.WriteLine($"{programs} programs, {translations} translations checked against the reference walker");
    }

    /// <summary>
    /// Programs the property shrank when it found a bug, each failed before the fix and must pass now: the nested-TLBI
    /// bug of issue #14 (a VA-scoped TLBI left the other stage-2-sized pieces of a larger stage-1 block cached), and a
    /// generator bug (a TTB0 leaf unmapped through TTB1's table, invalidated at the TTB0 address: seed 4WuOUysXDMJ2,
    /// docs/reliability.md).
    /// </summary>
    [Theory]
    [InlineData("nested-tlbi-1g-block-over-16k-pages.txt")]
    [InlineData("nested-tlbi-32m-block-over-16k-pages.txt")]
    [InlineData("ttb0-leaf-unmapped-in-ttb1-table.txt")]
    public void Counterexamples_found_by_the_property_stay_fixed(string name)
    {
        var program = ParseProgram(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reliability", "Counterexamples", name)));
        var world = new IsolationWorld(new Choices(program), new IsolationOptions());
        world.Run();
        Assert.True(world.Translations > 0);
    }

    private void Replay(uint[] program, IsolationOptions options)
    {
        if (Run(program, options) is not null)
        {
            var minimal = ProgramShrinker.Minimize(program, p => Run(p, options) is not null, budget: 100_000);
            Assert.Fail($"{Run(minimal, options)!.Message}\nminimal program: [{string.Join(", ", minimal)}]");
        }

        var world = new IsolationWorld(new Choices(program), options);
        world.Run();
        output.WriteLine(world.Transcript);
    }

    /// <summary>A program as the failure message prints it: "[1, 2, 3]".</summary>
    private static uint[] ParseProgram(string text) =>
        [.. text.Trim().Trim('[', ']').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => uint.Parse(t, CultureInfo.InvariantCulture))];

    private static IsolationViolationException? Run(uint[] program, IsolationOptions options)
    {
        var world = new IsolationWorld(new Choices(program), options);
        try
        {
            world.Run();
            LastTranslations.Value = world.Translations;
            return null;
        }
        catch (IsolationViolationException e)
        {
            return e;
        }
    }
}
