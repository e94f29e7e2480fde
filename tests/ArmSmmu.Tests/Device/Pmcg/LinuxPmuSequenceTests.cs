namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>
/// The register programming of Linux's PMCG perf driver (drivers/perf/arm_smmuv3_pmu.c), replayed against the model:
/// probe, reset, MSI setup, event_add (filter, period, enables), pmu_enable, read, the overflow interrupt handler.
/// </summary>
public class LinuxPmuSequenceTests
{
    private const ulong MsiDoorbell = 0x0800_0040; // a GIC ITS translater-ish address: any RAM address will do
    private const uint MsiData = 0x23;

    /// <summary>The driver's view of one PMCG, with only what it reads from the hardware.</summary>
    private sealed class LinuxSmmuPmu(SmmuPerformanceMonitor pmcg)
    {
        public ulong RelocBase;
        public int NumCounters;
        public bool GlobalFilter;
        public ulong CounterMask;
        public ulong SupportedEvents;
        public readonly ulong[] PrevCount = new ulong[64];
        public readonly ulong[] Count = new ulong[64];
        public readonly SmmuPerformanceMonitor Regs = pmcg;

        // smmu_pmu_probe: CFGR, page 1, CEID0/1, NCTR, SID_FILTER_TYPE, SIZE; then smmu_pmu_reset and setup_msi.
        public void Probe()
        {
            uint cfgr = Regs.ReadRegister32(0xE00);
            RelocBase = (cfgr & (1u << 20)) != 0 ? 0x10000UL : 0;
            SupportedEvents = Regs.ReadRegister64(0xE20);
            _ = Regs.ReadRegister64(0xE28);
            NumCounters = (int)(cfgr & 0x3F) + 1;
            GlobalFilter = (cfgr & (1u << 23)) != 0;
            int regSize = (int)((cfgr >> 8) & 0x3F);
            CounterMask = regSize == 63 ? ulong.MaxValue : (1UL << (regSize + 1)) - 1;

            // smmu_pmu_reset
            ulong present = NumCounters == 64 ? ulong.MaxValue : (1UL << NumCounters) - 1;
            Disable();
            Regs.WriteRegister64(0xC20, present);
            Regs.WriteRegister64(0xC60, present);
            Regs.WriteRegister64(RelocBase + 0xC80, present);

            // smmu_pmu_setup_msi + smmu_pmu_write_msi_msg
            Regs.WriteRegister64(0xE58, 0);
            if ((Regs.ReadRegister32(0xE00) & (1u << 21)) != 0)
            {
                Regs.WriteRegister64(0xE58, MsiDoorbell & 0x000F_FFFF_FFFF_FFFC);
                Regs.WriteRegister32(0xE60, MsiData);
                Regs.WriteRegister32(0xE64, 1); // MSI_CFG2_MEMATTR_DEVICE_nGnRE
            }
        }

        public void Enable()
        {
            Regs.WriteRegister32(0xE50, 1); // IRQ_CTRL.IRQEN
            Regs.WriteRegister32(0xE04, 1); // CR.E
        }

        public void Disable()
        {
            Regs.WriteRegister32(0xE04, 0);
            Regs.WriteRegister32(0xE50, 0);
        }

        private ulong ReadCounter(int idx) => (CounterMask & (1UL << 32)) != 0
            ? Regs.ReadRegister64(RelocBase + ((ulong)idx * 8))
            : Regs.ReadRegister32(RelocBase + ((ulong)idx * 4));

        private void WriteCounter(int idx, ulong value)
        {
            if ((CounterMask & (1UL << 32)) != 0)
            {
                Regs.WriteRegister64(RelocBase + ((ulong)idx * 8), value);
            }
            else
            {
                Regs.WriteRegister32(RelocBase + ((ulong)idx * 4), (uint)value);
            }
        }

        // smmu_pmu_event_add with PERF_EF_START: filter (EVTYPER, SMR), INTENSET, set_period, CNTENSET.
        public void Add(int idx, uint eventId, bool filterEnable, bool span, uint streamId)
        {
            uint evtyper = eventId | ((filterEnable ? (span ? 1u : 0) : 1u) << 29);
            Regs.WriteRegister32(0x400 + ((ulong)idx * 4), evtyper);
            Regs.WriteRegister32(0xA00 + ((ulong)idx * 4), filterEnable ? streamId : 0xFFFF_FFFF);
            Regs.WriteRegister64(0xC40, 1UL << idx);
            SetPeriod(idx);
            Regs.WriteRegister64(0xC00, 1UL << idx);
        }

