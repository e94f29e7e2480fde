namespace ArmSmmu;

// Diagnostics: Explain runs the real pipeline on a probe device whose caches are off and whose memory is a
// copy-on-write overlay, with an ExplanationRecorder every stage notes its steps to, so the answer is exact and
// the real device and memory are untouched. The pipeline code itself lives in the stages, not here.
public sealed partial class SmmuV3
{
    /// <summary>
    /// Explains how the SMMU translates <paramref name="request"/> now: the registers that matter, the STE and CD
    /// it fetches (and, for an invalid one, which rule of IHI0070 §5.2.2 / §5.4.2 it breaks), the SubstreamID
    /// decisions and every descriptor of the walk, then the result. Nothing is changed: no event is recorded, no
    /// cache is filled, no Access flag or dirty state is written, no stall is left outstanding.
    /// </summary>
    /// <param name="request">The transaction to explain.</param>
    /// <returns>The steps and the result, which equals what <see cref="Translate"/> gives once the caches hold nothing stale.</returns>
    public TranslationExplanation Explain(in TranslationRequest request)
    {
        var recorder = new ExplanationRecorder();
        var probe = new SmmuV3(new OverlayMemory(_memory), Features with { TlbEntries = 0, ConfigCacheEntries = 0, Stage1WalkCacheEntries = 0, Stage2WalkCacheEntries = 0, TableIpaCacheEntries = 0 }, recorder);
        lock (_lock)
        {
            probe.CopyRegistersFrom(this);
        }

        var result = probe.Translate(request);
        recorder.Note("result", result.ToString());
        return new TranslationExplanation(request, result, recorder.Steps);
    }
}
