using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>The seed's processor-side operations through <see cref="Iommu"/>: receive_broadcast_tlbi (IHI0070 §3.17) and ATOS (chapter 9).</summary>
public class IommuProcessorSideTests
{
    [Fact]
    public void Atos_on_a_mapped_iova_gives_the_pa_and_the_mapping_attributes_9_1_4()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(0x10, StreamMode.Stage1);
        iommu.Map(0x10, iova: 0x1000, pa: 0x8000_0000, size: 0x2000, IoPagePermissions.Read);

        var par = iommu.TranslateWithAtos(0x10, 0x2345, AtosType.Stage1);
        Assert.False(par.Fault);
        Assert.Equal(0x8000_1000UL, par.OutputAddress);
        Assert.Equal(0xFF, par.Attr); // Normal inner/outer write-back read/write-allocate, as Translate reports it
        Assert.Equal(0b11u, par.SH);

        // A write to the read-only buffer and an unmapped IOVA: faults in PAR, nothing in the event queue.
        Assert.Equal((byte)EventType.FPermission, iommu.TranslateWithAtos(0x10, 0x1000, AtosType.Stage1, AccessKind.Write).FaultCode);
        Assert.Equal((byte)EventType.FTranslation, iommu.TranslateWithAtos(0x10, 0x9000, AtosType.Stage1).FaultCode);
        Assert.Empty(iommu.DrainEvents());
    }

    [Fact]
    public void A_broadcast_tlbi_reaches_the_tlb_while_the_driver_lets_the_smmu_participate_3_17()
    {
        var iommu = new Iommu();
        Assert.Equal(0u, iommu.Device.ReadRegister32(SmmuRegister.CR2) & 4); // PTM = 0
        iommu.ConfigureStream(0x10, StreamMode.Stage1);
        iommu.Map(0x10, iova: 0x1000, pa: 0x8000_0000, size: 0x1000, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(0x10, 0x1000, AccessKind.Read).IsSuccess);

        Assert.Equal(1, iommu.ReceiveBroadcastTlbi(new BroadcastInvalidation(BroadcastTlbiOperation.ALLE1IS, IssuedFrom: ExceptionLevel.EL2)));
        long misses = iommu.Statistics.Tlb.Misses;
        Assert.True(iommu.Translate(0x10, 0x1000, AccessKind.Read).IsSuccess);
        Assert.Equal(misses + 1, iommu.Statistics.Tlb.Misses);
        Assert.Equal(1, iommu.Statistics.BroadcastInvalidations);
    }

    [Fact]
    public void A_driver_that_opts_out_writes_ptm_and_broadcasts_are_ignored_3_17()
    {
        var memory = new SparseMemory();
        var iommu = new Iommu(new SmmuV3(memory), memory, new PhysicalAllocator(memory, Iommu.DefaultStructureBase, Iommu.DefaultStructureSize), new SmmuDriverOptions { BroadcastTlbMaintenance = false });
        Assert.Equal(4u, iommu.Device.ReadRegister32(SmmuRegister.CR2) & 4);
        iommu.ConfigureStream(0x10, StreamMode.Stage1);
        iommu.Map(0x10, iova: 0x1000, pa: 0x8000_0000, size: 0x1000, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(0x10, 0x1000, AccessKind.Read).IsSuccess);
        Assert.Equal(0, iommu.ReceiveBroadcastTlbi(new BroadcastInvalidation(BroadcastTlbiOperation.ALLE1IS, IssuedFrom: ExceptionLevel.EL2)));
        Assert.Equal(1, iommu.Statistics.BroadcastInvalidationsIgnored);
    }
}
