using ArmSmmu.Caches;

namespace ArmSmmu.Translation;

/// <summary>
/// What every walk of one regime under one tag starts from, worked out once: for each stage-1 half (TTB0, TTB1) and
/// for stage 2, the input size, start level, index mask and root table of DDI0487 D8.2 / IHI0070 §3.4.1, and the
/// walk-cache tags of IHI0070 §3.17. A walk then does only what depends on its address. The device keeps one per
/// stream path (<c>StreamPath.WalkPlan</c>, invalidated with the path by CMD_CFGI_*); other walks make one on the stack.
/// </summary>
/// <remarks>
/// Nothing here depends on memory or on the caches' contents, so a plan never goes stale while its regime is in use;
/// <see cref="Walker"/> builds it with the same checks, in the same order, as a walk made them before (the faults and
/// host-misuse exceptions they give are evaluated at the walk, in that order).
/// </remarks>
internal readonly struct WalkPlan
{
    /// <summary>The TTB0 half (VA[55] = 0).</summary>
    public readonly Stage1Start Lower;

    /// <summary>The TTB1 half (VA[55] = 1).</summary>
    public readonly Stage1Start Upper;

    /// <summary>Stage 2 of the regime (unused when stage 2 is disabled).</summary>
    public readonly Stage2Start Stage2;

    /// <summary>StreamWorld, VMID and ASID the walk caches are tagged with.</summary>
    public readonly WalkTag Tag;

    /// <summary>Tag of the stage-2 table walk cache for this regime's stage 2 (IHI0070 §3.17).</summary>
    public readonly ulong Stage2TableTag;

    /// <summary>Tag of the table IPA cache for this regime's stage 2.</summary>
    public readonly ulong TableIpaTag;

    /// <summary>Plans the walks of <paramref name="regime"/> under <paramref name="tag"/>.</summary>
    /// <param name="regime">The regime.</param>
    /// <param name="tag">The walk-cache tag (default for an untagged walk).</param>
    /// <param name="inputAddressBits">The SMMU's IAS (52 permits level-1 blocks with the 64K granule).</param>
    public WalkPlan(in TranslationRegime regime, in WalkTag tag, int inputAddressBits)
    {
        Tag = tag;
        if (regime.Stage1Enabled)
        {
            Lower = new Stage1Start(regime, tag, upper: false, inputAddressBits);
            Upper = new Stage1Start(regime, tag, upper: true, inputAddressBits);
        }

        if (regime.Stage2Enabled)
        {
            Stage2 = new Stage2Start(regime.Stage2, inputAddressBits);
            Stage2TableTag = WalkCacheTag.Stage2(tag.Vmid, regime.Stage2, WalkCacheKind.Stage2Table);
            TableIpaTag = WalkCacheTag.Stage2(tag.Vmid, regime.Stage2, WalkCacheKind.TableIpa);
        }
    }
}

/// <summary>Whether a planned start can walk, and if not what the walk reports (in the order the checks are made).</summary>
internal enum WalkStartStatus : byte
{
    /// <summary>The walk can start.</summary>
    Ready,

    /// <summary>A Translation fault before any address check (stage 1: TxSZ out of range).</summary>
    FaultFirst,

    /// <summary>A Translation fault after the address checks (stage 1: EPDx, input size, start level; stage 2: S2T0SZ, input size, start level).</summary>
    Fault,

    /// <summary>Stage 2 only: the start level cannot index the input size (a Translation fault at that level).</summary>
    FaultAtLevel,

    /// <summary>Host misuse: the granule is not set.</summary>
    UnsetGranule,

    /// <summary>Host misuse: the output size is not set.</summary>
    UnsetOutputBits,
}

