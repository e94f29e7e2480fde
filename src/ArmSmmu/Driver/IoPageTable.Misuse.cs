using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ArmSmmu.Driver;

/// <content>
/// The exceptions of host misuse, thrown from out of line: a message built where the tables are read or written gave
/// every descriptor access the frame of a string builder (23 of the 78 instructions of a read in map + translate +
/// unmap, callgrind), since the interpolated-string handler is zeroed in the prolog whether or not it throws.
/// </content>
public sealed partial class IoPageTable
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong ThrowUnbacked(ulong address, string access) =>
        throw new InvalidOperationException($"Table memory at 0x{address:X} is not {access} (unbacked).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMisalignedPa(ulong pa, Translation.Granule granule) =>
        throw new ArgumentException($"PA 0x{pa:X} must be a multiple of the {granule} granule.", nameof(pa));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowAlreadyMapped(ulong conflict, ulong iova, ulong size) =>
        throw new InvalidOperationException($"IOVA 0x{conflict:X} is already mapped; unmap it before mapping 0x{iova:X}+0x{size:X} again.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange(ulong address, ulong size, ulong limit, string name, string what) =>
        throw new ArgumentException($"The {what} range 0x{address:X}+0x{size:X} exceeds the {what} address size (0x{limit:X}).", name);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotGranuleAligned(ulong iova, ulong size, Translation.Granule granule) =>
        throw new ArgumentException($"IOVA 0x{iova:X} and size 0x{size:X} must be multiples of the {granule} granule.", nameof(iova));

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowMappedByBlock(ulong iova, int level) =>
        throw new InvalidOperationException($"IOVA 0x{iova:X} is already mapped by a level-{level} block.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotATable(ulong table) =>
        throw new InvalidOperationException($"0x{table:X} is not a table of this IoPageTable.");
}
