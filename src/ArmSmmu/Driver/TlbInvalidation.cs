namespace ArmSmmu.Driver;

/// <summary>
/// One TLB invalidation a driver must issue (as CMD_TLBI_NH_VA / CMD_TLBI_S2_IPA, IHI0070 §4.4) after
/// <see cref="IoPageTable.Unmap"/>, before the unmapped memory or freed tables are reused.
/// </summary>
/// <param name="Address">The command's Address field: first IOVA (IPA at stage 2) invalidated.</param>
/// <param name="Size">Bytes of the unmapped range this command covers (for a range command: (NUM+1) * 2^SCALE * granule).</param>
/// <param name="Leaf">Leaf=1: only last-level entries need invalidating; <see langword="false"/> when a table was freed (walk caches too).</param>
/// <param name="Ttl">TTL hint: level of the leaf entries (1..3), or 0 for any level / no hint.</param>
/// <param name="Tg">TG: 0 = not a range command (NUM, SCALE and TTL are zero), 1 = 4K, 2 = 16K, 3 = 64K.</param>
/// <param name="Num">NUM: the range holds NUM+1 units of 2^SCALE granules.</param>
/// <param name="Scale">SCALE.</param>
public readonly record struct TlbInvalidation(ulong Address, ulong Size, bool Leaf, int Ttl, int Tg, int Num, int Scale);

/// <summary>The outcome of <see cref="IoPageTable.Unmap"/>.</summary>
/// <param name="BytesUnmapped">Bytes of the requested range that were mapped and are now unmapped.</param>
/// <param name="Invalidations">The TLB invalidations to issue (followed by a CMD_SYNC) before reusing the memory.</param>
public sealed record UnmapResult(ulong BytesUnmapped, IReadOnlyList<TlbInvalidation> Invalidations);
