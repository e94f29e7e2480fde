using System.Runtime.InteropServices;
using ArmSmmu.Structures;

namespace ArmSmmu.Native;

// armsmmu_broadcast_tlbi: a CPU model's TLBI…IS forwarded to the SMMU (IHI0070 §3.17).
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_broadcast_tlbi")]
    public static int BroadcastTlbi(nint smmu, NativeBroadcastTlbi* tlbi, uint* removed) => Guarded(smmu, s =>
    {
        Required(tlbi, nameof(tlbi));
        int count = s.Device.ReceiveBroadcastInvalidation(tlbi->ToManaged());
        if (removed is not null)
        {
            *removed = (uint)count;
        }

        return ReturnCode.Ok;
    });
}

/// <summary>armsmmu_broadcast_tlbi_t (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeBroadcastTlbi
{
    public uint Operation;
    public ushort Asid;
    public ushort Vmid;
    public ulong Address;
    public sbyte LastLevel;
    public byte RangeGranule;
    public byte RangeScale;
    public byte RangeNum;
    public byte ExceptionLevel;
    public byte Secure;
    public byte HostE2H;
    public byte Reserved;

    /// <summary>The managed message; a malformed one is a host error.</summary>
    public readonly BroadcastInvalidation ToManaged()
    {
        if (Operation > (uint)BroadcastTlbiOperation.ALLE3IS || LastLevel is < -1 or > 3 || RangeGranule > 3
            || ExceptionLevel is < 1 or > 3 || (Secure | HostE2H) > 1 || Reserved != 0)
        {
            throw new ArgumentException(
                $"Malformed armsmmu_broadcast_tlbi_t: operation {Operation} (0..21), last_level {LastLevel} (-1..3), range_granule {RangeGranule} (0..3), exception_level {ExceptionLevel} (1..3), secure {Secure} and host_e2h {HostE2H} (0 or 1), reserved {Reserved} (0).");
        }

        return new BroadcastInvalidation(
            (BroadcastTlbiOperation)Operation,
            Address,
            Asid,
            Vmid,
            LastLevel < 0 ? null : LastLevel,
            (RangeGranule)RangeGranule,
            RangeScale,
            RangeNum,
            (ArmSmmu.ExceptionLevel)ExceptionLevel,
            Secure != 0 ? SecurityState.Secure : SecurityState.NonSecure,
            HostE2H != 0);
    }
}
