using System.Runtime.CompilerServices;

namespace ArmSmmu.Translation;

/// <summary>
/// A VMSAv8-64 translation granule as a value: 4 KiB, 16 KiB or 64 KiB, with its per-level shifts precomputed
/// (DDI0487 D8.2; digest §7.1). Level L resolves IA[LevelShift(L) + BitsPerLevel - 1 : LevelShift(L)].
/// </summary>
public readonly struct Granule : IEquatable<Granule>
{
    private Granule(int pageShift) => PageShift = pageShift;

    /// <summary>The 4 KiB granule.</summary>
    public static Granule Size4K => new(12);

    /// <summary>The 16 KiB granule.</summary>
    public static Granule Size16K => new(14);

    /// <summary>The 64 KiB granule.</summary>
    public static Granule Size64K => new(16);

    /// <summary>log2 of the granule size: 12, 14 or 16 (0 for an uninitialised value).</summary>
    public int PageShift { get; }

    /// <summary>Granule size in bytes.</summary>
    public ulong PageSize => 1UL << PageShift;

    /// <summary>Index bits resolved per level: 9, 11 or 13.</summary>
    public int BitsPerLevel => PageShift - 3;

    /// <summary>TG field value for range invalidation commands (IHI0070 §4.4.1.1): 1 = 4K, 2 = 16K, 3 = 64K.</summary>
    public uint RangeTg => (uint)(PageShift - 10) / 2;

    /// <summary>The lowest bit of the input address resolved at <paramref name="level"/> (0..3).</summary>
    /// <param name="level">Translation level.</param>
    /// <returns>The shift; also log2 of the block or page size mapped at that level.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LevelShift(int level) => PageShift + (BitsPerLevel * (3 - level));

    /// <summary>The stage-1 starting level for an input size (digest §7.2): 4 - ceil((inputBits - PageShift) / BitsPerLevel).</summary>
    /// <param name="inputBits">64 - TxSZ.</param>
    /// <returns>The starting level (may be below 0 or above 3 for illegal sizes).</returns>
    public int StartLevel(int inputBits) => 4 - ((inputBits - PageShift + BitsPerLevel - 1) / BitsPerLevel);

    /// <summary>Decodes CD.TG0 (IHI0070 §5.4: 00 4K, 01 64K, 10 16K, 11 reserved).</summary>
    /// <param name="tg0">Field value.</param>
    /// <param name="granule">The granule.</param>
    /// <returns><see langword="false"/> for the reserved encoding.</returns>
    public static bool TryFromTg0(uint tg0, out Granule granule) => TryDecode(tg0, Size4K, Size64K, Size16K, default, out granule);

    /// <summary>Decodes CD.TG1 (IHI0070 §5.4: 00 reserved, 01 16K, 10 4K, 11 64K).</summary>
    /// <param name="tg1">Field value.</param>
    /// <param name="granule">The granule.</param>
    /// <returns><see langword="false"/> for the reserved encoding.</returns>
    public static bool TryFromTg1(uint tg1, out Granule granule) => TryDecode(tg1, default, Size16K, Size4K, Size64K, out granule);

    /// <summary>Decodes STE.S2TG (same encoding as TG0).</summary>
    /// <param name="s2tg">Field value.</param>
    /// <param name="granule">The granule.</param>
    /// <returns><see langword="false"/> for the reserved encoding.</returns>
    public static bool TryFromS2Tg(uint s2tg, out Granule granule) => TryFromTg0(s2tg, out granule);

    // A 2-bit granule field: the granule each encoding 0b00..0b11 selects, default where it is reserved.
    private static bool TryDecode(uint encoding, Granule e0, Granule e1, Granule e2, Granule e3, out Granule granule)
    {
        granule = encoding switch
        {
            0 => e0,
            1 => e1,
            2 => e2,
            3 => e3,
            _ => default,
        };
        return granule.PageShift != 0;
    }

    /// <summary>The TG0 / S2TG encoding of this granule.</summary>
    public uint Tg0Encoding => PageShift switch
    {
        12 => 0u,
        16 => 1u,
        _ => 2u,
    };

    /// <summary>The TG1 encoding of this granule.</summary>
    public uint Tg1Encoding => PageShift switch
    {
        12 => 2u,
        14 => 1u,
        _ => 3u,
    };

    /// <inheritdoc />
    public bool Equals(Granule other) => PageShift == other.PageShift;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Granule other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => PageShift;

    /// <summary>Equality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether equal.</returns>
    public static bool operator ==(Granule left, Granule right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    /// <returns>Whether different.</returns>
    public static bool operator !=(Granule left, Granule right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => PageShift == 0 ? "none" : $"{1 << (PageShift - 10)}K";
}
