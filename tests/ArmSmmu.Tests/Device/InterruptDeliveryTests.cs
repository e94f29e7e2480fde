using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device;

/// <summary>
/// Interrupt delivery when an SMMU has wired outputs, MSIs or both (IHI0070 §3.18, §3.18.2): an enabled source pulses
/// its wired output if implemented, and sends an MSI if MSIs are supported and its ADDR is not 0.
/// </summary>
public class InterruptDeliveryTests
{
    private const uint BadSid = 0x1234; // C_BAD_STREAMID with the harness's LOG2SIZE 8 and RECINVSID
    private const ulong Doorbell = 0x3000_0000;

    private static DeviceHarness Started(SmmuFeatures features, ulong msiAddress)
    {
        var h = new DeviceHarness(features);
        h.Reset(); // IRQ_CTRL = GERROR_IRQEN | EVENTQ_IRQEN
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, msiAddress);
        h.Smmu.WriteRegister32(SmmuRegister.EVENTQ_IRQ_CFG1, 0xAB);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)(IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.GERROR_IRQEN), SmmuRegister.IRQ_CTRLACK);
        return h;
    }

    [Theory]
    // wired, MSI, ADDR -> wired pulse, MSI written
    [InlineData(true, true, Doorbell, true, true)]      // both implemented and configured: both (§3.18.2)
    [InlineData(true, true, 0UL, true, false)]          // ADDR = 0: no MSI, the wired line only
    [InlineData(false, true, Doorbell, false, true)]    // MSI-only implementation
    [InlineData(false, true, 0UL, false, false)]        // MSI-only with ADDR = 0: nothing is signalled
    [InlineData(true, false, Doorbell, true, false)]    // no MSI (IDR0.MSI = 0): CFG0 is RES0, the wired line only
    public void Section_3_18_2_each_enabled_source_uses_every_mechanism_the_SMMU_has(bool wired, bool msi, ulong address, bool pulse, bool msiWritten)
    {
        var h = Started(SmmuFeatures.Default with { WiredInterrupts = wired, Msi = msi }, address);
        Assert.True(h.Read(BadSid, 0).FaultRecorded);
        Assert.Equal(pulse ? [SmmuInterrupt.EventQueue] : [], h.Interrupts);
        Assert.Equal(msiWritten ? 0xABu : 0u, h.Memory.ReadUInt32(Doorbell));
    }

    [Fact]
    public void Section_4_7_3_cmd_sync_sig_irq_sends_its_msi_and_pulses_the_cmd_sync_line()
    {
        var h = new DeviceHarness();
        h.Reset();
        h.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, Doorbell, 0x5A));
        Assert.Equal(0x5Au, h.Memory.ReadUInt32(Doorbell));
        Assert.Equal([SmmuInterrupt.CommandSync], h.Interrupts);

        var msiOnly = new DeviceHarness(SmmuFeatures.Default with { WiredInterrupts = false });
        msiOnly.Reset();
        msiOnly.SubmitRaw(Command.Sync(SyncCompletionSignal.Irq, Doorbell + 4, 0x5B));
        Assert.Equal(0x5Bu, msiOnly.Memory.ReadUInt32(Doorbell + 4));
        Assert.Empty(msiOnly.Interrupts);
    }

    [Fact]
    public void Section_3_18_an_SMMU_without_wired_interrupts_or_MSIs_is_host_misuse() =>
        Assert.Throws<ArgumentException>(() => new SmmuV3(new SparseMemory(), SmmuFeatures.Default with { WiredInterrupts = false, Msi = false }));
}
