using System.Globalization;

namespace ArmSmmu.Device;

/// <summary>
/// A PCIe function behind a StreamID as the SMMU's ATS port sees it (IHI0070 §3.9.1, §4.5): it receives the ATS
/// Invalidate Requests of CMD_ATC_INV and the PRG responses of CMD_PRI_RESP (and the automatic ones of IHI0070 §8.1,
/// §8.2). Connect one with <see cref="SmmuV3.ConnectEndpoint"/>; <see cref="AtsEndpoint"/> is the model's own.
/// </summary>
/// <remarks>
/// The SMMU calls these members on the thread that issued the command or the page request, while it holds its
/// register lock: an implementation must not call back into the SMMU from them (record, signal, return).
/// </remarks>
public interface IAtsEndpoint
{
    /// <summary>An ATS Invalidate Request: drop the ATC entries it covers.</summary>
    /// <param name="invalidation">The request.</param>
    /// <returns>True when the function completed the invalidation; false models one that never answers (the ATS completion timeout), which fails the next CMD_SYNC with CERROR_ATC_INV_SYNC (IHI0070 §3.9.1.4).</returns>
    bool Invalidate(in AtcInvalidation invalidation);

    /// <summary>A PRG Response Message for a Page Request Group the function issued.</summary>
    /// <param name="response">The response.</param>
    void ReceivePageResponse(in PageRequestGroupResponse response);
}

/// <summary>One ATS Invalidate Request, as CMD_ATC_INV sends it (IHI0070 §4.5.1).</summary>
/// <param name="StreamId">The StreamID (PCIe RequesterID) it was sent to.</param>
/// <param name="SubstreamId">The PASID of its PASID TLP prefix (SSV = 1), or null: entries requested without a PASID.</param>
/// <param name="Address">Start of the span, aligned to its size.</param>
/// <param name="SizeShift">log2 of the span in bytes: 12 + Size; 64 invalidates everything (Size 52).</param>
/// <param name="Global">With a PASID: also invalidate global entries of every PASID.</param>
public readonly record struct AtcInvalidation(uint StreamId, uint? SubstreamId, ulong Address, int SizeShift, bool Global)
{
    /// <summary>Whether [<paramref name="start"/>, +2^<paramref name="shift"/>) overlaps the span.</summary>
    /// <param name="start">Start of a translation, aligned to its size.</param>
    /// <param name="shift">log2 of the translation size.</param>
    /// <returns>True when they overlap.</returns>
    public bool Covers(ulong start, int shift)
    {
        ulong end = start + Bits.Mask(shift);
        ulong spanEnd = Address + Bits.Mask(SizeShift);
        return start <= spanEnd && Address <= end;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"ATS Invalidate StreamID=0x{StreamId:X}{(SubstreamId is uint p ? $" PASID={p}{(Global ? " Global" : string.Empty)}" : string.Empty)} 0x{Address:X} size 2^{SizeShift}");
}

/// <summary>A PRG Response Message (IHI0070 §4.5.2, §8.1-§8.3).</summary>
/// <param name="StreamId">The requesting function.</param>
/// <param name="SubstreamId">The PASID prefix of the response, or null.</param>
/// <param name="PrgIndex">The Page Request Group index it answers.</param>
/// <param name="Response">Success, Invalid Request or Response Failure.</param>
/// <param name="Automatic">Sent by the SMMU itself (PRI queue overflow, disabled or aborted) rather than by CMD_PRI_RESP.</param>
public readonly record struct PageRequestGroupResponse(uint StreamId, uint? SubstreamId, uint PrgIndex, PriResponseCode Response, bool Automatic)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PRG response StreamID=0x{StreamId:X}{(SubstreamId is uint p ? $" PASID={p}" : string.Empty)} PRGIndex={PrgIndex} {Response}{(Automatic ? " (automatic)" : string.Empty)}");
}
