using ArmSmmu.Translation;
using static ArmSmmu.Cacheability;
using static ArmSmmu.MemoryType;
using static ArmSmmu.Shareability;

namespace ArmSmmu.Tests.Translation;

/// <summary>
/// Every encoding class of the MAIR attribute byte and of the stage-2 MemAttr field, and how the two stages combine
/// (DDI0487 D8.6, the MAIR_ELx field description; digest §7.7). The walk tests check a few real tables; these pin
/// each nibble boundary, hint bit and shareability rule.
/// </summary>
public class MemoryAttributeDecoderTests
{
    private const uint Nsh = 0b00;
    private const uint ShReserved = 0b01;
    private const uint Osh = 0b10;
    private const uint Ish = 0b11;

    // MAIR Attr<n>: [7:4] = 0000 is Device, [3:2] the type (nGnRnE, nGnRE, nGRE, GRE); Device is Outer Shareable,
    // Non-cacheable, whatever SH says. Otherwise each nibble: 00RW (RW != 00) Write-Through Transient, 0100
    // Non-cacheable, 01RW Write-Back Transient, 10RW Write-Through, 11RW Write-Back; R and W are the allocate hints.
    // Normal Non-cacheable (inner and outer) is Outer Shareable. SH 01 is reserved and taken as Non-shareable.
    [Theory]
    [InlineData(0x00, Ish, DeviceNGnRnE, NonCacheable, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0x04, Nsh, DeviceNGnRE, NonCacheable, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0x08, Nsh, DeviceNGRE, NonCacheable, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0x0C, Nsh, DeviceGRE, NonCacheable, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0xFF, Ish, Normal, WriteBack, WriteBack, InnerShareable, true, true, false)]
    [InlineData(0xFF, Osh, Normal, WriteBack, WriteBack, OuterShareable, true, true, false)]
    [InlineData(0xFF, Nsh, Normal, WriteBack, WriteBack, NonShareable, true, true, false)]
    [InlineData(0xFF, ShReserved, Normal, WriteBack, WriteBack, NonShareable, true, true, false)]
    [InlineData(0x44, Ish, Normal, NonCacheable, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0xBB, Osh, Normal, WriteThrough, WriteThrough, OuterShareable, true, true, false)]
    [InlineData(0x88, Ish, Normal, WriteThrough, WriteThrough, InnerShareable, false, false, false)]
    [InlineData(0xCC, Nsh, Normal, WriteBack, WriteBack, NonShareable, false, false, false)]
    [InlineData(0x81, Nsh, Normal, WriteThrough, WriteThrough, NonShareable, false, true, true)]
    [InlineData(0x83, Nsh, Normal, WriteThrough, WriteThrough, NonShareable, true, true, true)]
    [InlineData(0xF6, Ish, Normal, WriteBack, WriteBack, InnerShareable, true, false, true)]
    [InlineData(0x47, Nsh, Normal, WriteBack, NonCacheable, NonShareable, true, true, true)]
    [InlineData(0x48, Osh, Normal, WriteThrough, NonCacheable, OuterShareable, false, false, false)]
    [InlineData(0x74, Ish, Normal, NonCacheable, WriteBack, InnerShareable, false, false, false)]
    [InlineData(0x1F, Nsh, Normal, WriteBack, WriteThrough, NonShareable, true, true, false)]
    public void Mair_byte_decodes_to_its_type_cacheability_hints_and_shareability(
        int attr, uint sh, MemoryType type, Cacheability inner, Cacheability outer, Shareability shareability, bool read, bool write, bool transient)
    {
        var decoded = MemoryAttributeDecoder.FromMair((byte)attr, sh);

        Assert.Equal(new MemoryAttributes(type, inner, outer, shareability, read, write, transient), decoded);
    }

    // Normal memory with inner nibble 0000 is UNPREDICTABLE; the model takes it as Non-cacheable (not Write-Through
    // Transient: 00RW needs RW != 00), so with a Non-cacheable outer it is Outer Shareable.
    [Fact]
    public void Mair_inner_nibble_zero_of_normal_memory_is_taken_as_non_cacheable()
    {
        var decoded = MemoryAttributeDecoder.FromMair(0x40, Ish);

        Assert.Equal(new MemoryAttributes(Normal, NonCacheable, NonCacheable, OuterShareable, false, false, false), decoded);
    }

    // Stage-2 MemAttr[3:0] with S2FWB = 0: [3:2] = 00 is Device, [1:0] the type; otherwise [3:2] the outer and [1:0]
    // the inner cacheability (01 Non-cacheable, 10 Write-Through, 11 Write-Back). Normal with [1:0] = 00 is reserved,
    // taken as Device-nGnRnE, the most restrictive. Stage 2 carries no allocate hints: cacheable results say "allocate"
    // so that combining keeps stage 1's.
    [Theory]
    [InlineData(0x0u, Osh, DeviceNGnRnE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0x1u, Nsh, DeviceNGnRE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0x2u, Nsh, DeviceNGRE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0x3u, Nsh, DeviceGRE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0x4u, Ish, DeviceNGnRnE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0xCu, Ish, DeviceNGnRnE, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0x5u, Nsh, Normal, NonCacheable, NonCacheable, OuterShareable, false)]
    [InlineData(0xAu, Osh, Normal, WriteThrough, WriteThrough, OuterShareable, true)]
    [InlineData(0xFu, Ish, Normal, WriteBack, WriteBack, InnerShareable, true)]
    [InlineData(0x6u, Nsh, Normal, WriteThrough, NonCacheable, NonShareable, true)]
    [InlineData(0xDu, Ish, Normal, NonCacheable, WriteBack, InnerShareable, false)]
    [InlineData(0xBu, ShReserved, Normal, WriteBack, WriteThrough, NonShareable, true)]
    public void Stage2_memattr_decodes_to_its_type_and_cacheability(
        uint memAttr, uint sh, MemoryType type, Cacheability inner, Cacheability outer, Shareability shareability, bool allocate)
    {
        var decoded = MemoryAttributeDecoder.FromStage2(memAttr, sh);

        Assert.Equal(new MemoryAttributes(type, inner, outer, shareability, allocate, allocate), decoded);
    }

