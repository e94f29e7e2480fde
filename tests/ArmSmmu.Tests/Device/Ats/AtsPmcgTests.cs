using ArmSmmu.Tests.Device.Pmcg;

namespace ArmSmmu.Tests.Device.Ats;

/// <summary>The PMCG's ATS events (IHI0070 §10.3: event 6, PCIe ATS Translation Requests; event 7, ATS Translated transactions).</summary>
public class AtsPmcgTests
{
    [Fact]
    public void Section_10_3_events_6_and_7_count_translation_requests_and_translated_transactions_per_stream()
    {
        var ats = new AtsHarness();
        var pmcg = new PmcgHarness(ats.H);
        pmcg.Count(0, PmcgEvent.AtsTranslationRequests);
        pmcg.Count(1, PmcgEvent.AtsTranslatedTransactions);
        pmcg.Count(2, PmcgEvent.Transactions);
        pmcg.Count(3, PmcgEvent.AtsTranslationRequests, smr: AtsHarness.Sid + 1, span: false); // another StreamID only

        // Two Translation Requests straight to the ATS port, one through Translate, and two Translated transactions.
        Assert.True(ats.Request(AtsHarness.ReadWriteVa, AccessKind.Write).Permits(AccessKind.Write));
        Assert.False(ats.Request(AtsHarness.UnmappedVa, AccessKind.Read).Permits(AccessKind.Read));
        ats.Smmu.Translate(new TranslationRequest(AtsHarness.Sid, AtsHarness.ReadOnlyVa, AccessKind.Read, Kind: TransactionKind.AtsTranslationRequest));
        Assert.Equal(TranslationOutcome.Bypassed, ats.Translated(AtsHarness.ReadWritePa).Outcome); // CR0.ATSCHK = 0: passed as is (§3.9.1.3)
        Assert.Equal(TranslationOutcome.Bypassed, ats.Translated(AtsHarness.ReadOnlyPa).Outcome);

        Assert.Equal(3UL, pmcg.Read(0));
        Assert.Equal(2UL, pmcg.Read(1));
        Assert.Equal(5UL, pmcg.Read(2)); // event 1 counts every transaction the SMMU sees, ATS requests included
        Assert.Equal(0UL, pmcg.Read(3)); // the StreamID filter of counter 3 matches no ATS traffic here
    }
}
