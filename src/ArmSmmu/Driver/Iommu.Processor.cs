using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// The seed's processor-side operations: receive_broadcast_tlbi (IHI0070 §3.17) and an address translation
// operation (chapter 9).
public sealed partial class Iommu
{
    /// <summary>
    /// The seed's <c>receive_broadcast_tlbi</c>: a processor's TLBI…IS reaches the SMMU's TLB (IHI0070 §3.17), while
    /// the driver lets it participate (<see cref="SmmuDriverOptions.BroadcastTlbMaintenance"/>, on by default).
    /// </summary>
    /// <param name="message">The TLBI, its operands and where it was executed.</param>
    /// <returns>The number of TLB entries removed.</returns>
    public int ReceiveBroadcastTlbi(in BroadcastInvalidation message) => Driver.ReceiveBroadcastInvalidation(message);

    /// <summary>
    /// Translates <paramref name="address"/> for a stream through SMMU_GATOS_* (IHI0070 chapter 9): the answer a
    /// transaction would get, without recording an event or stalling.
    /// </summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="address">IOVA (or IPA for <see cref="AtosType.Stage2"/>).</param>
    /// <param name="type">Stages to look up; <see cref="AtosType.Stage1"/> on a stage-1 stream.</param>
    /// <param name="access">Read, write or instruction fetch.</param>
    /// <param name="pasid">PASID, or null.</param>
    /// <param name="privileged">A privileged access.</param>
    /// <returns>GATOS_PAR.</returns>
    public GatosParRegister TranslateWithAtos(uint streamId, ulong address, AtosType type, AccessKind access = AccessKind.Read, uint? pasid = null, bool privileged = false)
    {
        lock (_lock)
        {
            return Driver.TranslateWithAtos(streamId, address, type, access, pasid, privileged);
        }
    }
}
