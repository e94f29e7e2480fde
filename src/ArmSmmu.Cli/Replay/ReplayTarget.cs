namespace ArmSmmu.Cli.Replay;

/// <summary>A device brought up for a replay: the one the traffic goes through, and how to consume the event records it writes.</summary>
/// <param name="Device">The SMMU every row is translated by.</param>
/// <param name="AcknowledgeEvents">Consumes the event queue, so the next fault is recorded too (called after a recorded fault).</param>
/// <param name="Checker">
/// For recordings: a second SMMU over the same memory and registers, for the accesses a row's permission forbids, so the
/// main device's TLB and counters see only the recorded traffic. Null when no row needs it.
/// </param>
internal sealed record ReplayTarget(SmmuV3 Device, Action AcknowledgeEvents, SmmuV3? Checker = null);
