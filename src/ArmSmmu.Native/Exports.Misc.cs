using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// Version, last error, features, statistics and the interrupt and stall handlers.
internal static unsafe partial class Exports
{
    private static readonly Version LibraryVersion = typeof(SmmuV3).Assembly.GetName().Version ?? new Version(0, 0, 0);
    private static readonly byte* VersionText = Utf8(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{LibraryVersion.Major}.{LibraryVersion.Minor}.{LibraryVersion.Build}"));

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_version")]
    public static byte* Version() => VersionText;

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_version_number")]
    public static uint VersionNumber() => ((uint)LibraryVersion.Major << 16) | ((uint)LibraryVersion.Minor << 8) | (uint)LibraryVersion.Build;

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_last_error")]
    public static byte* LastErrorMessage() => LastError.Message;

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_clear_error")]
    public static void ClearError() => LastError.Clear();

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_features_default")]
    public static int FeaturesDefault(NativeFeatures* features)
    {
        try
        {
            Required(features, nameof(features));
            *features = NativeFeatures.From(SmmuFeatures.Default);
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_get_features")]
    public static int GetFeatures(nint smmu, byte* features)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            var answer = NativeFeatures.From(device.Features);
            return CopySized(features, ref answer, nameof(features));
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_get_statistics")]
    public static int GetStatistics(nint smmu, byte* statistics)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            var answer = NativeStatistics.From(device.Statistics);
            return CopySized(statistics, ref answer, nameof(statistics));
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_reset_statistics")]
    public static int ResetStatistics(nint smmu)
    {
        try
        {
            NativeSmmu.From(smmu).Device.Statistics.Reset();
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_set_interrupt_handler")]
    public static int SetInterruptHandler(nint smmu, delegate* unmanaged<void*, uint, void> handler, void* context)
    {
        try
        {
            NativeSmmu.From(smmu).SetInterruptHandler(handler, context);
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_set_stall_handler")]
    public static int SetStallHandler(nint smmu, delegate* unmanaged<void*, uint, ushort, int, int, void> handler, void* context)
    {
        try
        {
            NativeSmmu.From(smmu).SetStallHandler(handler, context);
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    /// <summary>Writes the first <c>size</c> bytes of <paramref name="value"/> (the caller's struct declares its size in its first field, keeping it).</summary>
    private static int CopySized<T>(byte* destination, ref T value, string name)
        where T : unmanaged
    {
        Required(destination, name);
        uint size = Unsafe.ReadUnaligned<uint>(destination);
        if (size < 8)
        {
            throw new ArgumentException($"{name}->size is {size}; set it to sizeof the struct.");
        }

        var bytes = MemoryMarshal.AsBytes(new Span<T>(ref value));
        bytes[sizeof(uint)..Math.Min((int)Math.Min(size, int.MaxValue), bytes.Length)].CopyTo(new Span<byte>(destination + sizeof(uint), bytes.Length));
        return ReturnCode.Ok;
    }

    private static byte* Utf8(string text)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(text);
        var p = (byte*)NativeMemory.AllocZeroed((nuint)length + 1);
        System.Text.Encoding.UTF8.GetBytes(text, new Span<byte>(p, length));
        return p;
    }
}
