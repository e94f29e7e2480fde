using System.Globalization;

namespace ArmSmmu.Structures;

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

/// <summary>IDR2 (IHI0070 §6.3.3, digest 1.5): where the VATOS page is.</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct Idr2Register(uint Value)
{
    /// <summary>BA_VATOS, [9:0]: offset of the VATOS page from page 0, in 64 KB units (0 when VATOS is absent).</summary>
    public uint BA_VATOS => (uint)Bits.Extract(Value, 9, 0);

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("BA_VATOS", 0, Value, 9, 0, v => v == 0 ? "0 (no VATOS page)" : string.Create(CultureInfo.InvariantCulture, $"{v} (offset 0x{v << 16:X})"))
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("Idr2", Value, Describe());
}

/// <summary>Which queue index register a value was read from: the fields above the index differ (digest 1.9).</summary>
public enum QueueIndexRole
{
    /// <summary>CMDQ_PROD: WR only.</summary>
    CommandProducer,

    /// <summary>CMDQ_CONS: RD and ERR [30:24].</summary>
    CommandConsumer,

    /// <summary>EVENTQ_PROD / PRIQ_PROD: WR and OVFLG [31].</summary>
    OverflowingProducer,

    /// <summary>EVENTQ_CONS / PRIQ_CONS: RD and OVACKFLG [31].</summary>
    OverflowingConsumer,
}

/// <summary>Decodes queue PROD/CONS register values (IHI0070 §3.5.1, §6.3.25-33; digest 1.9, 1.10).</summary>
public static class QueueIndexRegister
{
    /// <summary>
    /// Every field of a PROD or CONS value. With the queue's LOG2SIZE the WR/RD field splits into index [QS-1:0] and
    /// wrap [QS]; without it the field is shown whole as [19:0].
    /// </summary>
    /// <param name="value">The register value.</param>
    /// <param name="role">Which register it is.</param>
    /// <param name="log2Size">The queue's LOG2SIZE (0..19), or null when unknown.</param>
    /// <returns>The decoded fields, high bits first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="log2Size"/> outside 0..19.</exception>
    public static IReadOnlyList<DecodedField> Describe(uint value, QueueIndexRole role, int? log2Size = null)
    {
        var f = new FieldText();
        switch (role)
        {
            case QueueIndexRole.CommandConsumer:
                f.Add("ERR", 0, value, 30, 24, v => FieldText.Dec(v) + " " + ErrorText(v));
                break;
            case QueueIndexRole.OverflowingProducer:
                f.Flag("OVFLG", 0, value, 31, "overflow (toggled)", "no overflow (toggled)");
                break;
            case QueueIndexRole.OverflowingConsumer:
                f.Flag("OVACKFLG", 0, value, 31, "acknowledged overflow flag", "acknowledged overflow flag");
                break;
        }

        bool producer = role is QueueIndexRole.CommandProducer or QueueIndexRole.OverflowingProducer;
        string name = producer ? "WR" : "RD";
        if (log2Size is int qs)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(qs, nameof(log2Size));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(qs, QueuePointer.MaxLog2Size, nameof(log2Size));
            f.Flag(name + "_WRAP", 0, value, qs, "wrap flag", "wrap flag");
            if (qs > 0)
            {
                f.Add(name, 0, value, qs - 1, 0, FieldText.Dec);
            }
        }
        else
        {
            f.Add(name, 0, value, 19, 0, v => FieldText.Hex(v) + " (index and wrap; the split depends on the queue's LOG2SIZE)");
        }

        return f.Fields;
    }

    private static string ErrorText(ulong v) => v switch
    {
        0 => "CERROR_NONE",
        1 => "CERROR_ILL",
        2 => "CERROR_ABT",
        3 => "CERROR_ATC_INV_SYNC",
        _ => "reserved",
    };
}
