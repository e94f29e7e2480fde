using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// Isolation: after the invalidation the architecture prescribes and a CMD_SYNC, every translation of every stream
/// equals an independent walk of the tables as they are now (IHI0070 §3.21, §4.4.2): no stale entry, no leak across
/// ASIDs, VMIDs, substreams or streams. The short run is part of the suite; ARMSMMU_ISOLATION_TRANSLATIONS sets a
/// long run (docs/reliability.md).
/// </summary>
public class IsolationPropertyTests(ITestOutputHelper output)
{
    private const long ShortRunTranslations = 30_000;

    [Fact]
    public void Every_translation_equals_the_reference_walk_after_the_prescribed_invalidation()
    {
        long target = Environment.GetEnvironmentVariable("ARMSMMU_ISOLATION_TRANSLATIONS") is { Length: > 0 } text
            ? long.Parse(text, CultureInfo.InvariantCulture)
            : ShortRunTranslations;
        var options = new IsolationOptions();
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

                Interlocked.Add(ref translations, _lastTranslations.Value);
                Interlocked.Increment(ref programs);
            }, iter: 200);
        }

        output.WriteLine($"{programs} programs, {translations} translations checked against the reference walker");
    }

    private static readonly ThreadLocal<long> _lastTranslations = new();

    private static IsolationViolationException? Run(uint[] program, IsolationOptions options)
    {
        var world = new IsolationWorld(new Choices(program), options);
        try
        {
            world.Run();
            _lastTranslations.Value = world.Translations;
            return null;
        }
        catch (IsolationViolationException e)
        {
            return e;
        }
    }
}
