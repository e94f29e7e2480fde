using ArmSmmu.Structures;
using CsCheck;

namespace ArmSmmu.Tests.Device.State;

/// <summary>
/// Save/restore is invisible: for random guest histories, a device saved after a prefix and restored into a fresh
/// device over a copy of the same memory behaves exactly as the device that was never saved for the rest of the
/// history — the same translation results, register reads, interrupts, stall resolutions and memory writes
/// (docs/save-restore.md).
/// </summary>
public class SaveRestorePropertyTests
{
    // One guest step: what it is and three small arguments. Steps 12 and 13 program the PMCG (IHI0070 chapter 10),
    // whose counters then count the translations of the other steps.
    internal readonly record struct Step(int Kind, int A, int B, int C);

    private static readonly Gen<Step> GenStep = Gen.Select(Gen.Int[0, 13], Gen.Int[0, 7], Gen.Int[0, 5], Gen.Int[0, 2], (k, a, b, c) => new Step(k, a, b, c));

    private static readonly Gen<(Step[] Steps, int Split, bool CachesOff)> GenHistory =
        GenStep.Array[1, 48].SelectMany(steps => Gen.Select(Gen.Int[0, steps.Length], Gen.Bool, (split, off) => (steps, split, off)));

    /// <summary>
    /// An SMMU without TLB, configuration or walk caches. Caches are not saved, so after a restore the PMCG events
    /// that count misses and memory accesses (2-5, IHI0070 §10.3) can be higher than the never-saved twin's; the
    /// properties compare them exactly only without caches, and events 0 and 1 always.
    /// </summary>
    internal static readonly SmmuFeatures CachesOff = new()
    {
        TlbEntries = 0,
        ConfigCacheEntries = 0,
        Stage1WalkCacheEntries = 0,
        Stage2WalkCacheEntries = 0,
        TableIpaCacheEntries = 0,
    };

    [Fact]
    public void A_restored_device_continues_exactly_as_the_device_that_was_never_saved()
    {
        GenHistory.Sample(
            history =>
            {
                var (steps, split, cachesOff) = history;
                var original = NewRig(cachesOff);
                var copy = NewRig(cachesOff);
                foreach (var step in steps[..split])
                {
                    Apply(original, step);
                    Apply(copy, step);
                }

                var snapshot = new MemoryStream();
                copy.Smmu.SaveState(snapshot);
                snapshot.Position = 0;
                var restored = copy.Restored(snapshot);

                original.Log.Clear();
                foreach (var step in steps[split..])
                {
                    Apply(original, step);
                    Apply(restored, step);
                    original.Note(original.Registers());
                    restored.Note(restored.Registers());
                }

                Assert.Equal(original.Log.ToString(), restored.Log.ToString());
                Assert.Equal(original.WrittenMemory(), restored.WrittenMemory());
                Assert.Equal(original.Smmu.StalledTransactionCount, restored.Smmu.StalledTransactionCount);
            },
            iter: 300);
    }

    private static SnapshotRig NewRig(bool cachesOff)
    {
        var rig = new SnapshotRig(cachesOff ? CachesOff : null);
        rig.BringUp();
        return rig;
    }

    // Streams 0-5 as SnapshotRig sets them up; pages 0-3 are mapped (2 read-only at stage 1), 4 and 5 are not.
    internal static void Apply(SnapshotRig rig, Step s)
    {
        uint sid = (uint)(s.A % 6);
        switch (s.Kind)
        {
            case <= 2:
                rig.Translate(sid, s.B, (AccessKind)s.C);
                break;
            case 3:
                rig.Translate(s.A % 2 == 0 ? 0u : 5u, 4 + (s.B % 2), AccessKind.Write); // stalls
                break;
            case 4:
                rig.ConsumeEvents(1 + s.B, acknowledgeOverflow: s.C == 0);
                break;
            case 5:
                rig.Write(SmmuRegister.GERRORN, rig.Smmu.ReadRegister32(SmmuRegister.GERROR)); // acknowledge every error
                break;
            case 6:
                rig.Submit(Command.Resume(s.A % 2 == 0 ? 0u : 5u, (ushort)s.B, retry: s.C == 0, abort: s.C == 1));
                break;
            case 7:
                rig.Submit((s.B % 4) switch
                {
                    0 => Command.StallTerm(s.A % 2 == 0 ? 0u : 5u),
                    1 => Command.CfgiAll(),
                    2 => Command.TlbiNhAll(0),
                    _ => new Command { Opcode = (CommandOpcode)0x7F }, // reserved: CERROR_ILL
                });
                break;
            case 8:
                rig.Submit(Command.Sync(s.C == 2 ? SyncCompletionSignal.None : SyncCompletionSignal.Irq, s.C == 0 ? SnapshotRig.Msi + 0x40 + ((ulong)s.A * 4) : 0, (uint)(0x5000 + s.B)));
                break;
            case 9:
                // Toggle one of SMMUEN, CMDQEN, EVENTQEN, PRIQEN.
                uint bit = 1u << ((s.B % 4) switch { 0 => 0, 1 => 3, 2 => 2, _ => 1 });
                rig.Write(SmmuRegister.CR0, rig.Smmu.ReadRegister32(SmmuRegister.CR0) ^ bit);
                break;
            case 10:
                rig.PageRequest(sid, s.B, last: s.C != 0);
                break;
            case 11:
                rig.Write(SmmuRegister.IRQ_CTRL, (uint)s.A);
                break;
            case 12:
                rig.ProgramCounter(s.A, (PmcgEvent)(rig.Smmu.Features.TlbEntries == 0 ? s.B % 6 : s.B % 2), sid, span: s.C == 2);
                break;
            default:
                rig.PmcgControl(s.A, s.B);
                break;
        }
    }
}
