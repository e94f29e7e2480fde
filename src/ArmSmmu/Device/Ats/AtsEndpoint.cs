using ArmSmmu.Structures;

namespace ArmSmmu.Device;

/// <summary>
/// The ATS and PRI side of a DMA-capable PCIe function (IHI0070 §3.9.1, §8): an Address Translation Cache, and a
/// <see cref="Translate"/> that hits the ATC or sends an ATS Translation Request; when the completion grants too
/// little and PRI is enabled, it issues a page request, waits for the PRG response (CMD_PRI_RESP) and retries. It
/// answers the SMMU's ATS Invalidate Requests. A device model owns one per function (and PASID user).
/// </summary>
/// <remarks>
/// Thread-safe: any number of threads may translate at once. The ATC is guarded by a lock that is never held while
/// the SMMU is called, so the SMMU may invalidate it from its command queue at any time.
/// </remarks>
public sealed class AtsEndpoint : IAtsEndpoint, IDisposable
{
    private const int PrgIndexCount = 512; // PRGIndex is 9 bits (IHI0070 §8)

    private readonly SmmuV3 _smmu;
    private readonly AtsEndpointOptions _options;
    private readonly Lock _lock = new();
    private readonly AddressTranslationCache _atc;
    private readonly Dictionary<uint, PendingGroup> _pending = [];
    private uint _nextPrgIndex;
    private long _hits, _requests, _pageRequests, _pageResponses, _invalidations, _invalidated;
    private bool _disposed;

    /// <summary>Creates the function and connects it to <paramref name="smmu"/>'s ATS port as <paramref name="streamId"/>.</summary>
    /// <param name="smmu">The SMMU it sits behind.</param>
    /// <param name="streamId">Its StreamID (PCIe RequesterID).</param>
    /// <param name="options">ATC size and replacement, PRI; null for <see cref="AtsEndpointOptions.Default"/>.</param>
    public AtsEndpoint(SmmuV3 smmu, uint streamId, AtsEndpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(smmu);
        _options = options ?? AtsEndpointOptions.Default;
        _options.Validate();
        if (_options.PageRequests && !smmu.Features.Pri)
        {
            throw new InvalidOperationException("The SMMU does not implement PRI (IDR0.PRI = 0); create the endpoint with PageRequests = false.");
        }

        _smmu = smmu;
        StreamId = streamId;
        _atc = new AddressTranslationCache(_options.AtcEntries, _options.Replacement);
        smmu.ConnectEndpoint(streamId, this);
    }

    /// <summary>The options it was created with (for the Iommu snapshot).</summary>
    internal AtsEndpointOptions Options => _options;

    /// <summary>The function's StreamID.</summary>
    public uint StreamId { get; }

    /// <summary>Whether the function answers ATS Invalidate Requests; false models one that stopped answering (the next CMD_SYNC fails with CERROR_ATC_INV_SYNC).</summary>
    public bool AnswersInvalidations { get; set; } = true;

    /// <summary>Entries now in the ATC.</summary>
    public int AtcCount
    {
        get
        {
            lock (_lock)
            {
                return _atc.Count;
            }
        }
    }

