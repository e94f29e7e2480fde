using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// Where an address-range TLBI should stop probing the sets the range can live in and scan every slot instead
/// (<see cref="Tlb.ScanCrossover"/>, IHI0070 §4.4.1.1 range invalidation). Both strategies are timed on the default
/// geometry (4,096 entries, 8 ways) filled to <see cref="Fill"/> entries of the ASID the command names, with the range
/// placed where nothing is cached, so each run removes nothing and the TLB stays as it was: what is timed is the search,
/// which is all that differs between the strategies. Baseline: the scan.
/// </summary>
public class InvalidationCrossoverBenchmarks
{
    private const ulong RangeBase = 0x10_0000_0000;
    private Tlb _tlb = null!;

    /// <summary>Entries cached (all 4 KiB pages of ASID 1, VMID 0), out of 4,096.</summary>
    [Params(1024, 4096)]
    public int Fill { get; set; }

    /// <summary>Pages in the invalidated range: one probe each (the TLB has 512 sets).</summary>
    [Params(256, 512, 640, 1024)]
    public int Pages { get; set; }

    /// <summary>Fills the TLB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tlb = new Tlb(4096, 8);
        var key = new TlbKey(StreamWorld.NsEl1, 0, 1, TranslationKind.Stage1);
        for (ulong page = 0; page < (ulong)Fill; page++)
        {
            _tlb.Insert(key, new TranslationEntry
            {
                InputBase = page << 12,
                OutputBase = 0x8000_0000 + (page << 12),
                Shift = 12,
                Level = 3,
                Granule = Granule.Size4K,
                Stage1Permissions = PagePermissions.All,
                Stage2Permissions = PagePermissions.All,
                Attributes = MemoryAttributes.NormalWriteBack,
            }, _tlb.Generation);
        }
    }

    /// <summary>TLBI_NH_VA over <see cref="Pages"/> pages, answered by a scan of every slot.</summary>
    /// <returns>Entries removed (none).</returns>
    [Benchmark(Baseline = true)]
    public int Scan()
    {
        _tlb.ScanCrossover = 0;
        return Invalidate();
    }

    /// <summary>The same TLBI_NH_VA, answered by probing one set per page.</summary>
    /// <returns>Entries removed (none).</returns>
    [Benchmark]
    public int Probe()
    {
        _tlb.ScanCrossover = long.MaxValue;
        return Invalidate();
    }

    private int Invalidate() =>
        _tlb.InvalidateVa(StreamWorld.NsEl1, 0, 1, RangeBase, (ulong)Pages << 12, leafOnly: true, ttlLevel: -1);
}
