using ArmSmmu.Driver;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// 52-bit addresses end to end (IHI0070 §3.4, §5.2 S2DS, §5.4 DS, §6.3.6): the host driver builds 64K FEAT_LPA tables
/// and 4K/16K FEAT_LPA2 tables on an SMMU with a 52-bit OAS, and the device translates an address above 2^48 to a PA
/// above 2^48 through them, at stage 1, stage 2 and nested.
/// </summary>
public class LargeAddressIommuTests
{
    private const uint Sid = 5;

    // Input and output addresses above 2^48: bits [51:48] = 0xD and 0xB exercise both the in-place and moved bits.
    private const ulong Iova = 0x000D_2345_6780_0000UL;
    private const ulong Pa = 0x000B_8765_4320_0000UL;
    private const ulong Ipa = 0x000E_1111_2220_0000UL;

    private static readonly SmmuFeatures Oas52 = SmmuFeatures.Default with { OutputAddressBits = 52 };

    private static Granule GranuleOf(int pageShift) => pageShift switch
    {
        12 => Granule.Size4K,
        14 => Granule.Size16K,
        _ => Granule.Size64K,
    };

    // IHI0070 §3.4.1, §5.4 CD.DS: a 52-bit VA (T0SZ 12) maps to a 52-bit PA; the CD has DS = 1 exactly for 4K/16K.
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(16)]
    public void Section_5_4_stage_1_maps_a_52_bit_va_to_a_52_bit_pa(int pageShift)
    {
        var iommu = new Iommu(Oas52);
        iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { Granule = GranuleOf(pageShift), InputAddressBits = 52, PasidBits = 0 });
        ulong page = 1UL << pageShift;
        iommu.Map(Sid, Iova, Pa, 2 * page, IoPagePermissions.ReadWrite);

        var result = iommu.Translate(Sid, Iova + page + 0x18, AccessKind.Write);

        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + page + 0x18, result.PhysicalAddress);
        var cd = ReadCd(iommu);
        Assert.Equal(12u, cd.T0SZ);
        Assert.Equal(6u, cd.IPS);
        Assert.Equal(pageShift != 16, cd.DS);

        iommu.Unmap(Sid, Iova, 2 * page);
        Assert.Equal(EventType.FTranslation, iommu.Translate(Sid, Iova + page, AccessKind.Read).Fault);
    }

    // IHI0070 §3.4 (stage 2 input up to 52 bits with 64K or S2DS), §5.2 S2DS/S2SL0_2: the 4K walk starts at level -1
    // (S2SL0_2:S2SL0 = 0b100), the 16K walk at level 0 (S2SL0 = 0b11), the 64K walk at level 1.
    [Theory]
    [InlineData(12, 0u, true)]
    [InlineData(14, 3u, false)]
    [InlineData(16, 2u, false)]
    public void Section_5_2_stage_2_maps_a_52_bit_ipa_to_a_52_bit_pa(int pageShift, uint sl0, bool sl0Bit2)
    {
        var iommu = new Iommu(Oas52);
        iommu.ConfigureStream(Sid, StreamMode.Stage2, new StreamOptions { Granule = GranuleOf(pageShift), IntermediateAddressBits = 52 });
        iommu.Map(Sid, Ipa, Pa, 1UL << pageShift, IoPagePermissions.ReadWrite);

        var result = iommu.Translate(Sid, Ipa + 0x40, AccessKind.Read);

        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x40, result.PhysicalAddress);
        var ste = ReadSte(iommu);
        Assert.Equal((12u, sl0, sl0Bit2, pageShift != 16, 6u), (ste.S2T0SZ, ste.S2SL0, ste.S2SL0_2, ste.S2DS, ste.S2PS));
    }

    // IHI0070 §3.4 nested: stage 1 (52-bit VA, output IPA above 2^48) then stage 2 (IPA -> PA above 2^48).
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    [InlineData(16)]
    public void Section_3_4_nested_translates_52_bit_va_through_a_52_bit_ipa_to_a_52_bit_pa(int pageShift)
    {
        var iommu = new Iommu(Oas52);
        iommu.ConfigureStream(Sid, StreamMode.Nested, new StreamOptions
        {
            Granule = GranuleOf(pageShift),
            InputAddressBits = 52,
            IntermediateAddressBits = 52,
            PasidBits = 0,
        });
        ulong page = 1UL << pageShift;
        iommu.Map(Sid, Iova, Ipa, page, IoPagePermissions.ReadWrite);
        iommu.MapStage2(Sid, Ipa, Pa, page, IoPagePermissions.ReadWrite);

        var result = iommu.Translate(Sid, Iova + 0x123, AccessKind.Read);

        Assert.Equal(TranslationOutcome.Translated, result.Outcome);
        Assert.Equal(Pa + 0x123, result.PhysicalAddress);
    }

    // The driver uses the FEAT_LPA2 format only where an address needs it: a 48-bit domain on the default SMMU (OAS 48)
    // keeps the VMSAv8-64 descriptors Linux writes, with SH in bits [9:8] and CD.DS = 0.
    [Fact]
    public void A_48_bit_domain_on_the_default_smmu_keeps_the_48_bit_format()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { PasidBits = 0 });
        iommu.Map(Sid, 0x10_0000, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);

        Assert.Equal(0x8000_0010UL, iommu.Translate(Sid, 0x10_0010, AccessKind.Read).PhysicalAddress);
        var cd = ReadCd(iommu);
        Assert.False(cd.DS);
        Assert.Equal(5u, cd.IPS);
    }

    // IHI0070 §3.4.1: without IDR5.VAX a TTBx translates at most 48 bits; the driver refuses a wider stage-1 domain.
    [Fact]
    public void Section_3_4_1_the_driver_refuses_52_bit_vas_without_vax()
    {
        var iommu = new Iommu(Oas52 with { VirtualAddressExtension = false });

        Assert.Throws<NotSupportedException>(() =>
            iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { Granule = Granule.Size64K, InputAddressBits = 52, PasidBits = 0 }));
    }

    // IHI0070 §16.2 walk caches with a level -1 start (4K, DS): the second page of the same last-level table resumes
    // from the cached level-2 table descriptor and reads one descriptor instead of five.
    [Fact]
    public void Section_16_2_walk_caches_resume_a_walk_that_started_at_level_minus_1()
    {
        var iommu = new Iommu(Oas52);
        iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { InputAddressBits = 52, PasidBits = 0 });
        iommu.Map(Sid, Iova, Pa, 0x2000, IoPagePermissions.ReadWrite);
        Assert.Equal(Pa, iommu.Translate(Sid, Iova, AccessKind.Read).PhysicalAddress);
        long reads = iommu.Statistics.DescriptorReads;

        Assert.Equal(Pa + 0x1008, iommu.Translate(Sid, Iova + 0x1008, AccessKind.Read).PhysicalAddress);

        Assert.Equal(1, iommu.Statistics.DescriptorReads - reads);
        Assert.True(iommu.Statistics.Stage1WalkCache.Hits > 0);
    }

    private static StreamTableEntry ReadSte(Iommu iommu) => iommu.Driver.ReadSte(Sid);

    // PasidBits 0: S1ContextPtr points at the one CD (IHI0070 §5.2 S1CDMax = 0).
    private static ContextDescriptor ReadCd(Iommu iommu)
    {
        Assert.True(ContextDescriptor.TryRead(iommu.Memory, ReadSte(iommu).S1ContextPtr, out var cd));
        return cd;
    }
}
