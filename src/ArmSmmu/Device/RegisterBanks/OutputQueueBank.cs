namespace ArmSmmu.Device;

/// <summary>
/// A queue the SMMU produces into — the event queue or the PRI queue — with the interrupt it raises: *_BASE,
/// *_PROD, *_CONS and *_IRQ_CFG0-2 (IHI0070 §6.3.28-§6.3.38).
/// </summary>
internal partial struct OutputQueueBank
{
    /// <summary>Base, PROD (with OVFLG) and CONS (with OVACKFLG).</summary>
    public SmmuQueue Queue;

    /// <summary>The queue's interrupt configuration.</summary>
    public InterruptConfig Irq;

    /// <summary>An empty queue of <paramref name="entrySize"/>-byte entries, its interrupt unconfigured.</summary>
    /// <param name="entrySize">Bytes per entry.</param>
    /// <param name="log2SizeLimit">IDR1's maximum LOG2SIZE for this queue.</param>
    /// <returns>The reset values.</returns>
    public static OutputQueueBank AtReset(int entrySize, int log2SizeLimit) => new() { Queue = new SmmuQueue(entrySize, log2SizeLimit) };
}
