using ArmSmmu.Structures;

namespace ArmSmmu.Cli.Decoding;

/// <summary>A record <c>smmu decode</c> knows: its name on the command line, its size and its decoder in ArmSmmu.Structures.</summary>
/// <param name="Name">Command-line name (<c>ste</c>, <c>cd</c>, ...).</param>
/// <param name="Title">What it is, with its spec section.</param>
/// <param name="Words">Number of 64-bit words in the record.</param>
/// <param name="Describe">The Structures decoder, given exactly <paramref name="Words"/> words.</param>
internal sealed record RecordKind(string Name, string Title, int Words, Func<ulong[], IReadOnlyList<DecodedField>> Describe)
{
    /// <summary>Every record kind, in the order help lists them.</summary>
    public static IReadOnlyList<RecordKind> All { get; } =
    [
        new("ste", "Stream Table Entry (IHI0070 §5.2)", StreamTableEntry.WordCount, w => new StreamTableEntry(w).Describe()),
        new("cd", "Context Descriptor (IHI0070 §5.4)", ContextDescriptor.WordCount, w => new ContextDescriptor(w).Describe()),
        new("l1std", "Level-1 Stream Table Descriptor (IHI0070 §5.1)", 1, w => new L1StreamTableDescriptor(w[0]).Describe()),
        new("l1cd", "Level-1 Context Descriptor (IHI0070 §5.3)", 1, w => new L1ContextDescriptor(w[0]).Describe()),
        new("cmd", "Command (IHI0070 §4)", Command.WordCount, w => new Command(w).Describe()),
        new("event", "Event record (IHI0070 §7.3)", EventRecord.WordCount, w => new EventRecord(w).Describe()),
        new("pri", "PRI queue entry (IHI0070 §8.1)", PriQueueEntry.WordCount, w => new PriQueueEntry(w).Describe()),
    ];

    /// <summary>The kind named <paramref name="name"/> (case-insensitive), or null.</summary>
    /// <param name="name">A command-line name.</param>
    /// <returns>The kind, or null.</returns>
    public static RecordKind? Find(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));
}
