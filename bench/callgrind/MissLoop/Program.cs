using System.Runtime.CompilerServices;
using ArmSmmu.Benchmarks;

namespace ArmSmmu.Callgrind;

/// <summary>
/// <c>MissLoop OPERATION N1 N2</c>: brings up the benchmark devices, runs OPERATION 2,000 times to warm every cache
/// and pool, then N1 times inside <see cref="First"/> and N2 times inside <see cref="Second"/>. Under callgrind the
/// difference of the two methods' inclusive costs divided by N2 - N1 is the instructions of one operation, with no
/// start-up or warm-up in it (bench/callgrind/run.sh). Prints the bytes one operation allocates.
/// <c>MissLoop OPERATION BATCH BATCHES time</c> instead times BATCHES batches of BATCH operations and prints the fastest
/// and the median batch in ns per operation: an A/B check that stays usable while other work shares the machine (a
/// short batch is rarely interrupted, so the fastest ones are undisturbed); BenchmarkDotNet makes the published figures.
/// <c>MissLoop scale REPS</c> times TLB hits on one and two threads in one process (Scaling.cs).
/// </summary>
internal static class Program
{
    private const int WarmUp = 2_000;
    private const ulong ScratchIova = 0x4000_0000;

    private static BenchDevice s_cached = null!;
    private static BenchDevice s_uncached = null!;
    private static TranslationPort? s_port;
    private static ulong s_page;
    private static ulong s_sink;

    private static readonly string[] Operations = ["read", "hit", "s1miss", "s2miss", "nested", "mtu", "porthit"];

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "scale" && int.TryParse(args[1], out int reps) && reps > 0)
        {
            return Scaling.Run(reps);
        }

        if (args.Length == 4 && args[3] == "time" && Array.IndexOf(Operations, args[0]) >= 0
            && int.TryParse(args[1], out int batch) && int.TryParse(args[2], out int batches) && batch > 0 && batches > 0)
        {
            return Time(Array.IndexOf(Operations, args[0]), batch, batches);
        }

        if (args.Length != 3 || Array.IndexOf(Operations, args[0]) < 0 || !int.TryParse(args[1], out int n1) || !int.TryParse(args[2], out int n2) || n2 <= n1)
        {
            Console.Error.WriteLine($"usage: MissLoop {{{string.Join('|', Operations)}}} N1 N2 (N2 > N1) | OPERATION BATCH BATCHES time | scale REPS");
            return 2;
        }

        int operation = Array.IndexOf(Operations, args[0]);
        s_cached = new BenchDevice(SmmuFeatures.Default);
        s_uncached = new BenchDevice(SmmuFeatures.Default with { TlbEntries = 0 });
        Run(operation, WarmUp);
        First(operation, n1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Second(operation, n2);
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"{args[0]} bytes/op {(double)bytes / n2:F1} (sink {s_sink:x})");
        return 0;
    }

    private static int Time(int operation, int batch, int batches)
    {
        s_cached = new BenchDevice(SmmuFeatures.Default);
        s_uncached = new BenchDevice(SmmuFeatures.Default with { TlbEntries = 0 });
        // Past tiering (call counting, then the background recompilation with the profile), into the code a long run uses.
        for (int i = 0; i < 3; i++)
        {
            for (int call = 0; call < 200; call++)
            {
                Run(operation, batch);
            }

            Thread.Sleep(300);
        }

        var perOperation = new double[batches];
        for (int b = 0; b < batches; b++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            Run(operation, batch);
            perOperation[b] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds / batch;
        }

        Array.Sort(perOperation);
        Console.WriteLine(FormattableString.Invariant($"{Operations[operation]} fastest {perOperation[0]:F2} ns, median {perOperation[batches / 2]:F2} ns per operation"));
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void First(int operation, int count) => Run(operation, count);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Second(int operation, int count) => Run(operation, count);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(int operation, int count)
    {
        ulong sink = 0;
        switch (operation)
        {
            case 0:
                for (int i = 0; i < count; i++)
                {
                    sink += s_cached.BaselineRead(BenchDevice.NextAddress(ref s_page));
                }

                break;
            case 1:
                for (int i = 0; i < count; i++)
                {
                    sink += Translate(s_cached, BenchDevice.Stage1Sid);
                }

                break;
            case 2:
                for (int i = 0; i < count; i++)
                {
                    sink += Translate(s_uncached, BenchDevice.Stage1Sid);
                }

                break;
            case 3:
                for (int i = 0; i < count; i++)
                {
                    sink += Translate(s_uncached, BenchDevice.Stage2Sid);
                }

                break;
            case 4:
                for (int i = 0; i < count; i++)
                {
                    sink += Translate(s_uncached, BenchDevice.NestedSid);
                }

                break;
            case 6:
                // TranslateBenchmarks.TlbHitStage1Port: the hit through a TranslationPort.
                var port = s_port ??= s_cached.Smmu.OpenPort();
                for (int i = 0; i < count; i++)
                {
                    sink += port.Translate(new TranslationRequest(BenchDevice.Stage1Sid, BenchDevice.NextAddress(ref s_page), AccessKind.Read)).PhysicalAddress;
                }

                break;
            default:
                var iommu = s_cached.Iommu;
                for (int i = 0; i < count; i++)
                {
                    // TlbBenchmarks.MapTranslateUnmap: map one page, translate it (a TLB miss and fill), unmap it (TLBI + SYNC).
                    iommu.Map(BenchDevice.Stage1Sid, ScratchIova, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
                    sink += iommu.Translate(BenchDevice.Stage1Sid, ScratchIova, AccessKind.Read).PhysicalAddress;
                    iommu.Unmap(BenchDevice.Stage1Sid, ScratchIova, 0x1000);
                }

                break;
        }

        s_sink += sink;
    }

    // TranslateBenchmarks: the device's Translate, stepping round the 512 mapped pages.
    private static ulong Translate(BenchDevice device, uint sid) =>
        device.Smmu.Translate(new TranslationRequest(sid, BenchDevice.NextAddress(ref s_page), AccessKind.Read)).PhysicalAddress;
}
