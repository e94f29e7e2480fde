using System.Runtime.CompilerServices;

namespace ArmSmmu;

/// <summary>Bit-field helpers: every structure field is read and written through these.</summary>
internal static class Bits
{
    /// <summary>Bits [hi:lo] of <paramref name="value"/>, shifted down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Extract(ulong value, int hi, int lo) => (value >> lo) & Mask(hi - lo + 1);

    /// <summary>Bit <paramref name="bit"/> of <paramref name="value"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSet(ulong value, int bit) => ((value >> bit) & 1) != 0;

    /// <summary><paramref name="value"/> with bits [hi:lo] replaced by <paramref name="field"/> (excess field bits are dropped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Insert(ulong value, int hi, int lo, ulong field)
    {
        ulong mask = Mask(hi - lo + 1) << lo;
        return (value & ~mask) | ((field << lo) & mask);
    }

    /// <summary><paramref name="value"/> with bit <paramref name="bit"/> set to <paramref name="on"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong With(ulong value, int bit, bool on) => on ? value | (1UL << bit) : value & ~(1UL << bit);

    /// <summary>A mask of the low <paramref name="width"/> bits (0..64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(int width) => width >= 64 ? ulong.MaxValue : (1UL << width) - 1;

    /// <summary>The address held in bits [hi:lo] of <paramref name="value"/>, kept in place (low bits zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Address(ulong value, int hi, int lo) => value & (Mask(hi - lo + 1) << lo);
}
