using System.Globalization;

namespace ArmSmmu.Structures;

// Control and error registers: CR0-CR2, GBPA, GERROR, IRQ_CTRL (IHI0070 §6.3.9-§6.3.20).

/// <summary>CR0 / CR0ACK (IHI0070 §6.3.9, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Cr0Register(uint Value)
{
    /// <summary>DPT_WALK_EN, [10]: DPT walks enabled (SMMUv3.3).</summary>
    public bool DPT_WALK_EN { get => Bits.IsSet(Value, 10); init => Value = (uint)Bits.With(Value, 10, value); }

    /// <summary>VMW, [8:6]: VMID wildcard: 000 exact; 001..100 ignore VMID[0..3] LSBs in TLBI matching.</summary>
    public uint VMW { get => (uint)Bits.Extract(Value, 8, 6); init => Value = (uint)Bits.Insert(Value, 8, 6, value); }

    /// <summary>ATSCHK, [4]: ATS-translated traffic checked against STE.EATS.</summary>
    public bool ATSCHK { get => Bits.IsSet(Value, 4); init => Value = (uint)Bits.With(Value, 4, value); }

    /// <summary>CMDQEN, [3]: command queue enabled.</summary>
    public bool CMDQEN { get => Bits.IsSet(Value, 3); init => Value = (uint)Bits.With(Value, 3, value); }

    /// <summary>EVENTQEN, [2]: event queue enabled.</summary>
    public bool EVENTQEN { get => Bits.IsSet(Value, 2); init => Value = (uint)Bits.With(Value, 2, value); }

    /// <summary>PRIQEN, [1]: PRI queue enabled.</summary>
    public bool PRIQEN { get => Bits.IsSet(Value, 1); init => Value = (uint)Bits.With(Value, 1, value); }

    /// <summary>SMMUEN, [0]: translation enabled (else GBPA applies).</summary>
    public bool SMMUEN { get => Bits.IsSet(Value, 0); init => Value = (uint)Bits.With(Value, 0, value); }

    /// <summary>The enable bits as flags.</summary>
    public Cr0Flags Flags { get => (Cr0Flags)(Value & 0x1F); init => Value = (Value & ~0x1Fu) | ((uint)value & 0x1F); }

    /// <summary>Bits that CR0ACK reflects: [10], [8:6], [4:0] (IHI0070 §6.3.9: reserved bits are not reflected).</summary>
    public const uint DefinedMask = 0x5DF;

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("DPT_WALK_EN", 0, Value, 10, "set", "clear")
        .Add("VMW", 0, Value, 8, 6)
        .Flag("ATSCHK", 0, Value, 4, "safe ATS checking", "ATS-translated traffic bypasses")
        .Flag("CMDQEN", 0, Value, 3, "enabled", "disabled")
        .Flag("EVENTQEN", 0, Value, 2, "enabled", "disabled")
        .Flag("PRIQEN", 0, Value, 1, "enabled", "disabled")
        .Flag("SMMUEN", 0, Value, 0, "Stream table in use", "GBPA bypass/abort")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr0", Value, Describe());
}

