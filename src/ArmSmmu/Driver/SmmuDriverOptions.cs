namespace ArmSmmu.Driver;

/// <summary>Choices a <see cref="SmmuDriver"/> makes where the hardware leaves them to software.</summary>
public sealed record SmmuDriverOptions
{
    /// <summary>Default options: 256-entry command queue, 128-entry event and PRI queues, PRI on when present, no E2H.</summary>
    public static SmmuDriverOptions Default { get; } = new();

    /// <summary>log2 of the command queue entries wanted; the queue gets min(this, IDR1.CMDQS) (digest §8.1).</summary>
    public int CommandQueueLog2Size { get; init; } = 8;

    /// <summary>log2 of the event queue entries wanted; the queue gets min(this, IDR1.EVENTQS).</summary>
    public int EventQueueLog2Size { get; init; } = 7;

    /// <summary>log2 of the PRI queue entries wanted; the queue gets min(this, IDR1.PRIQS).</summary>
    public int PriQueueLog2Size { get; init; } = 7;

    /// <summary>Enable the PRI queue when IDR0.PRI advertises it.</summary>
    public bool EnablePri { get; init; } = true;

    /// <summary>Run stage-1-only streams in the EL2-E2H StreamWorld (CR2.E2H = 1, STE.STRW = 0b10), as a VHE host does; needs IDR0.Hyp.</summary>
    public bool UseE2H { get; init; }

    /// <summary>
    /// Let the SMMU act on processors' broadcast TLB invalidations (SMMU_CR2.PTM = 0, IHI0070 §3.17), as shared
    /// virtual memory needs; false writes PTM = 1 as Linux does. No effect on an SMMU without IDR0.BTM.
    /// </summary>
    public bool BroadcastTlbMaintenance { get; init; } = true;

    /// <summary>How long a write-and-poll of an ACK register or a wait for CMD_SYNC may take before it fails (Linux: 1 s).</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Drive the Secure programming interface (the SMMU_S_* page, IHI0070 §3.10), as Secure firmware does: the Secure
    /// Stream table and queues, commands with SSec = 1. Needs SMMU_S_IDR1.SECURE_IMPL; Secure streams get stage 1 only.
    /// </summary>
    public bool SecureWorld { get; init; }

    /// <summary>Largest linear stream table, in StreamID bits, the driver allocates when 2-level tables are not available.</summary>
    public int MaxLinearStreamIdBits { get; init; } = 16;

    /// <summary>Most commands written before a CMD_SYNC closes a batch (Linux batches 64).</summary>
    public int CommandBatchSize { get; init; } = 64;

    /// <summary>Throws when an option is out of range (host misuse).</summary>
    /// <exception cref="ArgumentException">A queue size outside 0..19, a non-positive timeout or batch size.</exception>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(CommandQueueLog2Size), CommandQueueLog2Size), (nameof(EventQueueLog2Size), EventQueueLog2Size), (nameof(PriQueueLog2Size), PriQueueLog2Size) })
        {
            if (value is < 0 or > 19)
            {
                throw new ArgumentException($"{name} must be 0..19, got {value}.");
            }
        }

        if (PollTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("PollTimeout must be positive.");
        }

        if (CommandBatchSize < 1)
        {
            throw new ArgumentException("CommandBatchSize must be at least 1.");
        }

        if (MaxLinearStreamIdBits is < 0 or > 20)
        {
            throw new ArgumentException($"MaxLinearStreamIdBits must be 0..20, got {MaxLinearStreamIdBits}.");
        }
    }
}
