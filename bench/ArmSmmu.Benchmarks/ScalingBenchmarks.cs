using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// TLB-hit translations from several threads at once, each thread on a stream of its own (issue #12: two streams): the
/// hot path takes no lock, so throughput should scale.
/// </summary>
public class ScalingBenchmarks
{
    // About 15 ms of hits per thread and invocation, so that waking the second thread (tens of microseconds) is not
    // what the ratio measures.
    private const int PerThread = 1_000_000;

    // A second stage-1 stream mapped as BenchDevice.Stage1Sid is.
    private const uint SecondStage1Sid = 4;
    private BenchDevice _device = null!;

    /// <summary>Threads translating concurrently.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Brings up the device and warms the TLB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new BenchDevice(SmmuFeatures.Default);
        _device.Iommu.ConfigureStream(SecondStage1Sid, StreamMode.Stage1);
        _device.Iommu.Map(SecondStage1Sid, 0, 0x8000_1000, BenchDevice.Pages * 0x1000UL, IoPagePermissions.ReadWrite);
        for (ulong page = 0; page < BenchDevice.Pages; page++)
        {
            _device.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, page << 12, AccessKind.Read));
            _device.Smmu.Translate(new TranslationRequest(SecondStage1Sid, page << 12, AccessKind.Read));
        }
    }

    /// <summary>Each thread makes <see cref="PerThread"/> TLB-hit translations.</summary>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public void ParallelTlbHits() => Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
    {
        var smmu = _device.Smmu;
        uint sid = t == 0 ? BenchDevice.Stage1Sid : SecondStage1Sid;
        ulong page = (ulong)t * 97;
        for (int i = 0; i < PerThread; i++)
        {
            page = (page + 1) % BenchDevice.Pages;
            smmu.Translate(new TranslationRequest(sid, page << 12, AccessKind.Read));
        }
    });
}
