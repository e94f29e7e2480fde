using System.Globalization;

namespace ArmSmmu.Structures;

// Stream table, queue and MSI configuration registers (IHI0070 §6.3.21-§6.3.35).
// Declared, with every field and its docs, by the tables in TableAndQueueRegisters.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial record struct StreamTableBaseCfgRegister
{
    private static string FmtText(ulong v) => FieldText.Bin(v, 2) + (v == 1 ? " 2-level" : v == 0 ? " linear" : " reserved (as linear)");
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
