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
        var outer = PmcgTally.Begin();
        TranslationResult result;
        PmcgCounts counts;
        try
        {
            result = Translate(request);
        }
        finally
        {
            counts = PmcgTally.End(outer);
        }

        PerformanceMonitor!.Record(request.StreamId, request.Secure, counts);
        return result;
    }

    // The same for a Translation Request a function sends straight to the ATS port (event 6 and its walk).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private AtsCompletion RequestAtsTranslationCounted(in TranslationRequest request)
    {
        var outer = PmcgTally.Begin();
        AtsCompletion completion;
        PmcgCounts counts;
        try
        {
            completion = RequestAtsTranslation(request);
        }
        finally
        {
            counts = PmcgTally.End(outer);
        }

        PerformanceMonitor!.Record(request.StreamId, request.Secure, counts);
        return completion;
    }
}
