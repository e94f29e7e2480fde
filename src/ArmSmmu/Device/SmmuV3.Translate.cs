using System.Runtime.CompilerServices;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// The translation pipeline for one transaction (IHI0070 §3.3): configuration, then translation, then fault handling.
public sealed partial class SmmuV3
{
    private const uint MaxSubstreamId = (1u << 20) - 1;

    /// <summary>Translates one device transaction. Thread-safe; a TLB hit takes no lock and allocates nothing.</summary>
    /// <param name="request">The transaction.</param>
    /// <returns>The outcome: an output address, or the fault (which was also recorded in the event queue where the architecture says so).</returns>
    public TranslationResult Translate(in TranslationRequest request)
    {
        // Fast path: no PMCG counting, no driver check, SMMU enabled, the stream's path in the front table, then a TLB
        // hit (TranslateThrough). Every call from here is in tail position, so this frame saves no register.
        if (!_pmcgCounting && _driverCheck is null && request.Kind == TransactionKind.Untranslated && Enabled(Cr0Flags.SMMUEN)
            && !request.Secure && _configCaches.FrontPath(request) is { ThroughCd: true } path)
        {
            return TranslateThrough(request, path, default(ThreadCell));
        }

        return TranslateOffFastPath(request);
    }

    /// <summary>
    /// Opens a port for one requester (a device, a DMA engine, a simulation thread): translating through it gives what
    /// <see cref="Translate"/> gives, and counts the transaction in the port's own cell rather than the calling thread's.
    /// </summary>
    /// <returns>A new port; dispose it when the requester goes.</returns>
    public TranslationPort OpenPort() => new(this, _configCaches.FastPathTransactions);

