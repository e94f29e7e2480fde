using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Configuration;

/// <summary>
/// The CD and STE fields the decoder hands to the walker and the TLB (IHI0070 §5.2, §5.4): TBI1, HAD0/HAD1, HA/HD and
/// S2HA/S2HD, and the ASID that tags TLB entries, each seen through a translation.
/// </summary>
public class CdRegimeDecodeTests
{
    private const uint Sid = 6;
    private const ulong Pa = 0x9000_0000;
    private const ulong LowVa = 0x7000;
    private const ulong HighVa = 0xFFFF_8000_0000_7000; // TTB1 range of a 48-bit upper half (T1SZ 16)
    private const ulong Dbm = 1UL << 51;
    private const ulong ApTableNoWrite = 1UL << 62; // APTable[1] of a stage-1 table descriptor (DDI0487 D8.4.2)

    private static (DeviceHarness H, ulong Ttb0, ulong Ttb1) Setup(SmmuFeatures? features, Func<ContextDescriptor, ContextDescriptor> cd, ulong leaf = DeviceHarness.S1ReadWrite)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        ulong ttb0 = h.NewTable();
        ulong ttb1 = h.NewTable();
        h.Map4K(ttb0, LowVa, Pa, leaf);
        h.Map4K(ttb1, HighVa, Pa + 0x10_0000, leaf);
        var descriptor = cd(DeviceHarness.LinuxCd(0x1234, ttb0) with { EPD1 = false, TG1 = Tg1Granule.Size4K, T1SZ = 16, TTB1 = ttb1 });
        Assert.True(descriptor.TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.InstallSte(Sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        return (h, ttb0, ttb1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Tbi1_decides_whether_a_tagged_upper_address_reaches_ttb1(bool tbi1)
    {
        // IHI0070 §5.4 TBI1 (DDI0487 D8.8): with TBI1 the top byte of a TTB1 address is ignored; without it a VA
        // whose bits [63:48] are not all ones is outside both ranges and faults with F_TRANSLATION.
        var (h, _, _) = Setup(null, cd => cd with { TBI1 = tbi1 });
        const ulong Tagged = 0x5AFF_8000_0000_7010;

        var result = h.Read(Sid, Tagged);

        if (tbi1)
        {
            Assert.Equal(Pa + 0x10_0010, result.PhysicalAddress);
        }
        else
        {
            Assert.Equal(EventType.FTranslation, result.Fault);
            Assert.Equal(Tagged, Assert.Single(h.DrainEvents()).InputAddress);
        }
    }

    [Theory]
    [InlineData(0, true, false, false)]
    [InlineData(0, true, true, true)]
    [InlineData(0, false, true, false)]
    [InlineData(1, true, false, false)]
    [InlineData(1, true, true, true)]
    [InlineData(1, false, true, false)]
    public void Had_disables_aptable_only_when_the_smmu_implements_it(int half, bool idr3Had, bool cdHad, bool writeAllowed)
    {
        // IHI0070 §5.4 HAD0/HAD1: with IDR3.HAD the CD can disable hierarchical attributes of a half; otherwise the
        // field is RES0 and APTable[1] of a table descriptor makes the whole range read-only (DDI0487 D8.4.2).
        var features = SmmuFeatures.Default with { HierarchicalAttributeDisable = idr3Had };
        var (h, ttb0, ttb1) = Setup(features, cd => half == 0 ? cd with { HAD0 = cdHad } : cd with { HAD1 = cdHad });
        ulong va = half == 0 ? LowVa : HighVa;
        ulong l0 = (half == 0 ? ttb0 : ttb1) + (((va >> 39) & 0x1FF) * 8);
        h.Memory.WriteUInt64(l0, h.Memory.ReadUInt64(l0) | ApTableNoWrite);

        var result = h.Write(Sid, va + 0x10);

        Assert.Equal(writeAllowed ? EventType.None : EventType.FPermission, result.Fault);
        if (writeAllowed)
        {
            Assert.Equal(Pa + (half == 0 ? 0x10UL : 0x10_0010UL), result.PhysicalAddress);
        }
    }

    [Theory]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Cd_hd_updates_dirty_state_only_with_ha(bool ha, bool hd, bool writeAllowed)
    {
        // IHI0070 §5.4 HA/HD: HD takes effect only with HA; a read-only DBM page then stays read-only (F_PERMISSION).
        var (h, _, _) = Setup(null, cd => cd with { HA = ha, HD = hd }, DeviceHarness.S1ReadOnly | Dbm);

        var result = h.Write(Sid, LowVa + 0x10);

        Assert.Equal(writeAllowed ? EventType.None : EventType.FPermission, result.Fault);
    }

    [Theory]
    [InlineData(false, true, false)]
    [InlineData(true, true, true)]
    public void Ste_s2hd_updates_dirty_state_only_with_s2ha(bool s2ha, bool s2hd, bool writeAllowed)
    {
        // IHI0070 §5.2 S2HA/S2HD: S2HD takes effect only with S2HA; a read-only (S2AP 0b01) DBM page stays read-only.
        var h = new DeviceHarness();
        h.Reset();
        ulong root = h.NewTable();
        const ulong S2ReadOnlyDbm = (DeviceHarness.S2ReadWrite & ~(3UL << 6)) | (1UL << 6) | Dbm;
        h.Map4K(root, LowVa, Pa, S2ReadOnlyDbm);
        h.SetSte(Sid, DeviceHarness.Stage2Ste(root, 1) with { S2HA = s2ha, S2HD = s2hd });

        var result = h.Write(Sid, LowVa + 0x10);

        Assert.Equal(writeAllowed ? EventType.None : EventType.FPermission, result.Fault);
    }

    [Fact]
    public void Sixteen_bit_asid_tags_the_tlb_entry_that_tlbi_nh_asid_removes()
    {
        // IHI0070 §5.4 ASID, §4.4.2 CMD_TLBI_NH_ASID: with IDR0.ASID16 all 16 ASID bits tag the entry, so ASID 0x34
        // leaves the entry of ASID 0x1234 cached and ASID 0x1234 removes it.
        var (h, ttb0, _) = Setup(null, cd => cd);
        Assert.Equal(Pa + 0x10, h.Read(Sid, LowVa + 0x10).PhysicalAddress);
        h.Map4K(ttb0, LowVa, Pa + 0x20_0000, DeviceHarness.S1ReadWrite);

        h.Submit(Command.TlbiNhAsid(0, 0x34));
        Assert.Equal(Pa + 0x10, h.Read(Sid, LowVa + 0x10).PhysicalAddress);

        h.Submit(Command.TlbiNhAsid(0, 0x1234));
        Assert.Equal(Pa + 0x20_0010, h.Read(Sid, LowVa + 0x10).PhysicalAddress);
    }
}
