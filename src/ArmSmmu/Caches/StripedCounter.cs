using System.Numerics;

namespace ArmSmmu.Caches;

/// <summary>
/// A counter incremented from many threads on a hot path: one cache line per processor, so concurrent
/// translations do not bounce a shared line between cores. Reads sum the stripes.
/// </summary>
internal sealed class StripedCounter
{
    private const int Stride = 8; // 8 longs = 64 bytes, one cache line per stripe

    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _mask = stripes - 1;
        _cells = new long[(stripes + 1) * Stride]; // stripe 0 starts one line in, away from the array header
    }

    public long Value
    {
        get
        {
            long sum = 0;
            for (int i = Stride; i < _cells.Length; i += Stride)
            {
                sum += Volatile.Read(ref _cells[i]);
            }

            return sum;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Increment() => Interlocked.Increment(ref _cells[((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride]);

    public void Reset()
    {
        for (int i = Stride; i < _cells.Length; i += Stride)
        {
            Interlocked.Exchange(ref _cells[i], 0);
        }
    }
}
