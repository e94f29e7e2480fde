using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArmSmmu.Device;

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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly TranslationRequest ToManaged()
    {
        if (Access > (byte)AccessKind.Execute || (SubstreamValid | Privileged | Secure) > 1 || Reserved != 0)
        {
            ThrowMalformed(this);
        }

        return new TranslationRequest(StreamId, Address, (AccessKind)Access, SubstreamValid != 0 ? SubstreamId : null, Privileged != 0, Secure != 0);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMalformed(in NativeRequest r) => throw new ArgumentException(
        $"Malformed armsmmu_request_t: access {r.Access} (0..2), substream_valid {r.SubstreamValid}, privileged {r.Privileged}, secure {r.Secure} (0 or 1), reserved {r.Reserved} (0).");
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

    // Field by field straight into the caller's struct: building it on the stack and copying it costs a
    // store-forwarding stall per translation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(in TranslationResult result, NativeResult* destination)
    {
        destination->Outcome = (uint)result.Outcome;
        destination->Fault = (uint)result.Fault;
        destination->PhysicalAddress = result.IsSuccess ? result.PhysicalAddress : 0;
        destination->StallTag = result.StallTag;
        destination->PageShift = result.PageShift;
        destination->FaultRecorded = result.FaultRecorded ? (byte)1 : (byte)0;
        destination->Reserved = 0;
    }
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
    public ulong BroadcastTlbi;
    public ulong BroadcastTlbiIgnored;

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
        BroadcastTlbi = (ulong)s.BroadcastInvalidations,
        BroadcastTlbiIgnored = (ulong)s.BroadcastInvalidationsIgnored,
    };
}
