using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// A Context Descriptor: 64 bytes, 8 little-endian 64-bit words (IHI0070 §5.4, digest 3.1). Each property decodes
/// one field; its <c>init</c> accessor encodes it, so <c>cd with { V = false }</c> edits one field.
/// </summary>
public readonly struct ContextDescriptor : IEquatable<ContextDescriptor>
{
    /// <summary>Size of a CD in bytes.</summary>
    public const int Size = 64;

    /// <summary>Number of 64-bit words.</summary>
    public const int WordCount = 8;

    private readonly ulong _w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7;

    /// <summary>Creates a CD from its words.</summary>
    /// <param name="dw0">Word 0.</param>
    /// <param name="dw1">Word 1.</param>
    /// <param name="dw2">Word 2.</param>
    /// <param name="dw3">Word 3.</param>
    /// <param name="dw4">Word 4.</param>
    /// <param name="dw5">Word 5.</param>
    /// <param name="dw6">Word 6.</param>
    /// <param name="dw7">Word 7.</param>
    public ContextDescriptor(ulong dw0, ulong dw1 = 0, ulong dw2 = 0, ulong dw3 = 0, ulong dw4 = 0, ulong dw5 = 0, ulong dw6 = 0, ulong dw7 = 0)
    {
        _w0 = dw0;
        _w1 = dw1;
        _w2 = dw2;
        _w3 = dw3;
        _w4 = dw4;
        _w5 = dw5;
        _w6 = dw6;
        _w7 = dw7;
    }

    /// <summary>Creates a CD from at least 8 words.</summary>
    /// <param name="words">The words, dw0 first.</param>
    /// <exception cref="ArgumentException">Fewer than 8 words.</exception>
    public ContextDescriptor(ReadOnlySpan<ulong> words)
    {
        RecordIo.RequireLength(words, WordCount, nameof(ContextDescriptor));
        (_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7) = (words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7]);
    }

    /// <summary>The all-zero CD (V = 0).</summary>
    public static ContextDescriptor Invalid => default;

    /// <summary>Word 0.</summary>
    public ulong Dw0 => _w0;

    /// <summary>Word 1.</summary>
    public ulong Dw1 => _w1;

    /// <summary>Word 2.</summary>
    public ulong Dw2 => _w2;

    /// <summary>Word 3.</summary>
    public ulong Dw3 => _w3;

    /// <summary>Word 4.</summary>
    public ulong Dw4 => _w4;

    /// <summary>Word 5.</summary>
    public ulong Dw5 => _w5;

    /// <summary>Word 6.</summary>
    public ulong Dw6 => _w6;

    /// <summary>Word 7.</summary>
    public ulong Dw7 => _w7;

    /// <summary>T0SZ, dw0[5:0]: TTB0 region is 2^(64-T0SZ) bytes.</summary>
    public uint T0SZ { get => (uint)Bits.Extract(_w0, 5, 0); init => _w0 = Bits.Insert(_w0, 5, 0, value); }

    /// <summary>TG0, dw0[7:6]: TTB0 granule (00 4 KB, 01 64 KB, 10 16 KB, 11 reserved).</summary>
    public uint TG0 { get => (uint)Bits.Extract(_w0, 7, 6); init => _w0 = Bits.Insert(_w0, 7, 6, value); }

    /// <summary>IR0, dw0[9:8]: TTB0 walk inner cacheability (RGN encoding).</summary>
    public uint IR0 { get => (uint)Bits.Extract(_w0, 9, 8); init => _w0 = Bits.Insert(_w0, 9, 8, value); }

    /// <summary>OR0, dw0[11:10]: TTB0 walk outer cacheability (RGN encoding).</summary>
    public uint OR0 { get => (uint)Bits.Extract(_w0, 11, 10); init => _w0 = Bits.Insert(_w0, 11, 10, value); }

    /// <summary>SH0, dw0[13:12]: TTB0 walk shareability.</summary>
    public uint SH0 { get => (uint)Bits.Extract(_w0, 13, 12); init => _w0 = Bits.Insert(_w0, 13, 12, value); }

    /// <summary>EPD0, dw0[14]: no walks through TTB0.</summary>
    public bool EPD0 { get => Bits.IsSet(_w0, 14); init => _w0 = Bits.With(_w0, 14, value); }

    /// <summary>ENDI, dw0[15]: translation tables are big-endian.</summary>
    public bool ENDI { get => Bits.IsSet(_w0, 15); init => _w0 = Bits.With(_w0, 15, value); }

    /// <summary>T1SZ, dw0[21:16]: TTB1 region is 2^(64-T1SZ) bytes.</summary>
    public uint T1SZ { get => (uint)Bits.Extract(_w0, 21, 16); init => _w0 = Bits.Insert(_w0, 21, 16, value); }

    /// <summary>TG1, dw0[23:22]: TTB1 granule (TCR TG1 encoding: 00 reserved, 01 16 KB, 10 4 KB, 11 64 KB).</summary>
    public uint TG1 { get => (uint)Bits.Extract(_w0, 23, 22); init => _w0 = Bits.Insert(_w0, 23, 22, value); }

    /// <summary>IR1, dw0[25:24]: TTB1 walk inner cacheability.</summary>
    public uint IR1 { get => (uint)Bits.Extract(_w0, 25, 24); init => _w0 = Bits.Insert(_w0, 25, 24, value); }

    /// <summary>OR1, dw0[27:26]: TTB1 walk outer cacheability.</summary>
    public uint OR1 { get => (uint)Bits.Extract(_w0, 27, 26); init => _w0 = Bits.Insert(_w0, 27, 26, value); }

    /// <summary>SH1, dw0[29:28]: TTB1 walk shareability.</summary>
    public uint SH1 { get => (uint)Bits.Extract(_w0, 29, 28); init => _w0 = Bits.Insert(_w0, 29, 28, value); }

    /// <summary>EPD1, dw0[30]: no walks through TTB1.</summary>
    public bool EPD1 { get => Bits.IsSet(_w0, 30); init => _w0 = Bits.With(_w0, 30, value); }

    /// <summary>V, dw0[31]: CD valid.</summary>
    public bool V { get => Bits.IsSet(_w0, 31); init => _w0 = Bits.With(_w0, 31, value); }

    /// <summary>IPS, dw0[34:32]: intermediate (stage-1 output) size.</summary>
    public uint IPS { get => (uint)Bits.Extract(_w0, 34, 32); init => _w0 = Bits.Insert(_w0, 34, 32, value); }

    /// <summary>AFFD, dw0[35]: Access flag faults disabled.</summary>
    public bool AFFD { get => Bits.IsSet(_w0, 35); init => _w0 = Bits.With(_w0, 35, value); }

    /// <summary>WXN, dw0[36]: writable implies execute-never.</summary>
    public bool WXN { get => Bits.IsSet(_w0, 36); init => _w0 = Bits.With(_w0, 36, value); }

    /// <summary>UWXN, dw0[37]: unprivileged writable implies privileged execute-never (AArch32 only).</summary>
    public bool UWXN { get => Bits.IsSet(_w0, 37); init => _w0 = Bits.With(_w0, 37, value); }

    /// <summary>TBI0, dw0[38]: top byte ignored for the TTB0 range.</summary>
    public bool TBI0 { get => Bits.IsSet(_w0, 38); init => _w0 = Bits.With(_w0, 38, value); }

    /// <summary>TBI1, dw0[39]: top byte ignored for the TTB1 range.</summary>
    public bool TBI1 { get => Bits.IsSet(_w0, 39); init => _w0 = Bits.With(_w0, 39, value); }

    /// <summary>PAN, dw0[40]: privileged access never.</summary>
    public bool PAN { get => Bits.IsSet(_w0, 40); init => _w0 = Bits.With(_w0, 40, value); }

    /// <summary>AA64, dw0[41]: VMSAv8-64 tables.</summary>
    public bool AA64 { get => Bits.IsSet(_w0, 41); init => _w0 = Bits.With(_w0, 41, value); }

    /// <summary>HD, dw0[42]: hardware dirty-state update.</summary>
    public bool HD { get => Bits.IsSet(_w0, 42); init => _w0 = Bits.With(_w0, 42, value); }

    /// <summary>HA, dw0[43]: hardware Access flag update.</summary>
    public bool HA { get => Bits.IsSet(_w0, 43); init => _w0 = Bits.With(_w0, 43, value); }

    /// <summary>S, dw0[44]: stage-1 faults stall.</summary>
    public bool S { get => Bits.IsSet(_w0, 44); init => _w0 = Bits.With(_w0, 44, value); }

    /// <summary>R, dw0[45]: stage-1 faults are recorded.</summary>
    public bool R { get => Bits.IsSet(_w0, 45); init => _w0 = Bits.With(_w0, 45, value); }

    /// <summary>A, dw0[46]: stage-1 faults abort (else RAZ/WI).</summary>
    public bool A { get => Bits.IsSet(_w0, 46); init => _w0 = Bits.With(_w0, 46, value); }

    /// <summary>ASET, dw0[47]: ASID is SMMU-private (not shared with the PE).</summary>
    public bool ASET { get => Bits.IsSet(_w0, 47); init => _w0 = Bits.With(_w0, 47, value); }

    /// <summary>ASID, dw0[63:48]: address space identifier.</summary>
    public ushort ASID { get => (ushort)Bits.Extract(_w0, 63, 48); init => _w0 = Bits.Insert(_w0, 63, 48, value); }

    /// <summary>NSCFG0, dw1[0]: TTB0 walk starts Non-secure (Secure streams only).</summary>
    public bool NSCFG0 { get => Bits.IsSet(_w1, 0); init => _w1 = Bits.With(_w1, 0, value); }

    /// <summary>HAD0, dw1[1]: hierarchical attributes disabled for TTB0.</summary>
    public bool HAD0 { get => Bits.IsSet(_w1, 1); init => _w1 = Bits.With(_w1, 1, value); }

    /// <summary>E0PD0, dw1[2]: EL0 accesses to the TTB0 range fault.</summary>
    public bool E0PD0 { get => Bits.IsSet(_w1, 2); init => _w1 = Bits.With(_w1, 2, value); }

    /// <summary>TTB0, dw1[55:4], as an address (bits [3:0] zero): TTB0 table base.</summary>
    public ulong TTB0 { get => Bits.Address(_w1, 55, 4); init => _w1 = Bits.Insert(_w1, 55, 4, value >> 4); }

    /// <summary>NSCFG1, dw2[0]: TTB1 walk starts Non-secure (Secure streams only).</summary>
    public bool NSCFG1 { get => Bits.IsSet(_w2, 0); init => _w2 = Bits.With(_w2, 0, value); }

    /// <summary>HAD1, dw2[1]: hierarchical attributes disabled for TTB1.</summary>
    public bool HAD1 { get => Bits.IsSet(_w2, 1); init => _w2 = Bits.With(_w2, 1, value); }

    /// <summary>E0PD1, dw2[2]: EL0 accesses to the TTB1 range fault.</summary>
    public bool E0PD1 { get => Bits.IsSet(_w2, 2); init => _w2 = Bits.With(_w2, 2, value); }

    /// <summary>TTB1, dw2[55:4], as an address (bits [3:0] zero): TTB1 table base.</summary>
    public ulong TTB1 { get => Bits.Address(_w2, 55, 4); init => _w2 = Bits.Insert(_w2, 55, 4, value >> 4); }

    /// <summary>DS, dw2[58]: 52-bit addresses with 4 KB / 16 KB granules.</summary>
    public bool DS { get => Bits.IsSet(_w2, 58); init => _w2 = Bits.With(_w2, 58, value); }

    /// <summary>MAIR, dw3: the 64-bit memory attribute indirection register (MAIR0 in [31:0], MAIR1 in [63:32]).</summary>
    public ulong MAIR { get => _w3; init => _w3 = value; }

    /// <summary>AMAIR, dw4: auxiliary memory attributes (IMPLEMENTATION DEFINED).</summary>
    public ulong AMAIR { get => _w4; init => _w4 = value; }

    /// <summary>The words in order.</summary>
    /// <returns>A new 8-element array.</returns>
    public ulong[] ToArray() => [_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7];

    /// <summary>Reads a CD.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Address of dw0.</param>
    /// <param name="value">The descriptor, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out ContextDescriptor value)
    {
        Span<ulong> w = stackalloc ulong[WordCount];
        bool ok = RecordIo.TryRead(memory, address, w);
        value = new ContextDescriptor(w);
        return ok;
    }

    /// <summary>Writes the CD (all 64 bytes in one access).</summary>
    /// <param name="memory">Memory to write.</param>
    /// <param name="address">Address of dw0.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWrite(IPhysicalMemory memory, ulong address) => RecordIo.TryWrite(memory, address, ToArray());

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, in word and bit order.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText("dw");
        f.Add("T0SZ", 0, _w0, 5, 0, TxszText)
            .Add("TG0", 0, _w0, 7, 6, Tg0Text)
            .Add("IR0", 0, _w0, 9, 8, FieldText.Cacheability)
            .Add("OR0", 0, _w0, 11, 10, FieldText.Cacheability)
            .Add("SH0", 0, _w0, 13, 12, FieldText.Shareability)
            .Flag("EPD0", 0, _w0, 14, "TTB0 walks disabled", "TTB0 walks enabled")
            .Flag("ENDI", 0, _w0, 15, "big-endian tables", "little-endian tables")
            .Add("T1SZ", 0, _w0, 21, 16, TxszText)
            .Add("TG1", 0, _w0, 23, 22, Tg1Text)
            .Add("IR1", 0, _w0, 25, 24, FieldText.Cacheability)
            .Add("OR1", 0, _w0, 27, 26, FieldText.Cacheability)
            .Add("SH1", 0, _w0, 29, 28, FieldText.Shareability)
            .Flag("EPD1", 0, _w0, 30, "TTB1 walks disabled", "TTB1 walks enabled")
            .Flag("V", 0, _w0, 31, "valid", "invalid (C_BAD_CD)")
            .Add("IPS", 0, _w0, 34, 32, FieldText.AddressSize)
            .Flag("AFFD", 0, _w0, 35, "no Access flag faults", "Access flag faults")
            .Flag("WXN", 0, _w0, 36, "writable implies XN", "no WXN")
            .Flag("UWXN", 0, _w0, 37, "unprivileged writable implies PXN", "no UWXN")
            .Flag("TBI0", 0, _w0, 38, "top byte ignored (TTB0)", "top byte used (TTB0)")
            .Flag("TBI1", 0, _w0, 39, "top byte ignored (TTB1)", "top byte used (TTB1)")
            .Flag("PAN", 0, _w0, 40, "privileged access never", "no PAN")
            .Flag("AA64", 0, _w0, 41, "VMSAv8-64", "VMSAv8-32 LPAE")
            .Flag("HD", 0, _w0, 42, "hardware dirty update", "no hardware dirty update")
            .Flag("HA", 0, _w0, 43, "hardware Access flag update", "no hardware Access flag update")
            .Flag("S", 0, _w0, 44, "faults stall", "faults terminate")
            .Flag("R", 0, _w0, 45, "faults recorded", "faults not recorded")
            .Flag("A", 0, _w0, 46, "terminate with abort", "terminate as RAZ/WI")
            .Flag("ASET", 0, _w0, 47, "SMMU-private ASID", "ASID shared with PE")
            .Add("ASID", 0, _w0, 63, 48, FieldText.Dec)
            .Flag("NSCFG0", 1, _w1, 0, "TTB0 walk Non-secure", "TTB0 walk Secure")
            .Flag("HAD0", 1, _w1, 1, "hierarchical attributes disabled (TTB0)", "hierarchical attributes enabled (TTB0)")
            .Flag("E0PD0", 1, _w1, 2, "EL0 access to TTB0 range faults", "no E0PD (TTB0)")
            .Address("TTB0", 1, _w1, 55, 4)
            .Flag("NSCFG1", 2, _w2, 0, "TTB1 walk Non-secure", "TTB1 walk Secure")
            .Flag("HAD1", 2, _w2, 1, "hierarchical attributes disabled (TTB1)", "hierarchical attributes enabled (TTB1)")
            .Flag("E0PD1", 2, _w2, 2, "EL0 access to TTB1 range faults", "no E0PD (TTB1)")
            .Address("TTB1", 2, _w2, 55, 4)
            .Flag("DS", 2, _w2, 58, "52-bit with 4 KB/16 KB", "no DS")
            .Add("MAIR", 3, _w3, 63, 0, FieldText.Hex)
            .Add("AMAIR", 4, _w4, 63, 0, FieldText.Hex);
        return f.Fields;
    }

    private static string TxszText(ulong v) => string.Create(CultureInfo.InvariantCulture, $"{v} ({64 - (long)v}-bit region)");

    /// <summary>TG0 uses the TCR_ELx.TG0 encoding (IHI0070 §5.4).</summary>
    internal static string Tg0Text(ulong v) => FieldText.Bin(v, 2) + v switch
    {
        0 => " 4 KB",
        1 => " 64 KB",
        2 => " 16 KB",
        _ => " reserved",
    };

    /// <summary>TG1 uses the TCR_ELx.TG1 encoding, which differs from TG0 (IHI0070 §5.4, digest 9.1).</summary>
    internal static string Tg1Text(ulong v) => FieldText.Bin(v, 2) + v switch
    {
        1 => " 16 KB",
        2 => " 4 KB",
        3 => " 64 KB",
        _ => " reserved",
    };

    /// <summary>One-line summary.</summary>
    /// <returns>V, ASID and the TTB0 configuration.</returns>
    public override string ToString() => !V
        ? "CD invalid"
        : string.Create(CultureInfo.InvariantCulture, $"CD V=1 ASID={ASID} TTB0=0x{TTB0:X} T0SZ={T0SZ} TG0={TG0} EPD0={(EPD0 ? 1 : 0)} EPD1={(EPD1 ? 1 : 0)} IPS={IPS} AA64={(AA64 ? 1 : 0)} R={(R ? 1 : 0)} A={(A ? 1 : 0)} S={(S ? 1 : 0)}");

    /// <inheritdoc/>
    public bool Equals(ContextDescriptor other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3 &&
        _w4 == other._w4 && _w5 == other._w5 && _w6 == other._w6 && _w7 == other._w7;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ContextDescriptor other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7);

    /// <summary>Word-wise equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when all words are equal.</returns>
    public static bool operator ==(ContextDescriptor left, ContextDescriptor right) => left.Equals(right);

    /// <summary>Word-wise inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when any word differs.</returns>
    public static bool operator !=(ContextDescriptor left, ContextDescriptor right) => !left.Equals(right);
}