    // TranslationPort.Translate: Translate's fast path with the port's cell; everything else as Translate. The entry
    // test is Translate's, written out in both: a shared helper returning the path added 3 instructions to each hit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal TranslationResult TranslateFrom(Caches.PerThreadCounter.Cell cell, in TranslationRequest request)
    {
        if (!_pmcgCounting && _driverCheck is null && request.Kind == TransactionKind.Untranslated && Enabled(Cr0Flags.SMMUEN)
            && !request.Secure && _configCaches.FrontPath(request) is { ThroughCd: true } path)
        {
            return TranslateThrough(request, path, new PortCell(cell));
        }

        return TranslateOffFastPath(request);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateOffFastPath(in TranslationRequest request)
    {
        if (_pmcgCounting && !PmcgTally.Armed)
        {
            return TranslateCounted(request); // IHI0070 §10: count this transaction's events (SmmuV3.PerformanceMonitor.cs)
        }

        if (_driverCheck is not null)
        {
            return TranslateChecked(request); // the driver-bug detector, when SmmuFeatures.CheckDriver (SmmuV3.DriverCheck.cs)
        }

        if (request.Kind == TransactionKind.Untranslated && Enabled(Cr0Flags.SMMUEN) && !request.Secure
            && _configCaches.FindPath(request) is { } path)
        {
            if (path.Kind != StreamPathKind.Translate)
            {
                return TranslateCachedUntranslated(request, path);
            }

            return path.ThroughCd ? TranslateThrough(request, path, default(ThreadCell)) : TranslateAfterTlbLookup(request, path, LookupCounted.PathCached);
        }

        return TranslateUncached(request);
    }

    // Bypass, abort or stage-1-only-bypass paths from the cache, out of Translate's frame so that a TLB hit does not
    // set up the result temporary this branch needs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateCachedUntranslated(in TranslationRequest request, StreamPath path)
    {
        _configCaches.RecordPathHit(path);
        return TranslateUntranslated(request, path);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateUncached(in TranslationRequest request)
    {
        CheckSubstreamId(request);
        if (request.Kind != TransactionKind.Untranslated)
        {
            // IHI0070 §3.9.1: the ATS port (SmmuV3.Ats.cs); §10.3 PMCG events 6 and 7 count what arrives there.
            if (request.Kind == TransactionKind.AtsTranslated)
            {
                PmcgTally.CountAtsTranslatedTransaction();
                return TranslateAtsTranslated(request);
            }

            return TranslateAtsRequest(request);
        }

        if (request.Secure)
        {
            if (_secure is not null)
            {
                return TranslateSecureStream(request);
            }

            // No Secure programming interface is implemented (SMMU_S_IDR1.SECURE_IMPL = 0): a Secure
            // transaction is an unsupported upstream transaction (IHI0070 §7.3.2, F_UUT).
            _recorder.Note("registers", "Secure transaction, but this SMMU has no Secure programming interface: F_UUT");
            return ConfigFault(request, new ConfigError(EventType.FUut));
        }

        if (!Enabled(Cr0Flags.SMMUEN))
        {
            return TranslateWhileDisabled(request);
        }

        // 1. Configuration (IHI0070 §3.3): stream table, STE, SubstreamID, CD; errors are events (§7.3).
        var path = _configuration.Resolve(request, out var error, out var ste);
        if (path is null)
        {
            return ConfigFault(request, error, ste);
        }

        return path.Kind == StreamPathKind.Translate ? TranslateAfterTlbLookup(request, path, LookupCounted.Resolved) : TranslateUntranslated(request, path);
    }

    // 2. Translation (IHI0070 §3.4, §3.17): a permitted TLB hit through a CD is the whole answer; anything else
    // (a denied hit, a miss) goes on to the translation unit.
    // The path came from the path cache through a CD: the transaction is counted on entry (FastPathTransactions: an
    // STE, a CD and a TLB hit), before anything else is live in the frame, and a miss takes the TLB hit back.
    // Not inlined: called in tail position it writes its result straight into Translate's caller's return buffer;
    // inlined, NativeAOT built the result in a temporary and copied it, and the copy stalled on store forwarding
    // (12% of armsmmu_translate's samples).
    // The hit reads what the path and the TLB slot precomputed (intent, TBI masks, the tag and its set-index hash;
    // permissions both stages grant, output base and attributes): no copy of the entry, no AccessIntent, and the TLB's
    // first probe inlined, its slot and version in registers.
    // TCount says where the count goes: the running thread's cell of FastPathTransactions, found by its stack page, or
    // a port's; a struct type argument, so each is compiled into its own copy of this method with nothing to test at
    // run time. The device's count finds its cell without a call (a thread-local access under the JIT is a call to
    // the TLS resolver, 1 ns of the hit); when it cannot, the rest is a call in tail position
    // (TranslateThroughCountingSlowly), so no argument is kept in a saved register across a call.
    // Its calls off the hit take at most six arguments (this and the return buffer included), so that none passes
    // anything on the stack: calling the translation unit with eight from here made every hit reserve stack for them
    // and keep one more value in a saved register (MissLoop: a port's hit 194 -> 187 instructions, the device's
    // 226 -> 223). Counting in the caller instead (Translate inlined) took the device's hit to 219 under NativeAOT, but
    // under the JIT the caller's frame grew, and TlbHitStage1 was 0.6-0.9 ns slower in three alternated in-process
    // BenchmarkDotNet pairs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateThrough<TCount>(in TranslationRequest request, StreamPath path, TCount count)
        where TCount : struct, ITransactionCount
    {
        if (!count.TryAdd(_configCaches, out nuint stackPage))
        {
            return TranslateThroughCountingSlowly(request, path, stackPage);
        }

        ulong address = request.Address;
        var (slot, version) = _tlb.FindFirst(path.Tag, path.TagHash, path.Canonical(address));
        if (slot is null)
        {
            return TranslateThroughMissed(request, path, null, 0);
        }

        uint intent = path.IntentOf(request.Access, request.Privileged);
        if ((slot.Permitted & StreamPath.Required(intent)) == 0)
        {
            return TranslateThroughMissed(request, path, slot, version);
        }

        ulong outputBase = slot.OutputBase;
        ulong offsetMask = slot.OffsetMask;
        int shift = slot.Shift;
        ulong attributeBits = slot.AttributeBits;
        if (!slot.Holds(version))
        {
            // The entry object was refilled while it was read (Tlb.Slot): what was read is not one entry, a miss.
            return TranslateThroughMissed(request, path, null, 0);
        }

        // As Success(slot.Entry, address, Intent(request, path.Ste)).
        var attributes = TransactionAttributes.FromBits(attributeBits | StreamPath.AttributeBits(intent));
        return TranslationResult.Translated(outputBase | (address & offsetMask), (byte)shift, attributes);
    }

    // TranslateThrough when the count took its slow path (the thread's first transaction from this stack page): a call
    // in tail position, so that no value of TranslateThrough's need be kept in a saved register across it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateThroughCountingSlowly(in TranslationRequest request, StreamPath path, nuint stackPage)
    {
        _configCaches.FastPathTransactions.IncrementHotSlow(stackPage);
        return TranslateThrough(request, path, default(Counted));
    }

    // What TranslateThrough did not serve, in this one frame (the copy of the entry and the walk's locals would make
    // every hit pay for them in TranslateThrough's): a hit that does not grant the access (slot given: the translation
    // unit decides, a walk as IHI0070 §3.17 allows), or no slot, because the first probe missed or the slot was refilled
    // while read: then the other probes (Tlb.Lookup's second step) first.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateThroughMissed(in TranslationRequest request, StreamPath path, Tlb.Slot? slot, int version)
    {
        if (slot is null && _tlb.ProbesBeyondFirst)
        {
            (slot, version) = _tlb.FindBeyondFirstProbe(path.Tag, path.Canonical(request.Address));
        }

        return AfterLookup(request, path, path.IntentOf(request.Access, request.Privileged), slot, version, LookupCounted.OnEntry);
    }

    // The TLB lookup of the transactions TranslateThrough does not serve: through a path from the path cache with no CD
    // (stage 1 bypassed, with or without stage 2: the STE overrides stand in for stage 1's attributes, so even a
    // permitted hit goes through AfterLookup), or through a path just resolved (the first transaction after
    // a CFGI; a permitted hit gives what TranslateThrough's would).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TranslationResult TranslateAfterTlbLookup(in TranslationRequest request, StreamPath path, LookupCounted counted)
    {
        var (slot, version) = _tlb.Lookup(path.Tag, path.TagHash, path.Canonical(request.Address));
        return AfterLookup(request, path, path.IntentOf(request.Access, request.Privileged), slot, version, counted);
    }

    /// <summary>Where TranslateThrough counts a transaction (FastPathTransactions: an STE, a CD and a TLB hit).</summary>
    private interface ITransactionCount
    {
        // Counts the transaction, unless its cell is not at hand: then false, and the key for IncrementHotSlow.
        bool TryAdd(Device.ConfigurationCaches caches, out nuint stackPage);
    }

    // The running thread's cell, found by its stack page (PerThreadCounter.StackCells.cs).
    private readonly struct ThreadCell : ITransactionCount
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryAdd(Device.ConfigurationCaches caches, out nuint stackPage) => caches.FastPathTransactions.TryIncrementHot(out stackPage);
    }

    // A port's own cell of the same counter.
    private readonly struct PortCell(Caches.PerThreadCounter.Cell cell) : ITransactionCount
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryAdd(Device.ConfigurationCaches caches, out nuint stackPage)
        {
            cell.Add(1);
            stackPage = 0;
            return true;
        }
    }

