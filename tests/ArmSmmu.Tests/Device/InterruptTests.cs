using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>Interrupt sources, wired lines and MSIs (IHI0070 §3.18, §6.3.16-§6.3.20, §7.5).</summary>
public class InterruptTests
{
    private const uint BadSid = 0x1234; // C_BAD_STREAMID with the harness's LOG2SIZE 8 and RECINVSID
    private const ulong Doorbell = 0x3000_0000;

    private static DeviceHarness Started()
    {
        var h = new DeviceHarness();
        h.Reset(); // IRQ_CTRL = GERROR_IRQEN | EVENTQ_IRQEN, *_IRQ_CFG0 = 0 (wired)
        return h;
    }

    private static void ConfigureMsi(DeviceHarness h, ulong cfg0Register, ulong address, uint data)
    {
        // IHI0070 §6.3.16: the CFG registers are written only while IRQ_CTRL (and its ACK) has the source disabled.
        uint irqCtrl = h.Smmu.ReadRegister32(SmmuRegister.IRQ_CTRL);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister64(cfg0Register, address);
        h.Smmu.WriteRegister32(cfg0Register + 8, data);
        h.Smmu.WriteRegister32(cfg0Register + 12, 0x1); // Device-nGnRE, as Linux writes
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, irqCtrl, SmmuRegister.IRQ_CTRLACK);
    }

    [Fact]
    public void Event_queue_interrupt_is_wired_when_cfg0_is_zero_and_fires_on_empty_to_non_empty()
    {
        var h = Started();
        h.Read(BadSid, 0);
        Assert.Equal([SmmuInterrupt.EventQueue], h.Interrupts);

        // IHI0070 §3.18.2: the trigger is the transition from empty to non-empty, not every record.
        h.Read(BadSid, 0);
        Assert.Equal([SmmuInterrupt.EventQueue], h.Interrupts);
        Assert.Equal(2, h.DrainEvents().Count);
        h.Read(BadSid, 0);
        Assert.Equal([SmmuInterrupt.EventQueue, SmmuInterrupt.EventQueue], h.Interrupts);
    }

    [Fact]
    public void Event_queue_interrupt_is_an_msi_of_cfg1_to_cfg0_when_the_address_is_not_zero()
    {
        var h = Started();
        ConfigureMsi(h, SmmuRegister.EVENTQ_IRQ_CFG0, Doorbell, 0x1234_5678);
        h.Read(BadSid, 0);
        // IHI0070 §3.18.2: with ADDR != 0 an MSI is sent, and the wired line (the default SMMU has both) pulses too.
        Assert.Equal(0x1234_5678u, h.Memory.ReadUInt32(Doorbell));
        Assert.Equal([SmmuInterrupt.EventQueue], h.Interrupts);
    }

    [Fact]
    public void Event_queue_irqen_zero_signals_nothing()
    {
        var h = Started();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)IrqCtrlFlags.GERROR_IRQEN, SmmuRegister.IRQ_CTRLACK);
        Assert.True(h.Read(BadSid, 0).FaultRecorded);
        Assert.Empty(h.Interrupts);
    }

    [Fact]
    public void An_aborted_event_queue_msi_sets_msi_eventq_abt_err_and_raises_a_gerror_interrupt()
    {
        var h = Started();
        ConfigureMsi(h, SmmuRegister.EVENTQ_IRQ_CFG0, Doorbell, 1);
        h.Memory.AddAbortRange(Doorbell, 4);
        Assert.True(h.Read(BadSid, 0).FaultRecorded);
        // IHI0070 §7.5: MSI_EVENTQ_ABT_ERR is GERROR[5]; its activation is itself a GERROR interrupt.
        Assert.Equal(1u << 5, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal([SmmuInterrupt.GlobalError, SmmuInterrupt.EventQueue], h.Interrupts); // and the event queue's own line
    }

    [Fact]
    public void Gerror_interrupt_is_wired_or_msi_and_an_aborted_gerror_msi_does_not_signal_again()
    {
        var h = Started();
        h.SubmitRaw(new Command(0x00));
        // IHI0070 §3.18.2: activation of a global error (here CMDQ_ERR) pulses the GERROR line.
        Assert.Equal([SmmuInterrupt.GlobalError], h.Interrupts);
        h.Interrupts.Clear();

        // Fix up and acknowledge, then use an MSI.
        Command.Sync(SyncCompletionSignal.None).TryWrite(h.Memory, DeviceHarness.CommandSlot(h.CommandProducer - 1));
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        ConfigureMsi(h, SmmuRegister.GERROR_IRQ_CFG0, Doorbell, 0xFEED);
        h.SubmitRaw(new Command(0x00));
        Assert.Equal(0xFEEDu, h.Memory.ReadUInt32(Doorbell));
        Assert.Equal([SmmuInterrupt.GlobalError], h.Interrupts); // MSI and wired line (IHI0070 §3.18.2)
        h.Interrupts.Clear();

        // An aborted GERROR MSI sets MSI_GERROR_ABT_ERR (GERROR[7]) and does not itself signal GERROR.
        Command.Sync(SyncCompletionSignal.None).TryWrite(h.Memory, DeviceHarness.CommandSlot(h.CommandProducer - 1));
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        h.Memory.WriteUInt32(Doorbell, 0);
        h.Memory.AddAbortRange(Doorbell, 4);
        uint before = h.Smmu.ReadRegister32(SmmuRegister.GERROR);
        h.SubmitRaw(new Command(0x00));
        uint active = h.Smmu.ReadRegister32(SmmuRegister.GERROR) ^ h.Smmu.ReadRegister32(SmmuRegister.GERRORN);
        Assert.Equal((uint)(GerrorFlags.CMDQ_ERR | GerrorFlags.MSI_GERROR_ABT_ERR), active);
        Assert.Equal(before ^ active, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Equal(1u << 7, (uint)GerrorFlags.MSI_GERROR_ABT_ERR);
        Assert.Equal([SmmuInterrupt.GlobalError], h.Interrupts); // CMDQ_ERR's pulse; the aborted MSI signals nothing more
        Assert.Equal(4, h.Smmu.Statistics.GlobalErrors);
    }

    [Fact]
    public void Gerror_irqen_zero_records_the_error_without_signalling()
    {
        var h = Started();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)IrqCtrlFlags.EVENTQ_IRQEN, SmmuRegister.IRQ_CTRLACK);
        h.SubmitRaw(new Command(0x00));
        Assert.Equal(1u, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.Empty(h.Interrupts);
    }
}
