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
/// <remarks>
/// Held as one word, a byte per field, so a copy is one register move: the TLB-hit path builds and copies these
/// into every result, and a 7-byte struct of separate fields was copied with overlapping moves that stalled store
/// forwarding (seen in the NativeAOT profile of armsmmu_translate).
/// </remarks>
public readonly record struct MemoryAttributes
{
    private readonly ulong _bits;

    /// <summary>Memory attributes of a transaction.</summary>
    /// <param name="Type">Device or Normal.</param>
    /// <param name="Inner">Inner cacheability (Normal only).</param>
    /// <param name="Outer">Outer cacheability (Normal only).</param>
    /// <param name="Shareability">Shareability domain.</param>
    /// <param name="ReadAllocate">Read-allocate hint.</param>
    /// <param name="WriteAllocate">Write-allocate hint.</param>
    /// <param name="Transient">Transient hint.</param>
#pragma warning disable SA1313 // the parameter names are the positional record's, kept for callers that name them
    public MemoryAttributes(
        MemoryType Type, Cacheability Inner, Cacheability Outer, Shareability Shareability,
        bool ReadAllocate, bool WriteAllocate, bool Transient = false) =>
        _bits = (byte)Type | ((ulong)(byte)Inner << 8) | ((ulong)(byte)Outer << 16) | ((ulong)(byte)Shareability << 24)
            | (ReadAllocate ? 1UL << 32 : 0) | (WriteAllocate ? 1UL << 40 : 0) | (Transient ? 1UL << 48 : 0);
#pragma warning restore SA1313

    private MemoryAttributes(ulong bits) => _bits = bits;

    /// <summary>Device or Normal.</summary>
    public MemoryType Type { get => (MemoryType)Byte(0); init => _bits = With(0, (byte)value); }

    /// <summary>Inner cacheability (Normal only).</summary>
    public Cacheability Inner { get => (Cacheability)Byte(1); init => _bits = With(1, (byte)value); }

    /// <summary>Outer cacheability (Normal only).</summary>
    public Cacheability Outer { get => (Cacheability)Byte(2); init => _bits = With(2, (byte)value); }

    /// <summary>Shareability domain.</summary>
    public Shareability Shareability { get => (Shareability)Byte(3); init => _bits = With(3, (byte)value); }

    /// <summary>Read-allocate hint.</summary>
    public bool ReadAllocate { get => Byte(4) != 0; init => _bits = With(4, value ? (byte)1 : (byte)0); }

    /// <summary>Write-allocate hint.</summary>
    public bool WriteAllocate { get => Byte(5) != 0; init => _bits = With(5, value ? (byte)1 : (byte)0); }

    /// <summary>Transient hint.</summary>
    public bool Transient { get => Byte(6) != 0; init => _bits = With(6, value ? (byte)1 : (byte)0); }

    /// <summary>The packed word (bytes 0–6), for <see cref="TransactionAttributes"/>.</summary>
    internal ulong Bits => _bits;

    /// <summary>Deconstructs into the constructor's parameters.</summary>
    /// <param name="Type">Device or Normal.</param>
    /// <param name="Inner">Inner cacheability.</param>
    /// <param name="Outer">Outer cacheability.</param>
    /// <param name="Shareability">Shareability domain.</param>
    /// <param name="ReadAllocate">Read-allocate hint.</param>
    /// <param name="WriteAllocate">Write-allocate hint.</param>
    /// <param name="Transient">Transient hint.</param>
#pragma warning disable SA1313
    public void Deconstruct(
        out MemoryType Type, out Cacheability Inner, out Cacheability Outer, out Shareability Shareability,
        out bool ReadAllocate, out bool WriteAllocate, out bool Transient)
#pragma warning restore SA1313
    {
        Type = this.Type;
        Inner = this.Inner;
        Outer = this.Outer;
        Shareability = this.Shareability;
        ReadAllocate = this.ReadAllocate;
        WriteAllocate = this.WriteAllocate;
        Transient = this.Transient;
    }

    /// <summary>Rebuilds the attributes from <see cref="Bits"/>.</summary>
    internal static MemoryAttributes FromBits(ulong bits) => new(bits);

    private byte Byte(int index) => (byte)(_bits >> (index * 8));

    private ulong With(int index, byte value) => (_bits & ~(0xFFUL << (index * 8))) | ((ulong)value << (index * 8));

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
/// <remarks>One word, like <see cref="MemoryAttributes"/>: the memory attributes in bytes 0–6, the flags in byte 7.</remarks>
public readonly record struct TransactionAttributes
{
    // PnU and InD are adjacent, in this order: a stream path ORs both in with one shift (AccessBitsAt).
    private const int PrivilegedBit = 56;
    private const int InstructionBit = PrivilegedBit + 1;
    private const int NonSecureBit = 58;
    private const ulong MemoryMask = (1UL << 56) - 1;

    private readonly ulong _bits;

    /// <summary>Everything about an outgoing transaction other than its address.</summary>
    /// <param name="Memory">Memory type, cacheability and shareability.</param>
    /// <param name="Privileged">Privileged (PnU) after STE.PRIVCFG.</param>
    /// <param name="Instruction">Instruction fetch (InD) after STE.INSTCFG.</param>
    /// <param name="NonSecure">Non-secure physical address space.</param>
#pragma warning disable SA1313 // the parameter names are the positional record's, kept for callers that name them
    public TransactionAttributes(MemoryAttributes Memory, bool Privileged, bool Instruction, bool NonSecure = true) =>
        _bits = Memory.Bits | Flag(Privileged, PrivilegedBit) | Flag(Instruction, InstructionBit) | Flag(NonSecure, NonSecureBit);
#pragma warning restore SA1313

    private TransactionAttributes(ulong bits) => _bits = bits;

    /// <summary>Memory type, cacheability and shareability.</summary>
    public MemoryAttributes Memory { get => MemoryAttributes.FromBits(_bits & MemoryMask); init => _bits = (_bits & ~MemoryMask) | value.Bits; }

    /// <summary>Privileged (PnU) after STE.PRIVCFG.</summary>
    public bool Privileged { get => Has(PrivilegedBit); init => _bits = With(PrivilegedBit, value); }

    /// <summary>Instruction fetch (InD) after STE.INSTCFG.</summary>
    public bool Instruction { get => Has(InstructionBit); init => _bits = With(InstructionBit, value); }

    /// <summary>Non-secure physical address space.</summary>
    public bool NonSecure { get => Has(NonSecureBit); init => _bits = With(NonSecureBit, value); }

    /// <summary>Deconstructs into the constructor's parameters.</summary>
    /// <param name="Memory">Memory type, cacheability and shareability.</param>
    /// <param name="Privileged">Privileged (PnU).</param>
    /// <param name="Instruction">Instruction fetch (InD).</param>
    /// <param name="NonSecure">Non-secure physical address space.</param>
#pragma warning disable SA1313
    public void Deconstruct(out MemoryAttributes Memory, out bool Privileged, out bool Instruction, out bool NonSecure)
#pragma warning restore SA1313
    {
        Memory = this.Memory;
        Privileged = this.Privileged;
        Instruction = this.Instruction;
        NonSecure = this.NonSecure;
    }

    /// <summary>The packed word: what a TLB entry precomputes of the attributes of its hits.</summary>
    internal ulong Bits => _bits;

    /// <summary>Attributes from a packed word (<see cref="Bits"/>, with <see cref="AccessBits"/> ORed in).</summary>
    /// <param name="bits">The packed word.</param>
    /// <returns>The attributes.</returns>
    internal static TransactionAttributes FromBits(ulong bits) => new(bits);

    /// <summary>The PnU and InD bits of a packed word.</summary>
    /// <param name="privileged">Privileged (PnU).</param>
    /// <param name="instruction">Instruction fetch (InD).</param>
    /// <returns>The bits, to OR into <see cref="Bits"/>.</returns>
    internal static ulong AccessBits(bool privileged, bool instruction) => Flag(privileged, PrivilegedBit) | Flag(instruction, InstructionBit);

    /// <summary>As <see cref="AccessBits"/> from a pair of bits: PnU at bit <paramref name="at"/> of <paramref name="word"/>, InD above it.</summary>
    /// <param name="word">The word holding the pair.</param>
    /// <param name="at">Where PnU is in it.</param>
    /// <returns>The bits, to OR into <see cref="Bits"/>.</returns>
    internal static ulong AccessBitsAt(ulong word, int at) => ((word >> at) & 3) << PrivilegedBit;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Memory}{(Privileged ? ", priv" : ", unpriv")}{(Instruction ? ", instr" : ", data")}{(NonSecure ? string.Empty : ", secure")}";

    private static ulong Flag(bool value, int bit) => value ? 1UL << bit : 0;

    private bool Has(int bit) => ((_bits >> bit) & 1) != 0;

    private ulong With(int bit, bool value) => (_bits & ~(1UL << bit)) | Flag(value, bit);
}
