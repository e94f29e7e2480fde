namespace ArmSmmu.Native;

/// <summary>The caller's memory, reached through the armsmmu_read_fn / armsmmu_write_fn callbacks.</summary>
internal sealed unsafe class CallbackMemory(
    delegate* unmanaged<void*, ulong, void*, nuint, int> read,
    delegate* unmanaged<void*, ulong, void*, nuint, int> write,
    void* context) : IPhysicalMemory
{
    public bool TryRead(ulong address, Span<byte> destination)
    {
        fixed (byte* buffer = destination)
        {
            return read(context, address, buffer, (nuint)destination.Length) == 0;
        }
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        if (write is null)
        {
            return false; // no write callback: the memory is read-only, every SMMU write is an external abort
        }

        fixed (byte* buffer = source)
        {
            return write(context, address, buffer, (nuint)source.Length) == 0;
        }
    }
}
