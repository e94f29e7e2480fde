using ArmSmmu.Diagnostics;
using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Decoding;

/// <summary>A record <c>smmu decode</c> knows: its name on the command line, its size and its decoder in ArmSmmu.Structures.</summary>
/// <param name="Name">Command-line name (<c>ste</c>, <c>cd</c>, ...).</param>
/// <param name="Title">What it is, with its spec section.</param>
/// <param name="Words">Number of 64-bit words in the record.</param>
/// <param name="Describe">The Structures decoder, given exactly <paramref name="Words"/> words.</param>
/// <param name="Check">For STEs and CDs, the device's own checks (<see cref="ConfigurationCheck"/>): the event raised and the rule broken, or null when valid.</param>
internal sealed record RecordKind(string Name, string Title, int Words, Func<ulong[], IReadOnlyList<DecodedField>> Describe, Func<ulong[], SmmuFeatures, (string Event, string Rule)?>? Check = null)
{
    /// <summary>Every record kind, in the order help lists them.</summary>
    public static IReadOnlyList<RecordKind> All { get; } =
    [
        new("ste", "Stream Table Entry (IHI0070 §5.2)", StreamTableEntry.WordCount, w => new StreamTableEntry(w).Describe(), CheckSte),
        new("cd", "Context Descriptor (IHI0070 §5.4)", ContextDescriptor.WordCount, w => new ContextDescriptor(w).Describe(), CheckCd),
        new("l1std", "Level-1 Stream Table Descriptor (IHI0070 §5.1)", 1, w => new L1StreamTableDescriptor(w[0]).Describe()),
        new("l1cd", "Level-1 Context Descriptor (IHI0070 §5.3)", 1, w => new L1ContextDescriptor(w[0]).Describe()),
        new("cmd", "Command (IHI0070 §4)", Command.WordCount, w => new Command(w).Describe()),
        new("event", "Event record (IHI0070 §7.3)", EventRecord.WordCount, w => new EventRecord(w).Describe()),
        new("pri", "PRI queue entry (IHI0070 §8.1)", PriQueueEntry.WordCount, w => new PriQueueEntry(w).Describe()),
    ];

    // IHI0070 §5.2.2: an STE with V = 0 or an ILLEGAL field combination is C_BAD_STE.
    private static (string Event, string Rule)? CheckSte(ulong[] words, SmmuFeatures features) =>
        ConfigurationCheck.SteProblem(new StreamTableEntry(words), features) is string rule ? ("C_BAD_STE", rule) : null;

    // IHI0070 §5.4.2: likewise C_BAD_CD for a CD.
    private static (string Event, string Rule)? CheckCd(ulong[] words, SmmuFeatures features) =>
        features.Stage1
            ? ConfigurationCheck.CdProblem(new ContextDescriptor(words), features) is string rule ? ("C_BAD_CD", rule) : null
            : ("C_BAD_STE", "the SMMU has no stage 1 (IDR0.S1P = 0), so no STE may point at a CD");

    /// <summary>The kind named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">A command-line name.</param>
    /// <returns>The kind, or null.</returns>
    public static RecordKind? Find(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
}
