using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The §3.13 rules that depend on the CD and STE (IHI0070 §3.13.2, §5.2 S2HA/S2HD, §5.4 HA/HD), through the device.
/// </summary>
public class HttuConfigurationAuditTests
{
    private const uint Sid = 3;
    private const ulong AccessFlag = 1UL << 10;

    // The level-3 descriptor address of a 4K, 4-level table (the harness's Map4K layout).
    private static ulong LeafSlot(DeviceHarness h, ulong root, ulong address)
    {
        ulong table = root;
        for (int level = 0; level < 3; level++)
        {
            table = h.Memory.ReadUInt64(table + (((address >> (12 + (9 * (3 - level)))) & 0x1FF) * 8)) & 0x0000_FFFF_FFFF_F000;
        }

        return table + (((address >> 12) & 0x1FF) * 8);
    }

    // IHI0070 §5.2: {S2HA, S2HD} = 0b01 "behaves as (STE.S2HA == 0 and STE.S2HD == 0)" (legal with IDR0.HTTU = 0b10):
    // a leaf with AF = 0 is a stage-2 F_ACCESS, not an Access flag update.
    [Fact]
    public void Section_5_2_s2hd_without_s2ha_behaves_as_no_hardware_update()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong root = h.NewTable();
        h.Map4K(root, 0x4000, 0x8000_4000, DeviceHarness.S2ReadWrite & ~AccessFlag);
        h.SetSte(Sid, DeviceHarness.Stage2Ste(root, 1) with { S2HD = true });

        var result = h.Read(Sid, 0x4000);

        Assert.Equal(EventType.FAccess, result.Fault);
        Assert.Equal(0UL, h.Memory.ReadUInt64(LeafSlot(h, root, 0x4000)) & AccessFlag);
    }

    // IHI0070 §5.4: CD {HA, HD} = 0b01 likewise behaves as no HTTU: F_ACCESS, descriptor unchanged.
    [Fact]
    public void Section_5_4_hd_without_ha_behaves_as_no_hardware_update()
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong root = h.NewTable();
        h.Map4K(root, 0x4000, 0x8000_4000, DeviceHarness.S1ReadWrite & ~AccessFlag);
        Assert.True((DeviceHarness.LinuxCd(1, root) with { HD = true }).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));

        var result = h.Read(Sid, 0x4000);

        Assert.Equal(EventType.FAccess, result.Fault);
        Assert.Equal(0UL, h.Memory.ReadUInt64(LeafSlot(h, root, 0x4000)) & AccessFlag);
    }

    // IHI0070 §3.13.2: the Access flag update "includes stage 2 translation for the fetch of an L1CD or CD": with S2HA the
    // stage-2 leaf mapping the CD gets AF = 1; without it the fetch is a stage-2 F_ACCESS with CLASS = CD.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Section_3_13_2_a_cd_fetch_through_stage_2_updates_the_access_flag(bool s2ha)
    {
        var h = new DeviceHarness();
        h.Reset();
        ulong s1Root = h.NewTable();
        ulong s2Root = h.NewTable();
        h.Map4K(s1Root, 0x4000, 0x8000_0000, DeviceHarness.S1ReadWrite);
        h.IdentityMapS2(s2Root, 0x2000_0000, h.AllocationMark + 0x10_0000);
        h.IdentityMapS2(s2Root, 0x8000_0000, 0x8000_1000);
        h.Map4K(s2Root, DeviceHarness.CdTableBase, DeviceHarness.CdTableBase, DeviceHarness.S2ReadWrite & ~AccessFlag);
        Assert.True(DeviceHarness.LinuxCd(1, s1Root).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        var ste = DeviceHarness.Stage2Ste(s2Root, 1) with
        {
            Config = SteConfig.Nested,
            S1ContextPtr = DeviceHarness.CdTableBase,
            S1CIR = 1,
            S1COR = 1,
            S1CSH = 3,
            S2HA = s2ha,
        };
        h.SetSte(Sid, ste);

        var result = h.Read(Sid, 0x4000);

        ulong cdLeaf = h.Memory.ReadUInt64(LeafSlot(h, s2Root, DeviceHarness.CdTableBase));
        if (s2ha)
        {
            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(AccessFlag, cdLeaf & AccessFlag);
        }
        else
        {
            Assert.Equal(EventType.FAccess, result.Fault);
            var record = Assert.Single(h.DrainEvents());
            Assert.Equal((true, FaultClass.CD), (record.S2, record.Class));
            Assert.Equal(0UL, cdLeaf & AccessFlag);
        }
    }
}
