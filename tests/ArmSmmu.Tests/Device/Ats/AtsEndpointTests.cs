namespace ArmSmmu.Tests.Device.Ats;

/// <summary>The device-side ATC of <see cref="AtsEndpoint"/>: size, replacement and what a hit needs.</summary>
public class AtsEndpointTests
{
    private const ulong A = AtsHarness.ReadWriteVa;
    private const ulong B = AtsHarness.ReadOnlyVa;

    private static (AtsEndpoint Endpoint, AtsHarness Harness) TwoEntry(AtcReplacement replacement)
    {
        var a = new AtsHarness();
        a.H.Map4K(a.Root0, AtsHarness.UnmappedVa, 0x8000_2000, DeviceHarness.S1ReadWrite); // a third page, C
        return (new AtsEndpoint(a.Smmu, AtsHarness.Sid, new AtsEndpointOptions { AtcEntries = 2, Replacement = replacement, PageRequests = false }), a);
    }

    [Theory]
    [InlineData(AtcReplacement.LeastRecentlyUsed, false)]
    [InlineData(AtcReplacement.FirstInFirstOut, true)]
    public void A_full_atc_evicts_by_its_policy(AtcReplacement replacement, bool evictsTheReusedEntry)
    {
        var (endpoint, _) = TwoEntry(replacement);
        endpoint.Translate(A, AccessKind.Read);
        endpoint.Translate(B, AccessKind.Read);
        endpoint.Translate(A, AccessKind.Read);                  // hit: A is now the most recently used
        endpoint.Translate(AtsHarness.UnmappedVa, AccessKind.Read); // C evicts B (LRU) or A (FIFO)
        long requests = endpoint.Statistics.TranslationRequests;
        Assert.Equal(1, endpoint.Statistics.Evictions);
        Assert.Equal(2, endpoint.AtcCount);

        endpoint.Translate(A, AccessKind.Read);
        Assert.Equal(evictsTheReusedEntry ? requests + 1 : requests, endpoint.Statistics.TranslationRequests);
    }

    [Fact]
    public void A_cached_read_only_translation_does_not_serve_a_write()
    {
        var (endpoint, _) = TwoEntry(AtcReplacement.LeastRecentlyUsed);
        Assert.True(endpoint.Translate(B, AccessKind.Read).IsSuccess);

        // PCIe ATS: the function may not write a page it was granted R only; it asks again, and is refused.
        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(B, AccessKind.Write).Outcome);
        Assert.Equal(0, endpoint.Statistics.AtcHits);
        Assert.Equal(2, endpoint.Statistics.TranslationRequests);
    }

    [Fact]
    public void Contexts_are_cached_apart()
    {
        var (endpoint, _) = TwoEntry(AtcReplacement.LeastRecentlyUsed);
        Assert.Equal(AtsHarness.ReadWritePa, endpoint.Translate(A, AccessKind.Read).PhysicalAddress);

        // PASID 1 maps other addresses: the no-PASID entry for A must not answer for it.
        Assert.Equal(TranslationOutcome.Faulted, endpoint.Translate(A, AccessKind.Read, pasid: 1).Outcome);
        Assert.Equal(AtsHarness.PasidPa, endpoint.Translate(AtsHarness.PasidVa, AccessKind.Read, pasid: 1).PhysicalAddress);
    }
}
