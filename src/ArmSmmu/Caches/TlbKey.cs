namespace ArmSmmu.Caches;

/// <summary>Which stages produced a cached translation (IHI0070 §3.17: stage-1, stage-2 and combined S1+S2 entries are invalidated by different commands).</summary>
internal enum TranslationKind : byte
{
    /// <summary>Stage 1 only (the output is a PA).</summary>
    Stage1,

    /// <summary>Stage 2 only (the input is an IPA).</summary>
    Stage2,

    /// <summary>Combined stage 1 + stage 2 (the input is a VA, the output a PA).</summary>
    Nested,
}

/// <summary>
/// The tag of a TLB entry (IHI0070 §3.17): the StreamWorld, and the VMID and ASID where that StreamWorld uses them.
/// VMID is meaningful for <see cref="StreamWorld.NsEl1"/> (and <see cref="StreamWorld.Secure"/>); ASID for stage-1 and
/// nested entries of <see cref="StreamWorld.NsEl1"/>, <see cref="StreamWorld.NsEl2E2H"/> and <see cref="StreamWorld.Secure"/>.
/// The TLB ignores the fields a StreamWorld does not use, so callers may leave them at any value.
/// </summary>
/// <param name="World">StreamWorld of the translation.</param>
/// <param name="Vmid">VMID (from STE.S2VMID).</param>
/// <param name="Asid">ASID (from CD.ASID).</param>
/// <param name="Kind">Stages the entry combines.</param>
/// <param name="Aset">CD.ASET of the configuration (IHI0070 §3.17: tags the VA entries of StreamWorlds with ASIDs).</param>
internal readonly record struct TlbKey(StreamWorld World, ushort Vmid, ushort Asid, TranslationKind Kind, bool Aset = false)
{
    /// <summary>
    /// The ASET tag bit of a packed key. IHI0070 §3.17.1: a global entry matches only lookups of the same ASET; for
    /// non-global entries ASIDs of either ASET are equivalent, so the TLB ignores the bit there (<see cref="Tlb"/>).
    /// </summary>
    public const ulong AsetBit = 1UL << 48;

    /// <summary>True when entries of this StreamWorld are tagged with a VMID.</summary>
    /// <param name="world">The StreamWorld.</param>
    /// <returns>Whether the VMID tags its entries.</returns>
    // IHI0070 §3.17.1: EL2 and EL2-E2H translations have no VMID.
    public static bool UsesVmid(StreamWorld world) => world is StreamWorld.NsEl1 or StreamWorld.Secure;

    /// <summary>True when entries of this StreamWorld and kind are tagged with an ASID.</summary>
    /// <param name="world">The StreamWorld.</param>
    /// <param name="kind">The kind of entry.</param>
    /// <returns>Whether the ASID tags its entries.</returns>
    // IHI0070 §3.17.1: the EL2 (E2H = 0) and EL3 regimes have no ASID; stage-2 translations are never ASID-tagged.
    public static bool UsesAsid(StreamWorld world, TranslationKind kind) => kind != TranslationKind.Stage2 && world is not (StreamWorld.NsEl2 or StreamWorld.El3);

    /// <summary>This key with the fields its StreamWorld and kind do not use set to zero, so equal tags compare equal.</summary>
    /// <returns>The canonical key.</returns>
    public TlbKey Normalize() => new(
        World,
        UsesVmid(World) ? Vmid : (ushort)0,
        UsesAsid(World, Kind) ? Asid : (ushort)0,
        Kind,
        UsesAsid(World, Kind) && Aset);

    /// <summary>
    /// The normalised key packed into one word, so a lookup compares a tag in one instruction:
    /// ASID in bits [15:0], VMID [31:16], kind [39:32], StreamWorld [47:40], ASET [48]; unused fields are zero.
    /// </summary>
    /// <returns>The packed tag.</returns>
    // IHI0070 §3.17 table: ASET tags exactly the entries an ASID may tag (VA entries of NS-EL1, EL2-E2H and Secure);
    // the any-EL2 and EL3 regimes are "permitted but not required" to use it, and this model does not.
    public ulong Pack() =>
        (UsesAsid(World, Kind) ? Asid | (Aset ? AsetBit : 0UL) : 0UL)
        | ((UsesVmid(World) ? Vmid : 0UL) << 16)
        | ((ulong)Kind << 32)
        | ((ulong)World << 40);

    /// <summary>The key <see cref="Pack"/> packed.</summary>
    /// <param name="tag">A packed tag.</param>
    /// <returns>The (normalised) key.</returns>
    public static TlbKey Unpack(ulong tag) => new(WorldOf(tag), VmidOf(tag), AsidOf(tag), KindOf(tag), (tag & AsetBit) != 0);

    /// <summary>ASID of a packed tag.</summary>
    /// <param name="tag">A packed tag.</param>
    /// <returns>The ASID.</returns>
    public static ushort AsidOf(ulong tag) => (ushort)tag;

    /// <summary>VMID of a packed tag.</summary>
    /// <param name="tag">A packed tag.</param>
    /// <returns>The VMID.</returns>
    public static ushort VmidOf(ulong tag) => (ushort)(tag >> 16);

    /// <summary>Kind of a packed tag.</summary>
    /// <param name="tag">A packed tag.</param>
    /// <returns>The kind.</returns>
    public static TranslationKind KindOf(ulong tag) => (TranslationKind)(byte)(tag >> 32);

    /// <summary>StreamWorld of a packed tag.</summary>
    /// <param name="tag">A packed tag.</param>
    /// <returns>The StreamWorld.</returns>
    public static StreamWorld WorldOf(ulong tag) => (StreamWorld)(byte)(tag >> 40);
}
