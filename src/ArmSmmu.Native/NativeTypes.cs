using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// The structures of armsmmu.h, field for field in the same order; the C tests check their sizes.

/// <summary>armsmmu_request_t (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeRequest
{
    public uint StreamId;
    public uint SubstreamId;
    public ulong Address;
    public byte SubstreamValid;
    public byte Access;
    public byte Privileged;
    public byte Secure;
    public uint Reserved;

    /// <summary>The managed request; a malformed one is a host error.</summary>
    public readonly TranslationRequest ToManaged()
    {
        if (Access > (byte)AccessKind.Execute || (SubstreamValid | Privileged | Secure) > 1 || Reserved != 0)
        {
            throw new ArgumentException(
                $"Malformed armsmmu_request_t: access {Access} (0..2), substream_valid {SubstreamValid}, privileged {Privileged}, secure {Secure} (0 or 1), reserved {Reserved} (0).");
        }

        return new TranslationRequest(StreamId, Address, (AccessKind)Access, SubstreamValid != 0 ? SubstreamId : null, Privileged != 0, Secure != 0);
    }
}

/// <summary>armsmmu_result_t (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeResult
{
    public uint Outcome;
    public uint Fault;
    public ulong PhysicalAddress;
    public ushort StallTag;
    public byte PageShift;
    public byte FaultRecorded;
    public uint Reserved;

    public static NativeResult From(in TranslationResult result) => new()
    {
        Outcome = (uint)result.Outcome,
        Fault = (uint)result.Fault,
        PhysicalAddress = result.IsSuccess ? result.PhysicalAddress : 0,
        StallTag = result.StallTag,
        PageShift = result.PageShift,
        FaultRecorded = result.FaultRecorded ? (byte)1 : (byte)0,
    };
}

/// <summary>armsmmu_statistics_t (136 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeStatistics
{
    public uint Size;
    public uint Reserved;
    public ulong TlbHits;
    public ulong TlbMisses;
    public ulong TlbInsertions;
    public ulong TlbEvictions;
    public ulong TlbInvalidated;
    public ulong SteCacheHits;
    public ulong SteCacheMisses;
    public ulong CdCacheHits;
    public ulong CdCacheMisses;
    public ulong Walks;
    public ulong DescriptorReads;
    public ulong Commands;
    public ulong CommandErrors;
    public ulong EventsWritten;
    public ulong EventsDiscarded;
    public ulong GlobalErrors;

    public static NativeStatistics From(SmmuStatistics s) => new()
    {
        Size = (uint)Marshal.SizeOf<NativeStatistics>(),
        TlbHits = (ulong)s.Tlb.Hits,
        TlbMisses = (ulong)s.Tlb.Misses,
        TlbInsertions = (ulong)s.Tlb.Insertions,
        TlbEvictions = (ulong)s.Tlb.Evictions,
        TlbInvalidated = (ulong)s.Tlb.Invalidated,
        SteCacheHits = (ulong)s.SteCache.Hits,
        SteCacheMisses = (ulong)s.SteCache.Misses,
        CdCacheHits = (ulong)s.CdCache.Hits,
        CdCacheMisses = (ulong)s.CdCache.Misses,
        Walks = (ulong)s.Walks,
        DescriptorReads = (ulong)s.DescriptorReads,
        Commands = (ulong)s.Commands,
        CommandErrors = (ulong)s.CommandErrors,
        EventsWritten = (ulong)s.EventsWritten,
        EventsDiscarded = (ulong)s.EventsDiscarded,
        GlobalErrors = (ulong)s.GlobalErrors,
    };
}
