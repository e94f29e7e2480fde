namespace ArmSmmu.Cli.Replay;

/// <summary>A row where the model did not do what the recorded platform did.</summary>
/// <param name="Row">1-based number of the row (data rows, not counting the header).</param>
/// <param name="StreamId">The StreamID.</param>
/// <param name="Iova">The input address, hex.</param>
/// <param name="Access">"read", "write" or "exec".</param>
/// <param name="Expected">What the platform did, e.g. "0x4801F002" or "F_TRANSLATION".</param>
/// <param name="Got">What the model did.</param>
/// <param name="Explanation">The steps the model took (SmmuV3.Explain), one line each.</param>
internal sealed record Disagreement(long Row, uint StreamId, string Iova, string Access, string Expected, string Got, IReadOnlyList<string> Explanation);
