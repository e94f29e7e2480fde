namespace ArmSmmu.Translation;

/// <summary>What a <see cref="WalkTraceStep"/> records.</summary>
internal enum WalkTraceAction : byte
{
    /// <summary>A descriptor was read.</summary>
    Read,

    /// <summary>A descriptor was atomically updated (Access flag or dirty state, IHI0070 §3.13).</summary>
    Update,
}

/// <summary>One descriptor access of a walk.</summary>
/// <param name="Action">Read or hardware update.</param>
/// <param name="Stage2">The descriptor belongs to a stage-2 table.</param>
/// <param name="Purpose">For stage-2 steps, what the stage-2 walk was for (CD fetch, stage-1 table, input); IN for stage 1.</param>
/// <param name="Level">Lookup level of the descriptor.</param>
/// <param name="DescriptorAddress">Address of the descriptor as the stage sees it (an IPA for a nested stage-1 table).</param>
/// <param name="PhysicalAddress">Physical address of the descriptor.</param>
/// <param name="Descriptor">The value read, or the value written by an update.</param>
internal readonly record struct WalkTraceStep(
    WalkTraceAction Action, bool Stage2, FaultClass Purpose, sbyte Level, ulong DescriptorAddress, ulong PhysicalAddress, ulong Descriptor)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{(Stage2 ? "S2" : "S1")} L{Level} {Action} [{DescriptorAddress:X}{(DescriptorAddress != PhysicalAddress ? $" @PA {PhysicalAddress:X}" : string.Empty)}] = {Descriptor:X16}{(Stage2 && Purpose != FaultClass.IN ? $" ({Purpose})" : string.Empty)}";
}

/// <summary>
/// Records every descriptor access of one walk, for diagnostics ("why did this address fault?"). Pass one to the
/// tracing overloads of <see cref="Walker"/>; the normal overloads never allocate one.
/// </summary>
internal sealed class WalkTrace
{
    private readonly List<WalkTraceStep> _steps = [];

    /// <summary>The steps in the order they happened.</summary>
    public IReadOnlyList<WalkTraceStep> Steps => _steps;

    /// <summary>Forgets the recorded steps so the trace can be reused.</summary>
    public void Clear() => _steps.Clear();

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, _steps);

    internal void Add(in WalkTraceStep step) => _steps.Add(step);
}
