using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// A driver snapshot carries the driver's software state with its device's (docs/save-restore.md): a restored
/// driver drains, submits and allocates exactly as the saved one would have.
/// </summary>
public class SmmuDriverStateTests
{
    private const uint Sid = 0x10;

    // A driver brought up by the seed-style API, a stream mapped, and three faults left in the event queue.
    private static Iommu Platform()
    {
        var memory = new SparseMemory();
        var iommu = new Iommu(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000));
        iommu.ConfigureStream(Sid, StreamMode.Stage1);
        iommu.Map(Sid, 0x1000, 0x4000_0000, 0x1000, IoPagePermissions.Read);
        for (ulong page = 2; page < 5; page++)
        {
            Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(Sid, page * 0x1000, AccessKind.Read).Outcome);
        }

        return iommu;
    }

    private static SmmuDriver Restore(Iommu saved)
    {
        var snapshot = new MemoryStream();
        saved.Driver.SaveState(snapshot);
        snapshot.Position = 0;
        var memory = (SparseMemory)saved.Memory;
        var driver = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000));
        driver.RestoreState(snapshot);
        return driver;
    }

    [Fact]
    public void A_restored_driver_drains_submits_allocates_and_translates_as_the_saved_one()
    {
        var original = Platform().Driver;
        var restored = Restore(Platform()); // an identical platform: the same memory contents, saved and restored

        Assert.True(restored.IsInitialized);
        Assert.Equal(original.CommandQueueAddress, restored.CommandQueueAddress);
        Assert.Equal(original.StreamTableAddress, restored.StreamTableAddress);

        // The three F_TRANSLATION records the device wrote before the save (IHI0070 §7.3.5), drained through the
        // restored driver's copy of EVENTQ_CONS.
        var events = restored.DrainEvents();
        Assert.Equal([0x2000UL, 0x3000, 0x4000], events.Select(e => e.InputAddress));
        Assert.All(events, e => Assert.Equal(EventType.FTranslation, e.Type));
        Assert.Equal(original.DrainEvents(), events);

        // The command queue continues from the saved PROD: a TLBI + SYNC completes and both indexes agree.
        original.SubmitAndSync(Command.TlbiNsnhAll());
        restored.SubmitAndSync(Command.TlbiNsnhAll());
        Assert.Equal(original.Device.ReadRegister32(SmmuRegister.CMDQ_CONS), restored.Device.ReadRegister32(SmmuRegister.CMDQ_CONS));
        Assert.NotEqual(0u, restored.Device.ReadRegister32(SmmuRegister.CMDQ_CONS));

        // The allocator and the ASID/VMID allocators hand out what the saved driver's would.
        Assert.Equal(original.Allocator.Allocate(0x1000, 0x1000), restored.Allocator.Allocate(0x1000, 0x1000));
        Assert.Equal(original.Allocator.BytesInUse, restored.Allocator.BytesInUse);
        Assert.Equal(original.CreateStage1Domain(Granule.Size4K).Asid, restored.CreateStage1Domain(Granule.Size4K).Asid);
        Assert.Equal(original.CreateStage2Domain(Granule.Size4K).Vmid, restored.CreateStage2Domain(Granule.Size4K).Vmid);

        // The stream configured before the save still translates through the tables in memory.
        var request = new TranslationRequest(Sid, 0x1234, AccessKind.Read);
        Assert.Equal(0x4000_0234UL, restored.Device.Translate(request).PhysicalAddress);
    }

    [Fact]
    public void A_driver_snapshot_is_refused_by_an_initialised_driver_or_one_with_other_options()
    {
        var snapshot = new MemoryStream();
        Platform().Driver.SaveState(snapshot);

        var memory = new SparseMemory();
        var busy = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000));
        busy.Initialize();
        snapshot.Position = 0;
        Assert.Contains("not one that is already initialised", Assert.Throws<InvalidOperationException>(() => busy.RestoreState(snapshot)).Message, StringComparison.Ordinal);

        var other = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000), new SmmuDriverOptions { EnablePri = false });
        snapshot.Position = 0;
        Assert.Contains("other options", Assert.Throws<InvalidOperationException>(() => other.RestoreState(snapshot)).Message, StringComparison.Ordinal);

        var window = new SmmuDriver(new SmmuV3(memory), memory, new PhysicalAllocator(memory, 0x9000_0000, 0x1000_0000));
        snapshot.Position = 0;
        Assert.Contains("allocator window", Assert.Throws<InvalidOperationException>(() => window.RestoreState(snapshot)).Message, StringComparison.Ordinal);
    }
}
