using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>
/// The shape of one set of VMSAv8-64 translation tables built by <see cref="IoPageTable"/>, and the CD or STE fields a
/// driver must program so that the SMMU walks them (digest §7.10, after Linux io-pgtable-arm).
/// </summary>
/// <param name="Stage">Stage 1 (CD.TTB0) or stage 2 (STE.S2TTB).</param>
/// <param name="Granule">Translation granule.</param>
/// <param name="InputBits">Input address size (ias): 25..48, or up to 52 with the 64K granule or <see cref="Ds"/>; T0SZ = 64 - ias.</param>
/// <param name="OutputBits">Output address size (oas): 32, 36, 40, 42, 44, 48, or 52 with the 64K granule or <see cref="Ds"/>.</param>
public sealed record IoPageTableConfig(PageTableStage Stage, Granule Granule, int InputBits, int OutputBits)
{
    /// <summary>The MAIR value Linux programs in CD.MAIR0/1 (digest §7.7): Attr0 0x44 Normal NC, Attr1 0xFF WB RWA, Attr2 0x04 Device-nGnRE, Attr3 0xF4.</summary>
    public const ulong LinuxMair = 0xF404FF44;

    /// <summary>Most start tables stage 2 may concatenate (IHI0070 §3.4 / digest §7.3).</summary>
    public const int MaxConcatenatedTables = 16;

    /// <summary>
    /// CD.DS / STE.S2DS (IHI0070 §5.2, §5.4): 4K or 16K tables in the FEAT_LPA2 format, with address bits [49:12] in
    /// place, [51:50] in descriptor bits [9:8] (the shareability then comes from CD.SH0 / STE.S2SH0), a level -1 for
    /// 4K and a wider level 0 for 16K, and blocks one level higher. Needed for 52-bit input or output with these granules.
    /// </summary>
    public bool Ds { get; init; }

    /// <summary>Table walks are cache-coherent (IDR0.COHACC): selects the SH0/IRGN0/ORGN0 walk attributes.</summary>
    public bool Coherent { get; init; } = true;

    /// <summary>Set the Contiguous bit on aligned runs of identical leaves (digest §7.9 counts).</summary>
    public bool UseContiguousHint { get; init; }

    /// <summary>The SMMU offers range invalidation (IDR3.RIL): <see cref="IoPageTable.Unmap"/> then emits range TLBIs.</summary>
    public bool RangeInvalidation { get; init; } = true;

    /// <summary>Stage 1 only: leaves are global (nG=0), matching any ASID; Linux always sets nG=1 (the default here).</summary>
    public bool Global { get; init; }

    /// <summary>
    /// Unmap frees a table only when the unmapped range covers the table's whole input range, as Linux's io-pgtable-arm
    /// does; a table that a partial unmap leaves empty stays for the next map. An unmap of a page then needs only its
    /// leaf TLBI, not a walk invalidation per emptied level (digest §8.5 step 7). The host driver's domains set it.
    /// </summary>
    internal bool KeepPartlyUnmappedTables { get; init; }

    /// <summary>Index bits per level: granule shift - 3 (digest §7.1).</summary>
    public int BitsPerLevel => Granule.BitsPerLevel;

    /// <summary>The start level of the walk, after stage-2 concatenation (digest §7.10).</summary>
    public int StartLevel => Geometry().Start;

    /// <summary>Bits of input address resolved by the start table (concatenated tables included).</summary>
    public int StartTableBits => Geometry().PgdBits;

    /// <summary>Number of descriptors in the start table (all concatenated tables together).</summary>
    public int StartTableEntries => 1 << StartTableBits;

    /// <summary>Size in bytes of the start table (all concatenated tables together).</summary>
    public ulong StartTableBytes => (ulong)StartTableEntries * 8;

    /// <summary>Number of physically contiguous start tables: 1, or 2..16 when stage 2 concatenates (digest §7.3).</summary>
    public int ConcatenatedTables => StartTableBits > BitsPerLevel ? 1 << (StartTableBits - BitsPerLevel) : 1;

    /// <summary>CD.T0SZ / STE.S2T0SZ: 64 - ias.</summary>
    public int T0SZ => 64 - InputBits;

    /// <summary>STE.S2T0SZ (the same value as <see cref="T0SZ"/>).</summary>
    public int S2T0SZ => T0SZ;

    /// <summary>CD.TG0 encoding of the granule (IHI0070 §5.4: 00 4K, 01 64K, 10 16K).</summary>
    public Tg0Granule Tg0 => (Tg0Granule)Granule.Tg0Encoding;

    /// <summary>STE.S2TG encoding of the granule (same encoding as TG0).</summary>
    public Tg0Granule S2Tg => (Tg0Granule)Granule.Tg0Encoding;

    /// <summary>STE.S2SL0 for the start level (digest §7.3): 4K start = 2 - SL0, 16K/64K start = 3 - SL0.</summary>
    /// <exception cref="InvalidOperationException">This is a stage-1 configuration.</exception>
    public uint S2SL0
    {
        get
        {
            if (Stage != PageTableStage.Stage2)
            {
                throw new InvalidOperationException("S2SL0 only exists for stage-2 tables.");
            }

            int top = Granule.PageShift == 12 ? 2 : 3;
            return StartLevel < 0 ? 0u : (uint)(top - StartLevel);
        }
    }

