namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>Counter overflow, its interrupt (wired or MSI) and counter capture (IHI0070 §10.2.1, §10.5.2.9-§10.5.2.24).</summary>
public class PmcgOverflowTests
{
    private static PmcgHarness NearOverflow(SmmuPmcgFeatures? features = null, ulong below = 2)
    {
        var h = new PmcgHarness(features ?? new SmmuPmcgFeatures { CounterBits = 32 });
        h.Translate(0x42); // warm the caches: counters below see transactions only
        h.Count(3, PmcgEvent.Transactions);
        ulong max = h.Pmcg.Features.CounterBits == 64 ? ulong.MaxValue : (1UL << h.Pmcg.Features.CounterBits) - 1;
        h.SetCounter(3, max - below + 1);
        return h;
    }

    private static void EnableInterrupt(PmcgHarness h, int counter)
    {
        h.Pmcg.WriteRegister64(PmcgRegister.INTENSET0, 1UL << counter);
        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 1);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(36)]
    [InlineData(64)]
    public void Section_10_2_1_overflow_wraps_at_the_counter_size_sets_OVS_and_counting_goes_on(int bits)
    {
        var h = NearOverflow(new SmmuPmcgFeatures { CounterBits = bits });
        h.Translate(0x42);
        Assert.Equal(0UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.OVSSET0)));
        h.Translate(0x42, 3); // max → 0 → 1 → 2
        Assert.Equal(2UL, h.Read(3));
        Assert.Equal(1UL << 3, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.OVSSET0)));
    }

    [Fact]
    public void Section_10_5_2_19_overflow_pulses_the_wired_line_with_INTEN_and_IRQEN()
    {
        var h = NearOverflow();
        EnableInterrupt(h, 3);
        h.Translate(0x42, 2);
        Assert.Equal([SmmuInterrupt.PerformanceMonitor], h.Interrupts);

        // OVS still set does not stop the next overflow from interrupting (§10.2.1).
        h.SetCounter(3, 0xFFFF_FFFF);
        h.Translate(0x42);
        Assert.Equal([SmmuInterrupt.PerformanceMonitor, SmmuInterrupt.PerformanceMonitor], h.Interrupts);
    }

    [Fact]
    public void Section_10_5_2_7_without_INTEN_or_IRQEN_overflow_only_sets_OVS()
    {
        var h = NearOverflow();
        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 1); // IRQEN, no INTEN
        h.Translate(0x42, 2);
        var g = NearOverflow();
        g.Pmcg.WriteRegister64(PmcgRegister.INTENSET0, 1UL << 3); // INTEN, no IRQEN
        g.Translate(0x42, 2);
        Assert.Empty(h.Interrupts);
        Assert.Empty(g.Interrupts);
        Assert.Equal(1UL << 3, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.OVSCLR0)));
        Assert.Equal(1UL << 3, g.Pmcg.ReadRegister64(g.Relocated(PmcgRegister.OVSCLR0)));
    }

    [Fact]
    public void Section_10_5_2_21_with_an_MSI_address_overflow_writes_the_MSI_and_pulses_the_wired_line()
    {
        var h = NearOverflow();
        h.Pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, PmcgHarness.Doorbell);
        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CFG1, 0x5EED);
        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CFG2, 1);
        EnableInterrupt(h, 3);
        h.Translate(0x42, 2);
        Assert.Equal(0x5EEDu, h.Device.Memory.ReadUInt32(PmcgHarness.Doorbell));
        Assert.Equal([SmmuInterrupt.PerformanceMonitor], h.Interrupts); // IRQEN enables both (§10.5.2.19, §3.18.2)
        Assert.Equal(0u, h.Pmcg.ReadRegister32(PmcgRegister.IRQ_STATUS));
    }

    [Fact]
    public void Section_10_5_2_24_an_aborted_MSI_sets_IRQ_ABT_until_IRQEN_is_set_again()
    {
        var h = NearOverflow();
        h.Device.Memory.AddAbortRange(PmcgHarness.Doorbell, 0x1000);
        h.Pmcg.WriteRegister64(PmcgRegister.IRQ_CFG0, PmcgHarness.Doorbell);
        EnableInterrupt(h, 3);
        Assert.Equal(0u, h.Pmcg.ReadRegister32(PmcgRegister.IRQ_STATUS));
        h.Translate(0x42, 2);
        Assert.Equal(1u, h.Pmcg.ReadRegister32(PmcgRegister.IRQ_STATUS));
        Assert.Equal([SmmuInterrupt.PerformanceMonitor], h.Interrupts); // the wired pulse, once: the abort adds none
        Assert.Equal(0u, h.Device.Smmu.ReadRegister32(SmmuRegister.GERROR)); // nor an SMMU global error

        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 0);
        Assert.Equal(1u, h.Pmcg.ReadRegister32(PmcgRegister.IRQ_STATUS)); // 1 → 0 does not clear it
        h.Pmcg.WriteRegister32(PmcgRegister.IRQ_CTRL, 1);
        Assert.Equal(0u, h.Pmcg.ReadRegister32(PmcgRegister.IRQ_STATUS));
    }

    [Fact]
    public void Section_10_5_2_11_a_CAPR_write_copies_every_counter_into_its_SVR()
    {
        var h = new PmcgHarness();
        h.Count(0, PmcgEvent.Transactions);
        h.Count(1, PmcgEvent.TableWalkAccesses);
        h.Translate(0x42, 3);
        h.Pmcg.WriteRegister32(h.Relocated(PmcgRegister.CAPR), 1);
        h.Translate(0x42, 2);
        Assert.Equal(3UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.SVR0)));
        Assert.Equal(4UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.SVR0 + 8)));
        Assert.Equal(5UL, h.Read(0)); // the live counter went on
        h.Pmcg.WriteRegister64(h.Relocated(PmcgRegister.SVR0), 99); // SVRs are read-only
        Assert.Equal(3UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.SVR0)));
    }

    [Fact]
    public void Section_10_5_2_2_OVFCAP_captures_the_post_overflow_values_of_every_counter()
    {
        var h = NearOverflow(below: 1);
        h.Count(0, PmcgEvent.Transactions);
        h.Pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + 12, (uint)PmcgEvent.Transactions | (1u << 29) | (1u << 31));
        h.Translate(0x42, 2);
        Assert.Equal(1UL, h.Pmcg.ReadRegister32(h.Relocated(PmcgRegister.SVR0)));     // counter 0 at the overflow
        Assert.Equal(0UL, h.Pmcg.ReadRegister32(h.Relocated(PmcgRegister.SVR0 + 12))); // counter 3 just wrapped
        Assert.Equal(2UL, h.Read(0));
    }

    [Fact]
    public void Section_10_5_2_11_without_CAPTURE_CAPR_and_the_SVRs_are_RES0()
    {
        var h = new PmcgHarness(new SmmuPmcgFeatures { Capture = false });
        h.Count(0, PmcgEvent.Transactions);
        h.Translate(0x42);
        h.Pmcg.WriteRegister32(h.Relocated(PmcgRegister.CAPR), 1);
        Assert.Equal(0UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.SVR0)));
    }

    [Fact]
    public void Section_10_5_2_10_a_software_OVSSET_write_sets_status_without_an_interrupt()
    {
        var h = new PmcgHarness();
        EnableInterrupt(h, 0);
        h.Pmcg.WriteRegister64(h.Relocated(PmcgRegister.OVSSET0), 1);
        Assert.Equal(1UL, h.Pmcg.ReadRegister64(h.Relocated(PmcgRegister.OVSCLR0)));
        Assert.Empty(h.Interrupts);
    }
}
