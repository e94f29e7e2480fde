using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// The ATS port (IHI0070 §3.9.1, §4.5, §8, §13.6-§13.7): Translation Requests, Translated transactions, the ATS
// Invalidate Requests of CMD_ATC_INV and the PRG responses of CMD_PRI_RESP and of the PRI queue itself.
public sealed partial class SmmuV3
{
    // Guarded by _lock: the functions behind each StreamID, and whether an ATS invalidation since the last CMD_SYNC
    // went unanswered.
    private readonly Dictionary<uint, IAtsEndpoint[]> _endpoints = [];
    private bool _atcInvalidationTimedOut;

    /// <summary>
    /// Connects a PCIe function to the ATS port behind <paramref name="streamId"/>: it receives the ATS Invalidate
    /// Requests CMD_ATC_INV sends to that StreamID and the PRG responses for it (IHI0070 §4.5).
    /// </summary>
    /// <param name="streamId">The function's StreamID (its PCIe RequesterID).</param>
    /// <param name="endpoint">The function.</param>
    /// <exception cref="InvalidOperationException">The SMMU does not implement ATS (IDR0.ATS = 0).</exception>
    public void ConnectEndpoint(uint streamId, IAtsEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        RequireAts();
        lock (_lock)
        {
            var current = _endpoints.GetValueOrDefault(streamId, []);
            if (!current.Contains(endpoint))
            {
                _endpoints[streamId] = [.. current, endpoint];
            }
        }
    }

    /// <summary>Disconnects a function connected with <see cref="ConnectEndpoint"/>.</summary>
    /// <param name="streamId">Its StreamID.</param>
    /// <param name="endpoint">The function.</param>
    /// <returns>Whether it was connected.</returns>
    public bool DisconnectEndpoint(uint streamId, IAtsEndpoint endpoint)
    {
        lock (_lock)
        {
            if (!_endpoints.TryGetValue(streamId, out var current) || !current.Contains(endpoint))
            {
                return false;
            }

            var rest = current.Where(e => !ReferenceEquals(e, endpoint)).ToArray();
            if (rest.Length == 0)
            {
                _endpoints.Remove(streamId);
            }
            else
            {
                _endpoints[streamId] = rest;
            }

            return true;
        }
    }

    /// <summary>
    /// Answers a PCIe ATS Translation Request (IHI0070 §3.9.1.2, §13.6, §13.7): the request's
    /// <see cref="TranslationRequest.Access"/> is the intent (Write means NW = 0, Execute asks for Exe), Privileged and
    /// Execute count only with a PASID. Faults are never recorded for a Translation Request; F_BAD_ATS_TREQ is, and
    /// configuration errors are when CR2.REC_CFG_ATS = 1. Thread-safe, like <see cref="Translate"/>.
    /// </summary>
    /// <param name="request">The request; its <see cref="TranslationRequest.Kind"/> is ignored.</param>
    /// <returns>The Translation Completion.</returns>
    /// <exception cref="InvalidOperationException">The SMMU does not implement ATS (IDR0.ATS = 0): no Translation Request can reach it.</exception>
    public AtsCompletion RequestAtsTranslation(in TranslationRequest request)
    {
        if (_pmcgCounting && !PmcgTally.Armed)
        {
            return RequestAtsTranslationCounted(request); // IHI0070 §10.3 (SmmuV3.PerformanceMonitor.cs)
        }

        PmcgTally.CountAtsTranslationRequest();
        RequireAts();
        CheckSubstreamId(request);
        var tr = request with { Kind = TransactionKind.AtsTranslationRequest };
        if (tr.Secure)
        {
            // IHI0070 §3.9.1: UR, and F_BAD_ATS_TREQ goes to the Secure event queue, which this model does not have.
            return AtsCompletion.Unsupported(EventType.None);
        }

        if (!Enabled(Cr0Flags.SMMUEN))
        {
            return BadAtsRequest(tr); // IHI0070 §3.9.1.2
        }

        var ste = _configuration.LookupSte(tr.StreamId, out var error);
        if (ste is null)
        {
            return AtsConfigurationError(tr, error);
        }

        var config = ste.Ste.Config;
        if ((uint)config < (uint)SteConfig.Bypass)
        {
            return AtsCompletion.Unsupported(EventType.None); // Config 0b000: UR without an event
        }

        AtsEnable eats = EffectiveEats(ste);
        if (config == SteConfig.Bypass || eats == AtsEnable.Disabled)
        {
            return BadAtsRequest(tr);
        }

        // The path cache first, as Translate does: a resolved path allocates, a cached one does not.
        if (!_configCaches.TryGetPath(tr, out var path) && (path = _configuration.Resolve(tr, out error, out _)) is null)
        {
            // IHI0070 §3.9.1.2: a stage-2 fault on the CD fetch answers "no access"; other errors are CA.
            return error.Type is EventType.FTranslation or EventType.FAddrSize or EventType.FAccess or EventType.FPermission
                ? AtsCompletion.NoAccess(tr.Address, StuShift, AtsPrivilege(tr))
                : AtsConfigurationError(tr, error);
        }

        return path.Kind == StreamPathKind.Translate ? AtsTranslate(tr, path, eats) : AtsIdentity(tr);
    }

