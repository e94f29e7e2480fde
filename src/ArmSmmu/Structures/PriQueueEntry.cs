using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>A PRI queue entry: 16 bytes, two little-endian 64-bit words (IHI0070 §8, digest 6; positions from Linux).</summary>
public readonly struct PriQueueEntry : IEquatable<PriQueueEntry>
{
    /// <summary>Size of a PRI queue entry in bytes.</summary>
    public const int Size = 16;

    /// <summary>Number of 64-bit words.</summary>
    public const int WordCount = 2;

    private readonly ulong _w0, _w1;

    /// <summary>Creates an entry from its words.</summary>
    /// <param name="dw0">Word 0.</param>
    /// <param name="dw1">Word 1.</param>
    public PriQueueEntry(ulong dw0, ulong dw1 = 0)
    {
        _w0 = dw0;
        _w1 = dw1;
    }

    /// <summary>Creates an entry from at least 2 words.</summary>
    /// <param name="words">The words, dw0 first.</param>
    /// <exception cref="ArgumentException">Fewer than 2 words.</exception>
    public PriQueueEntry(ReadOnlySpan<ulong> words)
    {
        RecordIo.RequireLength(words, WordCount, nameof(PriQueueEntry));
        _w0 = words[0];
        _w1 = words[1];
    }

    /// <summary>Word 0.</summary>
    public ulong Dw0 => _w0;

    /// <summary>Word 1.</summary>
    public ulong Dw1 => _w1;

    /// <summary>StreamId, dw0[31:0]: StreamID (StreamID[15:0] = PCIe Requester ID).</summary>
    public uint StreamId { get => (uint)Bits.Extract(_w0, 31, 0); init => _w0 = Bits.Insert(_w0, 31, 0, value); }

    /// <summary>SubstreamId, dw0[51:32]: SubstreamID (PASID); UNKNOWN when SSV = 0.</summary>
    public uint SubstreamId { get => (uint)Bits.Extract(_w0, 51, 32); init => _w0 = Bits.Insert(_w0, 51, 32, value); }

    /// <summary>Priv, dw0[58]: privileged access requested.</summary>
    public bool Priv { get => Bits.IsSet(_w0, 58); init => _w0 = Bits.With(_w0, 58, value); }

    /// <summary>Exec, dw0[59]: execute permission requested.</summary>
    public bool Exec { get => Bits.IsSet(_w0, 59); init => _w0 = Bits.With(_w0, 59, value); }

    /// <summary>Read, dw0[60]: read permission requested.</summary>
    public bool Read { get => Bits.IsSet(_w0, 60); init => _w0 = Bits.With(_w0, 60, value); }

    /// <summary>Write, dw0[61]: write permission requested.</summary>
    public bool Write { get => Bits.IsSet(_w0, 61); init => _w0 = Bits.With(_w0, 61, value); }

    /// <summary>Last, dw0[62]: last request of its Page Request Group.</summary>
    public bool Last { get => Bits.IsSet(_w0, 62); init => _w0 = Bits.With(_w0, 62, value); }

    /// <summary>Ssv, dw0[63]: a PASID prefix was present.</summary>
    public bool Ssv { get => Bits.IsSet(_w0, 63); init => _w0 = Bits.With(_w0, 63, value); }

    /// <summary>PrgIndex, dw1[8:0]: Page Request Group index.</summary>
    public uint PrgIndex { get => (uint)Bits.Extract(_w1, 8, 0); init => _w1 = Bits.Insert(_w1, 8, 0, value); }

    /// <summary>PageAddress, dw1[63:12], as an address kept in place (bits [11:0] zero): the page requested.</summary>
    public ulong PageAddress { get => Bits.Address(_w1, 63, 12); init => _w1 = Bits.Insert(_w1, 63, 12, value >> 12); }

    /// <summary>A Stop PASID marker: SSV = 1 with Last, Write, Read = 1, 0, 0 (IHI0070 §8).</summary>
    public bool IsStopMarker => Ssv && Last && !Write && !Read;

    /// <summary>Reads an entry.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Address of dw0.</param>
    /// <param name="value">The entry, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out PriQueueEntry value)
    {
        Span<ulong> w = stackalloc ulong[WordCount];
        bool ok = RecordIo.TryRead(memory, address, w);
        value = new PriQueueEntry(w);
        return ok;
    }

    /// <summary>Writes the entry (16 bytes in one access).</summary>
    /// <param name="memory">Memory to write.</param>
    /// <param name="address">Address of dw0.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWrite(IPhysicalMemory memory, ulong address) => RecordIo.TryWrite(memory, address, [_w0, _w1]);

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText("dw")
        .Add("StreamID", 0, _w0, 31, 0, FieldText.Hex)
        .Add("SubstreamID", 0, _w0, 51, 32, FieldText.Dec)
        .Flag("Priv", 0, _w0, 58, "privileged", "unprivileged")
        .Flag("X", 0, _w0, 59, "execute requested", "no execute")
        .Flag("R", 0, _w0, 60, "read requested", "no read")
        .Flag("W", 0, _w0, 61, "write requested", "no write")
        .Flag("Last", 0, _w0, 62, "last request of the group", "more requests follow")
        .Flag("SSV", 0, _w0, 63, "PASID present", "no PASID")
        .Add("PRGIndex", 1, _w1, 8, 0, FieldText.Dec)
        .Address("Addr", 1, _w1, 63, 12)
        .Fields;

    /// <summary>One-line summary.</summary>
    /// <returns>StreamID, PASID, permissions and page.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PRI StreamID=0x{StreamId:X}{(Ssv ? $" SubstreamID={SubstreamId}" : string.Empty)} {(Read ? "R" : "-")}{(Write ? "W" : "-")}{(Exec ? "X" : "-")}{(Priv ? "P" : "-")} PRGIndex={PrgIndex}{(Last ? " Last" : string.Empty)} Addr=0x{PageAddress:X}");

    /// <inheritdoc/>
    public bool Equals(PriQueueEntry other) => _w0 == other._w0 && _w1 == other._w1;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PriQueueEntry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1);

    /// <summary>Word-wise equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when both words are equal.</returns>
    public static bool operator ==(PriQueueEntry left, PriQueueEntry right) => left.Equals(right);

    /// <summary>Word-wise inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when a word differs.</returns>
    public static bool operator !=(PriQueueEntry left, PriQueueEntry right) => !left.Equals(right);
}
