using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>Level-1 Stream Table Descriptor: 8 bytes (IHI0070 §5.1, digest 2.4).</summary>
public readonly struct L1StreamTableDescriptor : IEquatable<L1StreamTableDescriptor>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 8;

    /// <summary>Creates a descriptor from its word.</summary>
    /// <param name="value">The 64-bit word.</param>
    public L1StreamTableDescriptor(ulong value) => Value = value;

    /// <summary>The 64-bit word.</summary>
    public ulong Value { get; init; }

    /// <summary>Span, [4:0]: 0 invalid; 1..11 = the L2 array holds 2^(Span-1) STEs; 12..31 reserved.</summary>
    public uint Span { get => (uint)Bits.Extract(Value, 4, 0); init => Value = Bits.Insert(Value, 4, 0, value); }

    /// <summary>L2Ptr, [55:6], as an address (bits [5:0] zero).</summary>
    public ulong L2Ptr { get => Bits.Address(Value, 55, 6); init => Value = Bits.Insert(Value, 55, 6, value >> 6); }

    /// <summary>Reads a descriptor.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Its address.</param>
    /// <param name="value">The descriptor, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out L1StreamTableDescriptor value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        bool ok = memory.TryReadUInt64(address, out ulong word);
        value = new L1StreamTableDescriptor(word);
        return ok;
    }

    /// <summary>Writes the descriptor.</summary>
    /// <param name="memory">Memory to write.</param>
    /// <param name="address">Its address.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWrite(IPhysicalMemory memory, ulong address)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return memory.TryWriteUInt64(address, Value);
    }

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>Span and L2Ptr.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText("dw")
        .Add("Span", 0, Value, 4, 0, SpanText)
        .Address("L2Ptr", 0, Value, 55, 6)
        .Fields;

    private static string SpanText(ulong v) => v switch
    {
        0 => "0 invalid",
        <= 11 => string.Create(CultureInfo.InvariantCulture, $"{v} ({1UL << (int)(v - 1)} STEs)"),
        _ => FieldText.Dec(v) + " reserved (invalid)",
    };

    /// <summary>One-line summary.</summary>
    /// <returns>Span and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1STD Span={Span} L2Ptr=0x{L2Ptr:X}");

    /// <inheritdoc/>
    public bool Equals(L1StreamTableDescriptor other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is L1StreamTableDescriptor other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>Equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when the words are equal.</returns>
    public static bool operator ==(L1StreamTableDescriptor left, L1StreamTableDescriptor right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when the words differ.</returns>
    public static bool operator !=(L1StreamTableDescriptor left, L1StreamTableDescriptor right) => !left.Equals(right);
}
