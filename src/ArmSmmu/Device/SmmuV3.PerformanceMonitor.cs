using System.Runtime.CompilerServices;

namespace ArmSmmu;

// The device side of the PMCG (IHI0070 chapter 10): feeding it the events of each transaction, and its interrupt.
public sealed partial class SmmuV3
{
    // True while the PMCG has an enabled counter (CR.E and a CNTEN bit with a countable event): the one test the
    // translation path pays for the PMCG when it counts nothing.
    private volatile bool _pmcgCounting;

    /// <summary>The Performance Monitor Counter Group attached to this SMMU (IHI0070 chapter 10); null when <see cref="SmmuFeatures.PerformanceMonitor"/> is.</summary>
    public SmmuPerformanceMonitor? PerformanceMonitor { get; }

    internal void SetPerformanceMonitorCounting(bool counting) => _pmcgCounting = counting;

    internal void RaisePerformanceMonitorInterrupt() => RaiseWired(SmmuInterrupt.PerformanceMonitor);

    // Translates with the PMCG's per-thread tally armed, then hands the transaction's events to the PMCG.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateCounted(in TranslationRequest request)
    {
        using var tally = new CountedTransaction(this, request);
        return Translate(request);
    }

    // The same for a Translation Request a function sends straight to the ATS port (event 6 and its walk).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private AtsCompletion RequestAtsTranslationCounted(in TranslationRequest request)
    {
        using var tally = new CountedTransaction(this, request);
        return RequestAtsTranslation(request);
    }

    // One transaction's tally: armed on creation, handed to the PMCG against the StreamID when disposed.
    private readonly ref struct CountedTransaction
    {
        private readonly SmmuV3 _smmu;
        private readonly uint _streamId;
        private readonly bool _secure;
        private readonly (bool Armed, PmcgCounts Counts) _outer;

        public CountedTransaction(SmmuV3 smmu, in TranslationRequest request)
        {
            _smmu = smmu;
            _streamId = request.StreamId;
            _secure = request.Secure;
            _outer = PmcgTally.Begin();
        }

        public void Dispose() => _smmu.PerformanceMonitor!.Record(_streamId, _secure, PmcgTally.End(_outer));
    }
}
