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
    public byte NonSecure;
    public byte Reserved0;
    public ushort Reserved1;

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

        // IHI0070 §3.10, §5.2 NSCFG, §5.4 NSCFGx/NSTable/NS: the PA space of the output (ABI 0.2, in what was reserved).
        destination->NonSecure = result.IsSuccess && result.Attributes.NonSecure ? (byte)1 : (byte)0;
        destination->Reserved0 = 0;
        destination->Reserved1 = 0;
    }
}

// armsmmu_statistics_t: the struct and its conversion are the table in NativeTypes.table.md.
internal partial struct NativeStatistics
{
    public static NativeStatistics From(SmmuStatistics s)
    {
        var native = Mirror(s);
        native.Size = (uint)Marshal.SizeOf<NativeStatistics>();
        return native;
    }
}
