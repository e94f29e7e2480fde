namespace ArmSmmu.Cli.Scenarios;

/// <summary>
/// What <see cref="ScenarioRunner"/> saw: the first transactions' results in full, the first failed expectations, the
/// first event records, the tally and the SMMU's counters. A long run keeps only the first rows of each list (the
/// counts cover all of them), so its memory does not grow with the number of transactions.
/// </summary>
/// <param name="Name">The scenario's name, or null.</param>
/// <param name="Transactions">The first transactions, in order (all of them for a short scenario).</param>
/// <param name="Events">The first event records drained from the event queue, oldest first.</param>
/// <param name="Statistics">The SMMU's counters after the last transaction.</param>
public sealed record ScenarioReport(
    string? Name,
    IReadOnlyList<TransactionReport> Transactions,
    IReadOnlyList<EventReport> Events,
    StatisticsReport Statistics)
{
    /// <summary>Transactions run (kept or not).</summary>
    public int TransactionCount { get; init; } = Transactions.Count;

    /// <summary>Event records drained (kept or not).</summary>
    public int EventCount { get; init; } = Events.Count;

    /// <summary>The first transactions whose expectation failed, kept even when they come after <see cref="Transactions"/>.</summary>
    public IReadOnlyList<TransactionReport> Failures { get; init; } = [.. Transactions.Where(t => t.Met == false)];

    /// <summary>Transactions that had an expectation.</summary>
    public int ExpectationsTotal { get; init; } = Transactions.Count(t => t.Met is not null);

    /// <summary>Transactions whose expectation held.</summary>
    public int ExpectationsMet { get; init; } = Transactions.Count(t => t.Met == true);

    /// <summary>True when every expectation held (also when there were none).</summary>
    public bool AllMet => ExpectationsMet == ExpectationsTotal;

    /// <summary>With <c>--check-driver</c>, the driver mistakes the detector found (empty for a correct driver); else null.</summary>
    public IReadOnlyList<DriverCheckLine>? DriverChecks { get; init; }
}

/// <summary>One transaction and what the SMMU did with it. Addresses are numbers, with a hex string beside each for people.</summary>
/// <param name="Index">1-based position in the scenario's transaction list.</param>
/// <param name="StreamId">The StreamID.</param>
/// <param name="Pasid">The PASID (SubstreamID) the transaction carried, or null.</param>
/// <param name="Access">"read", "write" or "exec".</param>
/// <param name="Privileged">A privileged access (PnU = 1).</param>
/// <param name="Address">The input address.</param>
/// <param name="AddressHex">The input address, hex.</param>
/// <param name="Outcome">"translated", "bypassed", "faulted" or "stalled".</param>
/// <param name="Pa">The output address of a translated or bypassed transaction, else null.</param>
/// <param name="PaHex">The output address, hex, else null.</param>
/// <param name="Fault">The event name of the fault that terminated the transaction (e.g. "F_PERMISSION"), or null (none, or an abort stream's silent abort).</param>
/// <param name="FaultRecorded">Whether the fault was written as an event record.</param>
/// <param name="Expected">The expectation as text (e.g. "faulted F_PERMISSION"), or null when the scenario gives none.</param>
/// <param name="Met">Whether the expectation held; null when there was none.</param>
/// <param name="Mismatch">For an expectation that failed, what differed; else null.</param>
/// <param name="Description">The transaction's description from the scenario, or null.</param>
/// <param name="Events">The event records drained right after this transaction (the ones it raised), or null when none.</param>
/// <param name="Explanation">With <c>--explain</c>, for a transaction that did not succeed: the steps the SMMU took (SmmuV3.Explain), one line each.</param>
public sealed record TransactionReport(
    int Index,
    uint StreamId,
    uint? Pasid,
    string Access,
    bool Privileged,
    ulong Address,
    string AddressHex,
    string Outcome,
    ulong? Pa,
    string? PaHex,
    string? Fault,
    bool FaultRecorded,
    string? Expected,
    bool? Met,
    string? Mismatch,
    string? Description,
    IReadOnlyList<EventReport>? Events = null,
    IReadOnlyList<string>? Explanation = null);

/// <summary>One event record read from the event queue, with the fields a reader looks at first (IHI0070 §7.3).</summary>
/// <param name="Transaction">The 1-based index of the transaction after which the record was drained; null for records written while the streams were set up.</param>
/// <param name="Type">The event name, e.g. "F_TRANSLATION".</param>
/// <param name="StreamId">StreamID.</param>
/// <param name="SubstreamId">SubstreamID when the record carries one (SSV = 1), else null.</param>
/// <param name="InputAddress">InputAddr, when the event type has it.</param>
/// <param name="Ipa">The faulting IPA, for a stage-2 fault (S2 = 1); null otherwise.</param>
/// <param name="Class">CLASS ("CD", "TT" or "IN") when the event type has it.</param>
/// <param name="Stage2">S2 (the fault belongs to stage 2) when the event type has it.</param>
/// <param name="Words">The record's four 64-bit words.</param>
/// <param name="WordsHex">The same words in hex, as <c>smmu decode event</c> takes them.</param>
/// <param name="Summary">One line with every field of the record.</param>
public sealed record EventReport(
    int? Transaction,
    string Type,
    uint StreamId,
    uint? SubstreamId,
    ulong? InputAddress,
    ulong? Ipa,
    string? Class,
    bool? Stage2,
    IReadOnlyList<ulong> Words,
    IReadOnlyList<string> WordsHex,
    string Summary);

/// <summary>Counters of the SMMU over the whole run: bring-up, stream setup and every transaction.</summary>
/// <param name="TlbHits">TLB lookups that hit.</param>
/// <param name="TlbMisses">TLB lookups that missed.</param>
/// <param name="TlbHitRate">Hits / lookups, 0 to 1 (0 without lookups).</param>
/// <param name="Walks">Translation table walks.</param>
/// <param name="DescriptorReads">Descriptors read by all walks.</param>
/// <param name="SteCacheHits">STE cache hits.</param>
/// <param name="SteCacheMisses">STE cache misses.</param>
/// <param name="CdCacheHits">CD cache hits.</param>
/// <param name="CdCacheMisses">CD cache misses.</param>
/// <param name="Commands">Commands consumed from the command queue.</param>
/// <param name="EventsWritten">Event records written to the event queue.</param>
/// <param name="EventsDiscarded">Event records the SMMU could not write.</param>
public sealed record StatisticsReport(
    long TlbHits,
    long TlbMisses,
    double TlbHitRate,
    long Walks,
    long DescriptorReads,
    long SteCacheHits,
    long SteCacheMisses,
    long CdCacheHits,
    long CdCacheMisses,
    long Commands,
    long EventsWritten,
    long EventsDiscarded);
