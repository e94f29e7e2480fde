using ArmSmmu.Driver;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Driver;

/// <summary>Start levels, concatenation and CD/STE encodings (digest §7.2, §7.3, §7.10 examples).</summary>
public class IoPageTableConfigTests
{
    [Fact]
    public void Stage2_4K_ias40_concatenates_two_level1_tables()
    {
        // Digest §7.10: 4K ias 40 -> start L1 with 2 concatenated tables (SL0=01, T0SZ 24).
        var config = new IoPageTableConfig(PageTableStage.Stage2, Granule.Size4K, 40, 48);
        Assert.Equal(1, config.StartLevel);
        Assert.Equal(2, config.ConcatenatedTables);
        Assert.Equal(1024, config.StartTableEntries);
        Assert.Equal(0b01u, config.S2SL0);
        Assert.Equal(24, config.T0SZ);
        Assert.Equal(24, config.S2T0SZ);
    }

    [Theory]
    [InlineData(12, 44, 0, 0b10u, 1)]  // digest §7.10: 4K ias 44 -> L0 (SL0=10)
    [InlineData(12, 48, 0, 0b10u, 1)]  // 512-entry level-0 table: too big to concatenate
    [InlineData(16, 48, 1, 0b10u, 1)]  // 64K ias 48 -> L1 64 entries (SL0=10)
    [InlineData(16, 40, 2, 0b01u, 1)]  // 64K ias 40 -> L2 (SL0=01)
    [InlineData(14, 48, 1, 0b10u, 2)]  // 16K ias 48: a 2-entry L0 becomes 2 concatenated L1 tables (digest §7.3: 16K L1, S2T0SZ 16)
    [InlineData(12, 36, 1, 0b01u, 1)]  // 4K ias 36: L1 with 64 entries, no concatenation needed
    public void Stage2_start_level_and_SL0(int pageShift, int ias, int start, uint sl0, int tables)
    {
        var config = new IoPageTableConfig(PageTableStage.Stage2, GranuleOf(pageShift), ias, 48);
        Assert.Equal(start, config.StartLevel);
        Assert.Equal(sl0, config.S2SL0);
        Assert.Equal(tables, config.ConcatenatedTables);
    }

    [Theory]
    [InlineData(12, 48, 0, 512)]   // digest §7.10: 4K ias 48 S1 -> L0, 512-entry PGD
    [InlineData(12, 39, 1, 512)]   // T0SZ 25: first of the L1 range (digest §7.2)
    [InlineData(12, 32, 1, 4)]
    [InlineData(16, 48, 1, 64)]
    [InlineData(14, 47, 1, 2048)]  // T0SZ 17: 16K L1 (digest §7.2)
    [InlineData(14, 48, 0, 2)]     // T0SZ 16: 16K L0 with one index bit
    public void Stage1_start_level_is_the_architectural_one(int pageShift, int ias, int start, int entries)
    {
        var config = new IoPageTableConfig(PageTableStage.Stage1, GranuleOf(pageShift), ias, 48);
        Assert.Equal(start, config.StartLevel);
        Assert.Equal(entries, config.StartTableEntries);
        Assert.Equal(1, config.ConcatenatedTables);
        Assert.Throws<InvalidOperationException>(() => config.S2SL0);
    }

    [Fact]
    public void Encodings_follow_the_CD_fields()
    {
        // IHI0070 §5.4: TG0 00 4K, 01 64K, 10 16K; IPS 32,36,40,42,44,48,52 -> 0..6.
        Assert.Equal(0u, (uint)new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48).Tg0);
        Assert.Equal(1u, (uint)new IoPageTableConfig(PageTableStage.Stage2, Granule.Size64K, 48, 48).S2Tg);
        Assert.Equal(2u, (uint)new IoPageTableConfig(PageTableStage.Stage1, Granule.Size16K, 48, 48).Tg0);
        Assert.Equal(2u, new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 40).Ips);
        Assert.Equal(5u, new IoPageTableConfig(PageTableStage.Stage2, Granule.Size4K, 48, 48).S2Ps);
        Assert.Equal(6u, new IoPageTableConfig(PageTableStage.Stage2, Granule.Size64K, 48, 52).S2Ps);

        var coherent = new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48);
        Assert.Equal((0b11u, 0b01u, 0b01u), (coherent.Sh0, coherent.Irgn0, coherent.Orgn0));
        var nonCoherent = coherent with { Coherent = false };
        Assert.Equal((0b10u, 0b00u, 0b00u), (nonCoherent.Sh0, nonCoherent.Irgn0, nonCoherent.Orgn0));
        Assert.Equal(0xF404FF44UL, coherent.Mair);
    }

    [Theory]
    [InlineData(12, 24, 48)]
    [InlineData(12, 49, 48)]
    [InlineData(12, 48, 50)]
    [InlineData(12, 48, 52)] // 52-bit output needs LPA2 descriptors with 4K
    public void Unsupported_shapes_throw(int pageShift, int ias, int oas)
    {
        var config = new IoPageTableConfig(PageTableStage.Stage1, GranuleOf(pageShift), ias, oas);
        Assert.Throws<ArgumentException>(config.Validate);
    }

    [Fact]
    public void Contiguous_counts_match_the_digest_table()
    {
        // Digest §7.9.
        var g4 = new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48);
        var g16 = g4 with { Granule = Granule.Size16K };
        var g64 = g4 with { Granule = Granule.Size64K };
        Assert.Equal([16, 16, 16], new[] { g4.ContiguousEntries(3), g4.ContiguousEntries(2), g4.ContiguousEntries(1) });
        Assert.Equal([128, 32, 0], new[] { g16.ContiguousEntries(3), g16.ContiguousEntries(2), g16.ContiguousEntries(1) });
        Assert.Equal([32, 32, 0], new[] { g64.ContiguousEntries(3), g64.ContiguousEntries(2), g64.ContiguousEntries(1) });
    }

    internal static Granule GranuleOf(int pageShift) => pageShift switch
    {
        12 => Granule.Size4K,
        14 => Granule.Size16K,
        _ => Granule.Size64K,
    };
}
