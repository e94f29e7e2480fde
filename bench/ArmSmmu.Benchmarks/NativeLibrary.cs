using System.Reflection;
using System.Runtime.InteropServices;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The C ABI of the published libarmsmmu.so (src/ArmSmmu.Native), called as any .NET user of the .so would.
/// The library is found through ARMSMMU_LIBRARY or artifacts/native/libarmsmmu.so above the benchmark's directory.
/// </summary>
internal static unsafe partial class ArmSmmuNative
{
    private const string Library = "armsmmu";

    static ArmSmmuNative() => NativeLibrary.SetDllImportResolver(typeof(ArmSmmuNative).Assembly, Resolve);

    /// <summary>The path of libarmsmmu.so, or null when it has not been published.</summary>
    public static string? Path
    {
        get
        {
            string? explicitPath = Environment.GetEnvironmentVariable("ARMSMMU_LIBRARY");
            if (!string.IsNullOrEmpty(explicitPath))
            {
                return File.Exists(explicitPath) ? explicitPath : null;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = System.IO.Path.Combine(dir.FullName, "artifacts", "native", "libarmsmmu.so");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }
    }

    /// <summary>Throws a clear message when the library is missing (BenchmarkDotNet then skips the class).</summary>
    public static void EnsureAvailable()
    {
        if (Path is null)
        {
            throw new InvalidOperationException(
                "libarmsmmu.so is not built: run `dotnet publish src/ArmSmmu.Native -c Release -r linux-x64 -o artifacts/native` " +
                "from the repository root (or set ARMSMMU_LIBRARY to the .so) to run the native benchmarks.");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && Path is string path ? NativeLibrary.Load(path) : IntPtr.Zero;

    [LibraryImport(Library, EntryPoint = "armsmmu_create")]
    public static partial nint Create();

    [LibraryImport(Library, EntryPoint = "armsmmu_destroy")]
    public static partial void Destroy(nint smmu);

    [LibraryImport(Library, EntryPoint = "armsmmu_memory_write")]
    public static partial int MemoryWrite(nint smmu, ulong address, void* buffer, nuint length);

    [LibraryImport(Library, EntryPoint = "armsmmu_write_register32")]
    public static partial void WriteRegister32(nint smmu, ulong offset, uint value);

    [LibraryImport(Library, EntryPoint = "armsmmu_write_register64")]
    public static partial void WriteRegister64(nint smmu, ulong offset, ulong value);

    [LibraryImport(Library, EntryPoint = "armsmmu_translate")]
    public static partial int Translate(nint smmu, Request* request, Result* result);

    /// <summary>armsmmu_request_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Request
    {
        public uint StreamId;
        public uint SubstreamId;
        public ulong Address;
        public byte SubstreamValid;
        public byte Access;
        public byte Privileged;
        public byte Secure;
        public uint Reserved;
    }

    /// <summary>armsmmu_result_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Result
    {
        public uint Outcome;
        public uint Fault;
        public ulong PhysicalAddress;
        public ushort StallTag;
        public byte PageShift;
        public byte FaultRecorded;
        public uint Reserved;
    }
}
