using System.Globalization;

namespace ArmSmmu.Structures;

// Stream table, queue and MSI configuration registers (IHI0070 §6.3.21-§6.3.35).

/// <summary>STRTAB_BASE (IHI0070 §6.3.23, digest 1.8).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct StreamTableBaseRegister(ulong Value)
{
    /// <summary>RA, [62]: read-allocate hint.</summary>
    public bool RA { get => Bits.IsSet(Value, 62); init => Value = Bits.With(Value, 62, value); }

    /// <summary>Address, [55:6], as an address kept in place (bits [5:0] zero): physical address of the Stream table.</summary>
    public ulong Address { get => Bits.Address(Value, 55, 6); init => Value = Bits.Insert(Value, 55, 6, value >> 6); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("RA", 0, Value, 62, "read-allocate", "no read-allocate")
        .Address("ADDR", 0, Value, 55, 6)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("StreamTableBase", Value, Describe());
}

/// <summary>STRTAB_BASE_CFG (IHI0070 §6.3.24, digest 1.8).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct StreamTableBaseCfgRegister(uint Value)
{
    /// <summary>FMT, [17:16]: 00 linear, 01 2-level.</summary>
    public uint FMT { get => (uint)Bits.Extract(Value, 17, 16); init => Value = (uint)Bits.Insert(Value, 17, 16, value); }

    /// <summary>SPLIT, [10:6]: StreamID bits resolved by a level-2 table: 6, 8 or 10.</summary>
    public uint SPLIT { get => (uint)Bits.Extract(Value, 10, 6); init => Value = (uint)Bits.Insert(Value, 10, 6, value); }

    /// <summary>LOG2SIZE, [5:0]: log2 of the number of StreamIDs.</summary>
    public uint LOG2SIZE { get => (uint)Bits.Extract(Value, 5, 0); init => Value = (uint)Bits.Insert(Value, 5, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Add("FMT", 0, Value, 17, 16, v => FieldText.Bin(v, 2) + (v == 1 ? " 2-level" : v == 0 ? " linear" : " reserved (as linear)"))
        .Add("SPLIT", 0, Value, 10, 6, FieldText.Dec)
        .Add("LOG2SIZE", 0, Value, 5, 0, FieldText.Dec)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("StreamTableBaseCfg", Value, Describe());
}

/// <summary>CMDQ_BASE / EVENTQ_BASE / PRIQ_BASE (IHI0070 §6.3.25-27, digest 1.9).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct QueueBaseRegister(ulong Value)
{
    /// <summary>ReadWriteAllocate, [62]: RA (command queue) or WA (event/PRI queues) allocation hint.</summary>
    public bool ReadWriteAllocate { get => Bits.IsSet(Value, 62); init => Value = Bits.With(Value, 62, value); }

    /// <summary>Address, [55:5], as an address kept in place (bits [4:0] zero): physical address of the queue.</summary>
    public ulong Address { get => Bits.Address(Value, 55, 5); init => Value = Bits.Insert(Value, 55, 5, value >> 5); }

    /// <summary>Log2Size, [4:0]: log2 of the number of entries.</summary>
    public uint Log2Size { get => (uint)Bits.Extract(Value, 4, 0); init => Value = Bits.Insert(Value, 4, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("ReadWriteAllocate", 0, Value, 62, "allocate", "no allocate hint")
        .Address("ADDR", 0, Value, 55, 5)
        .Add("Log2Size", 0, Value, 4, 0, FieldText.Dec)
        .Fields;

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

    private static string ErrorText(ulong v) => v switch
    {
        0 => "CERROR_NONE",
        1 => "CERROR_ILL",
        2 => "CERROR_ABT",
        3 => "CERROR_ATC_INV_SYNC",
        _ => "reserved",
    };
}

/// <summary>*_IRQ_CFG0: MSI target address (IHI0070 §6.3.19, digest 1.7). Address 0 = wired interrupt.</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct IrqCfg0Register(ulong Value)
{
    /// <summary>Address, [55:2], as an address kept in place (bits [1:0] zero): MSI doorbell address.</summary>
    public ulong Address { get => Bits.Address(Value, 55, 2); init => Value = Bits.Insert(Value, 55, 2, value >> 2); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Address("ADDR", 0, Value, 55, 2)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCfg0", Value, Describe());
}

/// <summary>*_IRQ_CFG2: MSI attributes (IHI0070 §6.3.21, digest 1.7).</summary>
/// <param name="Value">The raw register value.</param>
public readonly record struct IrqCfg2Register(uint Value)
{
    /// <summary>LO, [31]: PRIQ_IRQ_CFG2 only: interrupt only for requests with Last = 1.</summary>
    public bool LO { get => Bits.IsSet(Value, 31); init => Value = (uint)Bits.With(Value, 31, value); }

    /// <summary>SH, [5:4]: MSI shareability.</summary>
    public uint SH { get => (uint)Bits.Extract(Value, 5, 4); init => Value = (uint)Bits.Insert(Value, 5, 4, value); }

    /// <summary>MemAttr, [3:0]: MSI memory type (STE.MemAttr encoding).</summary>
    public uint MemAttr { get => (uint)Bits.Extract(Value, 3, 0); init => Value = (uint)Bits.Insert(Value, 3, 0, value); }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, high bits first.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText()
        .Flag("LO", 0, Value, 31, "Last only", "every request")
        .Add("SH", 0, Value, 5, 4, FieldText.Shareability)
        .Add("MemAttr", 0, Value, 3, 0, FieldText.MemAttr)
        .Fields;

    /// <summary>The register value and its non-zero fields.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => FieldText.Summary("IrqCfg2", Value, Describe());
}
