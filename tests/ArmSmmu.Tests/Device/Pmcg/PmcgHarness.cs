namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>
/// A device (driven like Linux by <see cref="DeviceHarness"/>) with stage-1 streams whose page 0x1000 is mapped, and
/// its PMCG. Counter registers are addressed through <see cref="Counter"/>, which follows CFGR (page and stride)
/// the way a driver must.
/// </summary>
internal sealed class PmcgHarness
{
    public const ulong Va = 0x1000;
    public const ulong Doorbell = 0x3000_0000;
    private readonly ulong _pgd;

    public PmcgHarness(SmmuPmcgFeatures? pmcg = null, SmmuFeatures? features = null, params uint[] streams)
        : this(new DeviceHarness((features ?? SmmuFeatures.Default) with { PerformanceMonitor = pmcg ?? SmmuPmcgFeatures.Default }))
    {
        Device.Reset();
        _pgd = Device.NewTable();
        Device.Map4K(_pgd, Va, 0x8000_0000, DeviceHarness.S1ReadWrite);
        Assert.True(DeviceHarness.LinuxCd(1, _pgd).TryWrite(Device.Memory, DeviceHarness.CdTableBase));
        foreach (uint sid in streams.Length == 0 ? [0x42u] : streams)
        {
            Device.SetSte(sid, DeviceHarness.LinuxStage1Ste(DeviceHarness.CdTableBase));
        }
    }

    /// <summary>The PMCG of a device another harness has set up.</summary>
    public PmcgHarness(DeviceHarness device)
    {
        Device = device;
        Device.Smmu.InterruptRaised += (_, e) => Interrupts.Add(e.Source);
    }

    public DeviceHarness Device { get; }

    public SmmuPerformanceMonitor Pmcg => Device.Smmu.PerformanceMonitor!;

    public List<SmmuInterrupt> Interrupts { get; } = [];

    // IHI0070 §10.5.1: EVCNTRn is at n × 4 or n × 8 (CFGR.SIZE), in page 1 with CFGR.RELOC_CTRS.
    public ulong Counter(int n)
    {
        uint cfgr = Pmcg.ReadRegister32(PmcgRegister.CFGR);
        ulong page = (cfgr & (1u << 20)) != 0 ? PmcgRegister.Page1 : 0;
        ulong stride = ((cfgr >> 8) & 0x3F) > 31 ? 8UL : 4UL;
        return page + PmcgRegister.EVCNTR0 + ((ulong)n * stride);
    }

    public ulong Relocated(ulong offset) =>
        (Pmcg.ReadRegister32(PmcgRegister.CFGR) & (1u << 20)) != 0 ? PmcgRegister.Page1 + offset : offset;

    /// <summary>Counter <paramref name="n"/> counts <paramref name="eventType"/> with the given filter, enabled, group enabled.</summary>
    public void Count(int n, PmcgEvent eventType, uint smr = 0xFFFF_FFFF, bool span = true)
    {
        Pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + ((ulong)n * 4), (uint)eventType | (span ? 1u << 29 : 0));
        Pmcg.WriteRegister32(PmcgRegister.SMR0 + ((ulong)n * 4), smr);
        Pmcg.WriteRegister64(PmcgRegister.CNTENSET0, 1UL << n);
        Pmcg.WriteRegister32(PmcgRegister.CR, 1);
    }

    private bool WideCounters => ((Pmcg.ReadRegister32(PmcgRegister.CFGR) >> 8) & 0x3F) > 31;

    // As Linux's smmu_pmu_counter_get/set_value: readq/writeq for counters wider than 32 bits, else readl/writel.
    public ulong Read(int n) => WideCounters ? Pmcg.ReadRegister64(Counter(n)) : Pmcg.ReadRegister32(Counter(n));

    public void SetCounter(int n, ulong value)
    {
        if (WideCounters)
        {
            Pmcg.WriteRegister64(Counter(n), value);
        }
        else
        {
            Pmcg.WriteRegister32(Counter(n), (uint)value);
        }
    }

    public TranslationResult Translate(uint sid) => Device.Read(sid, Va);

    public void Translate(uint sid, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Translate(sid);
        }
    }
}
