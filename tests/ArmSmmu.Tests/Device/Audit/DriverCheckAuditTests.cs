using ArmSmmu.Diagnostics.DriverCheck;
using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Device.Audit;

/// <summary>
/// The driver-bug detector's break-before-make check against 52-bit output addresses (IHI0070 §3.21, §3.4; DDI0487
/// D8.3, D8.16): it compares outputs as the walk decodes them, so a change in OA[51:48] of a 64K (FEAT_LPA) leaf or
/// OA[51:50] of an LPA2 leaf (descriptor bits [9:8]) is a change of output, and the report names the 52-bit addresses.
/// </summary>
public class DriverCheckAuditTests
{
    private const uint Sid = 5;
    private const ulong Va = 0x4000_0000;
    private const ulong Pa = 0x000B_8765_4320_0000UL; // OA[51:48] = 0xB

    [Theory]
    [InlineData(12, 8, 50)]  // 4K with DS (LPA2): descriptor bit 8 is OA[50]
    [InlineData(14, 9, 51)]  // 16K with DS (LPA2): descriptor bit 9 is OA[51]
    [InlineData(16, 12, 48)] // 64K (FEAT_LPA): descriptor bits [15:12] are OA[51:48]
    public void Section_3_21_a_valid_leaf_whose_52_bit_output_changes_is_a_break_before_make_violation(int pageShift, int descriptorBit, int outputBit)
    {
        var iommu = new Iommu(SmmuFeatures.Default with { OutputAddressBits = 52, CheckDriver = true });
        var reports = new List<DriverCheckReport>();
        iommu.Device.DriverMistakeFound += (_, e) => reports.Add(e.Report);
        var granule = pageShift switch { 12 => Granule.Size4K, 14 => Granule.Size16K, _ => Granule.Size64K };
        iommu.ConfigureStream(Sid, StreamMode.Stage1, new StreamOptions { Granule = granule, PasidBits = 0 });
        iommu.Map(Sid, Va, Pa, 1UL << pageShift, IoPagePermissions.ReadWrite);
        Assert.Equal(Pa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);
        Assert.Empty(reports);

        // valid -> valid with only the upper output bit changed, then TLBI + CMD_SYNC: still no break-before-make.
        ulong pte = iommu.Explain(Sid, Va, AccessKind.Read).Steps.Last(s => s.Stage == "walk" && s.Address is not null).Address!.Value;
        Assert.True(iommu.Memory.TryReadUInt64(pte, out ulong old));
        ulong changed = old ^ (1UL << descriptorBit);
        Assert.True(iommu.Memory.TryWriteUInt64(pte, changed));
        iommu.Driver.SubmitAndSync(Command.TlbiNhAll(0));

        ulong newPa = Pa ^ (1UL << outputBit);
        Assert.Equal(newPa, iommu.Translate(Sid, Va, AccessKind.Read).PhysicalAddress);
        var report = Assert.Single(reports);
        Assert.Equal(DriverMistake.BreakBeforeMake, report.Mistake);
        Assert.Equal(pte, report.StructureAddress);
        Assert.Equal([old], report.CachedWords);
        Assert.Equal([changed], report.CurrentWords);
        Assert.Contains($"from output 0x{Pa:X} to 0x{newPa:X}", report.Explanation, StringComparison.Ordinal);
    }
}
