using System.Runtime.InteropServices;
using System.Text;

namespace ArmSmmu.Native;

// The transaction path: armsmmu_translate (hot, no allocation on a TLB hit) and armsmmu_explain.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_translate")]
    public static int Translate(nint smmu, NativeRequest* request, NativeResult* result)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            Required(request, nameof(request));
            Required(result, nameof(result));
            var managed = request->ToManaged();
            *result = NativeResult.From(device.Translate(managed));
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_explain")]
    public static int Explain(nint smmu, NativeRequest* request, byte* buffer, nuint size, nuint* needed)
    {
        try
        {
            var device = NativeSmmu.From(smmu).Device;
            Required(request, nameof(request));
            if (buffer is null && size != 0)
            {
                throw new ArgumentNullException(nameof(buffer), "buffer is NULL but size is not 0.");
            }

            string text = device.Explain(request->ToManaged()).ToString();
            return CopyOut(text, buffer, size, needed, "armsmmu_explain");
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    /// <summary>Copies <paramref name="text"/> as NUL-terminated UTF-8 when it fits; reports the size needed either way.</summary>
    private static int CopyOut(string text, byte* buffer, nuint size, nuint* needed, string function)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (needed is not null)
        {
            *needed = (nuint)length + 1;
        }

        if ((nuint)length + 1 > size)
        {
            throw new NativeErrorException(ReturnCode.BufferTooSmall, $"{function}: the text needs {length + 1} bytes (with the NUL), the buffer has {size}.");
        }

        Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return ReturnCode.Ok;
    }
}
