using ArmSmmu.Driver;
using ArmSmmu.Structures;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The TLB and driver rows of issue #12 in one run: hit cost (device, <see cref="Iommu.Translate"/>, a 10,000-page
/// working set), the command round trips a driver makes, and map + translate + unmap. Baseline: one aligned 64-bit
/// read of guest memory.
/// </summary>
[MemoryDiagnoser]
public class TlbBenchmarks
{
    private const int LargeSet = 10_000;
    private const ulong ScratchIova = 0x4000_0000;
    private BenchDevice _device = null!;
    private Iommu _large = null!;
    private ulong _page;
    private ulong _largePage;

    /// <summary>Brings up the devices and warms their TLBs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new BenchDevice(SmmuFeatures.Default);
        _large = new Iommu(SmmuFeatures.Default with { TlbEntries = 16_384 });
        _large.ConfigureStream(BenchDevice.Stage1Sid, StreamMode.Stage1);
        _large.Map(BenchDevice.Stage1Sid, 0, 0x8000_1000, LargeSet * 0x1000UL, IoPagePermissions.ReadWrite);
        for (int round = 0; round < 2; round++)
        {
            for (ulong page = 0; page < LargeSet; page++)
            {
                _large.Translate(BenchDevice.Stage1Sid, page << 12, AccessKind.Read);
            }
        }
    }

    private ulong NextAddress() => BenchDevice.NextAddress(ref _page);

    /// <summary>One 64-bit guest memory read.</summary>
    [Benchmark(Baseline = true)]
    public ulong MemoryRead() => _device.BaselineRead(NextAddress());

    /// <summary>Stage-1 TLB hit through the device (512 pages resident).</summary>
    [Benchmark]
    public ulong HitDevice() =>
        _device.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>The same hit through <see cref="Iommu.Translate"/>.</summary>
    [Benchmark]
    public ulong HitIommu() => _device.Iommu.Translate(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read).PhysicalAddress;

    /// <summary>Stage-1 TLB hit cycling through a 10,000-page working set the TLB holds.</summary>
    [Benchmark]
    public ulong Hit10kPages()
    {
        _largePage = (_largePage + 1) % LargeSet;
        return _large.Device.Translate(new TranslationRequest(BenchDevice.Stage1Sid, (_largePage << 12) | 0x40, AccessKind.Read)).PhysicalAddress;
    }

    /// <summary>A lone CMD_SYNC through the driver.</summary>
    [Benchmark]
    public void SyncRoundTrip() => _device.Iommu.Driver.SubmitAndSync();

    /// <summary>CFGI_STE + TLBI_NH_VA + CMD_SYNC through the driver.</summary>
    [Benchmark]
    public void CfgiTlbiSync() =>
        _device.Iommu.Driver.SubmitAndSync(Command.CfgiSte(BenchDevice.Stage1Sid, leaf: true), Command.TlbiNhVa(0, 1, 0x1000, leaf: true));

    /// <summary>Map one 4 KiB page, translate it, unmap it (TLBI + SYNC) via <see cref="Iommu"/>.</summary>
    [Benchmark]
    public ulong MapTranslateUnmap()
    {
        _device.Iommu.Map(BenchDevice.Stage1Sid, ScratchIova, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
        ulong pa = _device.Iommu.Translate(BenchDevice.Stage1Sid, ScratchIova, AccessKind.Read).PhysicalAddress;
        _device.Iommu.Unmap(BenchDevice.Stage1Sid, ScratchIova, 0x1000);
        return pa;
    }
}

/// <summary>Unmap of one page (its TLBIs and CMD_SYNC) against the TLB's capacity, the TLB full of other entries.</summary>
[MemoryDiagnoser]
public class UnmapScalingBenchmarks
{
    private const ulong ScratchIova = 0x4000_0000;
    private Iommu _iommu = null!;

    /// <summary>TLB entries.</summary>
    [Params(512, 4096, 65_536)]
    public int TlbEntries { get; set; }

    /// <summary>Maps and touches as many pages as the TLB holds, so every set is populated.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _iommu = new Iommu(SmmuFeatures.Default with { TlbEntries = TlbEntries });
        _iommu.ConfigureStream(BenchDevice.Stage1Sid, StreamMode.Stage1);
        _iommu.Map(BenchDevice.Stage1Sid, 0, 0x8000_1000, (ulong)TlbEntries * 0x1000UL, IoPagePermissions.ReadWrite);
        for (ulong page = 0; page < (ulong)TlbEntries; page++)
        {
            _iommu.Translate(BenchDevice.Stage1Sid, page << 12, AccessKind.Read);
        }

        _iommu.Map(BenchDevice.Stage1Sid, ScratchIova, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
    }

    /// <summary>Unmap one mapped page (TLBI + SYNC), then map it again without invalidation (digest §8.5 step 6).</summary>
    [Benchmark]
    public ulong UnmapOnePage()
    {
        ulong bytes = _iommu.Unmap(BenchDevice.Stage1Sid, ScratchIova, 0x1000);
        _iommu.Map(BenchDevice.Stage1Sid, ScratchIova, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
        return bytes;
    }
}