    // IHI0070 §5.2 EATS: 0b10 behaves as 0b00 while CR0.ATSCHK = 0; 0b11 (DPT) behaves as 0b00 without IDR3.DPT.
    private AtsEnable EffectiveEats(SteContext ste) => ste.Ste.EATS switch
    {
        AtsEnable.SplitStage when !Enabled(Cr0Flags.ATSCHK) => AtsEnable.Disabled,
        AtsEnable.FullWithDpt => AtsEnable.Disabled,
        var eats => eats,
    };

    // The Smallest Translation Unit: the smallest granule IDR5 advertises (IHI0070 §3.9.1).
    private byte StuShift => Features.Granule4K ? (byte)12 : Features.Granule16K ? (byte)14 : (byte)16;

    // IHI0070 §13.7: without a PASID, a request is Data and Unprivileged.
    private static bool AtsPrivilege(in TranslationRequest tr) => tr.SubstreamId.HasValue && tr.Privileged;

    private AtsCompletion BadAtsRequest(in TranslationRequest tr)
    {
        // IHI0070 §7.3.6: the requested R/W/X/Priv and Span have no bit positions in the public sources (digest
        // 5.2), so the record carries StreamID, SubstreamID and InputAddr.
        RecordEvent(BaseRecord(tr, EventType.FBadAtsTreq) with { InputAddress = tr.Address });
        return AtsCompletion.Unsupported(EventType.FBadAtsTreq);
    }

    // IHI0070 §3.9.1.2: configuration errors and external aborts are CA; recorded only with CR2.REC_CFG_ATS
    // (C_BAD_STREAMID also needs RECINVSID).
    private AtsCompletion AtsConfigurationError(in TranslationRequest tr, in ConfigError error)
    {
        bool record = RecordAtsConfigErrors && (error.Type != EventType.CBadStreamId || Cr2.RECINVSID);
        if (record)
        {
            RecordEvent(BaseRecord(tr, error.Type) with { FetchAddress = error.FetchAddress });
        }

        return AtsCompletion.Abort(record ? error.Type : EventType.None);
    }

    private bool RecordAtsConfigErrors => Features.AtsRecordErrors && Cr2.REC_CFG_ATS;

    // IHI0070 §13.6.4: stage 1 skipped by S1DSS with no stage 2: an identity completion, U = 0, R = W = 1, as large as the OAS.
    private AtsCompletion AtsIdentity(in TranslationRequest tr)
    {
        int oas = Features.OutputAddressBits;
        if ((tr.Address >> oas) != 0)
        {
            return AtsCompletion.NoAccess(tr.Address, StuShift, false); // the stage-1 address size fault of a bypass
        }

        return new AtsCompletion { Status = AtsCompletionStatus.Success, SizeShift = (byte)oas, Read = true, Write = true };
    }

