using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// The last step of the pipeline: a fault becomes an abort, RAZ/WI or stall, and an event record (IHI0070 §5.5, §7.3).
public sealed partial class SmmuV3
{
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
        _recorder.Note("result", $"{EventRecord.TypeName(type)} at {(fault.Stage2 ? "stage 2" : "stage 1")}, CLASS {fault.Class}: {(stall ? "stall" : abort ? "abort" : "RAZ/WI")}{(record || stall ? ", recorded" : ", not recorded")}{(configurable ? (fault.Stage2 ? " (STE.S2S/S2R, IHI0070 §5.5)" : " (CD.A/R/S, IHI0070 §5.5)") : string.Empty)}");
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

    internal static EventType FaultEvent(FaultKind kind) => kind switch
    {
        FaultKind.Translation => EventType.FTranslation,
        FaultKind.AddressSize => EventType.FAddrSize,
        FaultKind.Access => EventType.FAccess,
        FaultKind.Permission => EventType.FPermission,
        FaultKind.ExternalAbort => EventType.FWalkEabt,
        _ => EventType.None,
    };
}
