using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Structures;

/// <summary>The STE, CD and L1 descriptors Linux builds (digest 8.2, 8.5), built field by field and compared bit for bit.</summary>
public class LinuxStructureEncodingTests
{
    [Fact]
    public void Stage1_CD_for_4K_48bit_coherent_domain()
    {
        // Digest 8.5 step 1: dw0 = 0x0000_E205_C000_3510 | ASID << 48; dw1 = TTB0; dw3 = MAIR 0xF404FF44.
        const ushort asid = 0x2A;
        var cd = new ContextDescriptor
        {
            T0SZ = 16,
            TG0 = Tg0Granule.Size4K,     // 4 KB
            IR0 = 1,     // write-back write-allocate
            OR0 = 1,
            SH0 = 3,     // inner shareable
            EPD1 = true,
            V = true,
            IPS = 5,     // 48 bits
            AA64 = true,
            R = true,
            A = true,
            ASET = true,
            ASID = asid,
            TTB0 = 0x8_4321_F000,
            MAIR = 0xF404_FF44,
        };
        Assert.Equal(0x0000_E205_C000_3510UL | ((ulong)asid << 48), cd.Dw0);
        Assert.Equal(0x8_4321_F000UL, cd.Dw1);
        Assert.Equal(0UL, cd.Dw2);
        Assert.Equal(0xF404_FF44UL, cd.Dw3);
        Assert.Equal(0UL, cd.Dw4 | cd.Dw5 | cd.Dw6 | cd.Dw7);

        // Stall and dirty tracking add S (bit 44), HD (42) and HA (43).
        ContextDescriptor withStall = cd with { S = true, HD = true, HA = true };
        Assert.Equal(cd.Dw0 | (1UL << 44) | (1UL << 42) | (1UL << 43), withStall.Dw0);
        Assert.Equal(0UL, ContextDescriptor.Invalid.Dw0);
    }

    [Fact]
    public void Stage1_STE_words()
    {
        // Digest 8.5 step 3: dw0 = 0xB | S1Fmt << 4 | CD PA | S1CDMax << 59; dw1 = S1DSS | 0xD4 | S1STALLD (bit 27).
        const ulong cdTable = 0x8_0012_3440;
        var ste = new StreamTableEntry
        {
            V = true,
            Config = SteConfig.Stage1Translate,
            S1Fmt = CdTableFormat.TwoLevel64K,
            S1ContextPtr = cdTable,
            S1CDMax = 20,
            S1DSS = DefaultSubstream.Substream0,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S1STALLD = true,
        };
        Assert.Equal(0xBUL | (2UL << 4) | cdTable | (20UL << 59), ste.Dw0);
        Assert.Equal(2UL | 0xD4 | (1UL << 27), ste.Dw1);
        Assert.Equal(0UL, ste.Dw2 | ste.Dw3);
        Assert.True(ste.Stage1Enabled);
        Assert.False(ste.Stage2Enabled);

        // ATS, E2H and bypass-S1DSS additions.
        StreamTableEntry more = ste with { EATS = AtsEnable.Full, STRW = StreamWorldEncoding.El2, SHCFG = 1 };
        Assert.Equal(ste.Dw1 | (1UL << 28) | (2UL << 30) | (1UL << 44), more.Dw1);
    }

