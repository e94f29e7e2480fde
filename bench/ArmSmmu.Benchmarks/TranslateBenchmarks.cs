using ArmSmmu.Structures;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// Single-thread cost of one translation. Baseline: one aligned 64-bit read of guest memory, the unit every
/// walk is made of, so each figure reads as "this many guest-memory reads".
/// </summary>
[MemoryDiagnoser]
public class TranslateBenchmarks
{
    private BenchDevice _cached = null!;
    private BenchDevice _uncached = null!;
    private BenchDevice _unwalkCached = null!;
    private TranslationPort _port = null!;
    private ulong _page;

    /// <summary>Brings up one device with a TLB, one without (every translation walks, from the walk caches), and one with no caches at all.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _cached = new BenchDevice(SmmuFeatures.Default);
        _uncached = new BenchDevice(SmmuFeatures.Default with { TlbEntries = 0 });
        _unwalkCached = new BenchDevice(SmmuFeatures.Default with
        {
            TlbEntries = 0,
            Stage1WalkCacheEntries = 0,
            Stage2WalkCacheEntries = 0,
            TableIpaCacheEntries = 0,
        });
        _port = _cached.Smmu.OpenPort();
    }

    private ulong NextAddress() => BenchDevice.NextAddress(ref _page);

    /// <summary>One 64-bit guest memory read.</summary>
    [Benchmark(Baseline = true)]
    public ulong MemoryRead() => _cached.BaselineRead(NextAddress());

    /// <summary>Stage-1 translation that hits the TLB (512 pages, all resident).</summary>
    [Benchmark]
    public ulong TlbHitStage1() =>
        _cached.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>The same hit through a <see cref="TranslationPort"/>, which counts it in a cell of its own (no thread-local lookup).</summary>
    [Benchmark]
    public ulong TlbHitStage1Port() =>
        _port.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Nested translation that hits the TLB.</summary>
    [Benchmark]
    public ulong TlbHitNested() =>
        _cached.Smmu.Translate(new TranslationRequest(BenchDevice.NestedSid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Stage-1 miss: a 4-level walk that resumes from the walk cache (the leaf read) on every translation.</summary>
    [Benchmark]
    public ulong MissStage1FourLevel() =>
        _uncached.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Stage-2 miss: a 4-level stage-2 walk, resumed from the walk cache.</summary>
    [Benchmark]
    public ulong MissStage2() =>
        _uncached.Smmu.Translate(new TranslationRequest(BenchDevice.Stage2Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Nested miss: 4 stage-1 levels, each table address and the output translated by a 4-level stage 2 (24 reads without walk caches, 2 with).</summary>
    [Benchmark]
    public ulong MissNested() =>
        _uncached.Smmu.Translate(new TranslationRequest(BenchDevice.NestedSid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Stage-1 miss with the walk caches off: all 4 descriptor reads.</summary>
    [Benchmark]
    public ulong MissStage1FourLevelNoWalkCache() =>
        _unwalkCached.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>Nested miss with the walk caches off: all 24 descriptor reads.</summary>
    [Benchmark]
    public ulong MissNestedNoWalkCache() =>
        _unwalkCached.Smmu.Translate(new TranslationRequest(BenchDevice.NestedSid, NextAddress(), AccessKind.Read)).PhysicalAddress;
}

/// <summary>The cost of the command queue round trip Linux makes for every STE update and unmap.</summary>
[MemoryDiagnoser]
public class CommandBenchmarks
{
    private BenchDevice _device = null!;

    /// <summary>Brings up the device.</summary>
    [GlobalSetup]
    public void Setup() => _device = new BenchDevice(SmmuFeatures.Default);

    /// <summary>A lone CMD_SYNC, submitted and waited for as a driver does: the fixed cost of one round trip.</summary>
    [Benchmark(Baseline = true)]
    public void Sync() => _device.Iommu.Driver.SubmitAndSync();

    /// <summary>CFGI_STE + TLBI_NH_VA + CMD_SYNC, then a translation that must refetch the STE and CD and walk.</summary>
    [Benchmark]
    public ulong CfgiTlbiSyncRoundTrip()
    {
        _device.Iommu.Driver.SubmitAndSync(Command.CfgiSte(BenchDevice.Stage1Sid, leaf: true), Command.TlbiNhVa(0, 1, 0x1000, leaf: true));
        return _device.Smmu.Translate(new TranslationRequest(BenchDevice.Stage1Sid, 0x1040, AccessKind.Read)).PhysicalAddress;
    }
}
