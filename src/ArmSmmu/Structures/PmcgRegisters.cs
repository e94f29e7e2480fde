using System.Globalization;

namespace ArmSmmu.Structures;

// PMCG identification registers (IHI0070 §10.5.2.13, §10.5.2.16).

/// <summary>SMMU_PMCG_CFGR, what a Performance Monitor Counter Group implements (IHI0070 §10.5.2.13).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("FILTER_PARTID_PMG", 0, 25, 25, Doc = "events can be filtered by MPAM PARTID and PMG (SMMUv3.3).", Set = "set", Clear = "clear")]
[Field("MPAM", 0, 24, 24, Doc = "MSIs carry MPAM PARTID and PMG.", Set = "set", Clear = "clear")]
[Field("SID_FILTER_TYPE", 0, 23, 23, Doc = "1: EVTYPER0/SMR0 filter every counter; 0: one filter per counter.", Set = "one filter (counter 0's)", Clear = "a filter per counter")]
[Field("CAPTURE", 0, 22, 22, Doc = "CAPR and EVTYPER.OVFCAP copy the counters into SVRn.", Set = "set", Clear = "clear")]
[Field("MSI", 0, 21, 21, Doc = "the group can send an MSI.", Set = "set", Clear = "clear")]
[Field("RELOC_CTRS", 0, 20, 20, Doc = "page 1 holds EVCNTRn, SVRn, OVSCLR0/OVSSET0 and CAPR.", Set = "page 1", Clear = "page 0 only")]
[Field("SIZE", 0, 13, 8, Doc = "counter width in bits, minus one.", Meaning = nameof(SizeText))]
[Field("NCTR", 0, 5, 0, Doc = "number of counters, minus one.", Meaning = nameof(NctrText))]
public readonly partial record struct PmcgCfgrRegister(uint Value)
{
    private static string SizeText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({v + 1}-bit counters)");

    private static string NctrText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({v + 1} counters)");

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("PmcgCfgr", Value, Describe());
}

/// <summary>SMMU_PMCG_CEID0, the architected events (0-63) the group counts (IHI0070 §10.5.2.16, §10.3).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("PCIE_ATS_TRANS_PASSED", 0, 7, 7, Doc = "event 7: PCIe ATS Translated transaction passed through.", Set = "set", Clear = "clear")]
[Field("PCIE_ATS_TRANS_RQ", 0, 6, 6, Doc = "event 6: PCIe ATS Translation Request received.", Set = "set", Clear = "clear")]
[Field("CONFIG_STRUCT_ACCESS", 0, 5, 5, Doc = "event 5: configuration structure access.", Set = "set", Clear = "clear")]
[Field("TRANS_TABLE_WALK_ACCESS", 0, 4, 4, Doc = "event 4: translation table walk access.", Set = "set", Clear = "clear")]
[Field("CONFIG_CACHE_MISS", 0, 3, 3, Doc = "event 3: configuration cache miss.", Set = "set", Clear = "clear")]
[Field("TLB_MISS", 0, 2, 2, Doc = "event 2: TLB miss.", Set = "set", Clear = "clear")]
[Field("TRANSACTION", 0, 1, 1, Doc = "event 1: transaction.", Set = "set", Clear = "clear")]
[Field("CYCLES", 0, 0, 0, Doc = "event 0: clock cycle.", Set = "set", Clear = "clear")]
public readonly partial record struct PmcgCeid0Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("PmcgCeid0", Value, Describe());
}