    [Fact]
    public void Stage2_STE_words()
    {
        // Digest 8.5 step 3: dw0 = 0xD; dw2 = VMID | VTCR << 32 | S2AA64 (51) | S2PTW (54) | S2R (58); dw3 = VTTBR.
        // VTCR here: T0SZ 24, SL0 1, IRGN0 1, ORGN0 1, SH0 3, TG0 0, PS 5 = 0x53558 (VTCR_EL2 bit layout).
        var ste = new StreamTableEntry
        {
            V = true,
            Config = SteConfig.Stage2Translate,
            S2VMID = 0x0102,
            S2T0SZ = 24,
            S2SL0 = 1,
            S2IR0 = 1,
            S2OR0 = 1,
            S2SH0 = 3,
            S2TG = Tg0Granule.Size4K,
            S2PS = 5,
            S2AA64 = true,
            S2PTW = true,
            S2R = true,
            S2TTB = 0x9_8765_4000,
        };
        Assert.Equal(0xDUL, ste.Dw0);
        Assert.Equal(0x0102UL | (0x53558UL << 32) | (1UL << 51) | (1UL << 54) | (1UL << 58), ste.Dw2);
        Assert.Equal(0x9_8765_4000UL, ste.Dw3);
        Assert.True(ste.Stage2Enabled);
        Assert.False(ste.Stage1Enabled);
        Assert.True((ste with { Config = SteConfig.Nested }).Stage1Enabled);
        Assert.False((ste with { V = false }).Stage2Enabled);
    }

    [Fact]
    public void Bypass_and_abort_STEs()
    {
        // Digest 8.2 / 8.5: abort dw0 = 0x1; bypass dw0 = 0x9 with dw1 SHCFG = 01 (bit 44).
        Assert.Equal(0x1UL, StreamTableEntry.Abort.Dw0);
        Assert.Equal(SteConfig.Abort, StreamTableEntry.Abort.Config);
        Assert.True(StreamTableEntry.Abort.V);
        Assert.Equal(0x9UL, StreamTableEntry.BypassEntry.Dw0);
        Assert.Equal(1UL << 44, StreamTableEntry.BypassEntry.Dw1);
        Assert.Equal(SteConfig.Bypass, StreamTableEntry.BypassEntry.Config);
        Assert.Equal(1u, StreamTableEntry.BypassEntry.SHCFG);
        Assert.Equal(new StreamTableEntry { V = true, Config = SteConfig.Bypass, SHCFG = 1 }, StreamTableEntry.BypassEntry);
        Assert.False(StreamTableEntry.BypassEntry.Stage1Enabled || StreamTableEntry.BypassEntry.Stage2Enabled);
    }

    [Fact]
    public void L1STD_is_PA_or_span_9()
    {
        // Digest 8.2: after allocating a 256-STE L2 table Linux writes L1STD = PA | Span 9.
        const ulong l2 = 0x8_0004_4000;
        var d = new L1StreamTableDescriptor { L2Ptr = l2, Span = 9 };
        Assert.Equal(l2 | 9, d.Value);
        Assert.Equal(l2, new L1StreamTableDescriptor(l2 | 9).L2Ptr);
        Assert.Contains("256 STEs", d.Describe()[0].Meaning, StringComparison.Ordinal);
        Assert.Contains("invalid", new L1StreamTableDescriptor(l2).Describe()[0].Meaning, StringComparison.Ordinal);
    }

    [Fact]
    public void L1CD_is_PA_or_V()
    {
        // Digest 3.4: V [0], L2Ptr [55:12].
        var d = new L1ContextDescriptor { V = true, L2Ptr = 0x8_0010_0FFF };
        Assert.Equal(0x8_0010_0001UL, d.Value);
        Assert.Equal(0x8_0010_0000UL, d.L2Ptr);
    }

