using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>Event queue draining and overflow acknowledgement (digest §8.6, IHI0070 §7.4).</summary>
public class SmmuDriverEventTests
{
    [Fact]
    public void Drained_records_are_decoded_in_order()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(7, StreamMode.Stage1);

        // Nothing mapped: stage-1 F_TRANSLATION, recorded because CD.R = 1.
        iommu.Translate(7, 0x1234_5678, AccessKind.Read);
        iommu.Translate(7, 0x2000_0010, AccessKind.Write);

        var records = iommu.DrainEvents();
        Assert.Equal(2, records.Count);
        Assert.Equal(EventType.FTranslation, records[0].Type);
        Assert.Equal(7u, records[0].StreamId);
        Assert.Equal(0x1234_5678UL, records[0].InputAddress);
        Assert.True(records[0].RnW);
        Assert.False(records[0].S2);
        Assert.Equal(0x2000_0010UL, records[1].InputAddress);
        Assert.False(records[1].RnW);
        Assert.Equal(records, iommu.Faults);

        // The queue is empty afterwards, with CONS = PROD.
        Assert.Empty(iommu.DrainEvents());
        Assert.Equal(iommu.Device.ReadRegister32(SmmuRegister.EVENTQ_PROD), iommu.Device.ReadRegister32(SmmuRegister.EVENTQ_CONS));
    }

    [Fact]
    public void Overflow_is_counted_and_acknowledged_so_the_next_one_is_seen()
    {
        var memory = new SparseMemory();
        var device = new SmmuV3(memory);
        var options = new SmmuDriverOptions { EventQueueLog2Size = 2 }; // 4 records
        var iommu = new Iommu(device, memory, new PhysicalAllocator(memory, 0x8000_0000, 0x1000_0000), options);
        iommu.ConfigureStream(1, StreamMode.Stage1);

        for (int i = 0; i < 6; i++)
        {
            iommu.Translate(1, 0x10_0000 + ((ulong)i << 12), AccessKind.Read);
        }

        // IHI0070 §7.4: a full queue discards records and toggles EVENTQ_PROD.OVFLG.
        Assert.NotEqual(0u, device.ReadRegister32(SmmuRegister.EVENTQ_PROD) & 0x8000_0000);
        var records = iommu.DrainEvents();
        Assert.Equal(4, records.Count);
        Assert.Equal(0x10_0000UL, records[0].InputAddress);
        Assert.Equal(0x10_3000UL, records[3].InputAddress);
        Assert.Equal(1, iommu.EventQueueOverflows);

        // Acknowledged: CONS.OVACKFLG = PROD.OVFLG.
        uint prod = device.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        uint cons = device.ReadRegister32(SmmuRegister.EVENTQ_CONS);
        Assert.Equal(prod & 0x8000_0000, cons & 0x8000_0000);

        // A second overflow toggles OVFLG back and is counted again.
        for (int i = 0; i < 5; i++)
        {
            iommu.Translate(1, 0x20_0000, AccessKind.Read);
        }

        Assert.Equal(4, iommu.DrainEvents().Count);
        Assert.Equal(2, iommu.EventQueueOverflows);
        Assert.Equal(0u, device.ReadRegister32(SmmuRegister.EVENTQ_CONS) & 0x8000_0000);
    }

    [Fact]
    public void Global_errors_are_acknowledged()
    {
        var driver = SmmuDriverBringUpTests.NewDriver();
        driver.Initialize();
        Assert.Equal(GerrorFlags.None, driver.HandleGlobalErrors());
    }

    [Fact]
    public void Page_requests_are_drained_from_the_PRI_queue()
    {
        var driver = SmmuDriverBringUpTests.NewDriver();
        driver.Initialize();
        var request = new PriQueueEntry { StreamId = 9, PrgIndex = 5, Last = true, Read = true, PageAddress = 0x4000 };
        Assert.True(driver.Device.SubmitPageRequest(request));

        var entry = Assert.Single(driver.DrainPageRequests());
        Assert.Equal(9u, entry.StreamId);
        Assert.Equal(5u, entry.PrgIndex);
        Assert.Equal(0x4000UL, entry.PageAddress);
    }
}
