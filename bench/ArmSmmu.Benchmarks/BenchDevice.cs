using ArmSmmu.Driver;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// A device brought up by the library's own host driver (<see cref="Iommu"/>) with one stage-1, one stage-2 and one
/// nested stream, each mapping <see cref="Pages"/> 4 KiB pages from address 0. The output addresses are 4 KiB but not
/// 2 MiB aligned, so every mapping is a page and every walk goes down to level 3.
/// </summary>
internal sealed class BenchDevice
{
    public const uint Stage1Sid = 1;
    public const uint Stage2Sid = 2;
    public const uint NestedSid = 3;
    public const int Pages = 512;
    private const ulong Size = Pages * 0x1000UL;
    private const ulong Output = 0x8000_1000;
    private const ulong Intermediate = 0x4000_1000;

    public BenchDevice(SmmuFeatures features)
    {
        Iommu = new Iommu(features);
        Iommu.ConfigureStream(Stage1Sid, StreamMode.Stage1);
        Iommu.Map(Stage1Sid, 0, Output, Size, IoPagePermissions.ReadWrite);
        Iommu.ConfigureStream(Stage2Sid, StreamMode.Stage2);
        Iommu.MapStage2(Stage2Sid, 0, Output, Size, IoPagePermissions.ReadWrite);
        Iommu.ConfigureStream(NestedSid, StreamMode.Nested);
        Iommu.MapStage2(NestedSid, Intermediate, Output, Size, IoPagePermissions.ReadWrite);
        Iommu.Map(NestedSid, 0, Intermediate, Size, IoPagePermissions.ReadWrite);
        foreach (uint sid in new[] { Stage1Sid, Stage2Sid, NestedSid })
        {
            var result = Smmu.Translate(new TranslationRequest(sid, 0x3040, AccessKind.Read));
            if (result.PhysicalAddress != Output + 0x3040)
            {
                throw new InvalidOperationException($"Benchmark setup is broken: SID {sid} gives {result}.");
            }
        }
    }

    public Iommu Iommu { get; }

    public SmmuV3 Smmu => Iommu.Device;

    public IPhysicalMemory Memory => Iommu.Memory;

    /// <summary>Steps <paramref name="page"/> round the <see cref="Pages"/> mapped pages; the address inside it.</summary>
    public static ulong NextAddress(ref ulong page)
    {
        page = (page + 1) % Pages;
        return (page << 12) | 0x40;
    }

    /// <summary>The baseline every benchmark is a ratio to: one aligned 64-bit read of guest memory.</summary>
    public ulong BaselineRead(ulong address)
    {
        Memory.TryReadUInt64(Iommu.DefaultStructureBase + ((address >> 12) * 8), out ulong value);
        return value;
    }

    /// <summary>A second stage-1 stream, mapped as <see cref="Stage1Sid"/> is (the two-thread rows: a stream per thread).</summary>
    public const uint SecondStage1Sid = 4;

    /// <summary>Configures <see cref="SecondStage1Sid"/> and fills the TLB with both stage-1 streams' pages.</summary>
    public void AddSecondStage1Stream()
    {
        Iommu.ConfigureStream(SecondStage1Sid, StreamMode.Stage1);
        Iommu.Map(SecondStage1Sid, 0, 0x8000_1000, Pages * 0x1000UL, IoPagePermissions.ReadWrite);
        for (ulong page = 0; page < Pages; page++)
        {
            Smmu.Translate(new TranslationRequest(Stage1Sid, page << 12, AccessKind.Read));
            Smmu.Translate(new TranslationRequest(SecondStage1Sid, page << 12, AccessKind.Read));
        }
    }

    /// <summary>
    /// Thread <paramref name="thread"/>'s part of the two-thread rows: <paramref name="count"/> TLB hits on the device
    /// path, thread 0 on <see cref="Stage1Sid"/> and the others on <see cref="SecondStage1Sid"/>, stepping round the pages.
    /// </summary>
    public void DeviceHits(int thread, int count)
    {
        var smmu = Smmu;
        uint sid = thread == 0 ? Stage1Sid : SecondStage1Sid;
        ulong page = (ulong)thread * 97;
        for (int i = 0; i < count; i++)
        {
            page = (page + 1) % Pages;
            smmu.Translate(new TranslationRequest(sid, page << 12, AccessKind.Read));
        }
    }
}
