using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>CD.TBI0/TBI1 (IHI0070 §5.4, DDI0487 D8.8): the top byte of a VA takes no part in translation.</summary>
public class TopByteIgnoreTests
{
    private const uint Sid = 4;

    private static DeviceHarness Setup(bool tbi0)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x7000, 0x9000_0000, DeviceHarness.S1ReadWrite);
        var cd = DeviceHarness.LinuxCd(1, pgd) with { TBI0 = tbi0 };
        Assert.True(cd.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return h;
    }

    [Fact]
    public void Tagged_address_translates_with_tbi0_and_its_tlb_entry_is_shared_by_every_tag()
    {
        var h = Setup(tbi0: true);
        var first = h.Read(Sid, 0xAB00_0000_0000_7010);
        Assert.Equal(0x9000_0010UL, first.PhysicalAddress);
        long walks = h.Smmu.Statistics.Walks;

        // Another tag, the untagged address: all hit the one cached entry, no further walk.
        Assert.Equal(0x9000_0020UL, h.Read(Sid, 0x5C00_0000_0000_7020).PhysicalAddress);
        Assert.Equal(0x9000_0030UL, h.Read(Sid, 0x7030).PhysicalAddress);
        Assert.Equal(walks, h.Smmu.Statistics.Walks);
    }

    [Fact]
    public void Tagged_address_without_tbi0_is_outside_the_ttb0_range_and_faults()
    {
        var h = Setup(tbi0: false);
        var result = h.Read(Sid, 0xAB00_0000_0000_7010);
        Assert.Equal(EventType.FTranslation, result.Fault);
        var record = Assert.Single(h.DrainEvents());
        Assert.Equal(0xAB00_0000_0000_7010UL, record.InputAddress);
    }
}
