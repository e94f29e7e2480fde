namespace ArmSmmu.Device;

/// <summary>Which ATC entry an <see cref="AtsEndpoint"/> evicts when it is full.</summary>
public enum AtcReplacement : byte
{
    /// <summary>The least recently used entry.</summary>
    LeastRecentlyUsed,

    /// <summary>The oldest entry, however often it was used.</summary>
    FirstInFirstOut,
}

/// <summary>The geometry and behaviour of an <see cref="AtsEndpoint"/>.</summary>
public sealed record AtsEndpointOptions
{
    /// <summary>A 64-entry LRU ATC with PRI, waiting up to 5 s for a PRG response.</summary>
    public static AtsEndpointOptions Default { get; } = new();

    /// <summary>ATC entries (at least 1).</summary>
    public int AtcEntries { get; init; } = 64;

    /// <summary>Replacement policy of the ATC.</summary>
    public AtcReplacement Replacement { get; init; } = AtcReplacement.LeastRecentlyUsed;

    /// <summary>The function has PRI enabled: a Translation Completion that grants too little leads to a page request and a retry.</summary>
    public bool PageRequests { get; init; } = true;

    /// <summary>How long <see cref="AtsEndpoint.Translate"/> waits for a PRG response before giving up.</summary>
    public TimeSpan PageResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Called on the translating thread right after a page request is issued, before the wait: a host that services
    /// the PRI queue synchronously (the single-threaded <see cref="Driver.Iommu"/>) drains it here. Null when the host
    /// runs on its own thread.
    /// </summary>
    public Action? PageRequestService { get; init; }

    /// <summary>Page requests one translation may issue before it gives up (a page the host maps and unmaps again is requested anew).</summary>
    public int MaxPageRequestsPerTranslation { get; init; } = 4;

    internal void Validate()
    {
        if (AtcEntries < 1)
        {
            throw new ArgumentException($"AtcEntries must be at least 1, got {AtcEntries}.");
        }

        if (PageResponseTimeout <= TimeSpan.Zero || MaxPageRequestsPerTranslation < 1)
        {
            throw new ArgumentException("PageResponseTimeout must be positive and MaxPageRequestsPerTranslation at least 1.");
        }
    }
}

/// <summary>Counters of an <see cref="AtsEndpoint"/>.</summary>
/// <param name="AtcHits">Translations answered from the ATC.</param>
/// <param name="TranslationRequests">ATS Translation Requests sent to the SMMU.</param>
/// <param name="PageRequests">PRI page requests issued.</param>
/// <param name="PageResponses">PRG responses received (automatic ones included).</param>
/// <param name="InvalidationsReceived">ATS Invalidate Requests received.</param>
/// <param name="EntriesInvalidated">ATC entries those requests removed.</param>
/// <param name="Evictions">ATC entries replaced to make room.</param>
public readonly record struct AtsEndpointStatistics(
    long AtcHits, long TranslationRequests, long PageRequests, long PageResponses, long InvalidationsReceived, long EntriesInvalidated, long Evictions);
