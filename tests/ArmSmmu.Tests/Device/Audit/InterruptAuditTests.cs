using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The re-audit of IHI0070 §3.18 (interrupts and MSIs) and the MSI configuration registers of §6.3: "It is not
/// permitted for an interrupt notification of the presence of new information to be observable before the new
/// information is also observable." A handler of <see cref="SmmuV3.InterruptRaised"/> reads the registers the way
/// an interrupt service routine would.
/// </summary>
public class InterruptAuditTests
{
    private const uint BadSid = 0x1234; // C_BAD_STREAMID with the harness's LOG2SIZE 8 and RECINVSID
    private const ulong Doorbell = 0x3000_0000;

    private static DeviceHarness Started(SmmuFeatures? features = null)
    {
        var h = new DeviceHarness(features);
        h.Reset();
        return h;
    }

    private static List<uint> ReadOnInterrupt(DeviceHarness h, SmmuInterrupt source, ulong register)
    {
        var seen = new List<uint>();
        h.Smmu.InterruptRaised += (_, e) =>
        {
            if (e.Source == source)
            {
                seen.Add(h.Smmu.ReadRegister32(register));
            }
        };
        return seen;
    }

    [Theory]
    [InlineData(SyncCompletionSignal.Irq)]
    [InlineData(SyncCompletionSignal.Sev)]
    public void Section_3_18_a_cmd_sync_signal_is_observed_after_cons_passes_the_sync(SyncCompletionSignal cs)
    {
        // §3.18: "A CMD_SYNC completes. The consumption of the CMD_SYNC must be observable to reads of the queue
        // index registers if the interrupt is observable."
        var h = Started();
        var cons = ReadOnInterrupt(h, cs == SyncCompletionSignal.Irq ? SmmuInterrupt.CommandSync : SmmuInterrupt.SendEvent, SmmuRegister.CMDQ_CONS);
        uint prodBefore = h.CommandProducer;
        h.SubmitRaw(Command.TlbiNsnhAll(), Command.Sync(cs, Doorbell, 0x5A));

        Assert.Equal([prodBefore + 2], cons);
    }

    [Fact]
    public void Section_3_18_an_event_queue_interrupt_is_observed_after_prod_moves()
    {
        // §3.18: "The presence of the new entries must be observable to reads of the queue index registers if the
        // interrupt is observable."
        var h = Started();
        var prod = ReadOnInterrupt(h, SmmuInterrupt.EventQueue, SmmuRegister.EVENTQ_PROD);
        h.Read(BadSid, 0);
        Assert.Equal([1u], prod);
    }

    [Fact]
    public void Section_3_18_a_gerror_interrupt_is_observed_after_gerror_toggles()
    {
        // §3.18: "The change to the Global error register, GERROR, must be observable if the interrupt is observable."
        var h = Started();
        var gerror = ReadOnInterrupt(h, SmmuInterrupt.GlobalError, SmmuRegister.GERROR);
        h.SubmitRaw(new Command { Opcode = (CommandOpcode)0x7F });
        Assert.Equal([(uint)GerrorFlags.CMDQ_ERR], gerror);
    }

    [Fact]
    public void Section_3_18_1_an_msi_re_enabled_uses_the_new_configuration()
    {
        // §3.18.1: "MSIs triggered after the MSI is re-enabled will use the new configuration."
        var h = Started();
        Configure(h, Doorbell, 0x11);
        h.Read(BadSid, 0);
        Assert.Equal(0x11u, h.Memory.ReadUInt32(Doorbell));

        Configure(h, Doorbell + 0x40, 0x22);
        h.Smmu.WriteRegister32(SmmuRegister.EVENTQ_CONS, h.Smmu.ReadRegister32(SmmuRegister.EVENTQ_PROD)); // empty again
        h.Read(BadSid, 0);
        Assert.Equal(0x22u, h.Memory.ReadUInt32(Doorbell + 0x40));
        Assert.Equal(0x11u, h.Memory.ReadUInt32(Doorbell));
    }

    [Fact]
    public void Section_6_3_msi_configuration_registers_keep_their_res0_bits_zero()
    {
        // §6.3.18-§6.3.36 *_IRQ_CFG0: bits [63:56] and [1:0] RES0, ADDR [55:2]; *_IRQ_CFG2: bits [31:6] RES0 (PRIQ:
        // LO [31] too). §6.3.34: the registers are RW only while their IRQEN and its ACK are 0.
        var h = Started();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        foreach (ulong cfg0 in new[] { SmmuRegister.GERROR_IRQ_CFG0, SmmuRegister.EVENTQ_IRQ_CFG0, SmmuRegister.PRIQ_IRQ_CFG0 })
        {
            h.Smmu.WriteRegister64(cfg0, ulong.MaxValue);
            h.Smmu.WriteRegister32(cfg0 + 8, uint.MaxValue);
            h.Smmu.WriteRegister32(cfg0 + 12, uint.MaxValue);
            Assert.Equal(0x00FF_FFFF_FFFF_FFFCUL, h.Smmu.ReadRegister64(cfg0));
            Assert.Equal(uint.MaxValue, h.Smmu.ReadRegister32(cfg0 + 8));
            Assert.Equal(cfg0 == SmmuRegister.PRIQ_IRQ_CFG0 ? 0x8000_003Fu : 0x3Fu, h.Smmu.ReadRegister32(cfg0 + 12));
        }
    }

    private static void Configure(DeviceHarness h, ulong address, uint data)
    {
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)IrqCtrlFlags.GERROR_IRQEN, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, address);
        h.Smmu.WriteRegister32(SmmuRegister.EVENTQ_IRQ_CFG1, data);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)(IrqCtrlFlags.GERROR_IRQEN | IrqCtrlFlags.EVENTQ_IRQEN), SmmuRegister.IRQ_CTRLACK);
    }
}
