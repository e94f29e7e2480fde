namespace ArmSmmu.Driver;

/// <summary>Which translation stage an <see cref="IoPageTable"/> serves (IHI0070 §3.3): the format of its leaf descriptors and of its start table.</summary>
public enum PageTableStage
{
    /// <summary>Stage 1: VA to IPA/PA, pointed to by CD.TTB0; AP/AttrIndx leaves.</summary>
    Stage1,

    /// <summary>Stage 2: IPA to PA, pointed to by STE.S2TTB; S2AP/MemAttr leaves, concatenated start tables.</summary>
    Stage2,
}
