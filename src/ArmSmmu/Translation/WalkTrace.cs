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
/// <param name="Granule">Granule of the table holding the descriptor.</param>
/// <param name="Lpa2">The walk uses the FEAT_LPA2 descriptor format (effective DS with the 4K or 16K granule).</param>
internal readonly record struct WalkTraceStep(
    WalkTraceAction Action, bool Stage2, FaultClass Purpose, sbyte Level, ulong DescriptorAddress, ulong PhysicalAddress, ulong Descriptor,
    Granule Granule, bool Lpa2)
{
    /// <summary>
    /// The output address a leaf <paramref name="descriptor"/> at this step's level holds, decoded as this walk decodes
    /// it (OA[51:48] in bits [15:12] with the 64K granule, OA[51:50] in bits [9:8] with LPA2; DDI0487 D8.3).
    /// </summary>
    /// <param name="descriptor">A block or page descriptor of this step's table (this step's or another value of it).</param>
    /// <returns>The output address of the block or page.</returns>
    public ulong OutputAddress(ulong descriptor) => Translation.Descriptor.OutputAddress(descriptor, Granule, Granule.LevelShift(Level), Lpa2);

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
