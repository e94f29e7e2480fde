namespace ArmSmmu.Fuzz;

/// <summary>
/// The device's view of memory while the seed writer replays a seed: reads pass through and the
/// <see cref="LineBytes"/>-byte lines they touch are noted, so the seed can keep only the memory the device used.
/// </summary>
internal sealed class ReadRecorder(IPhysicalMemory memory) : IPhysicalMemory
{
    /// <summary>The granule kept around every word read: neighbouring descriptors and entries stay in the seed for
    /// mutated addresses and StreamIDs to reach.</summary>
    public const ulong LineBytes = 256;

    /// <summary>Line numbers (address / <see cref="LineBytes"/>) the device read.</summary>
    public HashSet<ulong> LinesRead { get; } = [];

    public bool TryRead(ulong address, Span<byte> destination)
    {
        for (ulong line = address / LineBytes, last = (address + (ulong)Math.Max(destination.Length - 1, 0)) / LineBytes; line <= last; line++)
        {
            LinesRead.Add(line);
        }

        return memory.TryRead(address, destination);
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> source) => memory.TryWrite(address, source);
}
