using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>The re-audit of the level-1 descriptors (IHI0070 §5.1 L1STD, §5.3 L1CD).</summary>
public class L1DescriptorAuditTests
{
    [Theory]
    [InlineData(3u, 0xC0UL, 3u)]  // 4 STEs: L2Ptr[7:0] are taken as zero
    [InlineData(5u, 0x3C0UL, 9u)] // 16 STEs: L2Ptr[9:0] are taken as zero
    public void Section_5_1_l2ptr_bits_below_the_array_size_are_treated_as_zero(uint span, ulong lowBits, uint index)
    {
        // "Bits L2Ptr[N:0] are treated as 0 by the SMMU, where N == 5 + (Span - 1)": the array is aligned to its size.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true);
        ulong l2 = h.AllocatePage(0x4000);
        Assert.True(StreamTableEntry.BypassEntry.TryWrite(h.Memory, l2 + (index * 64UL)));
        Assert.True(new L1StreamTableDescriptor { Span = span, L2Ptr = l2 | lowBits }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (2 * 8)));

        var result = h.Read((2u << 8) | index, 0x5000);
        Assert.Equal(TranslationOutcome.Bypassed, result.Outcome);
        Assert.Empty(h.DrainEvents());
    }

    [Fact]
    public void Section_5_3_1_an_invalid_l1cd_ignores_l2ptr_and_is_c_bad_substreamid()
    {
        // "If a CD fetch ... encounters an L1CD with V == 0, L2Ptr is IGNORED": even an L2Ptr beyond the OAS.
        var h = new DeviceHarness();
        h.Reset();
        h.Memory.WriteUInt64(DeviceHarness.CdTableBase + 8, 1UL << 50); // L1CD[1]: V = 0, L2Ptr out of range
        h.SetSte(4, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase, s1CdMax: 8) with { S1Fmt = CdTableFormat.TwoLevel4K });

        Assert.Equal(EventType.CBadSubstreamId, h.Read(4, 0x1000, ssid: 0x45).Fault);
        Assert.Equal(new EventRecord { Type = EventType.CBadSubstreamId, StreamId = 4, SubstreamId = 0x45 }, Assert.Single(h.DrainEvents()));
    }

    [Fact]
    public void Section_3_4_3_an_ste_address_beyond_the_oas_is_f_ste_fetch()
    {
        // §3.4.3 table, STE fetch through L1STD.L2Ptr: "Truncate to OAS or F_STE_FETCH"; the model reports the fetch.
        var h = new DeviceHarness();
        h.Reset(sidBits: 16, twoLevel: true);
        const ulong l2Ptr = 1UL << 50;
        Assert.True(new L1StreamTableDescriptor { Span = 9, L2Ptr = l2Ptr }.TryWrite(h.Memory, DeviceHarness.StreamTableBase + (6 * 8)));

        Assert.Equal(EventType.FSteFetch, h.Read(0x605, 0x1000).Fault);
        Assert.Equal(new EventRecord { Type = EventType.FSteFetch, StreamId = 0x605, FetchAddress = l2Ptr + (5 * 64) }, Assert.Single(h.DrainEvents()));
    }
}
