using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// The processor's side of the SMMU: address translation operations through SMMU_GATOS_* (IHI0070 chapter 9) and
// broadcast TLB maintenance forwarded from a CPU model (§3.17).
public sealed partial class SmmuDriver
{
    /// <summary>
    /// Asks the SMMU to translate <paramref name="address"/> for a stream, as a debugger or hypervisor does (IHI0070
    /// §9.1): GATOS_SID and GATOS_ADDR, then GATOS_CTRL.RUN = 1, polled until the SMMU clears it, then GATOS_PAR.
    /// Nothing is recorded in the event queue, whatever the result.
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="address">VA (<see cref="AtosType.Stage1"/>, <see cref="AtosType.Stage1And2"/>) or IPA (<see cref="AtosType.Stage2"/>).</param>
    /// <param name="type">Stages to look up.</param>
    /// <param name="access">Read, write or instruction fetch.</param>
    /// <param name="substreamId">SubstreamID, or null.</param>
    /// <param name="privileged">A privileged access.</param>
    /// <param name="inhibitHttu">HTTUI: no Access flag or dirty state update.</param>
    /// <returns>GATOS_PAR: the output address and attributes, or the fault.</returns>
    /// <exception cref="InvalidOperationException">The driver is not initialized, or the SMMU has no ATOS (IDR0.ATOS = 0).</exception>
    /// <exception cref="TimeoutException">RUN did not clear within <see cref="SmmuDriverOptions.PollTimeout"/>.</exception>
    public GatosParRegister TranslateWithAtos(uint streamId, ulong address, AtosType type, AccessKind access, uint? substreamId = null, bool privileged = false, bool inhibitHttu = false)
    {
        if (!_initialized)
        {
            throw new InvalidOperationException("Call Initialize() before an address translation operation.");
        }

        if (!new Idr0Register(Read32(SmmuRegister.IDR0)).ATOS)
        {
            throw new InvalidOperationException("This SMMU has no address translation operations (SMMU_IDR0.ATOS = 0).");
        }

        var sid = new GatosSidRegister(0) { STREAMID = streamId, SSID_VALID = substreamId.HasValue, SUBSTREAMID = substreamId ?? 0 };
        var addr = new GatosAddrRegister(0)
        {
            ADDR = address & ~0xFFFUL,
            TYPE = type,
            PnU = privileged,
            RnW = access != AccessKind.Write,
            InD = access == AccessKind.Execute,
            HTTUI = inhibitHttu,
        };
        Write64(SmmuRegister.GATOS_SID, sid.Value);
        Write64(SmmuRegister.GATOS_ADDR, addr.Value);
        Write32(SmmuRegister.GATOS_CTRL, new GatosCtrlRegister(0) { RUN = true }.Value);
        long start = 0;
        while (new GatosCtrlRegister(Read32(SmmuRegister.GATOS_CTRL)).RUN)
        {
            CheckTimeout(ref start, "GATOS_CTRL.RUN to clear");
        }

        return new GatosParRegister(Device.ReadRegister64(SmmuRegister.GATOS_PAR));
    }

    /// <summary>
    /// Forwards a processor's broadcast TLB invalidation to the SMMU (IHI0070 §3.17). It acts only while the driver
    /// lets the SMMU participate (<see cref="SmmuDriverOptions.BroadcastTlbMaintenance"/>, CR2.PTM = 0) and the SMMU
    /// has IDR0.BTM.
    /// </summary>
    /// <param name="message">The TLBI and its operands.</param>
    /// <returns>The number of TLB entries removed.</returns>
    public int ReceiveBroadcastInvalidation(in BroadcastInvalidation message) => Device.ReceiveBroadcastInvalidation(message);
}
