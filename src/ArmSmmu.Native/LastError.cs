using System.Runtime.InteropServices;
using System.Text;

namespace ArmSmmu.Native;

/// <summary>The ARMSMMU_* return codes of armsmmu.h.</summary>
internal static class ReturnCode
{
    public const int Ok = 0;
    public const int InvalidArgument = -1;
    public const int BufferTooSmall = -2;
    public const int MemoryAbort = -3;
    public const int Internal = -4;
}

/// <summary>A host mistake that has its own return code (ARMSMMU_ERROR_BUFFER_TOO_SMALL, ARMSMMU_ERROR_MEMORY_ABORT).</summary>
internal sealed class NativeErrorException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>
/// armsmmu_last_error: one UTF-8 message per thread, in native memory so the pointer handed to C stays valid until
/// the next failing call on that thread (managed strings move).
/// </summary>
internal static unsafe class LastError
{
    [ThreadStatic]
    private static byte* t_message;

    private static readonly byte* Empty = (byte*)NativeMemory.AllocZeroed(1);

    public static byte* Message => t_message is not null ? t_message : Empty;

    public static void Clear() => Replace(null);

    /// <summary>Maps an exception to its return code and stores its message; every export funnels its catch here.</summary>
    public static int From(Exception exception) => exception switch
    {
        NativeErrorException e => Set(e.Code, e.Message),
        ArgumentException e => Set(ReturnCode.InvalidArgument, e.Message),
        _ => Set(ReturnCode.Internal, "internal error (please report): " + exception),
    };

    public static int Set(int code, string message)
    {
        int length = Encoding.UTF8.GetByteCount(message);
        var text = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(message, new Span<byte>(text, length));
        text[length] = 0;
        Replace(text);
        return code;
    }

    private static void Replace(byte* text)
    {
        NativeMemory.Free(t_message);
        t_message = text;
    }
}
