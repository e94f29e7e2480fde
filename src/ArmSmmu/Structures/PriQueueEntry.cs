using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>A PRI queue entry: 16 bytes, two little-endian 64-bit words (IHI0070 §8, digest 6; positions from Linux).</summary>
[Record(2)]
[Field("StreamId", 0, 31, 0, Spec = "StreamID", Doc = "StreamID (StreamID[15:0] = PCIe Requester ID).", Meaning = "FieldText.Hex")]
[Field("SubstreamId", 0, 51, 32, Spec = "SubstreamID", Doc = "SubstreamID (PASID); UNKNOWN when SSV = 0.", Meaning = "FieldText.Dec")]
[Field("Priv", 0, 58, 58, Doc = "privileged access requested.", Set = "privileged", Clear = "unprivileged")]
[Field("Exec", 0, 59, 59, Spec = "X", Doc = "execute permission requested.", Set = "execute requested", Clear = "no execute")]
[Field("Read", 0, 60, 60, Spec = "R", Doc = "read permission requested.", Set = "read requested", Clear = "no read")]
[Field("Write", 0, 61, 61, Spec = "W", Doc = "write permission requested.", Set = "write requested", Clear = "no write")]
[Field("Last", 0, 62, 62, Doc = "last request of its Page Request Group.", Set = "last request of the group", Clear = "more requests follow")]
[Field("SSV", 0, 63, 63, Doc = "a PASID prefix was present.", Set = "PASID present", Clear = "no PASID")]
[Field("PrgIndex", 1, 8, 0, Spec = "PRGIndex", Doc = "Page Request Group index.", Meaning = "FieldText.Dec")]
[Field("PageAddress", 1, 63, 12, Spec = "Addr", Address = true, Doc = "the page requested.")]
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
