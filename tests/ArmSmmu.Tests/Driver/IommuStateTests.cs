namespace ArmSmmu.Tests.Driver;

/// <summary>
/// Iommu and driver snapshots recreate the host objects (docs/save-restore.md): streams, PASIDs, domains, CD tables
/// and ATS functions work on after a restore as they would have without one.
/// </summary>
public class IommuStateTests
{
    // Stream 1: stage 1 with PASID 1 and ATS; 2: stage 2; 3: nested; the Secure side: stream 1, stage 1.
    private static Iommu Platform()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(1, StreamMode.Stage1, new StreamOptions { PasidBits = 2 });
        iommu.CreatePasid(1, 1);
        iommu.Map(1, 0x10_0000, 0x8000_0000, 0x2000, IoPagePermissions.ReadWrite);
        iommu.Map(1, 0x20_0000, 0x8100_0000, 0x1000, IoPagePermissions.Read, pasid: 1);
        iommu.EnableAts(1, new AtsEndpointOptions { PageRequests = false });
        iommu.ConfigureStream(2, StreamMode.Stage2);
        iommu.Map(2, 0x30_0000, 0x8200_0000, 0x1000, IoPagePermissions.ReadWrite);
        iommu.ConfigureStream(3, StreamMode.Nested);
        iommu.Map(3, 0x40_0000, 0x50_0000, 0x1000, IoPagePermissions.ReadWrite);
        iommu.MapStage2(3, 0x50_0000, 0x8300_0000, 0x1000, IoPagePermissions.ReadWrite);
        iommu.Secure!.ConfigureStream(1, StreamMode.Stage1, new StreamOptions { PasidBits = 0 });
        iommu.Secure.Map(1, 0x10_0000, 0x8400_0000, 0x1000, IoPagePermissions.Read);
        iommu.DisableStream(2);
        return iommu;
    }

    private static Iommu Restore(Iommu saved)
    {
        var snapshot = new MemoryStream();
        saved.SaveState(snapshot);
        snapshot.Position = 0;
        var memory = saved.Memory;
        return Iommu.RestoreState(snapshot, new SmmuV3(memory, saved.Device.Features), memory, new PhysicalAllocator(memory, Iommu.DefaultStructureBase, Iommu.DefaultStructureSize));
    }

    private static ulong[] CommandQueue(Iommu iommu) =>
        [.. Enumerable.Range(0, 2 << 8).Select(i => iommu.Memory.TryReadUInt64(iommu.Driver.CommandQueueAddress + ((ulong)i * 8), out ulong v) ? v : 0)];

    [Fact]
    public void A_restored_iommu_keeps_its_streams_pasids_mappings_and_ats_functions()
    {
        var original = Platform();
        var restored = Restore(Platform()); // an identical platform, saved and restored

        Assert.Equal(StreamMode.Nested, restored.GetStreamMode(3));
        Assert.False(restored.IsStreamEnabled(2));
        Assert.Equal([1u], restored.GetPasids(1));
        Assert.NotNull(restored.GetAtsEndpoint(1));
        Assert.Equal(0x8000_1008UL, restored.Translate(1, 0x10_1008, AccessKind.Write).PhysicalAddress);
        Assert.Equal(0x8100_0010UL, restored.Translate(1, 0x20_0010, AccessKind.Read, pasid: 1).PhysicalAddress);
        Assert.Equal(0x8300_0020UL, restored.Translate(3, 0x40_0020, AccessKind.Read).PhysicalAddress);
        Assert.Equal(0x8400_0000UL, restored.Secure!.Translate(1, 0x10_0000, AccessKind.Read).PhysicalAddress);

        // Unmapping in the restored domains sends what the saved Iommu would: TLBI_NH_VA with the saved ASID, SYNC,
        // then ATC_INV to the function (stream 1 has ATS), SYNC (IHI0070 §4.5.1); the freed tables go back to the
        // restored allocator at the same addresses.
        foreach (var iommu in new[] { original, restored })
        {
            Assert.Equal(0x2000UL, iommu.Unmap(1, 0x10_0000, 0x2000));
            iommu.EnableStream(2);
            iommu.RemovePasid(1, 1);
            iommu.Map(1, 0x60_0000, 0x8500_0000, 0x1000, IoPagePermissions.Read);
            iommu.Secure!.Unmap(1, 0x10_0000, 0x1000);
        }

        Assert.Equal(CommandQueue(original), CommandQueue(restored));
        Assert.Contains(CommandQueue(restored), w => (w & 0xFF) == (ulong)CommandOpcode.AtcInv);
        Assert.Equal(TranslationOutcome.Faulted, restored.Translate(1, 0x10_0000, AccessKind.Read).Outcome);
        Assert.Equal(0x8200_0000UL, restored.Translate(2, 0x30_0000, AccessKind.Read).PhysicalAddress);
        Assert.Equal(original.Driver.Allocator.BytesInUse, restored.Driver.Allocator.BytesInUse);
        Assert.Equal(original.Device.ReadRegister32(SmmuRegister.CMDQ_CONS), restored.Device.ReadRegister32(SmmuRegister.CMDQ_CONS));
    }

    [Fact]
    public void Domains_and_cd_tables_created_through_the_driver_are_recreated_by_a_driver_restore()
    {
        var memory = new SparseMemory();
        var driver = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x100_0000));
        driver.Initialize();
        var s2 = driver.CreateStage2Domain(Granule.Size4K, 40);
        var s1 = driver.CreateStage1Domain(Granule.Size4K, parent: s2);
        var cds = driver.CreateContextDescriptorTable(7, 12); // 2-level: 4 leaves of 1024 CDs (IHI0070 §5.4)
        cds.Write(2000, s1.ContextDescriptor);
        s1.Map(0x1000, 0x2000, 0x1000, IoPagePermissions.Read);
        var snapshot = new MemoryStream();
        driver.SaveState(snapshot);
        snapshot.Position = 0;

        var restored = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x100_0000));
        restored.RestoreState(snapshot);

        var domain = Assert.Single(restored.Stage1Domains);
        var parent = Assert.Single(restored.Stage2Domains);
        var table = Assert.Single(restored.ContextDescriptorTables);
        Assert.Equal((s1.Asid, s2.Vmid, s1.PageTable.RootAddress, s1.PageTable.TableCount), (domain.Asid, domain.Vmid, domain.PageTable.RootAddress, domain.PageTable.TableCount));
        Assert.Same(parent, domain.Parent);
        Assert.Equal((cds.Address, true, 12), (table.Address, table.IsTwoLevel, table.SubstreamIdBits));
        Assert.Equal(s1.Asid, table.Read(2000).ASID);
        Assert.True(domain.PageTable.TryIovaToPhys(0x1008, out ulong pa));
        Assert.Equal(0x2008UL, pa);

        // The restored domain unmaps (TLBI_NH_VA with the saved ASID and the parent's VMID) and maps again.
        Assert.Equal(0x1000UL, domain.Unmap(0x1000, 0x1000));
        Assert.False(domain.PageTable.TryIovaToPhys(0x1008, out _));
        domain.Map(0x1000, 0x3000, 0x1000, IoPagePermissions.Read);
        Assert.True(domain.PageTable.TryIovaToPhys(0x1008, out pa));
        Assert.Equal(0x3008UL, pa);
        domain.Dispose();
        Assert.Empty(restored.Stage1Domains);
    }

    [Fact]
    public void The_example_of_docs_save_restore_md_runs()
    {
        // Kept word for word as in docs/save-restore.md, so the documented calls compile and work.
        var iommu = new Iommu();
        iommu.ConfigureStream(0x10, StreamMode.Stage1);
        iommu.Map(0x10, 0x1000, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);
        var checkpoint = new MemoryStream();
        iommu.SaveState(checkpoint);                       // device, driver, streams, domains, PASIDs: JSON
        checkpoint.Position = 0;

        var memory = iommu.Memory;                         // the memory saved with the checkpoint
        var restored = Iommu.RestoreState(
            checkpoint,
            new SmmuV3(memory, iommu.Device.Features),
            memory,
            new PhysicalAllocator(memory, Iommu.DefaultStructureBase, Iommu.DefaultStructureSize));
        restored.Unmap(0x10, 0x1000, 0x1000);              // TLBI_NH_VA with the saved ASID, CMD_SYNC

        Assert.Equal(TranslationOutcome.Faulted, restored.Translate(0x10, 0x1000, AccessKind.Read).Outcome);
    }
}
