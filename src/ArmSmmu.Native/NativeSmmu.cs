using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArmSmmu.Device;

namespace ArmSmmu.Native;

/// <summary>What an armsmmu_t handle points at: the device, its memory and the C callbacks.</summary>
internal sealed unsafe class NativeSmmu
{
    private InterruptSink? _interrupt;
    private StallSink? _stall;

    public NativeSmmu(IPhysicalMemory memory, SmmuFeatures? features)
    {
        Device = new SmmuV3(memory, features);
        Memory = Device.Memory; // with check_driver, the view whose writes the driver-bug detector watches
        Device.InterruptRaised += (_, e) => _interrupt?.Raise(e.Source);
        Device.StallResolved += (_, e) => _stall?.Raise(e);
    }

    public SmmuV3 Device { get; }

    public IPhysicalMemory Memory { get; }

    /// <summary>Allocates the handle that C holds (a GC handle keeps the wrapper alive until armsmmu_destroy).</summary>
    public nint ToHandle() => GCHandle<NativeSmmu>.ToIntPtr(new GCHandle<NativeSmmu>(this));

    /// <summary>The wrapper behind <paramref name="handle"/>; NULL is a host error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NativeSmmu From(nint handle)
    {
        if (handle == 0)
        {
            ThrowNullHandle();
        }

        return GCHandle<NativeSmmu>.FromIntPtr(handle).Target;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNullHandle() => throw new ArgumentNullException("smmu", "The armsmmu_t handle is NULL.");

    public static void Free(nint handle) => GCHandle<NativeSmmu>.FromIntPtr(handle).Dispose();

    // Handler and context are swapped together as one immutable object, so a pulse never sees a mixed pair.
    public void SetInterruptHandler(delegate* unmanaged<void*, uint, void> handler, void* context) =>
        Volatile.Write(ref _interrupt, handler is null ? null : new InterruptSink(handler, context));

    public void SetStallHandler(delegate* unmanaged<void*, uint, ushort, int, int, void> handler, void* context) =>
        Volatile.Write(ref _stall, handler is null ? null : new StallSink(handler, context));

    private sealed class InterruptSink(delegate* unmanaged<void*, uint, void> handler, void* context)
    {
        public void Raise(SmmuInterrupt line) => handler(context, (uint)line);
    }

    private sealed class StallSink(delegate* unmanaged<void*, uint, ushort, int, int, void> handler, void* context)
    {
        public void Raise(StallResolvedEventArgs e) => handler(context, e.StreamId, e.StallTag, e.Retry ? 1 : 0, e.Abort ? 1 : 0);
    }
}
