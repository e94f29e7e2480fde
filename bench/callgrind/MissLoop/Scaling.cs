using System.Diagnostics;
using ArmSmmu.Benchmarks;

namespace ArmSmmu.Callgrind;

// `MissLoop scale REPS`: ScalingBenchmarks.ParallelTlbHits's loop (BenchDevice.DeviceHits, a stream per thread) on one
// and then two threads, REPS times in one process, printing ns per hit per thread and two threads' throughput over one
// (2 x T1 / T2). BenchmarkDotNet runs each thread count in a process of its own, so an A/B of two builds there mixes
// the builds with the VM's moods; alternating builds of this loop in a calm moment separates them (docs/performance.md,
// "tenth pass").
internal static class Scaling
{
    private const int PerThread = 2_000_000;

    public static int Run(int reps)
    {
        var device = new BenchDevice(SmmuFeatures.Default);
        device.AddSecondStage1Stream();

        // The first repetitions run while tiered compilation settles: reported, but read the later ones.
        for (int rep = 0; rep < reps; rep++)
        {
            double one = Hits(device, 1);
            double two = Hits(device, 2);
            Console.WriteLine($"scale: 1 thread {one:F2} ns, 2 threads {two:F2} ns per hit per thread, throughput {2 * one / two:F2}x");
        }

        return 0;
    }

    private static double Hits(BenchDevice device, int threads)
    {
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => device.DeviceHits(t, PerThread));
        return stopwatch.Elapsed.TotalNanoseconds / PerThread;
    }
}
