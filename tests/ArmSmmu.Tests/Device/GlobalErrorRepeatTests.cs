namespace ArmSmmu.Tests.Device;

/// <summary>
/// SMMU_GERROR (IHI0070 §6.3.17, §7.5): an error is active while its GERROR bit differs from GERRORN; a recurrence
/// of an active error does not toggle the bit again (that would deactivate it), and only one GERROR interrupt is sent.
/// </summary>
public class GlobalErrorRepeatTests
{
    private const uint BadSid = 0x1234; // C_BAD_STREAMID with the harness's LOG2SIZE 8 and RECINVSID
    private const ulong AbortingDoorbell = 0x3000_0000;
    private const uint MsiEventqAbtErr = 1u << 5; // GERROR[5]

    [Fact]
    public void Section_7_5_a_second_aborted_event_queue_msi_leaves_msi_eventq_abt_err_active()
    {
        var memory = new SparseMemory();
        memory.AddAbortRange(AbortingDoorbell, 0x1000);
        var h = new DeviceHarness(SmmuFeatures.Default with { WiredInterrupts = false }, memory);
        h.Reset();
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, 0, SmmuRegister.IRQ_CTRLACK);
        h.Smmu.WriteRegister64(SmmuRegister.EVENTQ_IRQ_CFG0, AbortingDoorbell);
        h.WriteAndPoll(SmmuRegister.IRQ_CTRL, (uint)(IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.GERROR_IRQEN), SmmuRegister.IRQ_CTRLACK);

        Assert.True(h.Read(BadSid, 0).FaultRecorded);
        Assert.Equal(MsiEventqAbtErr, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
        Assert.True(h.Read(BadSid, 0x1000).FaultRecorded); // its MSI aborts again

        Assert.Equal(MsiEventqAbtErr, h.Smmu.ReadRegister32(SmmuRegister.GERROR)); // still toggled once: still active
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GERRORN));
        Assert.Equal(2, h.DrainEvents().Count); // the records themselves were written

        // Acknowledged (GERRORN = GERROR), the next abort activates it again by toggling GERROR back to 0.
        h.Smmu.WriteRegister32(SmmuRegister.GERRORN, MsiEventqAbtErr);
        Assert.True(h.Read(BadSid, 0x2000).FaultRecorded);
        Assert.Equal(0u, h.Smmu.ReadRegister32(SmmuRegister.GERROR));
    }
}