/// <summary>CR1, table and queue access attributes (IHI0070 §6.3.10, digest 1.6). Cacheability uses the CR1 encoding, not RGN.</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Cr1Register(uint Value)
{
    /// <summary>TABLE_SH, [11:10]: shareability of table walks.</summary>
    public uint TABLE_SH { get => (uint)Bits.Extract(Value, 11, 10); init => Value = (uint)Bits.Insert(Value, 11, 10, value); }

    /// <summary>TABLE_OC, [9:8]: outer cacheability of table walks.</summary>
    public uint TABLE_OC { get => (uint)Bits.Extract(Value, 9, 8); init => Value = (uint)Bits.Insert(Value, 9, 8, value); }

    /// <summary>TABLE_IC, [7:6]: inner cacheability of table walks.</summary>
    public uint TABLE_IC { get => (uint)Bits.Extract(Value, 7, 6); init => Value = (uint)Bits.Insert(Value, 7, 6, value); }

    /// <summary>QUEUE_SH, [5:4]: shareability of queue accesses.</summary>
    public uint QUEUE_SH { get => (uint)Bits.Extract(Value, 5, 4); init => Value = (uint)Bits.Insert(Value, 5, 4, value); }

    /// <summary>QUEUE_OC, [3:2]: outer cacheability of queue accesses.</summary>
    public uint QUEUE_OC { get => (uint)Bits.Extract(Value, 3, 2); init => Value = (uint)Bits.Insert(Value, 3, 2, value); }

    /// <summary>QUEUE_IC, [1:0]: inner cacheability of queue accesses.</summary>
    public uint QUEUE_IC { get => (uint)Bits.Extract(Value, 1, 0); init => Value = (uint)Bits.Insert(Value, 1, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("TABLE_SH", 0, Value, 11, 10, FieldText.Shareability)
        .Add("TABLE_OC", 0, Value, 9, 8, FieldText.Cr1Cacheability)
        .Add("TABLE_IC", 0, Value, 7, 6, FieldText.Cr1Cacheability)
        .Add("QUEUE_SH", 0, Value, 5, 4, FieldText.Shareability)
        .Add("QUEUE_OC", 0, Value, 3, 2, FieldText.Cr1Cacheability)
        .Add("QUEUE_IC", 0, Value, 1, 0, FieldText.Cr1Cacheability)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr1", Value, Describe());
}

/// <summary>CR2 (IHI0070 §6.3.11, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Cr2Register(uint Value)
{
    /// <summary>REC_CFG_ATS, [3]: record configuration errors for ATS traffic.</summary>
    public bool REC_CFG_ATS { get => Bits.IsSet(Value, 3); init => Value = (uint)Bits.With(Value, 3, value); }

    /// <summary>PTM, [2]: private TLB maintenance: ignore broadcast TLBI.</summary>
    public bool PTM { get => Bits.IsSet(Value, 2); init => Value = (uint)Bits.With(Value, 2, value); }

    /// <summary>RECINVSID, [1]: record C_BAD_STREAMID for out-of-range StreamIDs.</summary>
    public bool RECINVSID { get => Bits.IsSet(Value, 1); init => Value = (uint)Bits.With(Value, 1, value); }

    /// <summary>E2H, [0]: STRW = 0b10 selects EL2-E2H rather than EL2.</summary>
    public bool E2H { get => Bits.IsSet(Value, 0); init => Value = (uint)Bits.With(Value, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("REC_CFG_ATS", 0, Value, 3, "record", "do not record")
        .Flag("PTM", 0, Value, 2, "private", "broadcast honoured")
        .Flag("RECINVSID", 0, Value, 1, "record", "do not record")
        .Flag("E2H", 0, Value, 0, "EL2-E2H", "EL2")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Cr2", Value, Describe());
}

/// <summary>GBPA, global bypass attributes (IHI0070 §6.3.14, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct GbpaRegister(uint Value)
{
    /// <summary>Update, [31]: write 1 with the new value; cleared by the SMMU once applied.</summary>
    public bool Update { get => Bits.IsSet(Value, 31); init => Value = (uint)Bits.With(Value, 31, value); }

    /// <summary>ABORT, [20]: abort all incoming Non-secure transactions while SMMUEN = 0.</summary>
    public bool ABORT { get => Bits.IsSet(Value, 20); init => Value = (uint)Bits.With(Value, 20, value); }

    /// <summary>INSTCFG, [19:18]: instruction/data override.</summary>
    public uint INSTCFG { get => (uint)Bits.Extract(Value, 19, 18); init => Value = (uint)Bits.Insert(Value, 19, 18, value); }

    /// <summary>PRIVCFG, [17:16]: privilege override.</summary>
    public uint PRIVCFG { get => (uint)Bits.Extract(Value, 17, 16); init => Value = (uint)Bits.Insert(Value, 17, 16, value); }

    /// <summary>SHCFG, [13:12]: shareability override (01 use incoming).</summary>
    public uint SHCFG { get => (uint)Bits.Extract(Value, 13, 12); init => Value = (uint)Bits.Insert(Value, 13, 12, value); }

    /// <summary>ALLOCCFG, [11:8]: allocation hints override.</summary>
    public uint ALLOCCFG { get => (uint)Bits.Extract(Value, 11, 8); init => Value = (uint)Bits.Insert(Value, 11, 8, value); }

    /// <summary>MTCFG, [4]: memory type from MemAttr.</summary>
    public bool MTCFG { get => Bits.IsSet(Value, 4); init => Value = (uint)Bits.With(Value, 4, value); }

    /// <summary>MemAttr, [3:0]: memory type override (STE.MemAttr encoding).</summary>
    public uint MemAttr { get => (uint)Bits.Extract(Value, 3, 0); init => Value = (uint)Bits.Insert(Value, 3, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("Update", 0, Value, 31, "update in progress", "complete")
        .Flag("ABORT", 0, Value, 20, "abort", "bypass")
        .Add("INSTCFG", 0, Value, 19, 18, FieldText.InstCfg)
        .Add("PRIVCFG", 0, Value, 17, 16, FieldText.PrivCfg)
        .Add("SHCFG", 0, Value, 13, 12, FieldText.ShareabilityOverride)
        .Add("ALLOCCFG", 0, Value, 11, 8, FieldText.AllocCfg)
        .Flag("MTCFG", 0, Value, 4, "MemAttr", "incoming type")
        .Add("MemAttr", 0, Value, 3, 0, FieldText.MemAttr)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Gbpa", Value, Describe());
}

/// <summary>GERROR / GERRORN (IHI0070 §6.3.17-18, digest 1.7): an error is active while the two registers differ in its bit.</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct GerrorRegister(uint Value)
{
    /// <summary>The error bits as flags.</summary>
    public GerrorFlags Flags => (GerrorFlags)Value;

    /// <summary>Every field with its position and meaning (a set bit in GERROR alone is not yet an active error).</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("DPT_ERR", 0, Value, 10, "toggled: DPT lookup error", "no change")
        .Flag("CMDQP_ERR", 0, Value, 9, "toggled: ECMDQ error", "no change")
        .Flag("SFM_ERR", 0, Value, 8, "toggled: service failure mode entered", "no change")
        .Flag("MSI_GERROR_ABT_ERR", 0, Value, 7, "toggled: GERROR MSI aborted", "no change")
        .Flag("MSI_PRIQ_ABT_ERR", 0, Value, 6, "toggled: PRI queue MSI aborted", "no change")
        .Flag("MSI_EVENTQ_ABT_ERR", 0, Value, 5, "toggled: event queue MSI aborted", "no change")
        .Flag("MSI_CMDQ_ABT_ERR", 0, Value, 4, "toggled: CMD_SYNC MSI aborted", "no change")
        .Flag("PRIQ_ABT_ERR", 0, Value, 3, "toggled: PRI queue access aborted", "no change")
        .Flag("EVENTQ_ABT_ERR", 0, Value, 2, "toggled: event queue access aborted", "no change")
        .Flag("CMDQ_ERR", 0, Value, 0, "toggled: command error, reason in CMDQ_CONS.ERR", "no change")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Gerror", Value, Describe());
}

/// <summary>IRQ_CTRL / IRQ_CTRLACK (IHI0070 §6.3.15-16, digest 1.6).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct IrqCtrlRegister(uint Value)
{
    /// <summary>The enable bits as flags.</summary>
    public IrqCtrlFlags Flags => (IrqCtrlFlags)(Value & 7);

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("EVENTQ_IRQEN", 0, Value, 2, "event queue interrupt enabled", "disabled")
        .Flag("PRIQ_IRQEN", 0, Value, 1, "PRI queue interrupt enabled", "disabled")
        .Flag("GERROR_IRQEN", 0, Value, 0, "global error interrupt enabled", "disabled")
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCtrl", Value, Describe());
}