    /// <summary>The counters so far.</summary>
    public AtsEndpointStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new AtsEndpointStatistics(_hits, _requests, _pageRequests, _pageResponses, _invalidations, _invalidated, _atc.Evictions);
            }
        }
    }

    /// <summary>Raised (on the SMMU's command thread) for every PRG response the function receives.</summary>
    public event EventHandler<PageRequestGroupResponse>? PageResponseReceived;

    /// <summary>
    /// Translates <paramref name="address"/> for <paramref name="access"/>: from the ATC, or with an ATS Translation
    /// Request; a completion that does not permit the access leads (with PRI) to a page request, a wait for its PRG
    /// response and a new Translation Request. The result's address is for an ATS Translated transaction
    /// (<see cref="TransactionKind.AtsTranslated"/>).
    /// </summary>
    /// <param name="address">The untranslated address.</param>
    /// <param name="access">The access the function wants to make.</param>
    /// <param name="pasid">The PASID of the context, or null.</param>
    /// <param name="privileged">Privileged Mode Requested (with a PASID only).</param>
    /// <returns>Translated with the translated address, or Faulted (the last completion's event, if any, in <see cref="TranslationResult.Fault"/>).</returns>
    public TranslationResult Translate(ulong address, AccessKind access, uint? pasid = null, bool privileged = false)
    {
        if (TryHit(address, access, pasid, privileged, out ulong translated, out byte shift))
        {
            return Translated(translated, shift, access, privileged);
        }

        var request = new TranslationRequest(StreamId, address, access, pasid, privileged, Kind: TransactionKind.AtsTranslationRequest);
        for (int attempt = 0; ; attempt++)
        {
            var completion = _smmu.RequestAtsTranslation(request);
            Interlocked.Increment(ref _requests);
            if (completion.Status == AtsCompletionStatus.Success && (completion.Read || completion.Write || completion.Execute))
            {
                lock (_lock)
                {
                    _atc.Insert(address, pasid, privileged, completion);
                }
            }

            if (completion.Permits(access))
            {
                return Translated(completion.Translate(address), completion.SizeShift, access, privileged);
            }

            // IHI0070 §3.9.1: only a Success that grants too little is a "not present" answer worth a page request.
            if (completion.Status != AtsCompletionStatus.Success || !_options.PageRequests || attempt == _options.MaxPageRequestsPerTranslation
                || RequestPage(address, access, pasid, privileged) != PriResponseCode.Success)
            {
                return TranslationResult.Faulted(completion.Event, recorded: completion.Event != EventType.None);
            }
        }
    }

    /// <inheritdoc />
    bool IAtsEndpoint.Invalidate(in AtcInvalidation invalidation)
    {
        lock (_lock)
        {
            if (!AnswersInvalidations)
            {
                return false;
            }

            _invalidations++;
            _invalidated += _atc.Invalidate(invalidation);
            return true;
        }
    }

    /// <inheritdoc />
    void IAtsEndpoint.ReceivePageResponse(in PageRequestGroupResponse response)
    {
        lock (_lock)
        {
            _pageResponses++;
            if (_pending.Remove(response.PrgIndex, out var group))
            {
                group.Complete(response.Response);
            }
        }

        PageResponseReceived?.Invoke(this, response);
    }

    /// <summary>Disconnects the function from the SMMU and fails its outstanding page requests.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _smmu.DisconnectEndpoint(StreamId, this);
        lock (_lock)
        {
            foreach (var group in _pending.Values)
            {
                group.Complete(PriResponseCode.Failure);
            }

            _pending.Clear();
        }
    }

    private bool TryHit(ulong address, AccessKind access, uint? pasid, bool privileged, out ulong translated, out byte shift)
    {
        lock (_lock)
        {
            if (_atc.TryLookup(address, access, pasid, privileged, out translated, out shift))
            {
                _hits++;
                return true;
            }

            return false;
        }
    }

    private static TranslationResult Translated(ulong address, byte shift, AccessKind access, bool privileged) =>
        TranslationResult.Translated(address, shift, new TransactionAttributes(AttributeOverrides.Incoming, privileged, access == AccessKind.Execute));

    // PCIe PRI: one page request, a group of one (Last = 1), then wait for its PRG response.
    private PriResponseCode RequestPage(ulong address, AccessKind access, uint? pasid, bool privileged)
    {
        var group = new PendingGroup();
        uint index;
        lock (_lock)
        {
            if (_pending.Count >= PrgIndexCount)
            {
                return PriResponseCode.Failure; // every PRG index is in flight
            }

            do
            {
                index = _nextPrgIndex++ % PrgIndexCount;
            }
            while (_pending.ContainsKey(index));

            _pending[index] = group;
            _pageRequests++;
        }

        var entry = new PriQueueEntry
        {
            StreamId = StreamId,
            SSV = pasid.HasValue,
            SubstreamId = pasid ?? 0,
            Read = true,
            Write = access == AccessKind.Write,
            Exec = pasid.HasValue && access == AccessKind.Execute, // IHI0070 §8: X and Priv are 0 without a PASID
            Priv = pasid.HasValue && privileged,
            Last = true,
            PrgIndex = index,
            PageAddress = address & ~0xFFFUL,
        };
        _smmu.SubmitPageRequest(entry); // a request the queue drops is answered automatically (IHI0070 §8.1, §8.2)
        if (group.Wait(_options.PageResponseTimeout, _options.PageRequestService, out var response))
        {
            return response;
        }

        lock (_lock)
        {
            _pending.Remove(index);
        }

        return PriResponseCode.Failure;
    }

    // One outstanding Page Request Group: completed by its PRG response.
    private sealed class PendingGroup
    {
        private readonly object _gate = new();
        private PriResponseCode? _response;

        public void Complete(PriResponseCode response)
        {
            lock (_gate)
            {
                _response ??= response;
                Monitor.PulseAll(_gate);
            }
        }

        public bool Wait(TimeSpan timeout, Action? service, out PriResponseCode response)
        {
            service?.Invoke();
            long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            lock (_gate)
            {
                while (_response is null)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0 || !Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left)))
                    {
                        break;
                    }
                }

                response = _response ?? PriResponseCode.Failure;
                return _response.HasValue;
            }
        }
    }
}
