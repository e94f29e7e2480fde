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

    // ParallelChase: a dependent walk through each thread's own 32 KiB, eight loads per operation (about a TLB hit's
    // time). A cache line per step, so that two threads on one physical core would compete for its L1 as hits do.
    private const int ChaseLines = 32 * 1024 / 64;
    private const int ChaseStepsPerOperation = 8;
    private BenchDevice _device = null!;
    private TranslationPort[] _ports = null!;
    private long[][] _chases = null!;

    /// <summary>Threads translating concurrently.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Brings up the device and warms the TLB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new BenchDevice(SmmuFeatures.Default);
        _device.AddSecondStage1Stream();

        _ports = [_device.Smmu.OpenPort(), _device.Smmu.OpenPort()];
        _chases = [NewChase(1), NewChase(2)];
    }

    /// <summary>
    /// The machine's own scaling, the baseline for the hits' (issue #12 asks 2 threads >= 1.9x one): the same threads
    /// run arithmetic that touches no memory, eight independent chains that fill a core's ALUs. Below 2x here is the
    /// VM's doing (a vCPU descheduled, or two vCPUs on one physical core), not the model's; on this 2-vCPU VM it ranges
    /// from 1.1x to 2.0x between runs (docs/performance.md, "Two threads").
    /// </summary>
    /// <returns>A value that depends on every chain, so the loop is kept.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = PerThread)]
    public ulong ParallelArithmetic()
    {
        var results = new ulong[Threads * 16]; // a cache line apart
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t * 16] = Arithmetic((ulong)t));
        return results[0] ^ results[^16];
    }

    /// <summary>
    /// The machine's scaling for code that reads memory, the second baseline: each thread follows a random cycle through
    /// its own 32 KiB (one L1D, as the TLB sets and slots a hit reads are L1-resident), eight dependent loads per
    /// operation. Where this scales below <see cref="ParallelArithmetic"/>, two threads that read memory lose to the
    /// machine itself (two vCPUs sharing one physical core's L1), and the hits cannot be expected to do better.
    /// </summary>
    /// <returns>The last index reached by each thread, so the loads are kept.</returns>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public long ParallelChase()
    {
        var results = new long[Threads * 16];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t * 16] = Chase(_chases[t]));
        return results[0] ^ results[^16];
    }

    /// <summary>Each thread makes <see cref="PerThread"/> TLB-hit translations.</summary>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public void ParallelTlbHits() =>
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => _device.DeviceHits(t, PerThread));

    /// <summary>As <see cref="ParallelTlbHits"/>, each thread through a <see cref="TranslationPort"/> of its own.</summary>
    [Benchmark(OperationsPerInvoke = PerThread)]
    public void ParallelTlbHitsThroughPorts() => Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
    {
        var port = _ports[t];
        uint sid = t == 0 ? BenchDevice.Stage1Sid : BenchDevice.SecondStage1Sid;
        ulong page = (ulong)t * 97;
        for (int i = 0; i < PerThread; i++)
        {
            page = (page + 1) % BenchDevice.Pages;
            port.Translate(new TranslationRequest(sid, page << 12, AccessKind.Read));
        }
    });

    // Sattolo's shuffle: a single cycle through every line, so the walk visits all of them; the next index is stored at
    // the start of each 64-byte line (eight longs).
    private static long[] NewChase(int seed)
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, ChaseLines).ToArray();
        for (int i = ChaseLines - 1; i > 0; i--)
        {
            int j = random.Next(i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var lines = new long[ChaseLines * 8];
        for (int i = 0; i < ChaseLines; i++)
        {
            lines[i * 8] = order[i] * 8L;
        }

        return lines;
    }

    private static long Chase(long[] lines)
    {
        long at = 0;
        for (int i = 0; i < PerThread * ChaseStepsPerOperation; i++)
        {
            at = lines[at];
        }

        return at;
    }

    // About as long per iteration as a TLB hit's arithmetic; no loads or stores inside the loop.
    private static ulong Arithmetic(ulong seed)
    {
        ulong a = seed + 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
        for (ulong i = 0; i < PerThread; i++)
        {
            for (int k = 0; k < 4; k++)
            {
                a = (a + i) ^ (a >> 3);
                b = (b + i) ^ (b >> 5);
                c = (c + i) ^ (c >> 7);
                d = (d + i) ^ (d >> 11);
                e = (e + i) ^ (e >> 13);
                f = (f + i) ^ (f >> 17);
                g = (g + i) ^ (g >> 19);
                h = (h + i) ^ (h >> 23);
            }
        }

        return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
    }
}