    private AtsCompletion AtsTranslate(in TranslationRequest tr, StreamPath path, AtsEnable eats)
    {
        var ste = path.Ste;
        bool privileged = AtsPrivilege(tr);
        bool execute = tr.SubstreamId.HasValue && tr.Access == AccessKind.Execute;

        // The walk is a data access with the request's write intention, so HTTU sets the Access flag, and the dirty
        // state only for NW = 0 (IHI0070 §3.13.7, §13.7); the grants then come from the translation's permissions.
        var access = new AccessIntent(tr.Access == AccessKind.Write, false, AttributeOverrides.Privileged(ste.PrivCfg, privileged));
        if (!_translation.TryHitCounted(path.Tag, tr.Address, path.Regime, access, out var entry))
        {
            var fault = _translation.Translate(tr.Address, path, access, entry, out entry);
            if (fault.Kind == FaultKind.ExternalAbort)
            {
                return AtsConfigurationError(tr, new ConfigError(EventType.FWalkEabt, fault.FetchAddress));
            }

            if (fault.Kind != FaultKind.None && (fault.Kind != FaultKind.Permission || entry.Shift == 0))
            {
                return AtsCompletion.NoAccess(tr.Address, StuShift, privileged); // IHI0070 §3.9.1.2
            }
        }

        // Split-stage ATS returns the IPA stage 1 produced (IHI0070 §13.6.3), or the request's own address when stage 1
        // is skipped (§13.6.5); full ATS the PA.
        ulong output = eats != AtsEnable.SplitStage ? entry.OutputBase
            : path.Cd is not null ? entry.IntermediateBase
            : tr.Address & ~Bits.Mask(entry.Shift);
        var completion = Grant(entry.Stage1Permissions & entry.Stage2Permissions, access.Privileged, execute, ste.InstCfg);
        return completion with { TranslatedAddress = output, SizeShift = entry.Shift, Privileged = privileged };
    }

    // IHI0070 §13.7.1: R, W and Exe for the effective privilege; INSTCFG changes what counts as readable.
    private static AtsCompletion Grant(PagePermissions permissions, bool privileged, bool execute, uint instCfg)
    {
        bool read = (permissions & (privileged ? PagePermissions.PrivilegedRead : PagePermissions.UnprivilegedRead)) != 0;
        bool write = (permissions & (privileged ? PagePermissions.PrivilegedWrite : PagePermissions.UnprivilegedWrite)) != 0;
        bool exec = (permissions & (privileged ? PagePermissions.PrivilegedExecute : PagePermissions.UnprivilegedExecute)) != 0;
        (bool r, bool x) = instCfg switch
        {
            3 => (exec, execute && exec),   // Instruction: every read is a fetch, so an XO page grants R and Exe
            2 => (read, execute && read),   // Data: anything readable may be executed
            _ => (read, execute && read && exec), // use incoming: an XO page grants nothing to ATS
        };
        return new AtsCompletion { Status = AtsCompletionStatus.Success, Read = r, Write = write, Execute = x };
    }

    // Translate with Kind = AtsTranslationRequest: the completion seen as a transaction result.
    private TranslationResult TranslateAtsRequest(in TranslationRequest request)
    {
        var completion = RequestAtsTranslation(request);
        if (completion.Permits(request.Access))
        {
            var attributes = new TransactionAttributes(AttributeOverrides.Incoming, completion.Privileged, completion.Execute && request.Access == AccessKind.Execute);
            return TranslationResult.Translated(completion.Translate(request.Address), completion.SizeShift, attributes);
        }

        return TranslationResult.Faulted(completion.Event, recorded: completion.Event != EventType.None);
    }

