using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// Host access to the SMMU's memory and MMIO registers.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_memory_read")]
    public static int MemoryRead(nint smmu, ulong address, byte* buffer, nuint length) => Guarded(smmu, s =>
        s.Memory.TryRead(address, Buffer(buffer, length, nameof(buffer))) ? ReturnCode.Ok : Abort("read", address, length));

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_memory_write")]
    public static int MemoryWrite(nint smmu, ulong address, byte* buffer, nuint length) => Guarded(smmu, s =>
    {
        var span = Buffer(buffer, length, nameof(buffer));
        bool written = s.Memory is SparseMemory sparse && length == 8 && (address & 7) == 0
            ? sparse.TryWriteUInt64(address, BinaryPrimitives.ReadUInt64LittleEndian(span)) // single-copy atomic, like the walker's reads
            : s.Memory.TryWrite(address, span);
        return written ? ReturnCode.Ok : Abort("write", address, length);
    });

    // The unchecked accessors keep the fixed signatures: a failing read gives 0, a failing write does nothing.
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_read_register32")]
    public static uint ReadRegister32(nint smmu, ulong offset) => (uint)ReadRegisterOrZero(smmu, offset, 4);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_read_register64")]
    public static ulong ReadRegister64(nint smmu, ulong offset) => ReadRegisterOrZero(smmu, offset, 8);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_write_register32")]
    public static void WriteRegister32(nint smmu, ulong offset, uint value) => WriteRegister(smmu, offset, 4, value);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_write_register64")]
    public static void WriteRegister64(nint smmu, ulong offset, ulong value) => WriteRegister(smmu, offset, 8, value);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_register_read")]
    public static int RegisterRead(nint smmu, ulong offset, uint width, ulong* value) => Guarded(smmu, s =>
    {
        Required(value, nameof(value));
        *value = ReadRegister(s, offset, width);
        return ReturnCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_register_write")]
    public static int RegisterWrite(nint smmu, ulong offset, uint width, ulong value) => WriteRegister(smmu, offset, width, value);

    private static ulong ReadRegisterOrZero(nint smmu, ulong offset, uint width)
    {
        ulong value = 0;
        Guarded(smmu, s =>
        {
            value = ReadRegister(s, offset, width);
            return ReturnCode.Ok;
        });
        return value;
    }

    private static ulong ReadRegister(NativeSmmu s, ulong offset, uint width) => width switch
    {
        4 => s.Device.ReadRegister32(offset),
        8 => s.Device.ReadRegister64(offset),
        _ => throw new ArgumentException($"Register width {width} is neither 4 nor 8 bytes."),
    };

    private static int WriteRegister(nint smmu, ulong offset, uint width, ulong value) => Guarded(smmu, s =>
    {
        switch (width)
        {
            case 4 when value <= uint.MaxValue:
                s.Device.WriteRegister32(offset, (uint)value);
                break;
            case 4:
                throw new ArgumentException($"Value 0x{value:X} does not fit a 32-bit register.");
            case 8:
                s.Device.WriteRegister64(offset, value);
                break;
            default:
                throw new ArgumentException($"Register width {width} is neither 4 nor 8 bytes.");
        }

        return ReturnCode.Ok;
    });

    /// <summary>Runs <paramref name="body"/> on the device behind <paramref name="smmu"/>; any exception becomes a return code.</summary>
    private static int Guarded(nint smmu, Func<NativeSmmu, int> body)
    {
        try
        {
            return body(NativeSmmu.From(smmu));
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Required(void* pointer, string name)
    {
        if (pointer is null)
        {
            ThrowNull(name);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNull(string name) => throw new ArgumentNullException(name, $"The pointer '{name}' is NULL.");

    private static Span<byte> Buffer(byte* buffer, nuint length, string name)
    {
        if (length == 0)
        {
            return [];
        }

        Required(buffer, name);
        if (length > int.MaxValue)
        {
            throw new ArgumentException($"A length of {length} bytes is above the 2 GiB a single access may move.");
        }

        return new Span<byte>(buffer, (int)length);
    }

    private static int Abort(string what, ulong address, nuint length) =>
        LastError.Set(ReturnCode.MemoryAbort, $"External abort: the memory does not back the {what} of {length} bytes at 0x{address:X}.");
}
