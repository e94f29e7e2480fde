using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// Host access to the SMMU's memory and MMIO registers.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_memory_read")]
    public static int MemoryRead(nint smmu, ulong address, byte* buffer, nuint length)
    {
        try
        {
            var memory = NativeSmmu.From(smmu).Memory;
            var span = Buffer(buffer, length, nameof(buffer));
            return memory.TryRead(address, span) ? ReturnCode.Ok : Abort("read", address, length);
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_memory_write")]
    public static int MemoryWrite(nint smmu, ulong address, byte* buffer, nuint length)
    {
        try
        {
            var memory = NativeSmmu.From(smmu).Memory;
            var span = Buffer(buffer, length, nameof(buffer));
            return memory.TryWrite(address, span) ? ReturnCode.Ok : Abort("write", address, length);
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_read_register32")]
    public static uint ReadRegister32(nint smmu, ulong offset)
    {
        try
        {
            return NativeSmmu.From(smmu).Device.ReadRegister32(offset);
        }
        catch (Exception e)
        {
            LastError.From(e);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_read_register64")]
    public static ulong ReadRegister64(nint smmu, ulong offset)
    {
        try
        {
            return NativeSmmu.From(smmu).Device.ReadRegister64(offset);
        }
        catch (Exception e)
        {
            LastError.From(e);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_write_register32")]
    public static void WriteRegister32(nint smmu, ulong offset, uint value) => WriteRegister(smmu, offset, 4, value);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_write_register64")]
    public static void WriteRegister64(nint smmu, ulong offset, ulong value) => WriteRegister(smmu, offset, 8, value);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_register_read")]
    public static int RegisterRead(nint smmu, ulong offset, uint width, ulong* value)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            Required(value, nameof(value));
            *value = width switch
            {
                4 => device.ReadRegister32(offset),
                8 => device.ReadRegister64(offset),
                _ => throw new ArgumentException($"Register width {width} is neither 4 nor 8 bytes."),
            };
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_register_write")]
    public static int RegisterWrite(nint smmu, ulong offset, uint width, ulong value) => WriteRegister(smmu, offset, width, value);

    private static int WriteRegister(nint smmu, ulong offset, uint width, ulong value)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            switch (width)
            {
                case 4 when value <= uint.MaxValue:
                    device.WriteRegister32(offset, (uint)value);
                    break;
                case 4:
                    throw new ArgumentException($"Value 0x{value:X} does not fit a 32-bit register.");
                case 8:
                    device.WriteRegister64(offset, value);
                    break;
                default:
                    throw new ArgumentException($"Register width {width} is neither 4 nor 8 bytes.");
            }

            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    private static void Required(void* pointer, string name)
    {
        if (pointer is null)
        {
            throw new ArgumentNullException(name, $"The pointer '{name}' is NULL.");
        }
    }

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
