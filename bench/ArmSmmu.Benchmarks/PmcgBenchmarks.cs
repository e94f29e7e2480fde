using ArmSmmu.Device;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// What the PMCG (IHI0070 chapter 10) costs a TLB hit. Baseline: a device without a PMCG. An idle PMCG (present, no
/// counter enabled) must cost nothing measurable; a counting one pays for the per-thread tally and the counter update.
/// </summary>
[MemoryDiagnoser]
public class PmcgBenchmarks
{
    private BenchDevice _none = null!;
    private BenchDevice _idle = null!;
    private BenchDevice _counting = null!;
    private ulong _page;

    /// <summary>Three identical devices; the last counts transactions of every StreamID on counter 0.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _none = new BenchDevice(SmmuFeatures.Default with { PerformanceMonitor = null });
        _idle = new BenchDevice(SmmuFeatures.Default);
        _counting = new BenchDevice(SmmuFeatures.Default);
        var pmcg = _counting.Smmu.PerformanceMonitor!;
        pmcg.WriteRegister32(PmcgRegister.EVTYPER0, (uint)PmcgEvent.Transactions | (1u << 29));
        pmcg.WriteRegister32(PmcgRegister.SMR0, 0xFFFF_FFFF);
        pmcg.WriteRegister64(PmcgRegister.CNTENSET0, 1);
        pmcg.WriteRegister32(PmcgRegister.CR, 1);
    }

    private ulong NextAddress()
    {
        _page = (_page + 1) % BenchDevice.Pages;
        return (_page << 12) | 0x40;
    }

    /// <summary>Stage-1 TLB hit on a device without a PMCG.</summary>
    [Benchmark(Baseline = true)]
    public ulong TlbHitNoPmcg() => Hit(_none);

    /// <summary>Stage-1 TLB hit with a PMCG that counts nothing (the default device).</summary>
    [Benchmark]
    public ulong TlbHitPmcgIdle() => Hit(_idle);

    /// <summary>Stage-1 TLB hit with a PMCG counting transactions.</summary>
    [Benchmark]
    public ulong TlbHitPmcgCounting() => Hit(_counting);

    private ulong Hit(BenchDevice device) =>
        device.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;
}
