using System.Runtime.CompilerServices;
using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// The translation pipeline for one transaction (IHI0070 §3.3, §15).
public sealed partial class SmmuV3
{
    private const uint MaxSubstreamId = (1u << 20) - 1;

    /// <summary>Translates one device transaction. Thread-safe; a TLB hit takes no lock and allocates nothing.</summary>
    /// <param name="request">The transaction.</param>
    /// <returns>The outcome: an output address, or the fault (which was also recorded in the event queue where the architecture says so).</returns>
    public TranslationResult Translate(in TranslationRequest request)
    {
        // The common case stays small: SMMU enabled, configuration cached, then the TLB. Everything else (checks
        // of the request, SMMUEN = 0, configuration fetches, faults) lives in methods of its own.
        if (Enabled(Cr0Flags.SMMUEN) && !request.Secure
            && _pathCache.TryGet(request.StreamId, request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream, out var path))
        {
            // The path stands for an STE (and CD) lookup that hit: count it where a cache study looks for it.
            _steCache.Statistics.RecordHit();
            if (path.Cd is not null)
            {
                _cdCache.Statistics.RecordHit();
            }

            return path.Kind == StreamPathKind.Translate
                ? TranslateWith(request, path.Ste, path.Cd, path.Regime, path.Key)
                : TranslateUntranslated(request, path);
        }

        return TranslateUncached(request);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateUncached(in TranslationRequest request)
    {
        if (request.SubstreamId is > MaxSubstreamId)
        {
            throw new ArgumentOutOfRangeException(nameof(request), $"SubstreamID 0x{request.SubstreamId:X} does not fit the 20 bits a PASID has.");
        }

        if (request.Secure)
        {
            // No Secure programming interface is implemented (SMMU_S_IDR1.SECURE_IMPL = 0): a Secure
            // transaction is an unsupported upstream transaction (IHI0070 §7.3.2, F_UUT).
            Note("registers", "Secure transaction, but this SMMU has no Secure programming interface: F_UUT");
            return ConfigFault(request, new ConfigError(EventType.FUut));
        }

        if (!Enabled(Cr0Flags.SMMUEN))
        {
            return TranslateWhileDisabled(request);
        }

        // One lookup will then find everything the STE and CD decided for this (StreamID, SubstreamID).
        uint ssidKey = request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream;
        long generation = _pathCache.Generation;
        var path = ResolvePath(request, out var failure);
        if (path is null)
        {
            return failure;
        }

        _pathCache.Add(request.StreamId, ssidKey, path, generation);
        return path.Kind == StreamPathKind.Translate
            ? TranslateWith(request, path.Ste, path.Cd, path.Regime, path.Key)
            : TranslateUntranslated(request, path);
    }

    private TranslationResult TranslateUntranslated(in TranslationRequest request, StreamPath path) =>
        path.Kind == StreamPathKind.Bypass ? TranslateBypass(request, path.Ste) : Terminated(EventType.None);

    // The configuration part of the pipeline: STE, SubstreamID checks, CD. Null with the failure's result when
    // the configuration is in error (never cached: the event is recorded for every transaction).
    private StreamPath? ResolvePath(in TranslationRequest request, out TranslationResult failure)
    {
        failure = default;
        var ste = LookupSte(request.StreamId, out var steError);
        if (ste is null)
        {
            failure = ConfigFault(request, steError);
            return null;
        }

        var entry = ste.Ste;
        bool s1 = entry.Stage1Enabled;
        Note("STE", $"valid: Config {entry.Config}, StreamWorld {ste.World}, VMID {ste.Vmid}");
        if (!s1 && request.SubstreamId.HasValue)
        {
            Note("substream", "a SubstreamID with stage 1 not translating: C_BAD_SUBSTREAMID (Config 0b0xx aborts first)");
            // IHI0070 §3.9: a SubstreamID with stage 1 disabled (or bypassed by Config) is C_BAD_SUBSTREAMID.
            if ((uint)entry.Config < 4)
            {
                return StreamPath.Abort(ste);
            }

            failure = ConfigFault(request, new ConfigError(EventType.CBadSubstreamId));
            return null;
        }

        switch (entry.Config)
        {
            case SteConfig.Bypass:
                return StreamPath.Bypass(ste);
            case SteConfig.Stage1Translate:
            case SteConfig.Stage2Translate:
            case SteConfig.Nested:
                break;
            default:
                // IHI0070 §5.2: Config 0b000 (and reserved 0b0xx) aborts without an event.
                Note("STE", "Config 0b0xx: every transaction is aborted, without an event (IHI0070 §5.2)");
                return StreamPath.Abort(ste);
        }

        if (!s1)
        {
            return StreamPath.Stage1Bypassed(ste);
        }

        // IHI0070 §5.2 S1CDMax / S1DSS: choose the CD, or bypass stage 1, or refuse the stream.
        uint cdIndex;
        uint cdMax = entry.S1CDMax;
        EventType refusal = EventType.None;
        if (cdMax == 0 || Features.SubstreamIdBits == 0)
        {
            refusal = request.SubstreamId.HasValue ? EventType.CBadSubstreamId : EventType.None;
            cdIndex = 0;
        }
        else if (request.SubstreamId is uint ssid)
        {
            refusal = ssid >= (1u << (int)cdMax) ? EventType.CBadSubstreamId
                : ssid == 0 && entry.S1DSS == DefaultSubstream.Substream0 ? EventType.FStreamDisabled
                : EventType.None;
            cdIndex = ssid;
        }
        else
        {
            switch (entry.S1DSS)
            {
                case DefaultSubstream.Bypass:
                    Note("substream", "no SubstreamID and S1DSS = 0b01: stage 1 is bypassed for this traffic");
                    return StreamPath.Stage1Bypassed(ste);
                case DefaultSubstream.Substream0:
                    cdIndex = 0;
                    break;
                default:
                    refusal = EventType.FStreamDisabled;
                    cdIndex = 0;
                    break;
            }
        }

        if (request.SubstreamId.HasValue)
        {
            Note("substream", $"S1CDMax {cdMax}: SubstreamID 0x{request.SubstreamId:X} selects CD {cdIndex}");
        }
        else
        {
            Note("substream", $"no SubstreamID: S1CDMax {cdMax}, S1DSS {(uint)entry.S1DSS} selects CD {cdIndex}");
        }

        if (refusal != EventType.None)
        {
            Note("substream", $"refused: {EventRecord.TypeName(refusal)}");
            failure = ConfigFault(request, new ConfigError(refusal));
            return null;
        }

        var cd = LookupCd(ste, request.StreamId, cdIndex, out var cdError);
        if (cd is null)
        {
            failure = ConfigFault(request, cdError, ste);
            return null;
        }

        return StreamPath.Translated(ste, cd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TranslationResult TranslateWith(in TranslationRequest request, SteContext ste, CdContext? cd, in TranslationRegime regime, in TlbKey key)
    {
        var access = Intent(request, ste);
        if (_tlb.TryLookup(key, TlbAddress(request.Address, regime), out var hit)
            && cd is not null
            && PermissionCheck.Check(hit, request.Address, access).Kind == FaultKind.None)
        {
            return Success(hit, request.Address, access);
        }

        return TranslateAfterLookup(request, ste, cd, regime, key, access, hit);
    }

    // Everything but a permitted stage-1 TLB hit: stage-1-bypassed hits, denied hits, walks. `hit` is the TLB
    // entry found (Shift 0 when the lookup missed).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateAfterLookup(
        in TranslationRequest request, SteContext ste, CdContext? cd, in TranslationRegime regime, in TlbKey key, AccessIntent access, in TranslationEntry hit)
    {
        if (!regime.Stage1Enabled && !regime.Stage2Enabled)
        {
            // Stage 1 bypassed by S1DSS with no stage 2: behaves as an STE bypass for this traffic.
            return TranslateBypass(request, ste);
        }

        if (hit.Shift != 0)
        {
            var denied = PermissionCheck.Check(hit, request.Address, access);
            if (denied.Kind == FaultKind.None)
            {
                return cd is null ? Stage1BypassedSuccess(request, ste, hit, access) : Success(hit, request.Address, access);
            }

            // A clean page that hardware may mark dirty: walk again so the walker performs the update (IHI0070 §3.13).
            bool dirtyUpdate = access.Write && (denied.Stage2 ? hit.Stage2DirtyUpdatable : hit.Stage1DirtyUpdatable);
            if (!dirtyUpdate)
            {
                return TranslationFault(request, ste, cd, denied, access);
            }
        }

        long generation = _tlb.Generation;
        var walk = Walk(request.Address, regime, access);
        Statistics.CountWalk(walk.DescriptorReads);
        if (walk.Cacheable)
        {
            _tlb.Insert(key, walk.Entry, generation);
        }

        if (!walk.Success)
        {
            if (Explaining && walk.Fault.Kind == FaultKind.Permission && walk.Entry.Shift != 0)
            {
                Note("walk", $"the translation grants {walk.Entry.Stage1Permissions} at stage 1 and {walk.Entry.Stage2Permissions} at stage 2; this access needs {PermissionCheck.Required(access)}");
            }

            return TranslationFault(request, ste, cd, walk.Fault, access);
        }

        return cd is null ? Stage1BypassedSuccess(request, ste, walk.Entry, access) : Success(walk.Entry, request.Address, access);
    }

    // DDI0487 D8.8 (TBI): the top byte of a VA takes no part in translation, and the walker caches entries with it
    // sign-extended from bit 55; look tagged addresses up in the same canonical form.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong TlbAddress(ulong address, in TranslationRegime regime)
    {
        if (!regime.Stage1Enabled)
        {
            return address;
        }

        bool upper = (address & (1UL << 55)) != 0;
        bool tbi = upper ? regime.Stage1.Tbi1 : regime.Stage1.Tbi0;
        return !tbi ? address : upper ? address | 0xFF00_0000_0000_0000 : address & 0x00FF_FFFF_FFFF_FFFF;
    }

    // IHI0070 §13.5, stage-2-only column: with stage 1 bypassed (Config 0b110, or S1DSS = 0b01 with stage 2) the
    // STE overrides (MTCFG/MemAttr, SHCFG, ALLOCCFG) stand in for the stage-1 output and are combined with stage 2.
    private TranslationResult Stage1BypassedSuccess(in TranslationRequest request, SteContext ste, in TranslationEntry entry, AccessIntent access)
    {
        var memory = MemoryAttributeDecoder.Combine(ste.OverriddenMemory, entry.Attributes);
        var attributes = new TransactionAttributes(memory, access.Privileged, access.Instruction);
        return TranslationResult.Translated(entry.Translate(request.Address), entry.Shift, attributes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TranslationResult Success(in TranslationEntry entry, ulong address, AccessIntent access)
    {
        var attributes = new TransactionAttributes(entry.Attributes, access.Privileged, access.Instruction);
        return TranslationResult.Translated(entry.Translate(address), entry.Shift, attributes);
    }

    // IHI0070 §13.5: PRIVCFG and INSTCFG replace the incoming PnU and InD before translation (when ATTR_PERMS_OVR).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static AccessIntent Intent(in TranslationRequest request, SteContext ste)
    {
        bool write = request.Access == AccessKind.Write;
        return new AccessIntent(
            write,
            AttributeOverrides.Instruction(ste.InstCfg, request.Access == AccessKind.Execute, write),
            AttributeOverrides.Privileged(ste.PrivCfg, request.Privileged));
    }

    private TranslationResult TranslateBypass(in TranslationRequest request, SteContext ste)
    {
        // IHI0070 §3.4.1 (digest 7.8): bypassed input above the OAS is a stage-1 address size fault, CLASS IN.
        if ((request.Address >> Features.OutputAddressBits) != 0)
        {
            return TranslationFault(request, ste, null, new WalkFault(FaultKind.AddressSize, false, FaultClass.IN), Intent(request, ste));
        }

        var access = Intent(request, ste);
        return TranslationResult.Bypassed(request.Address, new TransactionAttributes(ste.OverriddenMemory, access.Privileged, access.Instruction));
    }

    private TranslationResult TranslateWhileDisabled(in TranslationRequest request)
    {
        // IHI0070 §6.3.14: with SMMUEN = 0 Non-secure traffic follows GBPA, without events.
        var gbpa = new GbpaRegister(_registers.Control.Gbpa);
        Note("registers", $"CR0.SMMUEN = 0: the transaction follows GBPA ({gbpa})");
        if (gbpa.ABORT || (request.Address >> Features.OutputAddressBits) != 0)
        {
            return Terminated(EventType.None);
        }

        var attributes = AttributeOverrides.Apply(request, Features, gbpa.MTCFG, gbpa.MemAttr, gbpa.SHCFG, gbpa.ALLOCCFG, gbpa.PRIVCFG, gbpa.INSTCFG);
        return TranslationResult.Bypassed(request.Address, attributes);
    }

    private static TranslationResult Terminated(EventType fault) => TranslationResult.Faulted(fault, recorded: false);

    // Configuration errors always abort and are always recorded when the queue can take them (IHI0070 §7.3).
    private TranslationResult ConfigFault(in TranslationRequest request, in ConfigError error, SteContext? ste = null)
    {
        if (error.Type is EventType.FTranslation or EventType.FAddrSize or EventType.FAccess or EventType.FPermission && ste is not null)
        {
            // A stage-2 fault while fetching a CD follows the stage-2 fault configuration (CLASS = CD).
            return TranslationFault(request, ste, null, error.Stage2Fault, Intent(request, ste));
        }

        if (error.Type == EventType.FWalkEabt && ste is not null)
        {
            return TranslationFault(request, ste, null, error.Stage2Fault, Intent(request, ste));
        }

        bool cbadStreamId = error.Type == EventType.CBadStreamId;
        if (cbadStreamId && !Cr2.RECINVSID)
        {
            return Terminated(error.Type); // CR2.RECINVSID = 0: not recorded
        }

        var record = BaseRecord(request, error.Type) with { FetchAddress = error.FetchAddress };
        if (error.Type is EventType.CBadSubstreamId)
        {
            // C_BAD_SUBSTREAMID always carries the SubstreamID and has no SSV (IHI0070 §7.3.9).
            record = record with { SSV = false, SubstreamId = request.SubstreamId ?? 0 };
        }
        else if (error.Type is EventType.FStreamDisabled)
        {
            record = record with { SSV = false, SubstreamId = 0 };
        }
        else if (error.Type is EventType.FUut)
        {
            record = record with { RnW = request.Access != AccessKind.Write, InD = request.Access == AccessKind.Execute, PnU = request.Privileged, InputAddress = request.Address };
        }

        bool written = RecordEvent(record);
        return TranslationResult.Faulted(error.Type, written) with { Event = record };
    }

    private static EventRecord BaseRecord(in TranslationRequest request, EventType type) => new()
    {
        Type = type,
        StreamId = request.StreamId,
        SSV = request.SubstreamId.HasValue,
        SubstreamId = request.SubstreamId ?? 0,
    };

    // IHI0070 §5.5: F_TRANSLATION, F_ADDR_SIZE, F_ACCESS and F_PERMISSION follow CD.{A,R,S} at stage 1 and
    // STE.{S2R,S2S} at stage 2 (A fixed at 1); every other fault aborts and is recorded.
    private TranslationResult TranslationFault(in TranslationRequest request, SteContext ste, CdContext? cd, in WalkFault fault, AccessIntent access)
    {
        var type = FaultEvent(fault.Kind);
        bool configurable = fault.Kind != FaultKind.ExternalAbort;
        bool stall, record, abort;
        if (!configurable)
        {
            (stall, record, abort) = (false, true, true);
        }
        else if (fault.Stage2)
        {
            (stall, record, abort) = (ste.Ste.S2S, ste.Ste.S2R || ste.Ste.S2S, true);
        }
        else if (cd is not null)
        {
            (stall, record, abort) = (cd.Cd.S, cd.Cd.R || cd.Cd.S, cd.Cd.A || Features.AbortOnlyTermination);
        }
        else
        {
            (stall, record, abort) = (false, true, true); // stage-1 bypass address size fault: no CD to configure it
        }

        stall &= Features.StallModel != StallModel.TerminateOnly;
        Note("result", $"{EventRecord.TypeName(type)} at {(fault.Stage2 ? "stage 2" : "stage 1")}, CLASS {fault.Class}: {(stall ? "stall" : abort ? "abort" : "RAZ/WI")}{(record || stall ? ", recorded" : ", not recorded")}{(configurable ? (fault.Stage2 ? " (STE.S2S/S2R, IHI0070 §5.5)" : " (CD.A/R/S, IHI0070 §5.5)") : string.Empty)}");
        var eventRecord = BaseRecord(request, type) with
        {
            PnU = access.Privileged,
            InD = access.Instruction,
            RnW = !access.Write,
            S2 = fault.Stage2,
            Class = fault.Class,
            InputAddress = request.Address,
        };
        eventRecord = fault.Kind == FaultKind.ExternalAbort
            ? eventRecord with { FetchAddress = fault.FetchAddress }
            : eventRecord with { Ipa = fault.Stage2 ? fault.Ipa : 0, TTRnW = fault.Kind == FaultKind.Permission && !fault.DescriptorWrite && fault.Class == FaultClass.TT };

        if (stall && TryBeginStall(request.StreamId, out ushort stag))
        {
            // IHI0070 §7.4: the record is written now or held until the event queue is next writable.
            eventRecord = eventRecord with { Stall = true, StallTag = stag };
            RecordStallEvent(eventRecord);
            return new TranslationResult { Outcome = TranslationOutcome.Stalled, Fault = type, FaultRecorded = true, StallTag = stag, Event = eventRecord };
        }

        bool written = record && RecordEvent(eventRecord);
        var termination = abort ? Termination.Abort : Termination.RazWi;
        return TranslationResult.Faulted(type, written, termination) with { Event = eventRecord };
    }
}
