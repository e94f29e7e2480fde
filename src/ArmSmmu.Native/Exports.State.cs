using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// Save and restore (docs/save-restore.md): the device snapshot as a byte buffer, sized by a first call.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_save")]
    public static int Save(nint smmu, byte* buffer, nuint size, nuint* needed) => Guarded(smmu, s =>
    {
        if (buffer is null && size != 0)
        {
            throw new ArgumentNullException(nameof(buffer), "buffer is NULL but size is not 0.");
        }

        var stream = new MemoryStream();
        s.Device.SaveState(stream);
        var snapshot = stream.GetBuffer().AsSpan(0, (int)stream.Length);
        if (needed is not null)
        {
            *needed = (nuint)snapshot.Length;
        }

        if ((nuint)snapshot.Length > size)
        {
            throw new NativeErrorException(ReturnCode.BufferTooSmall, $"armsmmu_save: the snapshot needs {snapshot.Length} bytes, the buffer has {size}.");
        }

        snapshot.CopyTo(new Span<byte>(buffer, snapshot.Length));
        return ReturnCode.Ok;
    });

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_restore")]
    public static int Restore(nint smmu, byte* buffer, nuint size) => Guarded(smmu, s =>
    {
        Required(buffer, nameof(buffer));
        using var stream = new UnmanagedMemoryStream(buffer, (long)size);
        try
        {
            s.Device.RestoreState(stream);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new ArgumentException(e.Message, nameof(buffer), e); // the snapshot is the caller's argument
        }

        return ReturnCode.Ok;
    });
}
