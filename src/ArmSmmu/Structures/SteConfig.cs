namespace ArmSmmu.Structures;

/// <summary>STE.Config (IHI0070 §5.2, digest 2.2). Bit 0 enables stage 1, bit 1 stage 2, bit 2 translation.</summary>
/// <remarks>Raw values 1..3 are reserved and behave as <see cref="Abort"/>; they still round-trip as casts from uint.</remarks>
public enum SteConfig : uint
{
    /// <summary>0b000: abort all traffic, no event.</summary>
    Abort = 0,

    /// <summary>0b100: bypass both stages.</summary>
    Bypass = 4,

    /// <summary>0b101: stage 1 translate, stage 2 bypass.</summary>
    Stage1Translate = 5,

    /// <summary>0b110: stage 1 bypass, stage 2 translate.</summary>
    Stage2Translate = 6,

    /// <summary>0b111: stage 1 and stage 2 translate (nested).</summary>
    Nested = 7,
}