    // IHI0070 §3.9.1.3: a Translated transaction. Without IDR3.PASIDTT it is Data, Unprivileged and without a
    // SubstreamID (§13.7), whatever the function sent.
    private TranslationResult TranslateAtsTranslated(in TranslationRequest request)
    {
        var plain = request with
        {
            SubstreamId = null,
            Privileged = false,
            Access = request.Access == AccessKind.Write ? AccessKind.Write : AccessKind.Read,
        };
        if (request.Secure || !Enabled(Cr0Flags.SMMUEN))
        {
            return TranslationForbidden(plain);
        }

        if (!Enabled(Cr0Flags.ATSCHK))
        {
            return PassTranslated(plain, AttributeOverrides.Incoming); // no checks but the address size (§3.9.1.1)
        }

        var ste = _configuration.LookupSte(plain.StreamId, out var error);
        if (ste is null)
        {
            // With ATSCHK, configuration errors abort; recorded with REC_CFG_ATS, C_BAD_STREAMID regardless of RECINVSID.
            bool record = RecordAtsConfigErrors && RecordEvent(BaseRecord(plain, error.Type) with { FetchAddress = error.FetchAddress });
            return TranslationResult.Faulted(error.Type, record);
        }

        var config = ste.Ste.Config;
        if ((uint)config < (uint)SteConfig.Bypass)
        {
            return Terminated(EventType.None); // Config 0b000: aborted silently
        }

        AtsEnable eats = EffectiveEats(ste);
        if (config == SteConfig.Bypass || eats == AtsEnable.Disabled)
        {
            return TranslationForbidden(plain);
        }

        if (eats != AtsEnable.SplitStage)
        {
            return PassTranslated(plain, ste.OverriddenMemory);
        }

        // IHI0070 §13.6.3: under split-stage ATS the address is an IPA, translated and checked by stage 2 like
        // ordinary traffic (its faults are recorded), with the PRIVCFG/INSTCFG overrides applied first (§13.7).
        var access = Intent(plain, ste);
        if (!_translation.TryHitCounted(ste.Stage1BypassKey.Pack(), plain.Address, ste.Stage1BypassRegime, access, out var entry))
        {
            var fault = _translation.Translate(plain.Address, ste.Stage1BypassRegime, ste.Stage1BypassKey, access, entry, out entry);
            if (fault.Kind != FaultKind.None)
            {
                return TranslationFault(plain, ste, null, fault, access);
            }
        }

        return Stage1BypassedSuccess(plain, ste, entry, access);
    }

    // A Translated transaction that bypasses translation; above the OAS it is aborted without an event (IHI0070
    // §3.9.1.1, the first IMPLEMENTATION DEFINED choice).
    private TranslationResult PassTranslated(in TranslationRequest plain, MemoryAttributes memory) =>
        (plain.Address >> Features.OutputAddressBits) != 0
            ? Terminated(EventType.None)
            : TranslationResult.Bypassed(plain.Address, new TransactionAttributes(memory, false, false));

    // IHI0070 §7.3.8: F_TRANSL_FORBIDDEN carries StreamID, RnW and InputAddr.
    private TranslationResult TranslationForbidden(in TranslationRequest plain)
    {
        var record = BaseRecord(plain, EventType.FTranslForbidden) with { RnW = plain.Access != AccessKind.Write, InputAddress = plain.Address };
        bool written = RecordEvent(record);
        return TranslationResult.Faulted(EventType.FTranslForbidden, written) with { Event = record };
    }

    // IHI0070 §4.5.1: CMD_ATC_INV sends an ATS Invalidate Request to every function behind the StreamID. IGNORED while
    // SMMUEN = 0; a Size above 52 is (permitted to be) CERROR_ILL.
    private CommandError ExecuteAtcInvalidate(in Command c)
    {
        if (!Features.Ats || c.SSec || c.AtcSize > 52)
        {
            return CommandError.Ill;
        }

        if (!Enabled(Cr0Flags.SMMUEN) || !_endpoints.TryGetValue(c.StreamId, out var endpoints))
        {
            return CommandError.None;
        }

        int shift = 12 + (int)c.AtcSize;
        ulong address = shift >= 64 ? 0 : c.Address & ~Bits.Mask(shift);
        uint? pasid = c.SSV && Features.SubstreamIdBits > 0 ? c.SubstreamId : null; // without substreams SSV behaves as 0
        var invalidation = new AtcInvalidation(c.StreamId, pasid, address, Math.Min(shift, 64), pasid.HasValue && c.Global);
        foreach (var endpoint in endpoints)
        {
            _atcInvalidationTimedOut |= !endpoint.Invalidate(invalidation);
        }

        return CommandError.None;
    }

