using System.Runtime.InteropServices;
using ArmSmmu.Diagnostics.DriverCheck;

namespace ArmSmmu.Native;

// The driver-bug detector's findings (armsmmu_features_t.check_driver): a count and one finding at a time.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_driver_check_count")]
    public static int DriverCheckCount(nint smmu, ulong* count) => Guarded(smmu, s =>
    {
        Required(count, nameof(count));
        *count = (ulong)s.Device.DriverCheckReports.Count;
        return ReturnCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_driver_check_report")]
    public static int DriverCheckReport(nint smmu, ulong index, NativeDriverReport* report, byte* text, nuint size, nuint* needed) => Guarded(smmu, s =>
    {
        if (text is null && size != 0)
        {
            throw new ArgumentNullException(nameof(text), "text is NULL but size is not 0.");
        }

        var reports = s.Device.DriverCheckReports;
        if (index >= (ulong)reports.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"index {index}: the detector has {reports.Count} findings.");
        }

        var found = reports[(int)index];
        if (report is not null)
        {
            *report = NativeDriverReport.From(found);
        }

        return text is null && needed is null ? ReturnCode.Ok : CopyOut(found.ToString(), text, size, needed, "armsmmu_driver_check_report");
    });
}

/// <summary>armsmmu_driver_report_t (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeDriverReport
{
    public uint Mistake;
    public uint StreamId;
    public uint SubstreamId;
    public byte SubstreamValid;
    public byte Reserved0;
    public byte Reserved1;
    public byte Reserved2;
    public ulong InputAddress;
    public ulong StructureAddress;

    public static NativeDriverReport From(DriverCheckReport report) => new()
    {
        Mistake = (uint)report.Mistake,
        StreamId = report.StreamId,
        SubstreamId = report.SubstreamId ?? 0,
        SubstreamValid = report.SubstreamId.HasValue ? (byte)1 : (byte)0,
        InputAddress = report.InputAddress,
        StructureAddress = report.StructureAddress,
    };
}
