using ArmSmmu.Structures;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The configuration-miss path's structure work (IHI0070 §5.2, §5.4): fetch an STE and a CD from guest memory and
/// decode the fields the configuration decoder reads. Baseline: the same sixteen 64-bit reads with no decoding, so the
/// ratio is what reading through the generated records costs on top of the memory accesses themselves.
/// </summary>
[MemoryDiagnoser]
public class StructureBenchmarks
{
    private const ulong SteAddress = 0x1000;
    private const ulong CdAddress = 0x2000;
    private readonly SparseMemory _memory = new();

    /// <summary>Writes a Linux-style stage-1 STE and CD.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var ste = new StreamTableEntry { V = true, Config = SteConfig.Stage1Translate, S1ContextPtr = CdAddress, S1CDMax = 4, S1CIR = 1, S1COR = 1, S1CSH = 3 };
        var cd = new ContextDescriptor { V = true, T0SZ = 16, IR0 = 1, OR0 = 1, SH0 = 3, EPD1 = true, IPS = 5, AA64 = true, R = true, A = true, ASET = true, ASID = 7, TTB0 = 0x10_0000, MAIR = 0xF404FF44 };
        ste.TryWrite(_memory, SteAddress);
        cd.TryWrite(_memory, CdAddress);
    }

    /// <summary>Sixteen raw 64-bit reads (one STE and one CD).</summary>
    /// <returns>A sum so the reads are not removed.</returns>
    [Benchmark(Baseline = true)]
    public ulong RawReads()
    {
        ulong sum = 0;
        for (ulong i = 0; i < 8; i++)
        {
            _memory.TryReadUInt64(SteAddress + (i * 8), out ulong a);
            _memory.TryReadUInt64(CdAddress + (i * 8), out ulong b);
            sum += a ^ b;
        }

        return sum;
    }

    /// <summary>TryRead of both records and the fields configuration decoding looks at.</summary>
    /// <returns>A combination of the decoded fields.</returns>
    [Benchmark]
    public ulong ReadAndDecode()
    {
        StreamTableEntry.TryRead(_memory, SteAddress, out var ste);
        ContextDescriptor.TryRead(_memory, CdAddress, out var cd);
        return ste.S1ContextPtr + ste.S1CDMax + (uint)ste.S1DSS + (uint)ste.S1Fmt + (uint)ste.Config + (ste.V ? 1u : 0u)
            + cd.TTB0 + cd.T0SZ + (uint)cd.TG0 + cd.IPS + cd.ASID + cd.MAIR + (cd.EPD1 ? 1u : 0u) + (cd.AA64 ? 2u : 0u);
    }

    /// <summary>Encodes an STE with init accessors and writes it back.</summary>
    /// <returns>Whether the write succeeded.</returns>
    [Benchmark]
    public bool EncodeAndWrite() =>
        new StreamTableEntry { V = true, Config = SteConfig.Stage1Translate, S1ContextPtr = CdAddress, S1CDMax = 4, S1CSH = 3 }.TryWrite(_memory, SteAddress + 0x40);
}