    // Counted already (TranslateThroughCountingSlowly).
    private readonly struct Counted : ITransactionCount
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool TryAdd(Device.ConfigurationCaches caches, out nuint stackPage)
        {
            stackPage = 0;
            return true;
        }
    }

    // What of a transaction's configuration and TLB lookups has been counted when it reaches AfterLookup.
    private enum LookupCounted
    {
        // TranslateThrough: STE, CD and TLB hit, on entry; a miss is taken back here.
        OnEntry,

        // A path with no CD from the path cache: nothing yet.
        PathCached,

        // A path just resolved: the STE and CD lookups, by the resolution.
        Resolved,
    }

    // The translation unit after a TLB lookup, inlined into each of its two callers (each already has a frame of its
    // own: a call with eight arguments from there cost 9 to 17 instructions per miss).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TranslationResult AfterLookup(in TranslationRequest request, StreamPath path, uint intent, Tlb.Slot? slot, int version, LookupCounted counted)
    {
        bool found = Tlb.TryCopy(slot, version, out var hit);
        switch (counted)
        {
            case LookupCounted.OnEntry when !found:
                _configCaches.TlbMissesThroughCd.Increment(); // the TLB hit counted on entry becomes a miss
                break;
            case LookupCounted.PathCached when !found:
                _configCaches.TlbMissesThroughSte.Increment(); // the STE hit and the TLB miss, in one increment
                break;
            case LookupCounted.PathCached:
                _configCaches.RecordPathHit(path);
                _tlb.RecordLookup(hit: true);
                break;
            case LookupCounted.Resolved:
                _tlb.RecordLookup(found);
                break;
        }

        var access = StreamPath.Access(request.Access, intent); // as Intent(request, path.Ste), precomputed by the path
        if (!path.Regime.Stage1Enabled && !path.Regime.Stage2Enabled)
        {
            // Stage 1 bypassed by S1DSS with no stage 2: behaves as an STE bypass for this traffic.
            return TranslateBypass(request, path.Ste);
        }

        var fault = _translation.Translate(request.Address, path, access, hit, out var entry);
        if (fault.Kind != FaultKind.None)
        {
            // 3. Fault handling (IHI0070 §5.5, §7.3): abort, RAZ/WI or stall, and the event record.
            return TranslationFault(request, path.Ste, path.Cd, fault, access);
        }

        return path.Cd is null ? Stage1BypassedSuccess(request, path.Ste, entry, access) : Success(entry, request.Address, access);
    }

    private TranslationResult TranslateUntranslated(in TranslationRequest request, StreamPath path) =>
        path.Kind == StreamPathKind.Bypass ? TranslateBypass(request, path.Ste) : Terminated(EventType.None);

    // IHI0070 §13.5, stage-2-only column: with stage 1 bypassed (Config 0b110, or S1DSS = 0b01 with stage 2) the
    // STE overrides (MTCFG/MemAttr, SHCFG, ALLOCCFG) stand in for the stage-1 output and are combined with stage 2.
    private static TranslationResult Stage1BypassedSuccess(in TranslationRequest request, SteContext ste, in TranslationEntry entry, AccessIntent access)
    {
        var memory = MemoryAttributeDecoder.Combine(ste.OverriddenMemory, entry.Attributes);
        var attributes = new TransactionAttributes(memory, access.Privileged, access.Instruction);
        return TranslationResult.Translated(entry.Translate(request.Address), entry.Shift, attributes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TranslationResult Success(in TranslationEntry entry, ulong address, AccessIntent access)
    {
        var attributes = new TransactionAttributes(entry.Attributes, access.Privileged, access.Instruction, !entry.Secure);
        return TranslationResult.Translated(entry.Translate(address), entry.Shift, attributes);
    }

    // IHI0070 §13.5: PRIVCFG and INSTCFG replace the incoming PnU and InD before translation (when ATTR_PERMS_OVR).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static AccessIntent Intent(in TranslationRequest request, SteContext ste)
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
        return TranslationResult.Bypassed(request.Address, new TransactionAttributes(ste.OverriddenMemory, access.Privileged, access.Instruction, ste.OutputNonSecure));
    }

    private TranslationResult TranslateWhileDisabled(in TranslationRequest request)
    {
        // IHI0070 §6.3.14: with SMMUEN = 0 Non-secure traffic follows GBPA, without events.
        var gbpa = new GbpaRegister(_registers.Control.Gbpa);
        _recorder.Note("registers", $"CR0.SMMUEN = 0: the transaction follows GBPA ({gbpa})");
        if (gbpa.ABORT || (request.Address >> Features.OutputAddressBits) != 0)
        {
            return Terminated(EventType.None);
        }

        var attributes = WithBypassSpace(AttributeOverrides.Apply(request, Features, gbpa.MTCFG, gbpa.MemAttr, gbpa.SHCFG, gbpa.ALLOCCFG, gbpa.PRIVCFG, gbpa.INSTCFG), gbpa);
        return TranslationResult.Bypassed(request.Address, attributes);
    }
}
