using System.Globalization;

namespace ArmSmmu.Structures;

/// <summary>
/// A Stream Table Entry: 64 bytes, 8 little-endian 64-bit words (IHI0070 §5.2, digest 2.1). Each property decodes
/// one field; its <c>init</c> accessor encodes it, so <c>ste with { V = false }</c> edits one field.
/// </summary>
public readonly struct StreamTableEntry : IEquatable<StreamTableEntry>
{
    /// <summary>Size of an STE in bytes.</summary>
    public const int Size = 64;

    /// <summary>Number of 64-bit words.</summary>
    public const int WordCount = 8;

    private readonly ulong _w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7;

    /// <summary>Creates an STE from its words.</summary>
    /// <param name="dw0">Word 0.</param>
    /// <param name="dw1">Word 1.</param>
    /// <param name="dw2">Word 2.</param>
    /// <param name="dw3">Word 3.</param>
    /// <param name="dw4">Word 4.</param>
    /// <param name="dw5">Word 5.</param>
    /// <param name="dw6">Word 6.</param>
    /// <param name="dw7">Word 7.</param>
    public StreamTableEntry(ulong dw0, ulong dw1 = 0, ulong dw2 = 0, ulong dw3 = 0, ulong dw4 = 0, ulong dw5 = 0, ulong dw6 = 0, ulong dw7 = 0)
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

    /// <summary>Creates an STE from at least 8 words.</summary>
    /// <param name="words">The words, dw0 first.</param>
    /// <exception cref="ArgumentException">Fewer than 8 words.</exception>
    public StreamTableEntry(ReadOnlySpan<ulong> words)
    {
        RecordIo.RequireLength(words, WordCount, nameof(StreamTableEntry));
        (_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7) = (words[0], words[1], words[2], words[3], words[4], words[5], words[6], words[7]);
    }

    /// <summary>The abort STE Linux fills unused entries with: V=1, Config=0b000 (dw0 = 0x1).</summary>
    public static StreamTableEntry Abort => new(0x1);

    /// <summary>The bypass STE Linux writes: V=1, Config=0b100 (dw0 = 0x9), SHCFG=01 "use incoming" (dw1 bit 44).</summary>
    public static StreamTableEntry BypassEntry => new(0x9, 1UL << 44);

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

    // ---- dw0 ----

    /// <summary>V, dw0[0]: entry valid.</summary>
    public bool V { get => Bits.IsSet(_w0, 0); init => _w0 = Bits.With(_w0, 0, value); }

    /// <summary>Config, dw0[3:1].</summary>
    public SteConfig Config { get => (SteConfig)Bits.Extract(_w0, 3, 1); init => _w0 = Bits.Insert(_w0, 3, 1, (ulong)value); }

    /// <summary>S1Fmt, dw0[5:4]: CD table format (00 linear, 01 2-level 4 KB leaves, 10 2-level 64 KB leaves).</summary>
    public uint S1Fmt { get => (uint)Bits.Extract(_w0, 5, 4); init => _w0 = Bits.Insert(_w0, 5, 4, value); }

    /// <summary>S1ContextPtr, dw0[55:6], as an address (bits [5:0] zero).</summary>
    public ulong S1ContextPtr { get => Bits.Address(_w0, 55, 6); init => _w0 = Bits.Insert(_w0, 55, 6, value >> 6); }

    /// <summary>S1CDMax, dw0[63:59]: log2 of the number of CDs.</summary>
    public uint S1CDMax { get => (uint)Bits.Extract(_w0, 63, 59); init => _w0 = Bits.Insert(_w0, 63, 59, value); }

    // ---- dw1 ----

    /// <summary>S1DSS, dw1[1:0]: default substream behaviour.</summary>
    public uint S1DSS { get => (uint)Bits.Extract(_w1, 1, 0); init => _w1 = Bits.Insert(_w1, 1, 0, value); }

    /// <summary>S1CIR, dw1[3:2]: CD fetch inner cacheability.</summary>
    public uint S1CIR { get => (uint)Bits.Extract(_w1, 3, 2); init => _w1 = Bits.Insert(_w1, 3, 2, value); }

    /// <summary>S1COR, dw1[5:4]: CD fetch outer cacheability.</summary>
    public uint S1COR { get => (uint)Bits.Extract(_w1, 5, 4); init => _w1 = Bits.Insert(_w1, 5, 4, value); }

    /// <summary>S1CSH, dw1[7:6]: CD fetch shareability.</summary>
    public uint S1CSH { get => (uint)Bits.Extract(_w1, 7, 6); init => _w1 = Bits.Insert(_w1, 7, 6, value); }

    /// <summary>S2HWU59, dw1[8] (PBHA).</summary>
    public bool S2HWU59 { get => Bits.IsSet(_w1, 8); init => _w1 = Bits.With(_w1, 8, value); }

    /// <summary>S2HWU60, dw1[9] (PBHA).</summary>
    public bool S2HWU60 { get => Bits.IsSet(_w1, 9); init => _w1 = Bits.With(_w1, 9, value); }

    /// <summary>S2HWU61, dw1[10] (PBHA).</summary>
    public bool S2HWU61 { get => Bits.IsSet(_w1, 10); init => _w1 = Bits.With(_w1, 10, value); }

    /// <summary>S2HWU62, dw1[11] (PBHA).</summary>
    public bool S2HWU62 { get => Bits.IsSet(_w1, 11); init => _w1 = Bits.With(_w1, 11, value); }

    /// <summary>DRE, dw1[12]: destructive read enable.</summary>
    public bool DRE { get => Bits.IsSet(_w1, 12); init => _w1 = Bits.With(_w1, 12, value); }

    /// <summary>CONT, dw1[16:13]: contiguous hint, 2^CONT StreamIDs.</summary>
    public uint CONT { get => (uint)Bits.Extract(_w1, 16, 13); init => _w1 = Bits.Insert(_w1, 16, 13, value); }

    /// <summary>DCP, dw1[17]: directed cache prefetch.</summary>
    public bool DCP { get => Bits.IsSet(_w1, 17); init => _w1 = Bits.With(_w1, 17, value); }

    /// <summary>PPAR, dw1[18]: PRI auto-responses carry a PASID.</summary>
    public bool PPAR { get => Bits.IsSet(_w1, 18); init => _w1 = Bits.With(_w1, 18, value); }

    /// <summary>MEV, dw1[19]: event merging permitted.</summary>
    public bool MEV { get => Bits.IsSet(_w1, 19); init => _w1 = Bits.With(_w1, 19, value); }

    /// <summary>SW_RESERVED, dw1[23:20]: ignored by the SMMU.</summary>
    public uint SW_RESERVED { get => (uint)Bits.Extract(_w1, 23, 20); init => _w1 = Bits.Insert(_w1, 23, 20, value); }

    /// <summary>S1PIE, dw1[24] (SMMUv3.4 permission indirection).</summary>
    public bool S1PIE { get => Bits.IsSet(_w1, 24); init => _w1 = Bits.With(_w1, 24, value); }

    /// <summary>S2FWB, dw1[25]: stage-2 forced write-back.</summary>
    public bool S2FWB { get => Bits.IsSet(_w1, 25); init => _w1 = Bits.With(_w1, 25, value); }

    /// <summary>S1MPAM, dw1[26].</summary>
    public bool S1MPAM { get => Bits.IsSet(_w1, 26); init => _w1 = Bits.With(_w1, 26, value); }

    /// <summary>S1STALLD, dw1[27]: CDs may not select stall.</summary>
    public bool S1STALLD { get => Bits.IsSet(_w1, 27); init => _w1 = Bits.With(_w1, 27, value); }

    /// <summary>EATS, dw1[29:28]: ATS enable.</summary>
    public uint EATS { get => (uint)Bits.Extract(_w1, 29, 28); init => _w1 = Bits.Insert(_w1, 29, 28, value); }

    /// <summary>STRW, dw1[31:30]: StreamWorld (00 NS-EL1, 10 NS-EL2).</summary>
    public uint STRW { get => (uint)Bits.Extract(_w1, 31, 30); init => _w1 = Bits.Insert(_w1, 31, 30, value); }

    /// <summary>MemAttr, dw1[35:32]: memory type override, used when MTCFG=1.</summary>
    public uint MemAttr { get => (uint)Bits.Extract(_w1, 35, 32); init => _w1 = Bits.Insert(_w1, 35, 32, value); }

    /// <summary>MTCFG, dw1[36]: replace the memory type by MemAttr.</summary>
    public bool MTCFG { get => Bits.IsSet(_w1, 36); init => _w1 = Bits.With(_w1, 36, value); }

    /// <summary>ALLOCCFG, dw1[40:37]: allocation hint override.</summary>
    public uint ALLOCCFG { get => (uint)Bits.Extract(_w1, 40, 37); init => _w1 = Bits.Insert(_w1, 40, 37, value); }

    /// <summary>SHCFG, dw1[45:44]: shareability override (01 = use incoming).</summary>
    public uint SHCFG { get => (uint)Bits.Extract(_w1, 45, 44); init => _w1 = Bits.Insert(_w1, 45, 44, value); }

    /// <summary>NSCFG, dw1[47:46]: NS attribute override (Secure STEs only).</summary>
    public uint NSCFG { get => (uint)Bits.Extract(_w1, 47, 46); init => _w1 = Bits.Insert(_w1, 47, 46, value); }

    /// <summary>PRIVCFG, dw1[49:48]: privilege override.</summary>
    public uint PRIVCFG { get => (uint)Bits.Extract(_w1, 49, 48); init => _w1 = Bits.Insert(_w1, 49, 48, value); }

    /// <summary>INSTCFG, dw1[51:50]: instruction/data override.</summary>
    public uint INSTCFG { get => (uint)Bits.Extract(_w1, 51, 50); init => _w1 = Bits.Insert(_w1, 51, 50, value); }

    // ---- dw2 ----

    /// <summary>S2VMID, dw2[15:0].</summary>
    public ushort S2VMID { get => (ushort)Bits.Extract(_w2, 15, 0); init => _w2 = Bits.Insert(_w2, 15, 0, value); }

    /// <summary>S2T0SZ, dw2[37:32]: stage-2 input size is 64 - S2T0SZ bits.</summary>
    public uint S2T0SZ { get => (uint)Bits.Extract(_w2, 37, 32); init => _w2 = Bits.Insert(_w2, 37, 32, value); }

    /// <summary>S2SL0, dw2[39:38]: stage-2 starting level (VTCR_EL2.SL0 encoding).</summary>
    public uint S2SL0 { get => (uint)Bits.Extract(_w2, 39, 38); init => _w2 = Bits.Insert(_w2, 39, 38, value); }

    /// <summary>S2IR0, dw2[41:40]: stage-2 walk inner cacheability.</summary>
    public uint S2IR0 { get => (uint)Bits.Extract(_w2, 41, 40); init => _w2 = Bits.Insert(_w2, 41, 40, value); }

    /// <summary>S2OR0, dw2[43:42]: stage-2 walk outer cacheability.</summary>
    public uint S2OR0 { get => (uint)Bits.Extract(_w2, 43, 42); init => _w2 = Bits.Insert(_w2, 43, 42, value); }

    /// <summary>S2SH0, dw2[45:44]: stage-2 walk shareability.</summary>
    public uint S2SH0 { get => (uint)Bits.Extract(_w2, 45, 44); init => _w2 = Bits.Insert(_w2, 45, 44, value); }

    /// <summary>S2TG, dw2[47:46]: stage-2 granule (00 4 KB, 01 64 KB, 10 16 KB).</summary>
    public uint S2TG { get => (uint)Bits.Extract(_w2, 47, 46); init => _w2 = Bits.Insert(_w2, 47, 46, value); }

    /// <summary>S2PS, dw2[50:48]: stage-2 output size.</summary>
    public uint S2PS { get => (uint)Bits.Extract(_w2, 50, 48); init => _w2 = Bits.Insert(_w2, 50, 48, value); }

    /// <summary>S2AA64, dw2[51]: stage-2 tables are VMSAv8-64.</summary>
    public bool S2AA64 { get => Bits.IsSet(_w2, 51); init => _w2 = Bits.With(_w2, 51, value); }

    /// <summary>S2ENDI, dw2[52]: stage-2 tables are big-endian.</summary>
    public bool S2ENDI { get => Bits.IsSet(_w2, 52); init => _w2 = Bits.With(_w2, 52, value); }

    /// <summary>S2AFFD, dw2[53]: stage-2 Access flag faults disabled.</summary>
    public bool S2AFFD { get => Bits.IsSet(_w2, 53); init => _w2 = Bits.With(_w2, 53, value); }

    /// <summary>S2PTW, dw2[54]: stage-1 walks to stage-2 Device memory fault.</summary>
    public bool S2PTW { get => Bits.IsSet(_w2, 54); init => _w2 = Bits.With(_w2, 54, value); }

    /// <summary>S2HD, dw2[55]: stage-2 hardware dirty-state update.</summary>
    public bool S2HD { get => Bits.IsSet(_w2, 55); init => _w2 = Bits.With(_w2, 55, value); }

    /// <summary>S2HA, dw2[56]: stage-2 hardware Access-flag update.</summary>
    public bool S2HA { get => Bits.IsSet(_w2, 56); init => _w2 = Bits.With(_w2, 56, value); }

    /// <summary>S2S, dw2[57]: stage-2 faults stall.</summary>
    public bool S2S { get => Bits.IsSet(_w2, 57); init => _w2 = Bits.With(_w2, 57, value); }

    /// <summary>S2R, dw2[58]: stage-2 faults are recorded.</summary>
    public bool S2R { get => Bits.IsSet(_w2, 58); init => _w2 = Bits.With(_w2, 58, value); }

    // ---- dw3 ----

    /// <summary>S2NSW, dw3[0] (Secure STE only).</summary>
    public bool S2NSW { get => Bits.IsSet(_w3, 0); init => _w3 = Bits.With(_w3, 0, value); }

    /// <summary>S2NSA, dw3[1] (Secure STE only).</summary>
    public bool S2NSA { get => Bits.IsSet(_w3, 1); init => _w3 = Bits.With(_w3, 1, value); }

    /// <summary>S2TTB, dw3[55:4], as an address (bits [3:0] zero).</summary>
    public ulong S2TTB { get => Bits.Address(_w3, 55, 4); init => _w3 = Bits.Insert(_w3, 55, 4, value >> 4); }

    // ---- helpers ----

    /// <summary>Valid and Config = 0b1x1: stage 1 translates (IHI0070 §5.2: Config[0] with Config[2]).</summary>
    public bool Stage1Enabled => V && ((uint)Config & 0b101) == 0b101;

    /// <summary>Valid and Config = 0b11x: stage 2 translates.</summary>
    public bool Stage2Enabled => V && ((uint)Config & 0b110) == 0b110;

    /// <summary>The words in order.</summary>
    /// <returns>A new 8-element array.</returns>
    public ulong[] ToArray() => [_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7];

    /// <summary>Reads an STE.</summary>
    /// <param name="memory">Memory to read.</param>
    /// <param name="address">Address of dw0.</param>
    /// <param name="value">The entry, or default on abort.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public static bool TryRead(IPhysicalMemory memory, ulong address, out StreamTableEntry value)
    {
        Span<ulong> w = stackalloc ulong[WordCount];
        bool ok = RecordIo.TryRead(memory, address, w);
        value = new StreamTableEntry(w);
        return ok;
    }

    /// <summary>Writes the STE (all 64 bytes in one access).</summary>
    /// <param name="memory">Memory to write.</param>
    /// <param name="address">Address of dw0.</param>
    /// <returns><see langword="false"/> on an external abort.</returns>
    public bool TryWrite(IPhysicalMemory memory, ulong address) => RecordIo.TryWrite(memory, address, ToArray());

    /// <summary>Every field with its position and meaning.</summary>
    /// <returns>The decoded fields, in word and bit order.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText("dw");
        f.Flag("V", 0, _w0, 0, "valid", "invalid (C_BAD_STE)")
            .Add("Config", 0, _w0, 3, 1, ConfigText)
            .Add("S1Fmt", 0, _w0, 5, 4, v => FieldText.Bin(v, 2) + v switch
            {
                0 => " linear CD table",
                1 => " 2-level, 4 KB leaf tables",
                2 => " 2-level, 64 KB leaf tables",
                _ => " reserved (as linear)",
            })
            .Address("S1ContextPtr", 0, _w0, 55, 6)
            .Add("S1CDMax", 0, _w0, 63, 59, v => v == 0 ? "0 single CD, no substreams" : string.Create(CultureInfo.InvariantCulture, $"{v} ({1UL << (int)v} CDs)"))
            .Add("S1DSS", 1, _w1, 1, 0, v => FieldText.Bin(v, 2) + v switch
            {
                0 => " terminate (F_STREAM_DISABLED)",
                1 => " bypass stage 1",
                2 => " use substream 0",
                _ => " reserved (as terminate)",
            })
            .Add("S1CIR", 1, _w1, 3, 2, FieldText.Cacheability)
            .Add("S1COR", 1, _w1, 5, 4, FieldText.Cacheability)
            .Add("S1CSH", 1, _w1, 7, 6, FieldText.Shareability)
            .Add("S2HWU59", 1, _w1, 8, 8)
            .Add("S2HWU60", 1, _w1, 9, 9)
            .Add("S2HWU61", 1, _w1, 10, 10)
            .Add("S2HWU62", 1, _w1, 11, 11)
            .Flag("DRE", 1, _w1, 12, "destructive reads allowed", "no destructive reads")
            .Add("CONT", 1, _w1, 16, 13)
            .Flag("DCP", 1, _w1, 17, "directed cache prefetch", "no directed cache prefetch")
            .Flag("PPAR", 1, _w1, 18, "PRI auto-responses with PASID", "PRI auto-responses without PASID")
            .Flag("MEV", 1, _w1, 19, "event merging permitted", "no event merging")
            .Add("SW_RESERVED", 1, _w1, 23, 20)
            .Flag("S1PIE", 1, _w1, 24, "stage-1 permission indirection", "direct permissions")
            .Flag("S2FWB", 1, _w1, 25, "stage-2 forced write-back", "normal stage-2 combining")
            .Flag("S1MPAM", 1, _w1, 26, "CD supplies MPAM", "STE supplies MPAM")
            .Flag("S1STALLD", 1, _w1, 27, "stalls disallowed in CDs", "CDs may stall")
            .Add("EATS", 1, _w1, 29, 28, v => FieldText.Bin(v, 2) + v switch
            {
                0 => " ATS disabled",
                1 => " full ATS",
                2 => " split-stage ATS",
                _ => " full ATS with DPT",
            })
            .Add("STRW", 1, _w1, 31, 30, v => FieldText.Bin(v, 2) + v switch
            {
                0 => " NS-EL1",
                2 => " NS-EL2 (EL2-E2H when CR2.E2H)",
                _ => " ILLEGAL",
            })
            .Add("MemAttr", 1, _w1, 35, 32, FieldText.MemAttr)
            .Flag("MTCFG", 1, _w1, 36, "memory type from MemAttr", "incoming memory type")
            .Add("ALLOCCFG", 1, _w1, 40, 37, FieldText.AllocCfg)
            .Add("SHCFG", 1, _w1, 45, 44, FieldText.ShareabilityOverride)
            .Add("NSCFG", 1, _w1, 47, 46, v => FieldText.Bin(v, 2) + v switch
            {
                2 => " Secure",
                3 => " Non-secure",
                _ => " use incoming",
            })
            .Add("PRIVCFG", 1, _w1, 49, 48, FieldText.PrivCfg)
            .Add("INSTCFG", 1, _w1, 51, 50, FieldText.InstCfg)
            .Add("S2VMID", 2, _w2, 15, 0)
            .Add("S2T0SZ", 2, _w2, 37, 32, v => string.Create(CultureInfo.InvariantCulture, $"{v} ({64 - (long)v}-bit IPA)"))
            .Add("S2SL0", 2, _w2, 39, 38)
            .Add("S2IR0", 2, _w2, 41, 40, FieldText.Cacheability)
            .Add("S2OR0", 2, _w2, 43, 42, FieldText.Cacheability)
            .Add("S2SH0", 2, _w2, 45, 44, FieldText.Shareability)
            .Add("S2TG", 2, _w2, 47, 46, v => FieldText.Bin(v, 2) + v switch
            {
                0 => " 4 KB",
                1 => " 64 KB",
                2 => " 16 KB",
                _ => " reserved",
            })
            .Add("S2PS", 2, _w2, 50, 48, FieldText.AddressSize)
            .Flag("S2AA64", 2, _w2, 51, "VMSAv8-64", "VMSAv8-32 LPAE")
            .Flag("S2ENDI", 2, _w2, 52, "big-endian tables", "little-endian tables")
            .Flag("S2AFFD", 2, _w2, 53, "no stage-2 Access flag faults", "stage-2 Access flag faults")
            .Flag("S2PTW", 2, _w2, 54, "stage-1 walks to Device memory fault", "no walk-type check")
            .Flag("S2HD", 2, _w2, 55, "hardware dirty update", "no hardware dirty update")
            .Flag("S2HA", 2, _w2, 56, "hardware Access flag update", "no hardware Access flag update")
            .Flag("S2S", 2, _w2, 57, "stage-2 faults stall", "stage-2 faults terminate")
            .Flag("S2R", 2, _w2, 58, "stage-2 faults recorded", "stage-2 faults not recorded")
            .Flag("S2NSW", 3, _w3, 0, "Non-secure walks", "Secure walks")
            .Flag("S2NSA", 3, _w3, 1, "Non-secure output", "Secure output")
            .Address("S2TTB", 3, _w3, 55, 4);
        return f.Fields;
    }

    internal static string ConfigText(ulong v) => FieldText.Bin(v, 3) + v switch
    {
        4 => " bypass",
        5 => " stage 1 translate, stage 2 bypass",
        6 => " stage 1 bypass, stage 2 translate",
        7 => " nested (stage 1 and stage 2 translate)",
        _ => " abort",
    };

    /// <summary>One-line summary.</summary>
    /// <returns>V, Config and the pointers in use.</returns>
    public override string ToString()
    {
        if (!V)
        {
            return "STE invalid";
        }

        string text = "STE V=1 Config=" + ConfigText((uint)Config);
        if (((uint)Config & 0b101) == 0b101)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" S1ContextPtr=0x{S1ContextPtr:X} S1Fmt={S1Fmt} S1CDMax={S1CDMax} S1DSS={S1DSS}");
        }

        if (((uint)Config & 0b110) == 0b110)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" S2VMID={S2VMID} S2TTB=0x{S2TTB:X} S2T0SZ={S2T0SZ} S2SL0={S2SL0} S2TG={S2TG}");
        }

        return text;
    }

    /// <inheritdoc/>
    public bool Equals(StreamTableEntry other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3 &&
        _w4 == other._w4 && _w5 == other._w5 && _w6 == other._w6 && _w7 == other._w7;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is StreamTableEntry other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3, _w4, _w5, _w6, _w7);

    /// <summary>Word-wise equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when all words are equal.</returns>
    public static bool operator ==(StreamTableEntry left, StreamTableEntry right) => left.Equals(right);

    /// <summary>Word-wise inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <returns>True when any word differs.</returns>
    public static bool operator !=(StreamTableEntry left, StreamTableEntry right) => !left.Equals(right);
}
