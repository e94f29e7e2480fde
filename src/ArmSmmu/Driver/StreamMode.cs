using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>How an <see cref="Iommu"/> stream treats its transactions (STE.Config, IHI0070 §5.2).</summary>
public enum StreamMode
{
    /// <summary>Every transaction is aborted without an event (Config 0b000).</summary>
    Abort,

    /// <summary>Addresses pass through untranslated (Config 0b100).</summary>
    Bypass,

    /// <summary>Stage-1 translation VA -> PA through a CD table, with optional PASIDs (Config 0b101).</summary>
    Stage1,

    /// <summary>Stage-2 translation IPA -> PA (Config 0b110).</summary>
    Stage2,

    /// <summary>Stage 1 VA -> IPA, then stage 2 IPA -> PA (Config 0b111).</summary>
    Nested,
}

/// <summary>The shape of a stream's translation tables, for <see cref="Iommu.ConfigureStream"/>.</summary>
public sealed record StreamOptions
{
    /// <summary>The defaults: 4 KB granule, 48-bit VAs and IPAs, no stalls, as many PASID bits as the SMMU has.</summary>
    public static StreamOptions Default { get; } = new();

    /// <summary>Translation granule of both stages.</summary>
    public Granule Granule { get; init; } = Granule.Size4K;

    /// <summary>Stage-1 input (VA) size in bits, 25..48; up to 52 when IDR5.VAX allows it (the 64K granule, or 4K/16K with IDR5.DS).</summary>
    public int InputAddressBits { get; init; } = 48;

    /// <summary>Stage-2 input (IPA) size in bits: 32, 36, 40, 42, 44, 48 or 52 for nested streams (it is stage 1's output size), at most the SMMU's IAS.</summary>
    public int IntermediateAddressBits { get; init; } = 48;

    /// <summary>Faulting transactions stall (CD.S / STE.S2S = 1) until <see cref="Iommu.Resume"/>, instead of aborting.</summary>
    public bool Stall { get; init; }

    /// <summary>PASID (SubstreamID) bits of the stream's CD table; null = IDR1.SSIDSIZE; 0 = no PASIDs.</summary>
    public int? PasidBits { get; init; }
}
