using ArmSmmu.Structures;

namespace ArmSmmu.Diagnostics;

/// <summary>
/// The checks the SMMU applies to an STE or CD when it fetches one (IHI0070 §5.2.2 and §5.4.2), for a structure held
/// outside any device: a decoder or a test asks whether a given entry would be taken or rejected, and by which rule.
/// These are the device's own checks, not a copy of them.
/// </summary>
public static class ConfigurationCheck
{
    // Config 0b101 (stage 1 translates, stage 2 bypasses), S1ContextPtr 0, S1CDMax 0, S1STALLD 0, STRW NS-EL1.
    private static readonly StreamTableEntry Stage1Ste = new(dw0: 1 | (0b101UL << 1));

    /// <summary>
    /// Why the SMMU would reject <paramref name="ste"/> with C_BAD_STE, or null when it would take it
    /// (IHI0070 §5.2.2: V = 0, or an ILLEGAL combination of fields for these features).
    /// </summary>
    /// <param name="ste">The entry.</param>
    /// <param name="features">The device it is checked against.</param>
    /// <param name="e2h">CR2.E2H: only decides which EL2 regime STRW selects; no rule depends on it.</param>
    /// <returns>The rule broken, in the words <see cref="SmmuV3.Explain"/> uses (e.g. "S1CDMax 21 exceeds IDR1.SSIDSIZE 20"), or null.</returns>
    public static string? SteProblem(in StreamTableEntry ste, SmmuFeatures features, bool e2h = false)
    {
        ArgumentNullException.ThrowIfNull(features);
        return ConfigurationDecoder.DecodeSte(ste, 0, features, e2h, out string? problem) is null ? problem : null;
    }

    /// <summary>
    /// Why the SMMU would reject <paramref name="cd"/> with C_BAD_CD when a stream reaches it through a stage-1 STE
    /// that does not set S1STALLD, at NS-EL1 (IHI0070 §5.4.2), or null when it would take it.
    /// </summary>
    /// <param name="cd">The descriptor.</param>
    /// <param name="features">The device it is checked against.</param>
    /// <returns>The rule broken (e.g. "T0SZ 10 is outside 16..39"), or null.</returns>
    public static string? CdProblem(in ContextDescriptor cd, SmmuFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var ste = ConfigurationDecoder.DecodeSte(Stage1Ste, 0, features, e2h: false, out string? steProblem);
        if (ste is null)
        {
            // The only way a plain stage-1 STE is refused: the device has no stage 1, so no CD is ever fetched.
            throw new ArgumentException($"These features cannot use a CD at all: {steProblem}.", nameof(features));
        }

        return ConfigurationDecoder.DecodeCd(cd, 0, ste, features, out string? problem) is null ? problem : null;
    }
}
