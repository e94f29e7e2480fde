using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// Configuration lookup: Stream table -> STE -> CD table -> CD, through the configuration cache (IHI0070 §3.3).
public sealed partial class SmmuV3
{
    private const int SteBytes = 64;
    private const int CdBytes = 64;

    private SteContext? LookupSte(uint streamId, out ConfigError error)
    {
        error = default;
        if (_steCache.TryGet(streamId, ConfigCache<SteContext>.NoSubstream, out var cached))
        {
            return cached;
        }

        long generation = _steCache.Generation;
        ulong strtabBase = _registers.StreamTable.Base;
        uint cfg = _registers.StreamTable.BaseCfg;
        var baseCfg = new StreamTableBaseCfgRegister(cfg);

        // IHI0070 §6.3.24: the effective table size is the smaller of LOG2SIZE and SIDSIZE.
        int log2Size = Math.Min((int)baseCfg.LOG2SIZE, Features.StreamIdBits);
        if (log2Size < 32 && (streamId >> log2Size) != 0)
        {
            Note("stream table", $"StreamID 0x{streamId:X} is beyond the {log2Size}-bit table (min(STRTAB_BASE_CFG.LOG2SIZE {baseCfg.LOG2SIZE}, IDR1.SIDSIZE)): C_BAD_STREAMID");
            error = new ConfigError(EventType.CBadStreamId);
            return null;
        }

        ulong tableBase = strtabBase & 0x00FF_FFFF_FFFF_FFC0;
        ulong steAddress;
        if (baseCfg.FMT == 1 && Features.TwoLevelStreamTable)
        {
            // IHI0070 §3.3.2, §5.1: SPLIT values other than 6, 8 or 10 behave as 6.
            int split = baseCfg.SPLIT is 8 or 10 ? (int)baseCfg.SPLIT : 6;
            ulong l1Address = tableBase + ((ulong)(streamId >> split) * 8);
            if (!L1StreamTableDescriptor.TryRead(_memory, l1Address, out var l1))
            {
                Note("stream table", "L1STD fetch aborted: F_STE_FETCH", l1Address);
                error = new ConfigError(EventType.FSteFetch, l1Address);
                return null;
            }

            uint span = l1.Span;
            uint index = streamId & ((1u << split) - 1);
            Note("stream table", $"2-level, SPLIT {split}: L1STD[{streamId >> split}] has Span {span}, L2Ptr 0x{l1.L2Ptr:X}", l1Address, l1.Value);
            if (span == 0 || span > 11 || span > split + 1 || index >= (1u << (int)(span - 1)))
            {
                Note("stream table", $"the L1STD does not cover StreamID 0x{streamId:X} (Span 0, reserved, above SPLIT+1, or index {index} beyond 2^(Span-1)): C_BAD_STREAMID");
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

        if ((steAddress >> Features.OutputAddressBits) != 0 || !StreamTableEntry.TryRead(_memory, steAddress, out var ste))
        {
            Note("STE", "STE fetch aborted: F_STE_FETCH", steAddress);
            error = new ConfigError(EventType.FSteFetch, steAddress);
            return null;
        }

        Note("STE", $"{ste}", steAddress, ste.Dw0);
        var context = ConfigurationDecoder.DecodeSte(ste, steAddress, Features, e2h: Cr2.E2H, out string? problem);
        if (context is null)
        {
            Note("STE", $"invalid (IHI0070 §5.2.2): {problem}: C_BAD_STE");
            error = new ConfigError(EventType.CBadSte);
            return null;
        }

        _steCache.Add(streamId, ConfigCache<SteContext>.NoSubstream, context, generation);
        return context;
    }

    private CdContext? LookupCd(SteContext ste, uint streamId, uint cdIndex, out ConfigError error)
    {
        error = default;
        if (_cdCache.TryGet(streamId, cdIndex, out var cached))
        {
            return cached;
        }

        long generation = _cdCache.Generation;
        var entry = ste.Ste;
        ulong tableBase = entry.S1ContextPtr;
        ulong cdAddress;
        if (entry.S1CDMax == 0)
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
                if (!TryFetchThroughStage2(ste, l1Ipa, out ulong l1Pa, out error))
                {
                    return null;
                }

                if (!L1ContextDescriptor.TryRead(_memory, l1Pa, out var l1))
                {
                    Note("CD", "L1CD fetch aborted: F_CD_FETCH", l1Pa);
                    error = new ConfigError(EventType.FCdFetch, l1Pa);
                    return null;
                }

                Note("CD", $"2-level CD table (S1Fmt {(uint)entry.S1Fmt}): L1CD[{cdIndex >> leafBits}] V {(l1.V ? 1 : 0)}, L2Ptr 0x{l1.L2Ptr:X}", l1Pa, l1.Value);
                if (!l1.V)
                {
                    Note("CD", "the L1CD is invalid: C_BAD_SUBSTREAMID");
                    error = new ConfigError(EventType.CBadSubstreamId);
                    return null;
                }

                cdAddress = l1.L2Ptr + ((ulong)(cdIndex & ((1u << leafBits) - 1)) * CdBytes);
            }
        }

        if (!TryFetchThroughStage2(ste, cdAddress, out ulong cdPa, out error))
        {
            return null;
        }

        if (!ContextDescriptor.TryRead(_memory, cdPa, out var cd))
        {
            Note("CD", $"CD {cdIndex} fetch aborted: F_CD_FETCH", cdPa);
            error = new ConfigError(EventType.FCdFetch, cdPa);
            return null;
        }

        Note("CD", $"CD {cdIndex}: {cd}", cdPa, cd.Dw0);
        var context = ConfigurationDecoder.DecodeCd(cd, cdAddress, ste, Features, out string? problem);
        if (context is null)
        {
            Note("CD", $"invalid (IHI0070 §5.4.2): {problem}: C_BAD_CD");
            error = new ConfigError(EventType.CBadCd);
            return null;
        }

        _cdCache.Add(streamId, cdIndex, context, generation);
        return context;
    }

    // IHI0070 §3.4.3: with stage 2 enabled, S1ContextPtr and L1CD.L2Ptr are IPAs; a stage-2 fault on them is
    // reported with CLASS = CD.
    private bool TryFetchThroughStage2(SteContext ste, ulong address, out ulong pa, out ConfigError error)
    {
        error = default;
        if (!ste.Ste.Stage2Enabled)
        {
            if ((address >> Features.OutputAddressBits) != 0)
            {
                error = new ConfigError(EventType.FCdFetch, address);
                pa = 0;
                return false;
            }

            pa = address;
            return true;
        }

        var walk = WalkStage2(address, ste.Stage2, FaultClass.CD);
        if (!walk.Success)
        {
            pa = 0;
            error = new ConfigError(FaultEvent(walk.Fault.Kind), walk.Fault.FetchAddress, walk.Fault);
            return false;
        }

        pa = walk.Entry.Translate(address);
        return true;
    }

    private static EventType FaultEvent(FaultKind kind) => kind switch
    {
        FaultKind.Translation => EventType.FTranslation,
        FaultKind.AddressSize => EventType.FAddrSize,
        FaultKind.Access => EventType.FAccess,
        FaultKind.Permission => EventType.FPermission,
        FaultKind.ExternalAbort => EventType.FWalkEabt,
        _ => EventType.None,
    };
}
