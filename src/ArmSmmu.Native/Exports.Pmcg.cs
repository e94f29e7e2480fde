using System.Runtime.InteropServices;
using ArmSmmu.Device;

namespace ArmSmmu.Native;

// The PMCG's registers (IHI0070 chapter 10): offsets from the PMCG base, page 0 at 0x0, page 1 at 0x10000.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_pmcg_register_read")]
    public static int PmcgRegisterRead(nint smmu, ulong offset, uint width, ulong* value) => Guarded(smmu, s =>
    {
        Required(value, nameof(value));
        var pmcg = Pmcg(s);
        *value = width switch
        {
            4 => pmcg.ReadRegister32(offset),
            8 => pmcg.ReadRegister64(offset),
            _ => throw new ArgumentException($"Register width {width} is neither 4 nor 8 bytes."),
        };
        return ReturnCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_pmcg_register_write")]
    public static int PmcgRegisterWrite(nint smmu, ulong offset, uint width, ulong value) => Guarded(smmu, s =>
    {
        var pmcg = Pmcg(s);
        switch (width)
        {
            case 4 when value <= uint.MaxValue:
                pmcg.WriteRegister32(offset, (uint)value);
                break;
            case 8:
                pmcg.WriteRegister64(offset, value);
                break;
            default:
                throw new ArgumentException($"Register width {width} with value 0x{value:X} is not a 32-bit value or a 64-bit write.");
        }

        return ReturnCode.Ok;
    });

    private static SmmuPerformanceMonitor Pmcg(NativeSmmu s) =>
        s.Device.PerformanceMonitor ?? throw new ArgumentException("This SMMU has no PMCG (its feature set has none).");
}
