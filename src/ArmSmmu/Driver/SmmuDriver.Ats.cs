using ArmSmmu.Structures;

namespace ArmSmmu.Driver;

/// <content>
/// ATS and PRI in the manner of Linux's arm-smmu-v3 and its iopf queue: STE.EATS per stream, CMD_ATC_INV after the
/// TLB invalidation of every unmap (TLBI, SYNC, ATC_INV, SYNC; IHI0070 §4.5.1), and the PRI queue drained into Page
/// Request Groups that a handler answers with CMD_PRI_RESP (IHI0070 §8).
/// </content>
public sealed partial class SmmuDriver
{
    private readonly HashSet<uint> _atsStreams = [];
    private readonly Dictionary<object, List<(uint StreamId, uint? SubstreamId)>> _atsBindings = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(uint StreamId, uint PrgIndex), List<PriQueueEntry>> _openGroups = [];
    private Func<PageRequestGroup, PriResponseCode>? _pageRequestHandler;
    private long _groupsAnswered;
    private long _groupsFailed;

    /// <summary>Page Request Groups answered with CMD_PRI_RESP so far.</summary>
    public long PageRequestGroupsAnswered => Interlocked.Read(ref _groupsAnswered);

    /// <summary>Of those, the groups answered with something other than Success.</summary>
    public long PageRequestGroupsFailed => Interlocked.Read(ref _groupsFailed);

    /// <summary>
    /// Enables ATS for a configured stream (IHI0070 §3.9.2): STE.EATS = 0b01 with CFGI_STE + SYNC, then an ATC_INV of
    /// everything + SYNC before the function may use ATS (digest §8.5 step 5).
    /// </summary>
    /// <param name="streamId">A stream whose STE translates (Config 0b101, 0b110 or 0b111).</param>
    /// <exception cref="NotSupportedException">The SMMU has no ATS (IDR0.ATS = 0).</exception>
    /// <exception cref="InvalidOperationException">The STE does not translate.</exception>
    public void EnableAts(uint streamId)
    {
        lock (_lock)
        {
            RequireInitialized();
            if (!Capabilities.Ats)
            {
                throw new NotSupportedException("The SMMU does not implement ATS (IDR0.ATS = 0).");
            }

            var ste = ReadSte(streamId);
            if (!ste.V || ((uint)ste.Config & 0b011) == 0)
            {
                throw new InvalidOperationException($"StreamID 0x{streamId:X} does not translate (STE {ste}); configure it before enabling ATS.");
            }

            WriteSte(streamId, ste with { EATS = AtsEnable.Full });
            SubmitAndSyncLocked([Command.AtcInv(streamId, null, 0, 52, global: false)]);
            _atsStreams.Add(streamId);
        }
    }

    /// <summary>Disables ATS (IHI0070 §3.9.2): the ATC invalidated + SYNC, then STE.EATS = 0b00 with CFGI_STE + SYNC.</summary>
    /// <param name="streamId">A stream with ATS enabled.</param>
    public void DisableAts(uint streamId)
    {
        lock (_lock)
        {
            RequireInitialized();
            if (!_atsStreams.Remove(streamId))
            {
                return;
            }

            SubmitAndSyncLocked([Command.AtcInv(streamId, null, 0, 52, global: false)]);
            WriteSte(streamId, ReadSte(streamId) with { EATS = AtsEnable.Disabled });
            foreach (var bindings in _atsBindings.Values)
            {
                bindings.RemoveAll(b => b.StreamId == streamId);
            }
        }
    }

    /// <summary>Whether <see cref="EnableAts"/> enabled ATS for the stream.</summary>
    /// <param name="streamId">A StreamID.</param>
    /// <returns>True when enabled.</returns>
    public bool IsAtsEnabled(uint streamId)
    {
        lock (_lock)
        {
            return _atsStreams.Contains(streamId);
        }
    }

    /// <summary>Makes every unmap of <paramref name="domain"/> also invalidate the ATC of (StreamID, PASID) after its TLB invalidation.</summary>
    /// <param name="domain">The stage-1 domain the context uses.</param>
    /// <param name="streamId">A stream with ATS enabled.</param>
    /// <param name="substreamId">The PASID whose CD holds the domain, or null for the stream's default context.</param>
    public void BindAts(Stage1Domain domain, uint streamId, uint? substreamId) => Bind(domain, streamId, substreamId);

    /// <summary>Makes every unmap of a stage-2 domain invalidate the ATC of the stream's context <paramref name="substreamId"/>.</summary>
    /// <param name="domain">The stream's stage-2 domain.</param>
    /// <param name="streamId">A stream with ATS enabled.</param>
    /// <param name="substreamId">A PASID of a nested stream, or null for the entries requested without one.</param>
    public void BindAts(Stage2Domain domain, uint streamId, uint? substreamId = null) => Bind(domain, streamId, substreamId);

    private void Bind(object domain, uint streamId, uint? substreamId)
    {
        ArgumentNullException.ThrowIfNull(domain);
        lock (_lock)
        {
            if (!_atsStreams.Contains(streamId))
            {
                throw new InvalidOperationException($"ATS is not enabled for StreamID 0x{streamId:X}; call EnableAts first.");
            }

            if (!_atsBindings.TryGetValue(domain, out var bindings))
            {
                _atsBindings[domain] = bindings = [];
            }

            if (!bindings.Contains((streamId, substreamId)))
            {
                bindings.Add((streamId, substreamId));
            }
        }
    }

