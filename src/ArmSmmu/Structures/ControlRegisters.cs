using System.Globalization;

namespace ArmSmmu.Structures;

// Control and error registers: CR0-CR2, GBPA, GERROR, IRQ_CTRL (IHI0070 §6.3.9-§6.3.20).

/// <summary>CR0 / CR0ACK (IHI0070 §6.3.9, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("DPT_WALK_EN", 0, 10, 10, Doc = "DPT walks enabled (SMMUv3.3).", Set = "set", Clear = "clear")]
[Field("VMW", 0, 8, 6, Doc = "VMID wildcard: 000 exact; 001..100 ignore VMID[0..3] LSBs in TLBI matching.")]
[Field("ATSCHK", 0, 4, 4, Doc = "ATS-translated traffic checked against STE.EATS.", Set = "safe ATS checking", Clear = "ATS-translated traffic bypasses")]
[Field("CMDQEN", 0, 3, 3, Doc = "command queue enabled.", Set = "enabled", Clear = "disabled")]
[Field("EVENTQEN", 0, 2, 2, Doc = "event queue enabled.", Set = "enabled", Clear = "disabled")]
[Field("PRIQEN", 0, 1, 1, Doc = "PRI queue enabled.", Set = "enabled", Clear = "disabled")]
[Field("SMMUEN", 0, 0, 0, Doc = "translation enabled (else GBPA applies).", Set = "Stream table in use", Clear = "GBPA bypass/abort")]
public readonly partial record struct Cr0Register(uint Value)
{
    /// <summary>The enable bits as flags.</summary>
    public Cr0Flags Flags { get => (Cr0Flags)(Value & 0x1F); init => Value = (Value & ~0x1Fu) | ((uint)value & 0x1F); }

    /// <summary>Bits that CR0ACK reflects: [10], [8:6], [4:0] (IHI0070 §6.3.9: reserved bits are not reflected).</summary>
    public const uint DefinedMask = 0x5DF;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr0", Value, Describe());
}

/// <summary>CR1, table and queue access attributes (IHI0070 §6.3.10, digest 1.6). Cacheability uses the CR1 encoding, not RGN.</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("TABLE_SH", 0, 11, 10, Doc = "shareability of table walks.", Meaning = "FieldText.Shareability")]
[Field("TABLE_OC", 0, 9, 8, Doc = "outer cacheability of table walks.", Meaning = "FieldText.Cr1Cacheability")]
[Field("TABLE_IC", 0, 7, 6, Doc = "inner cacheability of table walks.", Meaning = "FieldText.Cr1Cacheability")]
[Field("QUEUE_SH", 0, 5, 4, Doc = "shareability of queue accesses.", Meaning = "FieldText.Shareability")]
[Field("QUEUE_OC", 0, 3, 2, Doc = "outer cacheability of queue accesses.", Meaning = "FieldText.Cr1Cacheability")]
[Field("QUEUE_IC", 0, 1, 0, Doc = "inner cacheability of queue accesses.", Meaning = "FieldText.Cr1Cacheability")]
public readonly partial record struct Cr1Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr1", Value, Describe());
}

/// <summary>CR2 (IHI0070 §6.3.11, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("REC_CFG_ATS", 0, 3, 3, Doc = "record configuration errors for ATS traffic.", Set = "record", Clear = "do not record")]
[Field("PTM", 0, 2, 2, Doc = "private TLB maintenance: ignore broadcast TLBI.", Set = "private", Clear = "broadcast honoured")]
[Field("RECINVSID", 0, 1, 1, Doc = "record C_BAD_STREAMID for out-of-range StreamIDs.", Set = "record", Clear = "do not record")]
[Field("E2H", 0, 0, 0, Doc = "STRW = 0b10 selects EL2-E2H rather than EL2.", Set = "EL2-E2H", Clear = "EL2")]
public readonly partial record struct Cr2Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr2", Value, Describe());
}

/// <summary>GBPA, global bypass attributes (IHI0070 §6.3.14, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("Update", 0, 31, 31, Doc = "write 1 with the new value; cleared by the SMMU once applied.", Set = "update in progress", Clear = "complete")]
[Field("ABORT", 0, 20, 20, Doc = "abort all incoming Non-secure transactions while SMMUEN = 0.", Set = "abort", Clear = "bypass")]
[Field("INSTCFG", 0, 19, 18, Doc = "instruction/data override.", Meaning = "FieldText.InstCfg")]
[Field("PRIVCFG", 0, 17, 16, Doc = "privilege override.", Meaning = "FieldText.PrivCfg")]
[Field("SHCFG", 0, 13, 12, Doc = "shareability override (01 use incoming).", Meaning = "FieldText.ShareabilityOverride")]
[Field("ALLOCCFG", 0, 11, 8, Doc = "allocation hints override.", Meaning = "FieldText.AllocCfg")]
[Field("MTCFG", 0, 4, 4, Doc = "memory type from MemAttr.", Set = "MemAttr", Clear = "incoming type")]
[Field("MemAttr", 0, 3, 0, Doc = "memory type override (STE.MemAttr encoding).", Meaning = "FieldText.MemAttr")]
public readonly partial record struct GbpaRegister(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Gbpa", Value, Describe());
}

/// <summary>GERROR / GERRORN (IHI0070 §6.3.17-18, digest 1.7): an error is active while the two registers differ in its bit.</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("DPT_ERR", 0, 10, 10, Set = "toggled: DPT lookup error", Clear = "no change")]
[Field("CMDQP_ERR", 0, 9, 9, Set = "toggled: ECMDQ error", Clear = "no change")]
[Field("SFM_ERR", 0, 8, 8, Set = "toggled: service failure mode entered", Clear = "no change")]
[Field("MSI_GERROR_ABT_ERR", 0, 7, 7, Set = "toggled: GERROR MSI aborted", Clear = "no change")]
[Field("MSI_PRIQ_ABT_ERR", 0, 6, 6, Set = "toggled: PRI queue MSI aborted", Clear = "no change")]
[Field("MSI_EVENTQ_ABT_ERR", 0, 5, 5, Set = "toggled: event queue MSI aborted", Clear = "no change")]
[Field("MSI_CMDQ_ABT_ERR", 0, 4, 4, Set = "toggled: CMD_SYNC MSI aborted", Clear = "no change")]
[Field("PRIQ_ABT_ERR", 0, 3, 3, Set = "toggled: PRI queue access aborted", Clear = "no change")]
[Field("EVENTQ_ABT_ERR", 0, 2, 2, Set = "toggled: event queue access aborted", Clear = "no change")]
[Field("CMDQ_ERR", 0, 0, 0, Set = "toggled: command error, reason in CMDQ_CONS.ERR", Clear = "no change")]
public readonly partial record struct GerrorRegister(uint Value)
{
    /// <summary>The error bits as flags.</summary>
    public GerrorFlags Flags => (GerrorFlags)Value;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Gerror", Value, Describe());
}

/// <summary>IRQ_CTRL / IRQ_CTRLACK (IHI0070 §6.3.15-16, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("EVENTQ_IRQEN", 0, 2, 2, Set = "event queue interrupt enabled", Clear = "disabled")]
[Field("PRIQ_IRQEN", 0, 1, 1, Set = "PRI queue interrupt enabled", Clear = "disabled")]
[Field("GERROR_IRQEN", 0, 0, 0, Set = "global error interrupt enabled", Clear = "disabled")]
public readonly partial record struct IrqCtrlRegister(uint Value)
{
    /// <summary>The enable bits as flags.</summary>
    public IrqCtrlFlags Flags => (IrqCtrlFlags)(Value & 7);

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCtrl", Value, Describe());
}
