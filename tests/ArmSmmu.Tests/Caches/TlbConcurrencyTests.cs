using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

public class TlbConcurrencyTests
{
    /// <summary>The output every inserted entry carries: a function of its tag and input, so a reader can check a hit.</summary>
    private static ulong ExpectedOutput(ushort vmid, ushort asid, ulong inputBase) => ((ulong)vmid << 48) | ((ulong)asid << 40) | inputBase;

    [Fact]
    public async Task Readers_never_see_a_wrong_entry_while_a_writer_inserts_and_invalidates()
    {
        var tlb = new Tlb(128, 4);
        int[] shifts = [Page4K, 16, Block2M];

        var writer = Task.Run(() =>
        {
            var random = new Random(1);
            for (int i = 0; i < 40_000; i++)
            {
                ushort vmid = (ushort)random.Next(3);
                ushort asid = (ushort)random.Next(3);
                int shift = shifts[random.Next(shifts.Length)];
                ulong inputBase = (ulong)random.Next(64) << shift;
                switch (random.Next(10))
                {
                    case 0:
                        tlb.InvalidateAsid(StreamWorld.NsEl1, vmid, asid);
                        break;
                    case 1:
                        tlb.InvalidateVa(StreamWorld.NsEl1, vmid, null, inputBase, 1UL << shift, leafOnly: true, ttlLevel: -1);
                        break;
                    case 2:
                        tlb.InvalidateVmid(vmid, stage1Only: true);
                        break;
                    default:
                        tlb.Insert(El1(vmid, asid), Entry(inputBase, ExpectedOutput(vmid, asid, inputBase), shift), tlb.Generation);
                        break;
                }
            }
        });

        Task Reader(int seed) => Task.Run(() =>
        {
            var random = new Random(seed);
            // A reader starved by a loaded machine still makes its lookups once the writer is done, so the hit
            // count below says the readers checked entries, not that the scheduler ran them in time.
            for (int lookups = 0; !writer.IsCompleted || lookups < 20_000; lookups++)
            {
                ushort vmid = (ushort)random.Next(3);
                ushort asid = (ushort)random.Next(3);
                ulong address = (ulong)random.Next(0, 64 << Block2M);
                if (tlb.TryLookup(El1(vmid, asid), address, out TranslationEntry entry))
                {
                    Assert.Equal(entry.InputBase, address & ~((1UL << entry.Shift) - 1));
                    Assert.Equal(ExpectedOutput(vmid, asid, entry.InputBase), entry.OutputBase);
                }
            }
        });

        Task[] readers = [Reader(2), Reader(3)];
        await writer;
        await Task.WhenAll(readers);

        Assert.True(tlb.Count <= 128);
        Assert.True(tlb.Statistics.Hits > 0);
    }
}
