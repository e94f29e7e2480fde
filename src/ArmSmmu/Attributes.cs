namespace ArmSmmu;

/// <summary>Memory type of a transaction (VMSAv8-64 memory types, DDI0487 B2.7).</summary>
public enum MemoryType : byte
{
    /// <summary>Device-nGnRnE.</summary>
    DeviceNGnRnE,

    /// <summary>Device-nGnRE.</summary>
    DeviceNGnRE,

    /// <summary>Device-nGRE.</summary>
    DeviceNGRE,

    /// <summary>Device-GRE.</summary>
    DeviceGRE,

    /// <summary>Normal memory; see the cacheability fields.</summary>
    Normal,
}

/// <summary>Cacheability of one level (inner or outer) of Normal memory.</summary>
public enum Cacheability : byte
{
    /// <summary>Non-cacheable.</summary>
    NonCacheable,

    /// <summary>Write-through.</summary>
    WriteThrough,

    /// <summary>Write-back.</summary>
    WriteBack,
}

/// <summary>Shareability domain.</summary>
public enum Shareability : byte
{
    /// <summary>Non-shareable.</summary>
    NonShareable,

    /// <summary>Outer shareable.</summary>
    OuterShareable,

    /// <summary>Inner shareable.</summary>
    InnerShareable,
}

/// <summary>Memory attributes of a transaction.</summary>
/// <param name="Type">Device or Normal.</param>
/// <param name="Inner">Inner cacheability (Normal only).</param>
/// <param name="Outer">Outer cacheability (Normal only).</param>
/// <param name="Shareability">Shareability domain.</param>
/// <param name="ReadAllocate">Read-allocate hint.</param>
/// <param name="WriteAllocate">Write-allocate hint.</param>
/// <param name="Transient">Transient hint.</param>
public readonly record struct MemoryAttributes(
    MemoryType Type, Cacheability Inner, Cacheability Outer, Shareability Shareability,
    bool ReadAllocate, bool WriteAllocate, bool Transient = false)
{
    /// <summary>Normal, inner and outer write-back, read/write-allocate, inner shareable: what a cache-coherent device issues.</summary>
    public static MemoryAttributes NormalWriteBack { get; } =
        new(MemoryType.Normal, Cacheability.WriteBack, Cacheability.WriteBack, Shareability.InnerShareable, true, true);

    /// <summary>Device-nGnRnE, outer shareable (Device memory is always treated as outer shareable).</summary>
    public static MemoryAttributes DeviceStrict { get; } =
        new(MemoryType.DeviceNGnRnE, Cacheability.NonCacheable, Cacheability.NonCacheable, Shareability.OuterShareable, false, false);

    /// <inheritdoc />
    public override string ToString() => Type == MemoryType.Normal
        ? $"Normal I{Short(Inner)} O{Short(Outer)} {ShortSh(Shareability)}{(ReadAllocate ? " RA" : string.Empty)}{(WriteAllocate ? " WA" : string.Empty)}"
        : $"{Type} {ShortSh(Shareability)}";

    private static string Short(Cacheability c) => c switch
    {
        Cacheability.WriteBack => "WB",
        Cacheability.WriteThrough => "WT",
        _ => "NC",
    };

    private static string ShortSh(Shareability s) => s switch
    {
        Shareability.InnerShareable => "ISH",
        Shareability.OuterShareable => "OSH",
        _ => "NSH",
    };
}

/// <summary>Everything about an outgoing transaction other than its address.</summary>
/// <param name="Memory">Memory type, cacheability and shareability.</param>
/// <param name="Privileged">Privileged (PnU) after STE.PRIVCFG.</param>
/// <param name="Instruction">Instruction fetch (InD) after STE.INSTCFG.</param>
/// <param name="NonSecure">Non-secure physical address space.</param>
public readonly record struct TransactionAttributes(MemoryAttributes Memory, bool Privileged, bool Instruction, bool NonSecure = true)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Memory}{(Privileged ? ", priv" : ", unpriv")}{(Instruction ? ", instr" : ", data")}{(NonSecure ? string.Empty : ", secure")}";
}