/// <summary>The start of a stage-1 walk through one TTBx (DDI0487 D8.2, IHI0070 §3.4.1; digest §3.2, §7.2, §7.4).</summary>
internal readonly struct Stage1Start
{
    public readonly WalkStartStatus Status;
    public readonly bool IsUpper;
    public readonly bool Lpa2;
    public readonly bool Hierarchical;
    public readonly Granule Granule;
    public readonly int InputBits;
    public readonly int Top;
    public readonly int Level;
    public readonly int Shift;
    public readonly int FirstBlock;
    public readonly uint TableAttributes;

    /// <summary>What VA[Top:InputBits] must equal: all ones for the upper half, zero for the lower.</summary>
    public readonly ulong Extension;
    public readonly ulong IndexMask;
    public readonly ulong Table;

    /// <summary>The stage-1 walk-cache tag (level bits clear).</summary>
    public readonly ulong CacheTag;

    public Stage1Start(in TranslationRegime regime, in WalkTag tag, bool upper, int inputAddressBits)
    {
        ref readonly Stage1Config c = ref regime.Stage1;
        IsUpper = upper;

        // IHI0070 §3.4.1 (digest §3.2): VA[55] selects the half; bits [top:inputsize] must all equal it, where top
        // is 55 when the selected half ignores the top byte.
        int txsz = upper ? c.T1SZ : c.T0SZ;
        bool tbi = upper ? c.Tbi1 : c.Tbi0;
        Granule = upper ? c.Granule1 : c.Granule0;
        InputBits = 64 - txsz;
        Top = tbi ? 55 : 63;
        if (txsz < 12 || InputBits > Top)
        {
            Status = WalkStartStatus.FaultFirst;
            return;
        }

        Extension = upper ? Bits.Mask(Top - InputBits + 1) : 0;
        if (upper ? c.Epd1 : c.Epd0)
        {
            Status = WalkStartStatus.Fault;
            return;
        }

        if (Granule.PageShift == 0)
        {
            Status = WalkStartStatus.UnsetGranule;
            return;
        }

        if (c.OutputBits == 0)
        {
            Status = WalkStartStatus.UnsetOutputBits;
            return;
        }

        // IHI0070 §3.4.1: a TTBx translates at most 48 bits unless it uses the 64K granule or DS (FEAT_LPA2); the CD
        // checks make a wider TxSZ ILLEGAL, so this only guards regimes built by hand.
        Lpa2 = c.Ds && Granule.PageShift != 16;
        if (InputBits > SmmuFeatures.MaxTableInputBits(Granule, Lpa2))
        {
            Status = WalkStartStatus.Fault;
            return;
        }

        // Digest §7.2: the starting level depends only on the input size and the granule (-1 only for 4K with DS).
        Level = Granule.StartLevel(InputBits);
        if (Level is < -1 or > 3)
        {
            Status = WalkStartStatus.Fault;
            return;
        }

        Shift = Granule.LevelShift(Level);
        IndexMask = Bits.Mask(InputBits - Shift);
        Table = (upper ? c.Ttb1 : c.Ttb0) & ~Bits.Mask(Math.Max(InputBits - Shift + 3, c.OutputBits >= 52 ? 6 : 3));
        Hierarchical = !(upper ? c.Had1 : c.Had0);

        // Digest §7.4: for a Secure stream the packed table attributes start with whether the walk starts Non-secure
        // (CD.NSCFGx; IHI0070 §5.4).
        TableAttributes = c.Secure && (upper ? c.NonSecureStart1 : c.NonSecureStart0) ? Walker.NonSecureTable : 0;
        FirstBlock = Descriptor.FirstBlockLevel(Granule, Lpa2, inputAddressBits >= 52);
        CacheTag = WalkCacheTag.Stage1(tag, Granule, InputBits, c.OutputBits, Hierarchical, regime.Stage2Enabled, Lpa2, TableAttributes != 0);
    }
}

/// <summary>The start of a stage-2 walk (DDI0487 D8.2, IHI0070 §3.4; digest §7.3).</summary>
internal readonly struct Stage2Start
{
    public readonly WalkStartStatus Status;
    public readonly bool Lpa2;
    public readonly int InputBits;
    public readonly int Level;
    public readonly int Shift;
    public readonly int FirstBlock;
    public readonly ulong IndexMask;
    public readonly ulong Table;

    public Stage2Start(in Stage2Config c, int inputAddressBits)
    {
        var granule = c.Granule;
        if (granule.PageShift == 0)
        {
            Status = WalkStartStatus.UnsetGranule;
            return;
        }

        if (c.OutputBits == 0)
        {
            Status = WalkStartStatus.UnsetOutputBits;
            return;
        }

        // Digest §7.3 / §7.8: an IPA beyond 2^(64 - S2T0SZ) is a stage-2 Translation fault (checked per IPA).
        // IHI0070 §3.4: the stage-2 input is at most 52 bits, and 48 unless the 64K granule or S2DS is used.
        InputBits = 64 - c.S2T0SZ;
        Lpa2 = c.Ds && granule.PageShift != 16;
        if (c.S2T0SZ < 12 || InputBits > SmmuFeatures.MaxTableInputBits(granule, Lpa2))
        {
            Status = WalkStartStatus.Fault;
            return;
        }

        Level = c.StartLevel;
        if (Level is < -1 or > 3)
        {
            Status = WalkStartStatus.Fault;
            return;
        }

        // Digest §7.3: up to 16 concatenated tables at the start level; the index simply runs across them.
        Shift = granule.LevelShift(Level);
        int indexBits = InputBits - Shift;
        if (indexBits < 1 || indexBits > granule.BitsPerLevel + 4)
        {
            Status = WalkStartStatus.FaultAtLevel;
            return;
        }

        IndexMask = Bits.Mask(indexBits);
        Table = c.S2Ttb & ~Bits.Mask(Math.Max(indexBits + 3, c.OutputBits >= 52 ? 6 : 3));
        FirstBlock = Descriptor.FirstBlockLevel(granule, Lpa2, inputAddressBits >= 52);
    }
}
