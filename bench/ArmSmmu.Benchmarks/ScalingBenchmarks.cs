using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>TLB-hit translations from several threads at once: the hot path takes no lock, so throughput should scale.</summary>
public class ScalingBenchmarks
{
    private const int PerThread = 100_000;
    private BenchDevice _device = null!;

    /// <summary>Threads translating concurrently.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Brings up the device and warms the TLB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new BenchDevice(SmmuFeatures.Default);
        for (ulong page = 0; page < BenchDevice.Pages; page++)
        {
            _device.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, page << 12, AccessKind.Read));
        }
    }

    /// <summary>Each thread makes <see cref="PerThread"/> TLB-hit translations.</summary>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public void ParallelTlbHits() => Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
    {
        var smmu = _device.Smmu;
        ulong page = (ulong)t * 97;
        for (int i = 0; i < PerThread; i++)
        {
            page = (page + 1) % BenchDevice.Pages;
            smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, page << 12, AccessKind.Read));
        }
    });
}
