using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// A queue PROD or CONS register value for a queue of 2^<see cref="Log2Size"/> entries (IHI0070 §3.5.1, §6.3.25-33,
/// digest 1.9/1.10): index in bits [Log2Size-1:0], wrap flag in bit Log2Size, CMDQ_CONS.ERR in [30:24], and the
/// overflow flag (PROD.OVFLG / CONS.OVACKFLG) in bit 31.
/// </summary>
public readonly struct QueuePointer : IEquatable<QueuePointer>
{
    /// <summary>Bit 31: OVFLG in EVENTQ/PRIQ_PROD, OVACKFLG in EVENTQ/PRIQ_CONS.</summary>
    public const uint OverflowBit = 1u << 31;

    /// <summary>Largest queue the architecture allows: 2^19 entries.</summary>
    public const int MaxLog2Size = 19;

    /// <summary>Wraps a register value.</summary>
    /// <param name="value">The PROD or CONS register value.</param>
    /// <param name="log2Size">log2 of the number of queue entries, 0..19.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="log2Size"/> outside 0..19.</exception>
    public QueuePointer(uint value, int log2Size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(log2Size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(log2Size, MaxLog2Size);
        Value = value;
        Log2Size = log2Size;
    }

    /// <summary>The raw register value.</summary>
    public uint Value { get; }

    /// <summary>log2 of the number of entries.</summary>
    public int Log2Size { get; }

    /// <summary>The entry index, bits [Log2Size-1:0].</summary>
    public uint Index => Value & (uint)Bits.Mask(Log2Size);

    /// <summary>The wrap flag, bit Log2Size.</summary>
    public bool Wrap => Bits.IsSet(Value, Log2Size);

    /// <summary>Index and wrap together (bits [Log2Size:0]), the part that moves.</summary>
    public uint IndexAndWrap => Value & (uint)Bits.Mask(Log2Size + 1);

    /// <summary>CMDQ_CONS.ERR, bits [30:24].</summary>
    public CommandError Err => (CommandError)Bits.Extract(Value, 30, 24);

    /// <summary>Bit 31: OVFLG (PROD) or OVACKFLG (CONS).</summary>
    public bool OverflowFlag => (Value & OverflowBit) != 0;

    /// <summary>Empty: index and wrap both equal (IHI0070 §3.5.1).</summary>
    /// <param name="prod">Producer pointer.</param>
    /// <param name="cons">Consumer pointer (same size).</param>
    /// <returns>True when the queue holds no entries.</returns>
    public static bool IsEmpty(QueuePointer prod, QueuePointer cons) => prod.IndexAndWrap == cons.IndexAndWrap;

    /// <summary>Full: indexes equal, wrap flags differ (IHI0070 §3.5.1).</summary>
    /// <param name="prod">Producer pointer.</param>
    /// <param name="cons">Consumer pointer (same size).</param>
    /// <returns>True when every slot is occupied.</returns>
    public static bool IsFull(QueuePointer prod, QueuePointer cons) => prod.Index == cons.Index && prod.Wrap != cons.Wrap;

    /// <summary>Empty test on raw register values.</summary>
    /// <param name="prod">PROD value.</param>
    /// <param name="cons">CONS value.</param>
    /// <param name="log2Size">log2 of the number of entries.</param>
    /// <returns>True when the queue holds no entries.</returns>
    public static bool IsEmpty(uint prod, uint cons, int log2Size) => IsEmpty(new QueuePointer(prod, log2Size), new QueuePointer(cons, log2Size));

    /// <summary>Full test on raw register values.</summary>
    /// <param name="prod">PROD value.</param>
    /// <param name="cons">CONS value.</param>
    /// <param name="log2Size">log2 of the number of entries.</param>
    /// <returns>True when every slot is occupied.</returns>
    public static bool IsFull(uint prod, uint cons, int log2Size) => IsFull(new QueuePointer(prod, log2Size), new QueuePointer(cons, log2Size));

    /// <summary>Number of occupied entries between <paramref name="cons"/> and <paramref name="prod"/> (wrap-aware).</summary>
    /// <param name="prod">PROD value.</param>
    /// <param name="cons">CONS value.</param>
    /// <param name="log2Size">log2 of the number of entries.</param>
    /// <returns>0 .. 2^log2Size.</returns>
    public static uint Count(uint prod, uint cons, int log2Size)
    {
        uint mask = (uint)Bits.Mask(log2Size + 1);
        return ((prod & mask) - (cons & mask)) & mask;
    }

    /// <summary>
    /// Advances a pointer by one entry: the index wraps to 0 and toggles the wrap flag; bit 31 (OVFLG/OVACKFLG) is
    /// kept, as a consumer must when it advances CONS (digest 8.6); other bits (such as ERR) are cleared.
    /// </summary>
    /// <param name="pointer">Register value.</param>
    /// <param name="log2Size">log2 of the number of entries.</param>
    /// <returns>The next register value.</returns>
    public static uint Increment(uint pointer, int log2Size)
    {
        uint mask = (uint)Bits.Mask(log2Size + 1);
        return (pointer & OverflowBit) | (((pointer & mask) + 1) & mask);
    }

    /// <summary>This pointer advanced by one entry (see <see cref="Increment(uint, int)"/>).</summary>
    /// <returns>The next pointer.</returns>
    public QueuePointer Next() => new(Increment(Value, Log2Size), Log2Size);

    /// <summary>Index, wrap and flags.</summary>
    /// <returns>A one-line summary.</returns>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"0x{Value:X} (index {Index}, wrap {(Wrap ? 1 : 0)}{(OverflowFlag ? ", bit31 1" : string.Empty)}{(Err != CommandError.None ? $", ERR {Err}" : string.Empty)})");

    /// <inheritdoc/>
    public bool Equals(QueuePointer other) => Value == other.Value && Log2Size == other.Log2Size;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is QueuePointer other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Value, Log2Size);

    /// <summary>Equality of value and size.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(QueuePointer left, QueuePointer right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(QueuePointer left, QueuePointer right) => !left.Equals(right);
}
