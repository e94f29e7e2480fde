using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Translation;

/// <summary>The translation granule's encodings and geometry (IHI0070 §5.4 CD.TG0/TG1, §5.2 STE.S2TG, §4.4.1.1 TG).</summary>
public class GranuleTests
{
    // CD.TG0 and STE.S2TG: 00 4KB, 01 64KB, 10 16KB, 11 reserved. CD.TG1: 00 reserved, 01 16KB, 10 4KB, 11 64KB.
    [Theory]
    [InlineData(0u, 12, 0)]
    [InlineData(1u, 16, 14)]
    [InlineData(2u, 14, 12)]
    [InlineData(3u, 0, 16)]
    public void Tg0_s2tg_and_tg1_encodings_select_the_granule_or_are_reserved(uint encoding, int tg0PageShift, int tg1PageShift)
    {
        Assert.Equal(tg0PageShift != 0, Granule.TryFromTg0(encoding, out var tg0));
        Assert.Equal(tg0PageShift, tg0.PageShift);
        Assert.Equal(tg0PageShift != 0, Granule.TryFromS2Tg(encoding, out var s2tg));
        Assert.Equal(tg0, s2tg);
        Assert.Equal(tg1PageShift != 0, Granule.TryFromTg1(encoding, out var tg1));
        Assert.Equal(tg1PageShift, tg1.PageShift);
        if (tg0PageShift != 0)
        {
            Assert.Equal(encoding, tg0.Tg0Encoding);
        }

        if (tg1PageShift != 0)
        {
            Assert.Equal(encoding, tg1.Tg1Encoding);
        }
    }

    [Fact]
    public void An_encoding_beyond_two_bits_selects_nothing()
    {
        Assert.False(Granule.TryFromTg0(4, out _));
        Assert.False(Granule.TryFromTg1(4, out _));
    }

    // §4.4.1.1: the TG field of a range invalidation is 01 4KB, 10 16KB, 11 64KB. Each level resolves PageShift - 3
    // bits (8-byte descriptors); ToString names the page size.
    [Theory]
    [InlineData(12, 4096UL, 9, 1u, "4K")]
    [InlineData(14, 16384UL, 11, 2u, "16K")]
    [InlineData(16, 65536UL, 13, 3u, "64K")]
    public void Geometry_and_range_tg_follow_the_page_size(int pageShift, ulong pageSize, int bitsPerLevel, uint rangeTg, string name)
    {
        Assert.True(Granule.TryFromTg0(pageShift switch { 12 => 0u, 16 => 1u, _ => 2u }, out var granule));

        Assert.Equal(pageSize, granule.PageSize);
        Assert.Equal(bitsPerLevel, granule.BitsPerLevel);
        Assert.Equal(rangeTg, granule.RangeTg);
        Assert.Equal(name, granule.ToString());
        Assert.Equal("none", default(Granule).ToString());
    }

    // Arm ARM D8.2 (VMSAv8-64 translation table levels): the start level is the one whose table resolves the top
    // input bits; level -1 only for 52-bit inputs with 4KB pages (FEAT_LPA2). LevelShift is the size of a level-n block.
    [Theory]
    [InlineData(12, 52, -1)]
    [InlineData(12, 48, 0)]
    [InlineData(12, 40, 0)]
    [InlineData(12, 39, 1)]
    [InlineData(12, 31, 1)]
    [InlineData(12, 30, 2)]
    [InlineData(12, 25, 2)]
    [InlineData(12, 21, 3)]
    [InlineData(14, 52, 0)]
    [InlineData(14, 48, 0)]
    [InlineData(14, 47, 1)]
    [InlineData(14, 36, 2)]
    [InlineData(14, 25, 3)]
    [InlineData(16, 52, 1)]
    [InlineData(16, 48, 1)]
    [InlineData(16, 42, 2)]
    [InlineData(16, 29, 3)]
    public void The_start_level_is_the_one_whose_table_resolves_the_top_input_bits(int pageShift, int inputBits, int startLevel)
    {
        Assert.True(Granule.TryFromTg0(pageShift switch { 12 => 0u, 16 => 1u, _ => 2u }, out var granule));

        Assert.Equal(startLevel, granule.StartLevel(inputBits));
        Assert.True(granule.LevelShift(startLevel) < inputBits, "the start level resolves some input bits");
        Assert.True(granule.LevelShift(startLevel) + granule.BitsPerLevel >= inputBits, "and all the bits above its blocks");
    }

    [Theory]
    [InlineData(12, new[] { 48, 39, 30, 21, 12 })]
    [InlineData(14, new[] { 58, 47, 36, 25, 14 })]
    [InlineData(16, new[] { 68, 55, 42, 29, 16 })]
    public void Level_shift_is_the_size_a_descriptor_of_that_level_maps(int pageShift, int[] shiftsFromLevelMinus1)
    {
        Assert.True(Granule.TryFromTg0(pageShift switch { 12 => 0u, 16 => 1u, _ => 2u }, out var granule));

        Assert.Equal(shiftsFromLevelMinus1, Enumerable.Range(-1, 5).Select(granule.LevelShift));
    }
}
