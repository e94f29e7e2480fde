using System.Globalization;

namespace ArmSmmu.Structures;

// Stream table, queue and MSI configuration registers (IHI0070 §6.3.21-§6.3.35).

/// <summary>STRTAB_BASE (IHI0070 §6.3.23, digest 1.8).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("RA", 0, 62, 62, Doc = "read-allocate hint.", Set = "read-allocate", Clear = "no read-allocate")]
[Field("Address", 0, 55, 6, Address = true, Spec = "ADDR", Doc = "physical address of the Stream table.")]
public readonly partial record struct StreamTableBaseRegister(ulong Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("StreamTableBase", Value, Describe());
}

/// <summary>STRTAB_BASE_CFG (IHI0070 §6.3.24, digest 1.8).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("FMT", 0, 17, 16, Doc = "00 linear, 01 2-level.", Meaning = nameof(FmtText))]
[Field("SPLIT", 0, 10, 6, Doc = "StreamID bits resolved by a level-2 table: 6, 8 or 10.", Meaning = "FieldText.Dec")]
[Field("LOG2SIZE", 0, 5, 0, Doc = "log2 of the number of StreamIDs.", Meaning = "FieldText.Dec")]
public readonly partial record struct StreamTableBaseCfgRegister(uint Value)
{
    private static string FmtText(ulong v) => FieldText.Bin(v, 2) + (v == 1 ? " 2-level" : v == 0 ? " linear" : " reserved (as linear)");

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("StreamTableBaseCfg", Value, Describe());
}

/// <summary>CMDQ_BASE / EVENTQ_BASE / PRIQ_BASE (IHI0070 §6.3.25-27, digest 1.9).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("ReadWriteAllocate", 0, 62, 62, Doc = "RA (command queue) or WA (event/PRI queues) allocation hint.", Set = "allocate", Clear = "no allocate hint")]
[Field("Address", 0, 55, 5, Address = true, Spec = "ADDR", Doc = "physical address of the queue.")]
[Field("Log2Size", 0, 4, 0, Doc = "log2 of the number of entries.", Meaning = "FieldText.Dec")]
public readonly partial record struct QueueBaseRegister(ulong Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("QueueBase", Value, Describe());
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
            ArgumentOutOfRangeException.ThrowIfGreaterThan(qs, SmmuQueue.MaxLog2Size, nameof(log2Size));
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

    private static string ErrorText(ulong v) => CommandErrorText.SpecName((CommandError)v) ?? "reserved";
}

/// <summary>*_IRQ_CFG0: MSI target address (IHI0070 §6.3.19, digest 1.7). Address 0 = wired interrupt.</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("Address", 0, 55, 2, Address = true, Spec = "ADDR", Doc = "MSI doorbell address.")]
public readonly partial record struct IrqCfg0Register(ulong Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCfg0", Value, Describe());
}

/// <summary>*_IRQ_CFG2: MSI attributes (IHI0070 §6.3.21, digest 1.7).</summary>
/// <param name="Value">The raw register value.</param>
[Record(1, Register = true)]
[Field("LO", 0, 31, 31, Doc = "PRIQ_IRQ_CFG2 only: interrupt only for requests with Last = 1.", Set = "Last only", Clear = "every request")]
[Field("SH", 0, 5, 4, Doc = "MSI shareability.", Meaning = "FieldText.Shareability")]
[Field("MemAttr", 0, 3, 0, Doc = "MSI memory type (STE.MemAttr encoding).", Meaning = "FieldText.MemAttr")]
public readonly partial record struct IrqCfg2Register(uint Value)
{
    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCfg2", Value, Describe());
}