    [Fact]
    public void TG0_and_TG1_use_different_encodings()
    {
        // Digest 3.2 / 9.1: TG0 00 4K, 01 64K, 10 16K; TG1 01 16K, 10 4K, 11 64K, 00 reserved.
        var cd = new ContextDescriptor { TG0 = Tg0Granule.Size16K, TG1 = Tg1Granule.Size4K };
        Assert.Equal((2UL << 6) | (2UL << 22), cd.Dw0);
        IReadOnlyList<DecodedField> fields = cd.Describe();
        Assert.EndsWith("16 KB", fields.Single(f => f.Name == "TG0").Meaning, StringComparison.Ordinal);
        Assert.EndsWith("4 KB", fields.Single(f => f.Name == "TG1").Meaning, StringComparison.Ordinal);
        Assert.EndsWith("reserved", new ContextDescriptor { TG1 = (Tg1Granule)0 }.Describe().Single(f => f.Name == "TG1").Meaning, StringComparison.Ordinal);
        Assert.EndsWith("4 KB", new ContextDescriptor { TG0 = Tg0Granule.Size4K }.Describe().Single(f => f.Name == "TG0").Meaning, StringComparison.Ordinal);
        Assert.EndsWith("64 KB", new ContextDescriptor { TG1 = Tg1Granule.Size64K }.Describe().Single(f => f.Name == "TG1").Meaning, StringComparison.Ordinal);
        Assert.EndsWith("64 KB", new ContextDescriptor { TG0 = Tg0Granule.Size64K }.Describe().Single(f => f.Name == "TG0").Meaning, StringComparison.Ordinal);
    }

    [Fact]
    public void STE_describe_uses_spec_names_positions_and_meanings()
    {
        var ste = new StreamTableEntry { V = true, Config = SteConfig.Stage1Translate, S1ContextPtr = 0x8000_0000 };
        IReadOnlyList<DecodedField> fields = ste.Describe();
        DecodedField config = fields.Single(f => f.Name == "Config");
        Assert.Equal("dw0[3:1]", config.Bits);
        Assert.Equal(5UL, config.Value);
        Assert.Equal("0b101 stage 1 translate, stage 2 bypass", config.Meaning);
        DecodedField ptr = fields.Single(f => f.Name == "S1ContextPtr");
        Assert.Equal("dw0[55:6]", ptr.Bits);
        Assert.Equal(0x8000_0000UL, ptr.Value);
        Assert.Equal("dw3[55:4]", fields.Single(f => f.Name == "S2TTB").Bits);
        Assert.Equal(fields.Count, fields.Select(f => f.Name).Distinct().Count());
        Assert.Contains("S1ContextPtr=0x80000000", ste.ToString(), StringComparison.Ordinal);
        Assert.Equal("STE invalid", (ste with { V = false }).ToString());
    }

    [Fact]
    public void STE_and_CD_round_trip_through_memory()
    {
        var memory = new SparseMemory(0x1_0000);
        var ste = new StreamTableEntry(1, 2, 3, 4, 5, 6, 7, 8);
        Assert.True(ste.TryWrite(memory, 0x40));
        for (ulong i = 0; i < 8; i++)
        {
            Assert.Equal(i + 1, memory.ReadUInt64(0x40 + (i * 8)));
        }

        Assert.True(StreamTableEntry.TryRead(memory, 0x40, out StreamTableEntry back));
        Assert.Equal(ste, back);
        Assert.True(ContextDescriptor.TryRead(memory, 0x40, out ContextDescriptor cd));
        Assert.Equal(ste.ToArray(), cd.ToArray());
        Assert.False(StreamTableEntry.TryRead(memory, 0xFFC8, out _));
        Assert.False(ste.TryWrite(memory, 0xFFC8));
        Assert.False(L1StreamTableDescriptor.TryRead(memory, 0x1_0000, out _));
        Assert.True(new L1ContextDescriptor(0x1001).TryWrite(memory, 0x200));
        Assert.True(L1ContextDescriptor.TryRead(memory, 0x200, out L1ContextDescriptor l1));
        Assert.True(l1.V);
    }

    [Fact]
    public void Span_constructors_check_length()
    {
        Assert.Throws<ArgumentException>(() => new StreamTableEntry(new ulong[7]));
        Assert.Throws<ArgumentException>(() => new Command(new ulong[1]));
        Assert.Throws<ArgumentException>(() => new EventRecord(new ulong[3]));
        Assert.Equal(9UL, new StreamTableEntry([9, 0, 0, 0, 0, 0, 0, 0, 0xFF]).Dw0);
    }
}
