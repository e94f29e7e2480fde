using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>Level-1 Context Descriptor: 8 bytes (IHI0070 §5.3, digest 3.4).</summary>
public readonly struct L1ContextDescriptor : IEquatable<L1ContextDescriptor>
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 8;

    /// <summary>Creates a descriptor from its word.</summary>
    /// <param name="value">The 64-bit word.</param>
    public L1ContextDescriptor(ulong value) => Value = value;

    /// <summary>The 64-bit word.</summary>
    public ulong Value { get; init; }

    /// <summary>V, [0]: valid; an invalid L1CD makes its SubstreamIDs C_BAD_SUBSTREAMID.</summary>
    public bool V { get => Bits.IsSet(Value, 0); init => Value = Bits.With(Value, 0, value); }

    /// <summary>L2Ptr, [55:12], as an address (bits [11:0] zero).</summary>
    public ulong L2Ptr { get => Bits.Address(Value, 55, 12); init => Value = Bits.Insert(Value, 55, 12, value >> 12); }

    /// <summary>Reads a descriptor.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Its address.</param>
    /// <param name="value">The descriptor, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out L1ContextDescriptor value)
    {
        ArgumentNullException.ThrowIfNull(memory);
        bool ok = memory.TryReadUInt64(address, out ulong word);
        value = new L1ContextDescriptor(word);
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
    /// <returns>V and L2Ptr.</returns>
    public IReadOnlyList<DecodedField> Describe() => new FieldText("dw")
        .Flag("V", 0, Value, 0, "valid", "invalid (C_BAD_SUBSTREAMID)")
        .Address("L2Ptr", 0, Value, 55, 12)
        .Fields;

    /// <summary>One-line summary.</summary>
    /// <returns>V and L2Ptr.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L1CD V={(V ? 1 : 0)} L2Ptr=0x{L2Ptr:X}");

    /// <inheritdoc/>
    public bool Equals(L1ContextDescriptor other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is L1ContextDescriptor other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>Equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when the words are equal.</returns>
    public static bool operator ==(L1ContextDescriptor left, L1ContextDescriptor right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when the words differ.</returns>
    public static bool operator !=(L1ContextDescriptor left, L1ContextDescriptor right) => !left.Equals(right);
}