        private void SetPeriod(int idx)
        {
            ulong start = CounterMask >> 1;
            WriteCounter(idx, start);
            PrevCount[idx] = start;
        }

        // smmu_pmu_event_update
        public void Update(int idx)
        {
            ulong now = ReadCounter(idx);
            Count[idx] += (now - PrevCount[idx]) & CounterMask;
            PrevCount[idx] = now;
        }

        // smmu_pmu_handle_irq: OVSSET0, OVSCLR0, then update and re-arm each overflowed counter.
        public bool HandleIrq()
        {
            ulong ovs = Regs.ReadRegister64(RelocBase + 0xCC0);
            if (ovs == 0)
            {
                return false;
            }

            Regs.WriteRegister64(RelocBase + 0xC80, ovs);
            for (int idx = 0; idx < NumCounters; idx++)
            {
                if ((ovs & (1UL << idx)) != 0)
                {
                    Update(idx);
                    SetPeriod(idx);
                }
            }

            return true;
        }

        // What the test's "counter is about to wrap" shortcut writes instead of waiting 2^(SIZE) events.
        public void Preload(int idx, ulong value)
        {
            WriteCounter(idx, value);
            PrevCount[idx] = value;
        }
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(32, false)]
    public void Linux_perf_driver_counts_filtered_transactions_and_handles_the_overflow_MSI(int counterBits, bool relocate)
    {
        var h = new PmcgHarness(new SmmuPmcgFeatures { CounterBits = counterBits, RelocateCounters = relocate }, streams: [0x42, 0x43, 0x44]);
        var pmu = new LinuxSmmuPmu(h.Pmcg);
        pmu.Probe();
        Assert.Equal(8, pmu.NumCounters);
        Assert.False(pmu.GlobalFilter);
        Assert.Equal(0xFFUL, pmu.SupportedEvents & 0xFF); // events 0-7 visible in sysfs

        // perf stat -e smmuv3_pmcg/transaction,filter_enable=1,filter_span=1,filter_stream_id=0x42/
        //           -e smmuv3_pmcg/tlb_miss/  -e smmuv3_pmcg/config_struct_access,filter_enable=1,filter_stream_id=0x44/
        pmu.Add(0, 1, filterEnable: true, span: true, streamId: 0x42);
        pmu.Add(1, 2, filterEnable: false, span: false, streamId: 0);
        pmu.Add(2, 5, filterEnable: true, span: false, streamId: 0x44);
        pmu.Enable();

        h.Translate(0x42, 3);
        h.Translate(0x43, 2);
        h.Translate(0x44, 4);
        pmu.Disable();
        h.Translate(0x42, 5); // not counted: CR.E = 0
        for (int idx = 0; idx < 3; idx++)
        {
            pmu.Update(idx);
        }

        Assert.Equal(5UL, pmu.Count[0]); // SIDs 0x42 and 0x43 match 0x42 with span
        Assert.Equal(1UL, pmu.Count[1]); // the three streams share one CD (ASID 1), so one TLB entry: one miss
        Assert.Equal(2UL, pmu.Count[2]); // 0x44's STE and CD, once

        // Overflow: the counter is about to wrap; the third transaction carries it past the top.
        pmu.Preload(0, pmu.CounterMask - 1);
        pmu.Enable();
        h.Translate(0x42, 3);
        Assert.Equal(MsiData, h.Device.Memory.ReadUInt32(MsiDoorbell));
        Assert.Equal([SmmuInterrupt.PerformanceMonitor], h.Interrupts); // and the wired line (IHI0070 §3.18.2)
        Assert.True(pmu.HandleIrq());
        Assert.Equal(8UL, pmu.Count[0]);
        Assert.Equal(0UL, h.Pmcg.ReadRegister64(pmu.RelocBase + 0xCC0)); // OVS cleared by the handler
        Assert.Equal(pmu.CounterMask >> 1, h.Read(0));                  // re-armed at half range
        Assert.False(pmu.HandleIrq());                                   // IRQ_NONE for a spurious call
    }
}
