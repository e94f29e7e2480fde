using Microsoft.Coyote.Specifications;

namespace ArmSmmu.Coyote;

/// <summary>
/// The part of a guest a scenario needs: one translation-table word and one STE word in memory, and the CMD_SYNC
/// completion the driver waits for. Every access is a Volatile operation, so each is a scheduling point and the
/// engine can put a walk's table read anywhere relative to the driver's write, invalidation and SYNC.
/// </summary>
internal sealed class GuestWorld
{
    /// <summary>The translation context and input address the TLB and walk-cache scenarios use.</summary>
    public const ushort Vmid = 1;
    public const ushort Asid = 3;
    public const ulong Va = 0x4000_0000;

    public const ulong OldOutput = 0x8000_0000;
    public const ulong NewOutput = 0x9000_0000;

    private ulong _descriptor = OldOutput;
    private int _syncsCompleted;

    /// <summary>The output address the table in memory gives now (a walk's read of the leaf descriptor).</summary>
    public ulong ReadDescriptor() => Volatile.Read(ref _descriptor);

    /// <summary>The driver's remap: the leaf descriptor is rewritten to <see cref="NewOutput"/>.</summary>
    public void Remap() => Volatile.Write(ref _descriptor, NewOutput);

    /// <summary>Whether the driver's CMD_SYNC has completed (its CONS has passed the SYNC, IHI0070 §4.7.3).</summary>
    public bool SyncCompleted => Volatile.Read(ref _syncsCompleted) != 0;

    public void CompleteSync() => Volatile.Write(ref _syncsCompleted, 1);

    /// <summary>
    /// The rule checked (IHI0070 §3.21.3, §4.7.3): a translation that started after the CMD_SYNC completed returns
    /// the new mapping; one that overlapped the remap returns the old or the new one, nothing else.
    /// </summary>
    public static void CheckResult(bool startedAfterSync, ulong output, string what)
    {
        if (output is not (OldOutput or NewOutput))
        {
            Specification.Assert(false, $"{what}: output 0x{output:X} is neither the old nor the new mapping");
        }

        if (startedAfterSync && output != NewOutput)
        {
            Specification.Assert(false, $"{what}: stale output 0x{output:X} after CMD_SYNC completed");
        }
    }

    /// <summary>
    /// One translator per key of <paramref name="keys"/>, each translating twice, against a driver that remaps,
    /// runs <paramref name="invalidate"/> and completes the CMD_SYNC; then every key is translated once more, after the
    /// SYNC. <paramref name="translate"/> gives a key's output normalised to the descriptor's (old or new) value.
    /// </summary>
    public async Task RaceRemap(ulong[] keys, Func<ulong, ulong> translate, Action invalidate)
    {
        Task Translator(ulong key) => Task.Run(() =>
        {
            for (int i = 0; i < 2; i++)
            {
                bool afterSync = SyncCompleted;
                CheckResult(afterSync, translate(key), $"translation of 0x{key:X}");
            }
        });

        var driver = Task.Run(() =>
        {
            Remap();
            invalidate();
            CompleteSync();
        });

        await Task.WhenAll([.. keys.Select(Translator), driver]);
        foreach (ulong key in keys)
        {
            CheckResult(startedAfterSync: true, translate(key), $"final translation of 0x{key:X}");
        }
    }
}
