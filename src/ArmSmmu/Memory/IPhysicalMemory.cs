namespace ArmSmmu;

/// <summary>
/// The bus the SMMU masters: every structure, table and queue read, and every event, PRI, MSI and
/// access/dirty-flag write the SMMU makes, goes through this interface.
/// </summary>
/// <remarks>Implementations must be safe for concurrent readers.</remarks>
public interface IPhysicalMemory
{
    /// <summary>Reads <paramref name="destination"/>.Length bytes starting at <paramref name="address"/>.</summary>
    /// <param name="address">Physical address of the first byte.</param>
    /// <param name="destination">Receives the bytes read.</param>
    /// <returns><see langword="false"/> when any byte is unbacked: the access is an external abort.</returns>
    bool TryRead(ulong address, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/> starting at <paramref name="address"/>.</summary>
    /// <param name="address">Physical address of the first byte.</param>
    /// <param name="source">The bytes to write.</param>
    /// <returns><see langword="false"/> when any byte is unbacked: the access is an external abort and nothing is written.</returns>
    bool TryWrite(ulong address, ReadOnlySpan<byte> source);
}

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
