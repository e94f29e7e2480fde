using ArmSmmu.Structures;
using BenchmarkDotNet.Attributes;

namespace ArmSmmu.Benchmarks;

/// <summary>
/// The cost of a TLB-hitting stage-1 translation through the C ABI (libarmsmmu.so, NativeAOT) against the managed
/// <see cref="SmmuV3.Translate"/> (the baseline) on identically programmed devices. The native figure includes the
/// managed-to-native call a .NET caller pays on top of what a C caller pays.
/// </summary>
[MemoryDiagnoser]
public unsafe class NativeTranslateBenchmarks
{
    private SmmuV3 _managed = null!;
    private nint _native;
    private ulong _page;

    /// <summary>Programs both devices with <see cref="MiniDriver"/> and checks they agree.</summary>
    [GlobalSetup]
    public void Setup()
    {
        ArmSmmuNative.EnsureAvailable();
        var memory = new SparseMemory();
        _managed = new SmmuV3(memory);
        MiniDriver.Program(
            (address, value) => memory.WriteUInt64(address, value),
            _managed.WriteRegister32,
            _managed.WriteRegister64);
        _native = ArmSmmuNative.Create();
        MiniDriver.Program(
            (address, value) => ArmSmmuNative.MemoryWrite(_native, address, &value, sizeof(ulong)),
            (offset, value) => ArmSmmuNative.WriteRegister32(_native, offset, value),
            (offset, value) => ArmSmmuNative.WriteRegister64(_native, offset, value));
        for (ulong page = 0; page < MiniDriver.Pages; page++)
        {
            // Both calls advance to page + 1; both devices must give its output address.
            ulong expected = MiniDriver.Output + (((page + 1) % MiniDriver.Pages) << 12) + 0x40;
            _page = page;
            ulong managed = Managed();
            _page = page;
            ulong native = Native();
            if (managed != expected || native != expected)
            {
                throw new InvalidOperationException($"Benchmark setup is broken: managed 0x{managed:X}, native 0x{native:X}, expected 0x{expected:X}.");
            }
        }
    }

    /// <summary>Releases the native device.</summary>
    [GlobalCleanup]
    public void Cleanup() => ArmSmmuNative.Destroy(_native);

    private ulong NextAddress()
    {
        _page = (_page + 1) % MiniDriver.Pages;
        return (_page << 12) | 0x40;
    }

    /// <summary>Managed <see cref="SmmuV3.Translate"/>, TLB hit.</summary>
    [Benchmark(Baseline = true)]
    public ulong Managed() =>
        _managed.Translate(new TranslationRequest(MiniDriver.StreamId, NextAddress(), AccessKind.Read)).PhysicalAddress;

    /// <summary>armsmmu_translate of libarmsmmu.so, TLB hit.</summary>
    [Benchmark]
    public ulong Native()
    {
        var request = new ArmSmmuNative.Request { StreamId = MiniDriver.StreamId, Address = NextAddress() };
        ArmSmmuNative.Result result;
        ArmSmmuNative.Translate(_native, &request, &result);
        return result.PhysicalAddress;
    }

    /// <summary>
    /// The register and memory writes a driver makes for one stage-1 stream (the same as examples/c/bringup.h):
    /// linear stream table, command queue, STE (Config 0b101) and CD (T0SZ 25, 4 KiB granule), and
    /// <see cref="Pages"/> level-3 pages from VA 0 to <see cref="Output"/>.
    /// </summary>
    private static class MiniDriver
    {
        public const uint StreamId = 1;
        public const int Pages = 512;
        public const ulong Output = 0x8000_1000;
        private const ulong StreamTable = 0x1000_0000;
        private const ulong CommandQueue = StreamTable + 0x4000;
        private const ulong Cd = StreamTable + 0x6000;
        private const ulong Level1 = StreamTable + 0x7000;
        private const ulong Level2 = Level1 + 0x1000;
        private const ulong Level3 = Level2 + 0x1000;

        public static void Program(Action<ulong, ulong> write64, Action<ulong, uint> register32, Action<ulong, ulong> register64)
        {
            // CD (IHI0070 §5.4): T0SZ 25, IR0/OR0 WB, SH0 ISH, EPD1, V, IPS 48, AA64, R, A, ASET, ASID 1; TTB0; MAIR.
            write64(Cd, 25UL | (1UL << 8) | (1UL << 10) | (3UL << 12) | (1UL << 30) | (1UL << 31) | (5UL << 32)
                | (1UL << 41) | (1UL << 45) | (1UL << 46) | (1UL << 47) | (1UL << 48));
            write64(Cd + 8, Level1);
            write64(Cd + 24, 0xFF);
            write64(StreamTable + (64 * StreamId) + 8, 0xD4);
            write64(StreamTable + (64 * StreamId), 0xBUL | Cd); // STE: V, Config 0b101 (IHI0070 §5.2)
            write64(Level1, Level2 | 3);
            write64(Level2, Level3 | 3);
            for (ulong page = 0; page < Pages; page++)
            {
                // Page descriptor: AP = 01, SH ISH, AF, nG (VMSAv8-64).
                write64(Level3 + (8 * page), (Output + (page << 12)) | 0xF43);
            }

            register64(SmmuRegister.STRTAB_BASE, StreamTable);
            register32(SmmuRegister.STRTAB_BASE_CFG, 8);
            register64(SmmuRegister.CMDQ_BASE, CommandQueue | 8);
            register32(SmmuRegister.CR0, (uint)(Cr0Flags.SMMUEN | Cr0Flags.CMDQEN));
        }
    }
}
