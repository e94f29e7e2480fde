using ArmSmmu.Device;
using ArmSmmu.Driver;
using ArmSmmu.Structures;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The ATS/PRI path of a PCIe function (IHI0070 §3.9.1, §8), single-threaded. Baseline: one 64-bit read of
/// SparseMemory, as in <see cref="TranslateBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class AtsBenchmarks
{
    private const uint Sid = 0x10;
    private const ulong Va = 0x4000_0000;
    private const ulong FaultVa = 0x5000_0000;
    private const int ResidentPages = 32;

    private Iommu _iommu = null!;
    private AtsEndpoint _endpoint = null!;
    private ulong _page;

    /// <summary>A stage-1 stream with ATS, 32 resident pages in a 64-entry ATC, and a handler that maps any requested page.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _iommu = new Iommu();
        _iommu.ConfigureStream(Sid, StreamMode.Stage1);
        _iommu.Map(Sid, Va, 0x8000_0000, ResidentPages * 0x1000UL, IoPagePermissions.ReadWrite);
        _endpoint = _iommu.EnableAts(Sid);
        _iommu.SetPageFaultHandler(group =>
        {
            _iommu.Map(group.StreamId, group.Requests[0].PageAddress, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
            return PriResponseCode.Success;
        });
        for (ulong p = 0; p < ResidentPages; p++)
        {
            _endpoint.Translate(Va + (p << 12), AccessKind.Read);
        }
    }

    private ulong NextOffset()
    {
        _page = (_page + 1) % ResidentPages;
        return (_page << 12) | 0x40;
    }

    /// <summary>One 64-bit SparseMemory read.</summary>
    [Benchmark(Baseline = true)]
    public ulong MemoryRead()
    {
        _iommu.Memory.TryReadUInt64(Iommu.DefaultStructureBase + ((NextOffset() >> 12) * 8), out ulong value);
        return value;
    }

    /// <summary>AtsEndpoint.Translate answered by the function's ATC.</summary>
    [Benchmark]
    public ulong AtcHit() => _endpoint.Translate(Va + NextOffset(), AccessKind.Read).PhysicalAddress;

    /// <summary>An ATS Translation Request the SMMU answers from its TLB (what every ATC miss costs at least).</summary>
    [Benchmark]
    public ulong TranslationRequestTlbHit() =>
        _iommu.Device.RequestAtsTranslation(new TranslationRequest(Sid, Va + NextOffset(), AccessKind.Read)).TranslatedAddress;

    /// <summary>Host map and unmap of one page with ATS on (the unmap: TLBI, SYNC, ATC_INV, SYNC), for comparison with the loop.</summary>
    [Benchmark]
    public ulong MapUnmap()
    {
        _iommu.Map(Sid, FaultVa, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
        return _iommu.Unmap(Sid, FaultVa, 0x1000);
    }

    /// <summary>
    /// The whole fault loop: Translation Request (no access), page request through the PRI queue, the handler maps the
    /// page, CMD_PRI_RESP, the retried request; then the unmap that makes the next iteration fault again.
    /// </summary>
    [Benchmark]
    public ulong FaultLoopAndUnmap()
    {
        ulong pa = _endpoint.Translate(FaultVa, AccessKind.Write).PhysicalAddress;
        _iommu.Unmap(Sid, FaultVa, 0x1000);
        return pa;
    }
}
