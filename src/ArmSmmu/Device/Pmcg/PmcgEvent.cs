namespace ArmSmmu.Device;

/// <summary>The architected PMCG events (IHI0070 §10.3), the values of SMMU_PMCG_EVTYPERn.EVENT.</summary>
public enum PmcgEvent : ushort
{
    /// <summary>0: clock cycle. This model has no clock: one cycle is one transaction (any StreamID, not filterable).</summary>
    Cycles = 0,

    /// <summary>1: a transaction or translation request, counted also when it faults or is terminated.</summary>
    Transactions = 1,

    /// <summary>2: a TLB miss caused by a transaction (a lookup that found no entry and walked).</summary>
    TlbMisses = 2,

    /// <summary>3: a configuration cache miss: each STE or CD lookup the transaction made that missed the cache.</summary>
    ConfigCacheMisses = 3,

    /// <summary>4: a translation table walk access: each descriptor read, both stages, including stage-2 walks of CD fetches.</summary>
    TableWalkAccesses = 4,

    /// <summary>5: a configuration structure access: each L1STD, STE, L1CD or CD read from memory.</summary>
    ConfigStructureAccesses = 5,

    /// <summary>6: a PCIe ATS Translation Request received (counted through <c>PmcgTally.CountAtsTranslationRequest</c>).</summary>
    AtsTranslationRequests = 6,

    /// <summary>7: a PCIe ATS Translated transaction passed through (counted through <c>PmcgTally.CountAtsTranslatedTransaction</c>).</summary>
    AtsTranslatedTransactions = 7,
}
