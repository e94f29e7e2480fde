using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in PriQueueEntry.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct PriQueueEntry
{
    /// <summary>A Stop PASID marker: SSV = 1 with Last, Write, Read = 1, 0, 0 (IHI0070 §8).</summary>
    public bool IsStopMarker => SSV && Last && !Write && !Read;

    /// <summary>One-line summary.</summary>
    /// <returns>StreamID, PASID, permissions and page.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PRI StreamID=0x{StreamId:X}{(SSV ? $" SubstreamID={SubstreamId}" : string.Empty)} {(Read ? "R" : "-")}{(Write ? "W" : "-")}{(Exec ? "X" : "-")}{(Priv ? "P" : "-")} PRGIndex={PrgIndex}{(Last ? " Last" : string.Empty)} Addr=0x{PageAddress:X}");
}
