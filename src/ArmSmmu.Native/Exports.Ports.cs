using System.Runtime.InteropServices;

namespace ArmSmmu.Native;

// Translation ports (SmmuV3.OpenPort): armsmmu_port_open, armsmmu_port_translate, armsmmu_port_close.
internal static unsafe partial class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "armsmmu_port_open")]
    public static nint PortOpen(nint smmu)
    {
        try
        {
            var port = NativeSmmu.From(smmu).Device.OpenPort();
            return GCHandle<TranslationPort>.ToIntPtr(new GCHandle<TranslationPort>(port));
        }
        catch (Exception e)
        {
            LastError.From(e);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_port_translate")]
    public static int PortTranslate(nint port, NativeRequest* request, NativeResult* result)
    {
        try
        {
            if (port == 0)
            {
                throw new ArgumentNullException(nameof(port), "The port handle is NULL.");
            }

            Required(request, nameof(request));
            Required(result, nameof(result));
            var answer = GCHandle<TranslationPort>.FromIntPtr(port).Target.Translate(request->ToManaged());
            NativeResult.Store(answer, result);
            return ReturnCode.Ok;
        }
        catch (Exception e)
        {
            return LastError.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "armsmmu_port_close")]
    public static void PortClose(nint port)
    {
        try
        {
            if (port != 0)
            {
                var handle = GCHandle<TranslationPort>.FromIntPtr(port);
                handle.Target.Dispose();
                handle.Dispose();
            }
        }
        catch (Exception e)
        {
            LastError.From(e);
        }
    }
}
