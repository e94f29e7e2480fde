namespace ArmSmmu.Memory;

/// <summary>
/// Optional capability of an <see cref="IPhysicalMemory"/>: an atomic 64-bit compare-and-swap, which the SMMU
/// uses for hardware Access-flag and dirty-state updates of descriptors (IHI0070 §3.13: updates are atomic
/// read-modify-writes). Without it the walker falls back to a read followed by a write.
/// </summary>
public interface IAtomicPhysicalMemory : IPhysicalMemory
{
    /// <summary>Atomically replaces the aligned 64-bit value at <paramref name="address"/> with <paramref name="value"/> if it equals <paramref name="comparand"/>.</summary>
    /// <param name="address">8-byte aligned physical address.</param>
    /// <param name="value">The value to store.</param>
    /// <param name="comparand">The value expected in memory.</param>
    /// <param name="original">The value that was in memory (the swap happened when it equals <paramref name="comparand"/>).</param>
    /// <returns><see langword="false"/> when the address is unbacked (external abort).</returns>
    bool TryCompareExchange64(ulong address, ulong value, ulong comparand, out ulong original);
}
