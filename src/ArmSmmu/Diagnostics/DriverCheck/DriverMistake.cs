namespace ArmSmmu.Diagnostics.DriverCheck;

/// <summary>What the driver-bug detector (<see cref="SmmuFeatures.CheckDriver"/>) found a driver doing wrong.</summary>
public enum DriverMistake
{
    /// <summary>A cached STE was used after the STE in memory changed, with no CMD_CFGI_STE since (IHI0070 §3.21, §4.3.1).</summary>
    StaleStreamTableEntry,

    /// <summary>A cached CD was used after the CD in memory changed, with no CMD_CFGI_CD since (IHI0070 §3.21, §4.3.3).</summary>
    StaleContextDescriptor,

    /// <summary>A TLB entry was used after the page tables that gave it changed, with no TLBI covering it since (IHI0070 §3.21, §4.4).</summary>
    StaleTranslation,

    /// <summary>A walk resumed from a cached table descriptor that no longer matches memory (a table changed without a non-leaf TLBI, IHI0070 §4.4).</summary>
    StaleWalkCacheEntry,

    /// <summary>An STE or CD whose valid doubleword was written before its other doublewords (IHI0070 §3.21.3.1).</summary>
    TornStructure,

    /// <summary>A TLBI was consumed but no CMD_SYNC followed it before a translation it covers (IHI0070 §3.21, §4.7.3).</summary>
    TlbiWithoutSync,

    /// <summary>A valid page-table leaf was replaced by another valid leaf with a different output address, without an invalid entry in between (break-before-make, Arm ARM D8.16).</summary>
    BreakBeforeMake,
}
