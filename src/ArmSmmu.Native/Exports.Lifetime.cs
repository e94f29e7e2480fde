using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

/// <summary>
/// The C entry points of armsmmu.h. Each one catches every exception and turns it into a return code and
/// armsmmu_last_error: nothing unwinds into C.
/// </summary>
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_create")]
    public static nint Create() => CreateDevice(null, null, null, null);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_create_with_memory")]
    public static nint CreateWithMemory(
        delegate* unmanaged<void*, ulong, void*, nuint, int> read,
        delegate* unmanaged<void*, ulong, void*, nuint, int> write,
        void* context)
    {
        if (read is null)
        {
            LastError.Set(ReturnCode.InvalidArgument, "armsmmu_create_with_memory: the read callback is NULL (use armsmmu_create for the built-in memory).");
            return 0;
        }

        return CreateDevice(null, read, write, context);
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_create_with_features")]
    public static nint CreateWithFeatures(
        byte* features,
        delegate* unmanaged<void*, ulong, void*, nuint, int> read,
        delegate* unmanaged<void*, ulong, void*, nuint, int> write,
        void* context) => CreateDevice(features, read, write, context);

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_destroy")]
    public static void Destroy(nint smmu)
    {
        try
        {
            if (smmu != 0)
            {
                NativeSmmu.Free(smmu);
            }
        }
        catch (Exception e)
        {
            LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_reset")]
    public static int Reset(nint smmu)
    {
        try
        {
            NativeSmmu.From(smmu).Device.Reset();
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    private static nint CreateDevice(
        byte* features,
        delegate* unmanaged<void*, ulong, void*, nuint, int> read,
        delegate* unmanaged<void*, ulong, void*, nuint, int> write,
        void* context)
    {
        try
        {
            if (read is null && (write is not null || context is not null))
            {
                throw new ArgumentException("A write callback or context was given without a read callback; pass all NULL for the built-in memory.");
            }

            var chosen = features is null ? null : NativeFeatures.Read(features).ToManaged();
            IPhysicalMemory memory = read is null ? new SparseMemory() : new CallbackMemory(read, write, context);
            return new NativeSmmu(memory, chosen).ToHandle();
        }
        catch (Exception e)
        {
            LastError.From(e);
            return 0;
        }
    }
}