    // IHI0070 §3.9.1.4: a CMD_SYNC after an ATS invalidation that never completed fails with CERROR_ATC_INV_SYNC; CONS
    // stays on it, and once software acknowledges, the repeated CMD_SYNC completes (the failure was reported).
    private bool TakeAtcInvalidationFailure()
    {
        bool failed = _atcInvalidationTimedOut;
        _atcInvalidationTimedOut = false;
        return failed;
    }

    // IHI0070 §4.5.2: CMD_PRI_RESP sends the PRG response to the function; IGNORED while SMMUEN = 0.
    private CommandError ExecutePriResponse(in Command c)
    {
        if (!PriImplemented || c.PriResponse > PriResponseCode.Success)
        {
            return CommandError.Ill;
        }

        if (Enabled(Cr0Flags.SMMUEN))
        {
            uint? pasid = c.SSV && Features.SubstreamIdBits > 0 ? c.SubstreamId : null;
            SendPageResponse(new PageRequestGroupResponse(c.StreamId, pasid, c.PrgIndex, c.PriResponse, Automatic: false));
        }

        return CommandError.None;
    }

    // IHI0070 §8.2: with the PRI queue disabled or in PRIQ_ABT_ERR (or a write of it aborted), every page request but
    // a Stop marker is answered Response Failure, without a PASID.
    private void AutoRespondFailure(in PriQueueEntry request)
    {
        if (!request.IsStopMarker)
        {
            SendPageResponse(new PageRequestGroupResponse(request.StreamId, null, request.PrgIndex, PriResponseCode.Failure, Automatic: true));
        }
    }

    // IHI0070 §8.1: a request discarded by overflow is answered Success when it is the Last of its group; with a PASID
    // the response keeps it when STE.PPAR = 1 (IDR3.PPS = 0 here), and an STE that cannot be checked makes it a
    // Response Failure without a PASID.
    private void AutoRespondOverflow(in PriQueueEntry request)
    {
        if (!request.Last || request.IsStopMarker)
        {
            return;
        }

        uint? pasid = null;
        var code = PriResponseCode.Success;
        if (request.SSV && Features.SubstreamIdBits > 0)
        {
            var ste = _configuration.LookupSte(request.StreamId, out var error);
            code = ste is null ? PriResponseCode.Failure : PriResponseCode.Success;

            // IHI0070 §8.1: an error met while checking STE.PPAR is recorded when CR2.REC_CFG_ATS = 1 (C_BAD_STREAMID
            // only with RECINVSID = 1 too); otherwise no event.
            if (ste is null && RecordAtsConfigErrors && (error.Type != EventType.CBadStreamId || Cr2.RECINVSID))
            {
                RecordEvent(new EventRecord { Type = error.Type, StreamId = request.StreamId, SSV = true, SubstreamId = request.SubstreamId, FetchAddress = error.FetchAddress });
            }
            pasid = ste is { Ste.PPAR: true } ? request.SubstreamId : null;
        }

        SendPageResponse(new PageRequestGroupResponse(request.StreamId, pasid, request.PrgIndex, code, Automatic: true));
    }

    private void SendPageResponse(in PageRequestGroupResponse response)
    {
        if (_endpoints.TryGetValue(response.StreamId, out var endpoints))
        {
            foreach (var endpoint in endpoints)
            {
                endpoint.ReceivePageResponse(response);
            }
        }
    }

    private void RequireAts()
    {
        if (!Features.Ats)
        {
            throw new InvalidOperationException("This SMMU does not implement ATS (IDR0.ATS = 0): it has no ATS port.");
        }
    }

    private static void CheckSubstreamId(in TranslationRequest request)
    {
        if (request.SubstreamId is > MaxSubstreamId)
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"SubstreamID 0x{request.SubstreamId:X} does not fit the 20 bits a PASID has.");
        }
    }
}
