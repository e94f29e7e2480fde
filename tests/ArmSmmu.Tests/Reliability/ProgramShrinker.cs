namespace ArmSmmu.Tests.Reliability;

/// <summary>
/// Delta debugging over a choice list (Zeller's ddmin, then value lowering): removes chunks and lowers numbers while
/// the program still fails, so a counterexample reads as the few operations that matter.
/// </summary>
internal static class ProgramShrinker
{
    /// <summary>The smallest failing variant found of <paramref name="program"/>; <paramref name="fails"/> runs one.</summary>
    public static uint[] Minimize(uint[] program, Func<uint[], bool> fails, int budget = 4000)
    {
        var current = program;
        for (int chunk = current.Length / 2; chunk >= 1 && budget > 0; chunk /= 2)
        {
            bool removed = true;
            while (removed && budget > 0)
            {
                removed = false;
                for (int start = 0; start + chunk <= current.Length && budget-- > 0; start += chunk)
                {
                    uint[] candidate = [.. current[..start], .. current[(start + chunk)..]];
                    if (fails(candidate))
                    {
                        current = candidate;
                        removed = true;
                        break;
                    }
                }
            }
        }

        for (int i = 0; i < current.Length && budget > 0; i++)
        {
            foreach (uint smaller in new[] { 0u, 1u, 2u, 3u, current[i] / 2 })
            {
                if (smaller >= current[i] || budget-- <= 0)
                {
                    continue;
                }

                uint[] candidate = [.. current];
                candidate[i] = smaller;
                if (fails(candidate))
                {
                    current = candidate;
                    break;
                }
            }
        }

        return current;
    }
}
