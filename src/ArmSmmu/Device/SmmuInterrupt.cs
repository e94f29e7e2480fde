namespace ArmSmmu.Device;

/// <summary>The interrupt sources of an SMMU (IHI0070 §3.18).</summary>
public enum SmmuInterrupt
{
    /// <summary>The event queue received a record.</summary>
    EventQueue,

    /// <summary>The PRI queue received a page request.</summary>
    PriQueue,

    /// <summary>A global error became active (GERROR).</summary>
    GlobalError,

    /// <summary>A CMD_SYNC with CS = SIG_IRQ completed (with or without an MSI, IHI0070 §3.18.2).</summary>
    CommandSync,

    /// <summary>A WFE wake-up event (CMD_SYNC with CS = SIG_SEV, IDR0.SEV = 1).</summary>
    SendEvent,

    /// <summary>A PMCG counter overflowed with its INTEN bit and IRQEN set (IHI0070 §10.5.2.19).</summary>
    PerformanceMonitor,
}

/// <summary>Arguments of <see cref="SmmuV3.InterruptRaised"/>: a wired interrupt line pulsed (MSIs are memory writes instead).</summary>
/// <param name="source">Which line.</param>
public sealed class SmmuInterruptEventArgs(SmmuInterrupt source) : EventArgs
{
    /// <summary>Which line.</summary>
    public SmmuInterrupt Source { get; } = source;

    /// <summary>True for a line of the Secure programming interface (S_GERROR, S_EVENTQ, a Secure CMD_SYNC; IHI0070 §3.10).</summary>
    public bool Secure { get; init; }
}

/// <summary>Arguments of <see cref="SmmuV3.StallResolved"/>: a stalled transaction was resumed or terminated by a command.</summary>
/// <param name="streamId">StreamID of the stalled transaction.</param>
/// <param name="stallTag">Its STAG.</param>
/// <param name="retry">True when CMD_RESUME asked for a retry; false when it was terminated.</param>
/// <param name="abort">For a terminated transaction: true = abort, false = RAZ/WI.</param>
public sealed class StallResolvedEventArgs(uint streamId, ushort stallTag, bool retry, bool abort) : EventArgs
{
    /// <summary>StreamID of the stalled transaction.</summary>
    public uint StreamId { get; } = streamId;

    /// <summary>STAG of the stalled transaction.</summary>
    public ushort StallTag { get; } = stallTag;

    /// <summary>True when the transaction is to be retried (the device re-issues it).</summary>
    public bool Retry { get; } = retry;

    /// <summary>For a terminated transaction: abort (true) or RAZ/WI (false).</summary>
    public bool Abort { get; } = abort;

    /// <summary>True when the stalled transaction was a Secure stream's, resolved from the Secure command queue (IHI0070 §3.10).</summary>
    public bool Secure { get; init; }
}
