using System.Globalization;

namespace ArmSmmu.Driver;

/// <summary>
/// A Page Request Group as the host receives it from the PRI queue (IHI0070 §8): the requests of one function with
/// one PRG index, complete once its Last request arrived. The host makes the pages resident and answers the group.
/// </summary>
/// <param name="StreamId">The function.</param>
/// <param name="SubstreamId">The PASID of the requests, or null.</param>
/// <param name="PrgIndex">The group index the response must quote.</param>
/// <param name="Requests">The page requests, in queue order (the Last one last).</param>
public sealed record PageRequestGroup(uint StreamId, uint? SubstreamId, uint PrgIndex, IReadOnlyList<PriQueueEntry> Requests)
{
    /// <summary>Whether any request of the group asks for write access.</summary>
    public bool Write => Requests.Any(r => r.Write);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"PRG {PrgIndex} of StreamID 0x{StreamId:X}{(SubstreamId is uint p ? $" PASID {p}" : string.Empty)}: {string.Join(", ", Requests.Select(r => $"0x{r.PageAddress:X}{(r.Write ? " W" : " R")}"))}");
}
