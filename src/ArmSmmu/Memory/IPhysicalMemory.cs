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