    /// <summary>CMD_ATC_INV for the smallest aligned span covering [<paramref name="address"/>, +<paramref name="size"/>), then CMD_SYNC.</summary>
    /// <param name="streamId">The function's StreamID.</param>
    /// <param name="substreamId">The PASID, or null for entries requested without one.</param>
    /// <param name="address">Start of the range.</param>
    /// <param name="size">Bytes (at least 1).</param>
    public void InvalidateAtc(uint streamId, uint? substreamId, ulong address, ulong size)
    {
        ArgumentOutOfRangeException.ThrowIfZero(size);
        SubmitAndSync(Command.AtcInv(streamId, substreamId, address, AtcSize(address, size), global: false));
    }

    // IHI0070 §4.5.1: the span is 4096 * 2^Size, aligned to itself; Size 52 covers everything.
    internal static uint AtcSize(ulong address, ulong size)
    {
        ulong last = address + (size - 1);
        uint s = 0;
        while (s < 52 && (address >> (int)(12 + s)) != (last >> (int)(12 + s)))
        {
            s++;
        }

        return last < address ? 52 : s;
    }

    // Called by a domain after its unmap's TLBI + SYNC: the ATCs of the contexts bound to it (digest §8.5 step 7).
    // Under SyncRoot (the domain's unmap holds it).
    internal void InvalidateAtcOfLocked(object domain, ulong address, ulong size)
    {
        if (_atsBindings.TryGetValue(domain, out var bindings) && bindings.Count > 0)
        {
            SubmitAndSyncLocked(AtcInvalidations(bindings, address, AtcSize(address, size)));
        }
    }

    // Its own method: the lambda captures the address, and C# allocates the captured variables where their scope
    // starts, so in InvalidateAtcOfLocked every unmap paid for it, with or without ATS bindings.
    private static Command[] AtcInvalidations(List<(uint StreamId, uint? SubstreamId)> bindings, ulong address, uint atcSize) =>
        [.. bindings.Select(b => Command.AtcInv(b.StreamId, b.SubstreamId, address, atcSize, global: false))];

    // A disposed domain's bindings go with it.
    internal void UnbindAts(object domain)
    {
        lock (_lock)
        {
            _atsBindings.Remove(domain);
        }
    }

    /// <summary>
    /// Registers the handler that answers Page Request Groups, as Linux's iopf queue hands faults to the domain's
    /// handler; null answers every group with Response Failure (as Linux does for unexpected requests).
    /// </summary>
    /// <param name="handler">Makes the pages of a group resident and returns the response code.</param>
    public void SetPageRequestHandler(Func<PageRequestGroup, PriResponseCode>? handler)
    {
        lock (_lock)
        {
            _pageRequestHandler = handler;
        }
    }

    /// <summary>
    /// Drains the PRI queue (digest §8.6) and collects the requests into groups by (StreamID, PRG index); every group
    /// whose Last request arrived goes to the handler, and its answer to the function as CMD_PRI_RESP, without a
    /// CMD_SYNC (Linux's order). Stop PASID markers are dropped. The handler runs outside the driver's lock, so it may
    /// map pages; what it throws (InvalidOperationException, ArgumentException) answers its group Invalid Request.
    /// </summary>
    /// <returns>The groups answered.</returns>
    public IReadOnlyList<PageRequestGroup> ServicePageRequests()
    {
        Func<PageRequestGroup, PriResponseCode>? handler;
        var complete = new List<PageRequestGroup>();
        lock (_lock)
        {
            handler = _pageRequestHandler;
            foreach (var entry in DrainPageRequests())
            {
                if (entry.IsStopMarker)
                {
                    continue;
                }

                var key = (entry.StreamId, (uint)entry.PrgIndex);
                if (!_openGroups.TryGetValue(key, out var requests))
                {
                    _openGroups[key] = requests = [];
                }

                requests.Add(entry);
                if (entry.Last)
                {
                    _openGroups.Remove(key);
                    complete.Add(new PageRequestGroup(entry.StreamId, entry.SSV ? entry.SubstreamId : null, entry.PrgIndex, requests));
                }
            }
        }

        foreach (var group in complete)
        {
            var response = Answer(handler, group);
            Submit(Command.PriResp(group.StreamId, group.SubstreamId, group.PrgIndex, response));
            Interlocked.Increment(ref _groupsAnswered);
            if (response != PriResponseCode.Success)
            {
                Interlocked.Increment(ref _groupsFailed);
            }
        }

        return complete;
    }

    private static PriResponseCode Answer(Func<PageRequestGroup, PriResponseCode>? handler, PageRequestGroup group)
    {
        if (handler is null)
        {
            return PriResponseCode.Failure;
        }

        try
        {
            return handler(group);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // A page that cannot be made resident is an invalid request for the function (IHI0070 §4.5.2).
            return PriResponseCode.InvalidRequest;
        }
    }
}