    /// <summary>STE.S2SL0_2 (VTCR_EL2.SL2): set for a 4K stage-2 walk starting at level -1, with S2SL0 = 0b00 (IHI0070 §5.2).</summary>
    public bool S2SL0_2 => Stage == PageTableStage.Stage2 && StartLevel < 0;

    /// <summary>CD.IPS encoding of the output size (digest §7.10: 32,36,40,42,44,48,52 bits -> 0..6).</summary>
    public uint Ips => SmmuFeatures.EncodeAddressSize(OutputBits);

    /// <summary>STE.S2PS encoding (same as <see cref="Ips"/>).</summary>
    public uint S2Ps => Ips;

    /// <summary>CD.SH0 / STE.S2SH0 walk shareability: 0b11 inner when coherent, else 0b10 outer (digest §7.10).</summary>
    public uint Sh0 => Coherent ? 0b11u : 0b10u;

    /// <summary>CD.IR0 / STE.S2IR0: 0b01 write-back write-allocate when coherent, else 0b00 non-cacheable.</summary>
    public uint Irgn0 => Coherent ? 0b01u : 0b00u;

    /// <summary>CD.OR0 / STE.S2OR0: as <see cref="Irgn0"/>.</summary>
    public uint Orgn0 => Irgn0;

    /// <summary>CD.MAIR value matching the AttrIndx values the stage-1 leaves use.</summary>
    public ulong Mair => LinuxMair;

    /// <summary>Throws when the configuration cannot be built (host misuse).</summary>
    /// <exception cref="ArgumentException">An unsupported granule, input or output size.</exception>
    public void Validate()
    {
        if (Granule.PageShift is not (12 or 14 or 16))
        {
            throw new ArgumentException("Granule must be Granule.Size4K, Size16K or Size64K.");
        }

        if (Stage is not (PageTableStage.Stage1 or PageTableStage.Stage2))
        {
            throw new ArgumentException($"Unknown stage {Stage}.");
        }

        // T0SZ 16..39 without STT, VAX or DS (digest §7.2); down to 12 with the 64K granule or DS (IHI0070 §3.4).
        int maxInput = Granule.PageShift == 16 || Ds ? 52 : 48;
        if (InputBits < 25 || InputBits > maxInput)
        {
            throw new ArgumentException($"InputBits must be 25..{maxInput} (T0SZ {64 - maxInput}..39), got {InputBits}.");
        }

        if (Ds && Granule.PageShift == 16)
        {
            throw new ArgumentException("DS (FEAT_LPA2 descriptors) applies to the 4K and 16K granules only.");
        }

        if (OutputBits is not (32 or 36 or 40 or 42 or 44 or 48 or 52))
        {
            throw new ArgumentException($"OutputBits must be 32, 36, 40, 42, 44, 48 or 52, got {OutputBits}.");
        }

        if (OutputBits == 52 && Granule.PageShift != 16 && !Ds)
        {
            // Digest §7.9: 4K/16K reach 52 bits only with FEAT_LPA2 descriptors (DS).
            throw new ArgumentException("52-bit output addresses need the 64K granule or DS.");
        }

        if (ConcatenatedTables > MaxConcatenatedTables)
        {
            throw new ArgumentException($"The start table would need {ConcatenatedTables} concatenated tables (at most {MaxConcatenatedTables}).");
        }
    }

    /// <summary>The size in bytes mapped by one descriptor at <paramref name="level"/>.</summary>
    /// <param name="level">0..3.</param>
    /// <returns>The block or page size.</returns>
    public ulong LevelSize(int level) => 1UL << Granule.LevelShift(level);

    /// <summary>Whether a block descriptor is legal at <paramref name="level"/> for this granule (digest §7.1: 4K L1/L2, 16K L2, 64K L2; with DS also 4K L0 and 16K L1).</summary>
    /// <param name="level">-1..2.</param>
    /// <returns>Whether a block may be written there.</returns>
    public bool BlockAllowed(int level) => Granule.PageShift switch
    {
        12 => level is 1 or 2 || (Ds && level == 0),
        14 => level == 2 || (Ds && level == 1),
        _ => level == 2,
    };

    /// <summary>Entries in one contiguous set at <paramref name="level"/> (digest §7.9), or 0 where the hint is RES0.</summary>
    /// <param name="level">1..3.</param>
    /// <returns>16, 32 or 128 entries, or 0.</returns>
    public int ContiguousEntries(int level) => (Granule.PageShift, level) switch
    {
        (12, 1 or 2 or 3) => 16,
        (14, 3) => 128,
        (14, 2) => 32,
        (16, 2 or 3) => 32,
        _ => 0,
    };

    private (int Start, int PgdBits) Geometry()
    {
        // Digest §7.10: levels = ceil(va_bits / bpl), start = 4 - levels.
        int bpl = BitsPerLevel;
        int vaBits = InputBits - Granule.PageShift;
        int levels = (vaBits + bpl - 1) / bpl;
        int start = 4 - levels;
        int pgdBits = vaBits - (bpl * (levels - 1));

        // Stage 2 prefers concatenated level-1 tables to a tiny level-0 table (at most 16 entries).
        if (Stage == PageTableStage.Stage2 && start == 0 && (1 << pgdBits) <= MaxConcatenatedTables)
        {
            pgdBits += bpl;
            start = 1;
        }

        return (start, pgdBits);
    }
}
