using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of IHI0070 §6.3: ID register fields whose value depends on other features or on the architecture
/// revision, and control fields that are RES0 when their feature is absent.
/// </summary>
public class RegisterAuditTests
{
    private static uint Read(SmmuFeatures features, ulong offset) => new SmmuV3(new SparseMemory(), features).ReadRegister32(offset);

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void Section_6_3_4_xnx_is_res0_in_smmuv3_0(int minorRevision, bool xnx)
    {
        // §6.3.4 XNX: "In SMMUv3.0, this field is RES0."
        uint idr3 = Read(SmmuFeatures.Default with { StageTwoExecuteNever2 = true, ArchitectureMinorRevision = minorRevision }, SmmuRegister.IDR3);
        Assert.Equal(xnx, ((idr3 >> 4) & 1) != 0);
    }

    [Fact]
    public void Section_6_3_4_pbha_dpt_pps_and_mpam_read_zero_as_they_are_not_implemented()
    {
        // §6.3.4: PBHA [3], PPS [5] (RES0 without PRI or substreams), MPAM [7], DPT [15] (needs ATS) and [31:24] RES0.
        uint idr3 = Read(SmmuFeatures.Default with { StageTwoExecuteNever2 = true, SmallTranslationTables = true }, SmmuRegister.IDR3);
        Assert.Equal(0u, idr3 & ((1u << 3) | (1u << 5) | (1u << 7) | (1u << 15) | 0xFF00_0000u));
    }

    [Fact]
    public void Section_6_3_1_vatos_is_res0_without_a_vatos_interface()
    {
        // §6.3.1 VATOS [20]: needs ATOS and both stages; this model has no VATOS page, so IDR0.VATOS and IDR2 read 0.
        Assert.Equal(0u, Read(SmmuFeatures.Default, SmmuRegister.IDR0) & (1u << 20));
        Assert.Equal(0u, Read(SmmuFeatures.Default, SmmuRegister.IDR2));
    }

    [Theory]
    [InlineData("CommandQueueLog2Size")]
    [InlineData("EventQueueLog2Size")]
    [InlineData("PriQueueLog2Size")]
    [InlineData("StreamIdBits")]
    [InlineData("SubstreamIdBits")]
    [InlineData("ST_LEVEL")]
    public void Section_6_3_2_idr1_sizes_outside_the_architected_ranges_are_host_misuse(string field)
    {
        // §6.3.2: CMDQS/EVENTQS/PRIQS at most 19, SIDSIZE 0..32, SSIDSIZE 0..20, and SIDSIZE >= 7 needs ST_LEVEL != 0.
        var features = field switch
        {
            "CommandQueueLog2Size" => SmmuFeatures.Default with { CommandQueueLog2Size = 20 },
            "EventQueueLog2Size" => SmmuFeatures.Default with { EventQueueLog2Size = 20 },
            "PriQueueLog2Size" => SmmuFeatures.Default with { PriQueueLog2Size = 20 },
            "StreamIdBits" => SmmuFeatures.Default with { StreamIdBits = 33 },
            "SubstreamIdBits" => SmmuFeatures.Default with { SubstreamIdBits = 21 },
            _ => SmmuFeatures.Default with { StreamIdBits = 7, TwoLevelStreamTable = false },
        };
        Assert.Throws<ArgumentException>(() => new SmmuV3(new SparseMemory(), features));
        Assert.NotNull(new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { StreamIdBits = 6, TwoLevelStreamTable = false }));
    }

    [Fact]
    public void Section_6_3_9_cr0_vmw_is_res0_without_vmid_wildcards()
    {
        // §6.3.9 VMW [8:6]: RES0 when SMMU_IDR0.VMW == 0; the write is ignored and invalidation stays exact (§3.17.6).
        var h = new DeviceHarness(SmmuFeatures.Default with { VmidWildcard = false });
        h.Reset();
        uint cr0 = h.Smmu.ReadRegister32(SmmuRegister.CR0);
        h.Smmu.WriteRegister32(SmmuRegister.CR0, cr0 | (1u << 6));
        Assert.Equal(cr0, h.Smmu.ReadRegister32(SmmuRegister.CR0));
        Assert.Equal(cr0, h.Smmu.ReadRegister32(SmmuRegister.CR0ACK));

        ulong pgd = h.NewTable();
        h.Map4K(pgd, 0x4000, 0x6000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, pgd).TryWrite(h.Memory, DeviceHarness.CdTableBase));
        h.SetSte(3, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase) with { S2VMID = 0x20 });
        Assert.Equal(0x6000_0000UL, h.Read(3, 0x4000).PhysicalAddress);
        h.Map4K(pgd, 0x4000, 0x6100_0000, DeviceHarness.S1ReadWrite);

        h.Submit(Command.TlbiNhAll(0x21));
        Assert.Equal(0x6000_0000UL, h.Read(3, 0x4000).PhysicalAddress);
        h.Submit(Command.TlbiNhAll(0x20));
        Assert.Equal(0x6100_0000UL, h.Read(3, 0x4000).PhysicalAddress);
    }
}
