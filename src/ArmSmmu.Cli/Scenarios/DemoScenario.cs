namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// The scenario behind <c>smmu demo</c>: one device of each kind a host attaches (a PASID-capable DMA domain, a guest's
/// stage-2 device, a nested guest device, a bypass stream, an abort stream) and transactions that show a translation of
/// each, plus the faults a driver developer meets first. Kept as a scenario file (Scenarios/demo.json) so it goes
/// through the same loader and runner as <c>smmu run</c>, and so it doubles as an example of the format.
/// </summary>
internal static class DemoScenario
{
    /// <summary>The name used as the source in messages.</summary>
    public const string Source = "demo";

    /// <summary>The scenario text (docs/scenario-format.md): Scenarios/demo.json, shipped inside the tool.</summary>
    public static string Json { get; } = Read();

    /// <summary>The parsed, validated scenario.</summary>
    /// <returns>A new instance each call.</returns>
    public static Scenario Load() => ScenarioLoader.Parse(Json, Source);

    private static string Read()
    {
        using Stream stream = typeof(DemoScenario).Assembly.GetManifestResourceStream("demo.json")
            ?? throw new InvalidOperationException("the demo scenario (demo.json) is not embedded in the tool");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