    // Combining (S2FWB = 0): any Device stage gives Device, the more restrictive Device type winning (nGnRnE strictest).
    [Theory]
    [InlineData(DeviceGRE, Normal, DeviceGRE)]
    [InlineData(Normal, DeviceNGRE, DeviceNGRE)]
    [InlineData(DeviceGRE, DeviceNGnRE, DeviceNGnRE)]
    [InlineData(DeviceNGnRnE, DeviceGRE, DeviceNGnRnE)]
    public void A_device_stage_makes_the_combination_device_of_the_stricter_type(MemoryType stage1, MemoryType stage2, MemoryType expected)
    {
        var combined = MemoryAttributeDecoder.Combine(Of(stage1, WriteBack, InnerShareable, transient: true), Of(stage2, WriteBack, InnerShareable));

        Assert.Equal(new MemoryAttributes(expected, NonCacheable, NonCacheable, OuterShareable, false, false, false), combined);
    }

    // Normal and Normal: the weaker cacheability per level (Non-cacheable < Write-Through < Write-Back), the wider
    // shareability (Outer > Inner > Non), Outer Shareable whenever both levels end Non-cacheable; read/write-allocate
    // and transient hints come from stage 1, and only while the inner result is cacheable.
    [Fact]
    public void Two_normal_stages_take_the_weaker_cacheability_and_the_wider_shareability()
    {
        var stage1 = new MemoryAttributes(Normal, WriteBack, WriteThrough, NonShareable, true, false, true);
        var stage2 = new MemoryAttributes(Normal, WriteThrough, WriteBack, InnerShareable, true, true);

        Assert.Equal(
            new MemoryAttributes(Normal, WriteThrough, WriteThrough, InnerShareable, true, false, true),
            MemoryAttributeDecoder.Combine(stage1, stage2));
        Assert.Equal(
            new MemoryAttributes(Normal, WriteThrough, WriteThrough, InnerShareable, true, false, true),
            MemoryAttributeDecoder.Combine(stage1 with { Shareability = InnerShareable }, stage2 with { Shareability = NonShareable }));
        Assert.Equal(
            new MemoryAttributes(Normal, WriteThrough, WriteThrough, OuterShareable, true, false, true),
            MemoryAttributeDecoder.Combine(stage1 with { Shareability = OuterShareable }, stage2));
        Assert.Equal(
            new MemoryAttributes(Normal, WriteThrough, WriteThrough, OuterShareable, true, false, true),
            MemoryAttributeDecoder.Combine(stage1, stage2 with { Shareability = OuterShareable }));
        Assert.Equal(
            new MemoryAttributes(Normal, WriteThrough, WriteThrough, NonShareable, true, false, true),
            MemoryAttributeDecoder.Combine(stage1, stage2 with { Shareability = NonShareable }));
    }

    [Fact]
    public void A_non_cacheable_stage_drops_the_hints_and_both_non_cacheable_is_outer_shareable()
    {
        var stage1 = new MemoryAttributes(Normal, WriteBack, WriteBack, NonShareable, true, true, true);

        // Inner Non-cacheable, outer still Write-Back: the SH fields decide, and no hint survives.
        Assert.Equal(
            new MemoryAttributes(Normal, NonCacheable, WriteBack, InnerShareable, false, false, false),
            MemoryAttributeDecoder.Combine(stage1, new MemoryAttributes(Normal, NonCacheable, WriteBack, InnerShareable, false, false)));

        // Outer Non-cacheable only: the inner result stays cacheable with stage 1's hints.
        Assert.Equal(
            new MemoryAttributes(Normal, WriteBack, NonCacheable, NonShareable, true, true, true),
            MemoryAttributeDecoder.Combine(stage1, new MemoryAttributes(Normal, WriteBack, NonCacheable, NonShareable, true, true)));

        // Both Non-cacheable: Outer Shareable although neither stage said so.
        Assert.Equal(
            new MemoryAttributes(Normal, NonCacheable, NonCacheable, OuterShareable, false, false, false),
            MemoryAttributeDecoder.Combine(stage1, new MemoryAttributes(Normal, NonCacheable, NonCacheable, NonShareable, false, false)));
    }

    private static MemoryAttributes Of(MemoryType type, Cacheability cache, Shareability sh, bool transient = false) =>
        type == Normal ? new MemoryAttributes(type, cache, cache, sh, true, true, transient) : new MemoryAttributes(type, NonCacheable, NonCacheable, OuterShareable, false, false);
}
