using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Device;

/// <summary>
/// The configuration stage of the pipeline (IHI0070 §3.3): stream table → STE → SubstreamID and CD selection →
/// CD, each fetched through <see cref="ConfigurationCaches"/>, and in nested configurations each CD-table address
/// translated by stage 2 first. The result is a <see cref="StreamPath"/>: what the translation unit needs.
/// </summary>
/// <remarks>Thread-safe: the caches take care of concurrent fills and invalidations.</remarks>
internal sealed class ConfigurationLookup(
    IPhysicalMemory memory, SmmuFeatures features, Walker walker, IStreamTableRegisters registers, ConfigurationCaches caches, ExplanationRecorder? recorder)
{
    private const int SteBytes = 64;
    private const int CdBytes = 64;

    public ConfigurationCaches Caches { get; } = caches;

    /// <summary>
    /// The configuration of the request's (StreamID, SubstreamID), cached as a path once found. Null when the
    /// configuration is in error: <paramref name="error"/> is the event, <paramref name="ste"/> the STE when one
    /// was found (a stage-2 fault on a CD fetch follows its S2R/S2S). Errors are never cached: the event is
    /// recorded for every transaction (IHI0070 §7.3).
    /// </summary>
    public StreamPath? Resolve(in TranslationRequest request, out ConfigError error, out SteContext? ste)
    {
        uint ssidKey = request.SubstreamId ?? ConfigCache<StreamPath>.NoSubstream;
        long generation = Caches.Paths.Generation;
        var path = SelectPath(request, out error, out ste);
        if (path is not null)
        {
            path.Bind(request.StreamId, ssidKey);
            Caches.Paths.Add(request.StreamId, ssidKey, path, generation);
        }

        return path;
    }

    private StreamPath? SelectPath(in TranslationRequest request, out ConfigError error, out SteContext? ste)
    {
        ste = LookupSte(request.StreamId, out error);
        if (ste is null)
        {
            return null;
        }

        var entry = ste.Ste;
        recorder.Note("STE", $"valid: Config {entry.Config}, StreamWorld {ste.World}, VMID {ste.Vmid}");
        if (!entry.Stage1Enabled && request.SubstreamId.HasValue)
        {
            recorder.Note("substream", "a SubstreamID with stage 1 not translating: C_BAD_SUBSTREAMID (Config 0b0xx aborts first)");
            // IHI0070 §3.9: a SubstreamID with stage 1 disabled (or bypassed by Config) is C_BAD_SUBSTREAMID.
            if ((uint)entry.Config < 4)
            {
                return StreamPath.Abort(ste);
            }

            error = new ConfigError(EventType.CBadSubstreamId);
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
                recorder.Note("STE", "Config 0b0xx: every transaction is aborted, without an event (IHI0070 §5.2)");
                return StreamPath.Abort(ste);
        }

        if (!entry.Stage1Enabled)
        {
            return StreamPath.Stage1Bypassed(ste);
        }

        if (!TrySelectCd(request, ste, out uint cdIndex, out error))
        {
            return error.Type == EventType.None ? StreamPath.Stage1Bypassed(ste) : null;
        }

        var cd = LookupCd(ste, request.StreamId, cdIndex, out error);
        return cd is null ? null : StreamPath.Translated(ste, cd);
    }

    // IHI0070 §5.2 S1CDMax / S1DSS: choose the CD, or bypass stage 1 (false with no error), or refuse the stream.
    private bool TrySelectCd(in TranslationRequest request, SteContext ste, out uint cdIndex, out ConfigError error)
    {
        error = default;
        var entry = ste.Ste;
        uint cdMax = entry.S1CDMax;
        EventType refusal = EventType.None;
        if (cdMax == 0 || features.SubstreamIdBits == 0)
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
                    recorder.Note("substream", "no SubstreamID and S1DSS = 0b01: stage 1 is bypassed for this traffic");
                    cdIndex = 0;
                    return false;
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
            recorder.Note("substream", $"S1CDMax {cdMax}: SubstreamID 0x{request.SubstreamId:X} selects CD {cdIndex}");
        }
        else
        {
            recorder.Note("substream", $"no SubstreamID: S1CDMax {cdMax}, S1DSS {(uint)entry.S1DSS} selects CD {cdIndex}");
        }

        if (refusal != EventType.None)
        {
            recorder.Note("substream", $"refused: {EventRecord.TypeName(refusal)}");
            error = new ConfigError(refusal);
            return false;
        }

        return true;
    }

    // IHI0070 §3.3.1-§3.3.2, §6.3.24: the STE of a StreamID in a linear or 2-level stream table (also ATOS's first step, §9.1.5).
    public SteContext? LookupSte(uint streamId, out ConfigError error)
    {
        error = default;
        if (Caches.Ste.TryGet(streamId, ConfigCache<SteContext>.NoSubstream, out var cached))
        {
            return cached;
        }

        PmcgTally.CountConfigCacheMiss(); // IHI0070 §10.3 event 3
        long generation = Caches.Ste.Generation;
        ulong strtabBase = registers.StreamTableBase;
        var baseCfg = new StreamTableBaseCfgRegister(registers.StreamTableBaseCfg);

        // IHI0070 §6.3.24: the effective table size is the smaller of LOG2SIZE and SIDSIZE.
        int log2Size = Math.Min((int)baseCfg.LOG2SIZE, features.StreamIdBits);
        if (log2Size < 32 && (streamId >> log2Size) != 0)
        {
            recorder.Note("stream table", $"StreamID 0x{streamId:X} is beyond the {log2Size}-bit table (min(STRTAB_BASE_CFG.LOG2SIZE {baseCfg.LOG2SIZE}, IDR1.SIDSIZE)): C_BAD_STREAMID");
            error = new ConfigError(EventType.CBadStreamId);
            return null;
        }

        ulong tableBase = strtabBase & 0x00FF_FFFF_FFFF_FFC0;
        ulong steAddress;
        if (baseCfg.FMT == 1 && features.TwoLevelStreamTable)
        {
            // IHI0070 §3.3.2, §5.1: SPLIT values other than 6, 8 or 10 behave as 6.
            int split = baseCfg.SPLIT is 8 or 10 ? (int)baseCfg.SPLIT : 6;
            ulong l1Address = tableBase + ((ulong)(streamId >> split) * 8);
            PmcgTally.CountConfigStructureAccess(); // IHI0070 §10.3 event 5
            if (!L1StreamTableDescriptor.TryRead(memory, l1Address, out var l1))
            {
                recorder.Note("stream table", "L1STD fetch aborted: F_STE_FETCH", l1Address);
                error = new ConfigError(EventType.FSteFetch, l1Address);
                return null;
            }

            uint span = l1.Span;
            uint index = streamId & ((1u << split) - 1);
            recorder.Note("stream table", $"2-level, SPLIT {split}: L1STD[{streamId >> split}] has Span {span}, L2Ptr 0x{l1.L2Ptr:X}", l1Address, l1.Value);
            if (span == 0 || span > 11 || span > split + 1 || index >= (1u << (int)(span - 1)))
            {
                recorder.Note("stream table", $"the L1STD does not cover StreamID 0x{streamId:X} (Span 0, reserved, above SPLIT+1, or index {index} beyond 2^(Span-1)): C_BAD_STREAMID");
                error = new ConfigError(EventType.CBadStreamId);
                return null;
            }

            // The L2 array is aligned to its own size; lower L2Ptr bits are treated as zero.
            ulong l2Base = l1.L2Ptr & ~((1UL << (int)(span - 1 + 6)) - 1);
            steAddress = l2Base + ((ulong)index * SteBytes);
        }
        else
        {
            steAddress = tableBase + ((ulong)streamId * SteBytes);
        }

        PmcgTally.CountConfigStructureAccess();
        if ((steAddress >> features.OutputAddressBits) != 0 || !StreamTableEntry.TryRead(memory, steAddress, out var ste))
        {
            recorder.Note("STE", "STE fetch aborted: F_STE_FETCH", steAddress);
            error = new ConfigError(EventType.FSteFetch, steAddress);
            return null;
        }

        recorder.Note("STE", $"{ste}", steAddress, ste.Dw0);
        var context = ConfigurationDecoder.DecodeSte(ste, steAddress, features, registers.E2H, out string? problem);
        if (context is null)
        {
            recorder.Note("STE", $"invalid (IHI0070 §5.2.2): {problem}: C_BAD_STE");
            error = new ConfigError(EventType.CBadSte);
            return null;
        }

        Caches.Ste.Add(streamId, ConfigCache<SteContext>.NoSubstream, context, generation);
        return context;
    }

    // IHI0070 §3.3.3, §5.4: the CD at cdIndex of the STE's linear or 2-level CD table.
    private CdContext? LookupCd(SteContext ste, uint streamId, uint cdIndex, out ConfigError error)
    {
        error = default;
        if (Caches.Cd.TryGet(streamId, cdIndex, out var cached))
        {
            return cached;
        }

        PmcgTally.CountConfigCacheMiss(); // IHI0070 §10.3 event 3
        long generation = Caches.Cd.Generation;
        var entry = ste.Ste;
        ulong tableBase = entry.S1ContextPtr;
        ulong cdAddress;
        var outOfRange = EventType.CBadSte; // the CD address derives from S1ContextPtr unless an L1CD supplies it

        // IHI0070 §5.2 S1Fmt/S1CDMax: with substreams disabled or unsupported (IDR1.SSIDSIZE == 0) both fields are
        // IGNORED and S1ContextPtr points to one CD.
        if (entry.S1CDMax == 0 || features.SubstreamIdBits == 0)
        {
            cdAddress = tableBase;
        }
        else
        {
            // IHI0070 §5.2 S1Fmt: 0b01 4KB leaves of 64 CDs, 0b10 64KB leaves of 1024 CDs, 0b11 behaves as linear.
            int leafBits = entry.S1Fmt switch
            {
                CdTableFormat.TwoLevel4K => 6,
                CdTableFormat.TwoLevel64K => 10,
                _ => 0,
            };
            if (leafBits == 0)
            {
                cdAddress = tableBase + ((ulong)cdIndex * CdBytes);
            }
            else
            {
                ulong l1Ipa = tableBase + ((ulong)(cdIndex >> leafBits) * 8);
                if (!TryFetchThroughStage2(ste, l1Ipa, EventType.CBadSte, out ulong l1Pa, out error))
                {
                    return null;
                }

                PmcgTally.CountConfigStructureAccess();
                if (!L1ContextDescriptor.TryRead(memory, l1Pa, out var l1))
                {
                    recorder.Note("CD", "L1CD fetch aborted: F_CD_FETCH", l1Pa);
                    error = new ConfigError(EventType.FCdFetch, l1Pa);
                    return null;
                }

                recorder.Note("CD", $"2-level CD table (S1Fmt {(uint)entry.S1Fmt}): L1CD[{cdIndex >> leafBits}] V {(l1.V ? 1 : 0)}, L2Ptr 0x{l1.L2Ptr:X}", l1Pa, l1.Value);
                if (!l1.V)
                {
                    recorder.Note("CD", "the L1CD is invalid: C_BAD_SUBSTREAMID");
                    error = new ConfigError(EventType.CBadSubstreamId);
                    return null;
                }

                cdAddress = l1.L2Ptr + ((ulong)(cdIndex & ((1u << leafBits) - 1)) * CdBytes);
                outOfRange = EventType.CBadSubstreamId;
            }
        }

        if (!TryFetchThroughStage2(ste, cdAddress, outOfRange, out ulong cdPa, out error))
        {
            return null;
        }

        PmcgTally.CountConfigStructureAccess();
        if (!ContextDescriptor.TryRead(memory, cdPa, out var cd))
        {
            recorder.Note("CD", $"CD {cdIndex} fetch aborted: F_CD_FETCH", cdPa);
            error = new ConfigError(EventType.FCdFetch, cdPa);
            return null;
        }

        recorder.Note("CD", $"CD {cdIndex}: {cd}", cdPa, cd.Dw0);
        var context = ConfigurationDecoder.DecodeCd(cd, cdAddress, ste, features, out string? problem);
        if (context is null)
        {
            recorder.Note("CD", $"invalid (IHI0070 §5.4.2): {problem}: C_BAD_CD");
            error = new ConfigError(EventType.CBadCd);
            return null;
        }

        Caches.Cd.Add(streamId, cdIndex, context, generation);
        return context;
    }

    // IHI0070 §3.4.3: with stage 2 enabled, S1ContextPtr and L1CD.L2Ptr are IPAs; a stage-2 fault on them is
    // reported with CLASS = CD. Without stage 2 they are PAs, and a CD or L1CD address beyond the OAS is C_BAD_STE
    // when it derives from S1ContextPtr and C_BAD_SUBSTREAMID when from L1CD.L2Ptr (SMMUv3.1 and later; SMMUv3.0
    // may report F_CD_FETCH instead, which this model keeps for AIDR.ArchMinorRev 0).
    private bool TryFetchThroughStage2(SteContext ste, ulong address, EventType outOfRange, out ulong pa, out ConfigError error)
    {
        error = default;
        if (!ste.Ste.Stage2Enabled)
        {
            if ((address >> features.OutputAddressBits) != 0)
            {
                recorder.Note("CD", $"fetch address 0x{address:X} is beyond the {features.OutputAddressBits}-bit OAS (IHI0070 §3.4.3)");
                error = features.ArchitectureMinorRevision == 0
                    ? new ConfigError(EventType.FCdFetch, address)
                    : new ConfigError(outOfRange);
                pa = 0;
                return false;
            }

            pa = address;
            return true;
        }

        var trace = recorder is null ? null : new WalkTrace();
        var walk = walker.WalkStage2(address, ste.Stage2, AccessIntent.TableRead, FaultClass.CD, trace);
        PmcgTally.CountTableWalkAccesses(walk.DescriptorReads); // IHI0070 §10.3 event 4
        if (trace is not null)
        {
            recorder!.AddWalk(trace);
        }

        if (!walk.Success)
        {
            pa = 0;
            error = new ConfigError(SmmuV3.FaultEvent(walk.Fault.Kind), walk.Fault.FetchAddress, walk.Fault);
            return false;
        }

        pa = walk.Entry.Translate(address);
        return true;
    }
}

/// <summary>The registers configuration lookup reads, at the moment it reads them (IHI0070 §6.3.23-§6.3.24, §6.3.12).</summary>
internal interface IStreamTableRegisters
{
    /// <summary>SMMU_STRTAB_BASE.</summary>
    ulong StreamTableBase { get; }

    /// <summary>SMMU_STRTAB_BASE_CFG.</summary>
    uint StreamTableBaseCfg { get; }

    /// <summary>SMMU_CR2.E2H: EL2 StreamWorlds use the EL2-E2H regime.</summary>
    bool E2H { get; }
}
