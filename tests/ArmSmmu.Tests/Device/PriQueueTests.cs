using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>The PRI queue producer (IHI0070 §3.5, §6.3.32-§6.3.36, §8; entry layout digest 6).</summary>
public class PriQueueTests
{
    internal const ulong PriQueueBase = 0x1400_0000;
    private const int Log2 = 2;

    internal static DeviceHarness Started(uint cfg2 = 0)
    {
        var h = new DeviceHarness();
        h.Reset();
        // IHI0070 §6.3.32: BASE, then PROD/CONS, then PRIQEN; interrupts with PRIQ_IRQEN (wired, CFG0 = 0).
        h.Smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, (1UL << 62) | PriQueueBase | Log2);
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_PROD, 0);
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 0);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_IRQ_CFG2, cfg2);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0x7, SmmuRegister.IRQ_CTRLACK);
        h.WriteAndPoll(SmmuRegister.CR0, 0xF, SmmuRegister.CR0ACK);
        return h;
    }

    private static PriQueueEntry Request(bool last, uint prg = 0x1A5) => new()
    {
        StreamId = 0x10,
        SubstreamId = 0x4_5678,
        SSV = true,
        Read = true,
        Write = true,
        Last = last,
        PrgIndex = prg,
        PageAddress = 0x0000_7FFF_1234_5000,
    };

    private static uint Prod(DeviceHarness h) => h.Smmu.ReadRegister32(SmmuRegister.PRIQ_PROD);

    [Fact]
    public void A_page_request_is_written_as_a_16_byte_entry_at_prod()
    {
        var h = Started();
        Assert.True(h.Smmu.SubmitPageRequest(Request(last: true)));
        Assert.Equal(1u, Prod(h));

        // Digest 6: dw0 = StreamID[31:0] | SubstreamID[51:32] | R[60] | W[61] | Last[62] | SSV[63];
        // dw1 = PRGIndex[8:0] | page address [63:12].
        ulong dw0 = 0x10UL | (0x4_5678UL << 32) | (1UL << 60) | (1UL << 61) | (1UL << 62) | (1UL << 63);
        ulong dw1 = 0x1A5UL | 0x0000_7FFF_1234_5000UL;
        Assert.Equal(dw0, h.Memory.ReadUInt64(PriQueueBase));
        Assert.Equal(dw1, h.Memory.ReadUInt64(PriQueueBase + 8));
        Assert.Equal(0UL, h.Memory.ReadUInt64(PriQueueBase + 16));
    }

    [Fact]
    public void Page_requests_are_dropped_unless_priqen_and_smmuen_are_both_set()
    {
        var h = Started();
        // IHI0070 §6.3.9: effective PRIQEN = PRIQEN && SMMUEN.
        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.PRIQEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN), SmmuRegister.CR0ACK);
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: true)));
        h.WriteAndPoll(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN | Cr0Flags.EVENTQEN), SmmuRegister.CR0ACK);
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: true)));
        Assert.Equal(0u, Prod(h));
        Assert.Equal(0UL, h.Memory.ReadUInt64(PriQueueBase));
    }

    [Fact]
    public void A_full_pri_queue_toggles_ovflg_once()
    {
        var h = Started();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(h.Smmu.SubmitPageRequest(Request(last: false, prg: (uint)i)));
        }

        Assert.Equal(4u, Prod(h)); // full: index 0, wrap 1
        // IHI0070 §8.1 / §6.3.33: overflow toggles PRIQ_PROD.OVFLG[31] when it equals PRIQ_CONS.OVACKFLG.
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: false)));
        Assert.Equal(4u | (1u << 31), Prod(h));
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: false)));
        Assert.Equal(4u | (1u << 31), Prod(h));

        // Consume everything and acknowledge the overflow: new requests are accepted again.
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_CONS, 4u | (1u << 31));
        Assert.True(h.Smmu.SubmitPageRequest(Request(last: false)));
        Assert.Equal(5u | (1u << 31), Prod(h));
    }

    [Fact]
    public void With_lo_zero_the_interrupt_fires_on_empty_to_non_empty()
    {
        var h = Started(cfg2: 0);
        h.Smmu.SubmitPageRequest(Request(last: false));
        h.Smmu.SubmitPageRequest(Request(last: true));
        // IHI0070 §6.3.36 LO = 0: interrupt when the PRI queue transitions from empty to non-empty.
        Assert.Equal([SmmuInterrupt.PriQueue], h.Interrupts);
    }

    [Fact]
    public void With_lo_one_the_interrupt_fires_only_for_last_requests_even_when_they_overflow()
    {
        var h = Started(cfg2: 1u << 31);
        Assert.Equal(1u << 31, h.Smmu.ReadRegister32(SmmuRegister.PRIQ_IRQ_CFG2));
        h.Smmu.SubmitPageRequest(Request(last: false));
        Assert.Empty(h.Interrupts);
        h.Smmu.SubmitPageRequest(Request(last: true));
        Assert.Equal([SmmuInterrupt.PriQueue], h.Interrupts);
        h.Smmu.SubmitPageRequest(Request(last: false));
        h.Smmu.SubmitPageRequest(Request(last: true));
        Assert.Equal(2, h.Interrupts.Count);

        // IHI0070 §6.3.36: a Last request discarded because of overflow still generates the interrupt.
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: true)));
        Assert.Equal(3, h.Interrupts.Count);
        Assert.False(h.Smmu.SubmitPageRequest(Request(last: false)));
        Assert.Equal(3, h.Interrupts.Count);
    }

    [Fact]
    public void The_pri_queue_msi_writes_cfg1_to_cfg0()
    {
        var h = Started();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0x5, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister64(SmmuRegister.PRIQ_IRQ_CFG0, 0x3000_0040);
        h.Smmu.WriteRegister32(SmmuRegister.PRIQ_IRQ_CFG1, 0x77);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0x7, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.SubmitPageRequest(Request(last: true));
        // IHI0070 §3.18.2: MSI with CFG0 ADDR != 0, and the wired line too (the default SMMU has both).
        Assert.Equal(0x77u, h.Memory.ReadUInt32(0x3000_0040));
        Assert.Equal([SmmuInterrupt.PriQueue], h.Interrupts);
    }

    [Fact]
    public void Submitting_to_an_smmu_without_pri_is_host_misuse()
    {
        var smmu = new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { Pri = false });
        Assert.Throws<InvalidOperationException>(() => smmu.SubmitPageRequest(Request(last: true)));
        // IHI0070 §6.3.1 PRI = 0: the PRIQ_* registers are Reserved (RAZ/WI here).
        smmu.WriteRegister64(SmmuRegister.PRIQ_BASE, 0x1000);
        smmu.WriteRegister32(SmmuRegister.PRIQ_PROD, 1);
        Assert.Equal(0UL, smmu.ReadRegister64(SmmuRegister.PRIQ_BASE));
        Assert.Equal(0u, smmu.ReadRegister32(SmmuRegister.PRIQ_PROD));
    }
}
