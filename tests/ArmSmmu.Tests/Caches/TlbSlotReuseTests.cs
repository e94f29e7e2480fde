using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>
/// The TLB refills the entry objects that leave its slots (Tlb.Slot, a sequence lock): a lock-free reader holding
/// one that is refilled must never use what it read, and a fill after an eviction or invalidation allocates nothing.
/// </summary>
public class TlbSlotReuseTests
{
    [Fact]
    public void A_reader_holding_an_entry_that_is_invalidated_and_refilled_reads_a_miss()
    {
        var tlb = new Tlb(4, 4); // one set: the next insertion refills the object the invalidation freed
        TlbKey key = El1(1, 1);
        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), tlb.Generation);
        var slot = tlb.Find(key.Pack(), 0x1000, out int version);
        Assert.NotNull(slot);
        Assert.True(slot.Holds(version));

        tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x1000, 0x1000, leafOnly: true, ttlLevel: -1);
        Assert.True(slot.Holds(version)); // left the slots, not yet refilled: the reader linearises before the invalidation
        tlb.Insert(key, Entry(0x5000, 0x9000, Page4K), tlb.Generation);
        var refilled = tlb.Find(key.Pack(), 0x5000, out int newVersion);

        Assert.Same(slot, refilled); // the object was reused...
        Assert.NotEqual(version, newVersion);
        Assert.False(slot.Holds(version)); // ...so the first reader's fields are not one entry any more
        Assert.False(Tlb.TryCopy(slot, version, out var stale));
        Assert.Equal(default, stale);
        Assert.True(Tlb.TryCopy(refilled, newVersion, out var fresh));
        Assert.Equal(0x9000UL, fresh.OutputBase);
    }

    [Fact]
    public void An_odd_version_is_never_held()
    {
        var tlb = new Tlb(4, 4);
        TlbKey key = El1(1, 1);
        tlb.Insert(key, Entry(0x1000, 0x2000, Page4K), tlb.Generation);
        var slot = tlb.Find(key.Pack(), 0x1000, out int version)!;

        Assert.Equal(0, version & 1);
        Assert.False(slot.Holds(version | 1)); // what a reader reads while Fill runs
    }

    [Fact]
    public void Evictions_and_invalidations_then_fills_allocate_nothing()
    {
        var tlb = new Tlb(8, 2);
        TlbKey key = El1(1, 1);
        void Round(ulong page)
        {
            tlb.Insert(key, Entry(page << 12, 0x10_0000 + (page << 12), Page4K), tlb.Generation);
            if (page % 3 == 0)
            {
                tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, page << 12, 0x1000, leafOnly: true, ttlLevel: -1);
            }
        }

        for (ulong page = 0; page < 64; page++)
        {
            Round(page); // fills every set, then evicts: the free entries exist from here on
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (ulong page = 64; page < 1064; page++)
        {
            Round(page);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        for (ulong page = 1056; page < 1064; page++)
        {
            if (tlb.TryLookup(key, page << 12, out var entry))
            {
                Assert.Equal(0x10_0000 + (page << 12), entry.OutputBase);
            }
        }
    }
}
