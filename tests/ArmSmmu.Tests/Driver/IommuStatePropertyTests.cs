using System.Globalization;
using System.Text;
using CsCheck;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// Save/restore of the seed-style API is invisible (docs/save-restore.md): for random histories of Iommu operations
/// (streams in every mode, PASIDs, map, unmap, protect, stage-2 maps, ATS, the Secure side, events) and PMCG
/// programming, an Iommu saved after a prefix and restored with <see cref="Iommu.RestoreState"/> over the same memory
/// continues exactly as its never-saved twin: the same translation results, host errors, events, commands, PMCG
/// counters and allocations.
/// </summary>
public class IommuStatePropertyTests
{
    private static readonly Gen<(int Kind, int A, int B, int C)> GenStep = Gen.Select(Gen.Int[0, 14], Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 2]);

    private static readonly Gen<((int Kind, int A, int B, int C)[] Steps, int Split, bool CachesOff)> GenHistory =
        GenStep.Array[1, 40].SelectMany(steps => Gen.Select(Gen.Int[0, steps.Length], Gen.Bool, (split, off) => (steps, split, off)));

    [Fact]
    public void A_restored_iommu_continues_exactly_as_the_iommu_that_was_never_saved()
    {
        GenHistory.Sample(
            history =>
            {
                var (steps, split, cachesOff) = history;
                var features = cachesOff ? Device.State.SaveRestorePropertyTests.CachesOff : null; // see there
                var original = new Twin(new Iommu(features));
                var copy = new Twin(new Iommu(features));
                foreach (var step in steps[..split])
                {
                    original.Apply(step);
                    copy.Apply(step);
                }

                var snapshot = new MemoryStream();
                copy.Iommu.SaveState(snapshot);
                snapshot.Position = 0;
                var memory = copy.Iommu.Memory;
                var restored = new Twin(Iommu.RestoreState(
                    snapshot,
                    new SmmuV3(memory, copy.Iommu.Device.Features),
                    memory,
                    new PhysicalAllocator(memory, Iommu.DefaultStructureBase, Iommu.DefaultStructureSize)));

                original.Log.Clear();
                foreach (var step in steps[split..])
                {
                    original.Apply(step);
                    restored.Apply(step);
                }

                Assert.Equal(original.Log.ToString(), restored.Log.ToString());
                Assert.Equal(original.Queues(), restored.Queues());
                Assert.Equal(original.Iommu.Driver.Allocator.Allocate(0x1000, 0x1000), restored.Iommu.Driver.Allocator.Allocate(0x1000, 0x1000));
            },
            iter: 300);
    }

    // One Iommu and what a platform observes of it.
    private sealed class Twin(Iommu iommu)
    {
        public Iommu Iommu { get; } = iommu;

        public StringBuilder Log { get; } = new();

        public void Apply((int Kind, int A, int B, int C) s)
        {
            uint sid = (uint)(s.A % 2);
            ulong page = 0x10_0000 + ((ulong)s.B * 0x1000);
            uint? pasid = s.C == 2 ? 1u : null;
            try
            {
                Step(s, sid, page, pasid);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                Note($"{e.GetType().Name}: {e.Message}"); // host misuse throws the same on both
            }

            var device = Iommu.Device;
            Note($"CMDQ 0x{device.ReadRegister32(SmmuRegister.CMDQ_PROD):X}/0x{device.ReadRegister32(SmmuRegister.CMDQ_CONS):X} GERROR 0x{device.ReadRegister32(SmmuRegister.GERROR):X}");
            var pmcg = device.PerformanceMonitor!;
            Note(string.Join(' ', Enumerable.Range(0, pmcg.Features.Counters).Select(n => pmcg.ReadCounter(n).ToString("X", CultureInfo.InvariantCulture))));
        }

        /// <summary>The command, event and PRI queues in memory: every command either Iommu sent, every record.</summary>
        public string Queues()
        {
            var driver = Iommu.Driver;
            var s = new StringBuilder();
            foreach (var (start, bytes) in new[] { (driver.CommandQueueAddress, 16UL << 8), (driver.EventQueueAddress, 32UL << 7), (driver.PriQueueAddress, 16UL << 7) })
            {
                for (ulong a = start; a < start + bytes; a += 8)
                {
                    Iommu.Memory.TryReadUInt64(a, out ulong value);
                    s.Append(CultureInfo.InvariantCulture, $"{value:X} ");
                }
            }

            return s.ToString();
        }

        private void Step((int Kind, int A, int B, int C) s, uint sid, ulong page, uint? pasid)
        {
            var options = new StreamOptions { PasidBits = 3, IntermediateAddressBits = 40, Stall = s.C == 1 && s.B == 0 };
            switch (s.Kind)
            {
                case 0:
                    Iommu.ConfigureStream(sid, (StreamMode)(s.B % 5), options);
                    break;
                case 1:
                    Iommu.Map(sid, page, 0x8000_0000 + ((ulong)s.A * 0x10_0000), 0x1000 * (ulong)(1 + s.C), s.C == 0 ? IoPagePermissions.Read : IoPagePermissions.ReadWrite, pasid);
                    break;
                case 2:
                    Note($"unmapped 0x{Iommu.Unmap(sid, page, 0x2000, pasid):X}");
                    break;
                case 3:
                    Iommu.CreatePasid(sid, 1);
                    break;
                case 4 or 5:
                    var r = Iommu.Translate(sid, page + 0x18, (AccessKind)s.C, pasid);
                    Note($"translate {sid} 0x{page:X} {(AccessKind)s.C}: {r.Outcome} 0x{r.PhysicalAddress:X} {r.Fault} stag {r.StallTag}");
                    break;
                case 6:
                    if (Iommu.IsStreamEnabled(sid))
                    {
                        Iommu.DisableStream(sid);
                    }
                    else
                    {
                        Iommu.EnableStream(sid);
                    }

                    break;
                case 7:
                    Note(string.Join(' ', Iommu.DrainEvents()));
                    break;
                case 8:
                    Iommu.MapStage2(sid, page, 0x9000_0000 + ((ulong)s.A * 0x10_0000), 0x1000, IoPagePermissions.ReadWrite);
                    break;
                case 9:
                    Note($"unmapped at stage 2 0x{Iommu.UnmapStage2(sid, page, 0x1000):X}");
                    break;
                case 10:
                    ProgramPmcg(s.A, s.B, s.C);
                    break;
                case 11:
                    Iommu.Protect(sid, page, 0x1000, s.C == 0 ? IoPagePermissions.Read : IoPagePermissions.ReadWrite, pasid);
                    break;
                case 12:
                    if (s.C == 0)
                    {
                        Iommu.RemoveStream(sid);
                    }
                    else
                    {
                        Iommu.RemovePasid(sid, 1);
                    }

                    break;
                case 13:
                    Ats(sid, page, s.C);
                    break;
                default:
                    Secure(s.B, page);
                    break;
            }
        }

        // IHI0070 §10.5.2: counter n counts event B of the stream (or of all with SPAN), or the counters are captured.
        private void ProgramPmcg(int counter, int pmcgEvent, int action)
        {
            var pmcg = Iommu.Device.PerformanceMonitor!;
            if (action == 2)
            {
                pmcg.WriteRegister32(PmcgRegister.Page1 + PmcgRegister.CAPR, 1);
                Note($"SVR{counter} 0x{pmcg.ReadRegister64(PmcgRegister.Page1 + PmcgRegister.SVR0 + ((ulong)counter * 8)):X}");
                return;
            }

            pmcg.WriteRegister32(PmcgRegister.EVTYPER0 + ((ulong)counter * 4), (uint)(pmcgEvent % (Iommu.Device.Features.TlbEntries == 0 ? 6 : 2)) | (action == 1 ? 1u << 29 : 0));
            pmcg.WriteRegister32(PmcgRegister.SMR0 + ((ulong)counter * 4), action == 1 ? uint.MaxValue : (uint)(counter % 3));
            pmcg.WriteRegister64(PmcgRegister.CNTENSET0, 1UL << counter);
            pmcg.WriteRegister32(PmcgRegister.CR, 1);
        }

        // IHI0070 §3.9: ATS on (no PRI), then Translation Requests straight to the ATS port (the function's ATC is a
        // host object that restarts empty, so its hits are not compared); unmaps then send ATC_INV to the function.
        private void Ats(uint sid, ulong page, int action)
        {
            if (Iommu.GetAtsEndpoint(sid) is null)
            {
                Iommu.EnableAts(sid, new AtsEndpointOptions { PageRequests = false, AtcEntries = 4 });
                return;
            }

            if (action == 2)
            {
                Iommu.DisableAts(sid);
                return;
            }

            var completion = Iommu.Device.RequestAtsTranslation(new TranslationRequest(sid, page + 0x10, action == 0 ? AccessKind.Read : AccessKind.Write));
            Note($"ATS {sid} 0x{page:X}: {completion}");
        }

        // IHI0070 §3.10: the Secure side, a stage-1 stream with its own tables.
        private void Secure(int action, ulong page)
        {
            var secure = Iommu.Secure!;
            switch (action % 4)
            {
                case 0:
                    secure.ConfigureStream(1, StreamMode.Stage1, new StreamOptions { PasidBits = 0 });
                    break;
                case 1:
                    secure.Map(1, page, 0xA000_0000, 0x1000, IoPagePermissions.ReadWrite);
                    break;
                case 2:
                    Note($"secure unmapped 0x{secure.Unmap(1, page, 0x1000):X}");
                    break;
                default:
                    var r = secure.Translate(1, page + 8, AccessKind.Read);
                    Note($"secure translate 0x{page:X}: {r.Outcome} 0x{r.PhysicalAddress:X} {r.Fault}");
                    break;
            }
        }

        private void Note(string line) => Log.AppendLine(line);
    }
}
