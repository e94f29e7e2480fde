using ArmSmmu.Caches;
using ArmSmmu.Translation;
using Xunit.Abstractions;
using static ArmSmmu.Coyote.GuestWorld;

namespace ArmSmmu.Coyote;

/// <summary>
/// The walk caches (src/ArmSmmu/Caches/WalkCache.cs, WalkCaches.cs) under systematic exploration: a walk that caches a
/// stage-1 table descriptor on a miss, racing a driver that points the descriptor at a new table and issues a
/// non-leaf TLBI_NH_VA or TLBI_NH_ASID (IHI0070 §4.4.2: Leaf = 0 invalidates the table entries walked for the address).
/// Here the descriptor's value stands for the next-level table address.
/// </summary>
public sealed class WalkCacheScenarios(ITestOutputHelper output)
{
    [Theory]
    [InlineData("TLBI_NH_VA Leaf=0")]
    [InlineData("TLBI_NH_ASID")]
    [InlineData("TLBI_NH_ALL")]
    public void A_walk_racing_a_table_invalidation_never_leaves_the_old_table_behind(string invalidation)
    {
        Exploration.ExpectNoBug(() => Scenario(invalidation), output, $"walk cache, {invalidation}");
    }

    private static async Task Scenario(string invalidation)
    {
        var world = new GuestWorld();
        var caches = new WalkCaches(8, 8, 8);
        ulong tag = WalkCacheTag.AtLevel(WalkCacheTag.Stage1(new WalkTag(StreamWorld.NsEl1, Vmid, Asid), Granule.Size4K, 48, 48, hierarchical: false, nested: false), 1);
        var key = new WalkCacheKey(Va >> 30, 0x1000, tag); // the level-1 descriptor resolving the 1 GB region at Va

        ulong NextTable(ulong va)
        {
            if (caches.Stage1.Find(key) is { } cached)
            {
                return cached.Value;
            }

            long generation = caches.Generation.Value;
            ulong table = world.ReadDescriptor();
            caches.Stage1.Insert(new WalkCacheEntry(key, va & ~Bits.Mask(30), va | Bits.Mask(30), table, 0), generation);
            return table;
        }

        await world.RaceRemap([Va, Va + 0x1234], NextTable, () =>
        {
            switch (invalidation)
            {
                case "TLBI_NH_VA Leaf=0":
                    caches.InvalidateVa(StreamWorld.NsEl1, Vmid, Asid, Va + 0x5000, 1, leafOnly: false, vmidWildcardBits: 0);
                    break;
                case "TLBI_NH_ASID":
                    caches.InvalidateAsid(StreamWorld.NsEl1, Vmid, Asid, vmidWildcardBits: 0);
                    break;
                default:
                    caches.InvalidateVmid(Vmid, stage1Only: true, vmidWildcardBits: 0);
                    break;
            }
        });
    }
}
