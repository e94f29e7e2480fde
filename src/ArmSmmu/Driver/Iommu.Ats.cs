using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

// ATS and PRI: a function's ATC behind a stream, and the page-fault loop of shared virtual addressing.
public sealed partial class Iommu
{
    private readonly Dictionary<uint, AtsEndpoint> _atsEndpoints = [];

    /// <summary>
    /// Enables ATS for a configured stream (STE.EATS = 0b01, ATC_INV + SYNC) and returns the function's ATS/PRI
    /// endpoint: its ATC, Translation Requests and page requests. From then on every unmap of the stream's contexts
    /// is followed by an ATC invalidation (TLBI, SYNC, ATC_INV, SYNC). The endpoint's page requests are serviced on
    /// the translating thread (<see cref="ServicePageRequests"/>) unless <paramref name="options"/> sets a service.
    /// </summary>
    /// <param name="streamId">A Stage1, Stage2 or Nested stream.</param>
    /// <param name="options">ATC geometry and PRI; null for the defaults.</param>
    /// <returns>The endpoint (owned by the Iommu until <see cref="DisableAts"/>).</returns>
    public AtsEndpoint EnableAts(uint streamId, AtsEndpointOptions? options = null)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            if (_atsEndpoints.ContainsKey(streamId))
            {
                throw new InvalidOperationException($"ATS is already enabled for stream {streamId}.");
            }

            Driver.EnableAts(streamId);
            state.Ste = Driver.ReadSte(streamId);
            if (state.Default is { } context)
            {
                Driver.BindAts(context, streamId, null);
            }

            foreach (var (pasid, domain) in state.Pasids)
            {
                Driver.BindAts(domain, streamId, pasid);
            }

            if (state.Stage2 is { } s2)
            {
                // A stage-2 unmap changes what every context of the stream translates to.
                Driver.BindAts(s2, streamId);
                foreach (var pasid in state.Pasids.Keys)
                {
                    Driver.BindAts(s2, streamId, pasid);
                }
            }

            return CreateEndpoint(streamId, options ?? AtsEndpointOptions.Default);
        }
    }

    // The function behind the stream; its page requests are serviced on the translating thread unless the options
    // name a service.
    private AtsEndpoint CreateEndpoint(uint streamId, AtsEndpointOptions options)
    {
        bool pri = options.PageRequests && Driver.Capabilities.PriQueue;
        options = options with
        {
            PageRequests = pri,
            PageRequestService = options.PageRequestService ?? (pri ? () => ServicePageRequests() : null),
        };
        var endpoint = new AtsEndpoint(Device, streamId, options);
        _atsEndpoints[streamId] = endpoint;
        return endpoint;
    }

    /// <summary>Disables ATS for the stream: the endpoint is disconnected, the ATC invalidated, STE.EATS = 0b00 (IHI0070 §3.9.2).</summary>
    /// <param name="streamId">A stream with ATS enabled.</param>
    public void DisableAts(uint streamId)
    {
        lock (_lock)
        {
            var state = Get(streamId);
            if (_atsEndpoints.Remove(streamId, out var endpoint))
            {
                endpoint.Dispose();
            }

            Driver.DisableAts(streamId);
            state.Ste = Driver.ReadSte(streamId);
        }
    }

    /// <summary>The ATS endpoint of a stream, or null when ATS is not enabled for it.</summary>
    /// <param name="streamId">A StreamID.</param>
    /// <returns>The endpoint.</returns>
    public AtsEndpoint? GetAtsEndpoint(uint streamId)
    {
        lock (_lock)
        {
            return _atsEndpoints.GetValueOrDefault(streamId);
        }
    }

    /// <summary>
    /// Registers the page-fault handler of shared virtual addressing: it receives each Page Request Group from the
    /// PRI queue, makes its pages resident (typically with <see cref="Map"/>) and returns the response, which goes
    /// back to the function as CMD_PRI_RESP. Null answers every group with Response Failure.
    /// </summary>
    /// <param name="handler">The handler.</param>
    public void SetPageFaultHandler(Func<PageRequestGroup, PriResponseCode>? handler) => Driver.SetPageRequestHandler(handler);

    /// <summary>Drains the PRI queue and answers the complete Page Request Groups through the handler (<see cref="SmmuDriver.ServicePageRequests"/>).</summary>
    /// <returns>The groups answered.</returns>
    public IReadOnlyList<PageRequestGroup> ServicePageRequests() => Driver.ServicePageRequests();

    /// <summary>Page Request Groups answered so far, and how many of them not with Success.</summary>
    public (long Answered, long Failed) PageRequestGroups => (Driver.PageRequestGroupsAnswered, Driver.PageRequestGroupsFailed);
}
