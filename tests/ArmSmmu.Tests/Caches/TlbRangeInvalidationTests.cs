using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

/// <summary>Address ranges and the TTL hint of CMD_TLBI_*_VA / S2_IPA (IHI0070 §4.4, §4.4.1.1).</summary>
public class TlbRangeInvalidationTests
{
    private static readonly TlbKey Key = El1(1, 1);

    /// <summary>Sixteen 4K pages at 0x10000..0x1F000 and a 2M block at 0x200000.</summary>
    private static Tlb PagesAndBlock()
    {
        var entries = new List<(TlbKey, TranslationEntry)>();
        for (ulong va = 0x1_0000; va < 0x2_0000; va += 0x1000)
        {
            entries.Add((Key, Entry(va, 0x100_0000 + va, Page4K)));
        }

        entries.Add((Key, Entry(0x20_0000, 0x4000_0000, Block2M)));
        return Filled([.. entries]);
    }

    private static bool Cached(Tlb tlb, ulong va) => tlb.Snapshot().Any(s => s.Entry.InputBase == va);

    [Fact]
    public void Range_removes_pages_from_its_start_up_to_but_excluding_its_end()
    {
        Tlb tlb = PagesAndBlock();

        // §4.4.1.1: TG = 4K, NUM = 2, SCALE = 0 -> Range = 3 * 2^0 * 4K; Address <= A < Address + Range.
        ulong range = (2 + 1) * (1UL << 0) * 0x1000;
        int removed = tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x1_2000, range, leafOnly: true, ttlLevel: -1);

        Assert.Equal(3, removed);
        Assert.True(Cached(tlb, 0x1_1000));
        Assert.False(Cached(tlb, 0x1_2000));
        Assert.False(Cached(tlb, 0x1_4000));
        Assert.True(Cached(tlb, 0x1_5000));
        Assert.True(Cached(tlb, 0x20_0000));
    }

    [Fact]
    public void Range_with_scale_covers_num_plus_one_times_two_to_the_scale_granules()
    {
        Tlb tlb = PagesAndBlock();

        // NUM = 3, SCALE = 1 -> 8 pages from 0x18000: 0x18000..0x1F000, and nothing of the block at 0x200000.
        ulong range = (3 + 1) * (1UL << 1) * 0x1000;
        int removed = tlb.InvalidateVa(StreamWorld.NsEl1, 1, null, 0x1_8000, range, leafOnly: true, ttlLevel: -1);

        Assert.Equal(8, removed);
        Assert.True(Cached(tlb, 0x1_7000));
        Assert.True(Cached(tlb, 0x20_0000));
    }

    [Fact]
    public void Block_is_removed_by_a_range_touching_only_its_last_page()
    {
        Tlb tlb = PagesAndBlock();

        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x3F_F000, 0x1000, leafOnly: true, ttlLevel: -1));
        Assert.False(Cached(tlb, 0x20_0000));
    }

    [Fact]
    public void Range_ending_just_below_a_block_leaves_it()
    {
        Tlb tlb = PagesAndBlock();

        Assert.Equal(0, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x1F_0000, 0x1_0000, leafOnly: true, ttlLevel: -1));
        Assert.True(Cached(tlb, 0x20_0000));
    }

    [Fact]
    public void Unaligned_address_inside_a_block_removes_the_block()
    {
        // §4.4: the least significant bits of a non-range address are ignored as the entry's size requires.
        Tlb tlb = PagesAndBlock();

        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x2A_B123, 1, leafOnly: true, ttlLevel: -1));
        Assert.False(Cached(tlb, 0x20_0000));
    }

    [Fact]
    public void Range_reaching_past_the_top_of_the_address_space_does_not_wrap()
    {
        // §4.4.1.1: the Address is not considered to wrap on overflow.
        var tlb = Filled(
            (Key, Entry(0xFFFF_FFFF_FFFF_F000, 0x1000, Page4K)),
            (Key, Entry(0x0, 0x2000, Page4K)));

        Assert.Equal(1, tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0xFFFF_FFFF_FFFF_F000, 0x4000, leafOnly: true, ttlLevel: -1));
        Assert.True(Cached(tlb, 0x0));
    }

    [Fact]
    public void TTL_hint_limits_removal_to_leaves_of_that_level()
    {
        // §4.4.1.1: with TTL != 0 only entries from that walk level are required to be invalidated.
        Tlb tlb = PagesAndBlock();
        tlb.Insert(Key, Entry(0x40_0000, 0x5000_0000, Block2M), tlb.Generation);
        tlb.Insert(Key, Entry(0x60_0000, 0x6000_0000, Page4K), tlb.Generation);

        int removed = tlb.InvalidateVa(StreamWorld.NsEl1, 1, 1, 0x20_0000, 0x60_0000, leafOnly: true, ttlLevel: 2);

        Assert.Equal(2, removed);
        Assert.False(Cached(tlb, 0x20_0000));
        Assert.False(Cached(tlb, 0x40_0000));
        Assert.True(Cached(tlb, 0x60_0000));
    }

    [Fact]
    public void IPA_range_removes_stage2_entries_by_their_stage2_level()
    {
        TlbKey s2 = El1(4, 0, TranslationKind.Stage2);
        Tlb tlb = Filled(
            (s2, Entry(0x8000_0000, 0x1_0000_0000, Block1G)),
            (s2, Entry(0xC000_0000, 0x2_0000_0000, Block2M)),
            (s2, Entry(0xC020_0000, 0x3_0000_0000, Block2M)));

        // §4.4.3.1 with TTL = 1: the 1G block overlaps and is a level-1 leaf; the 2M blocks are level 2.
        Assert.Equal(1, tlb.InvalidateIpa(4, 0xBFFF_F000, 0x1_0000_0000, leafOnly: true, ttlLevel: 1));
        Assert.False(Cached(tlb, 0x8000_0000));

        // Range [0xC0000000, 0xC0200000): the first 2M block only.
        Assert.Equal(1, tlb.InvalidateIpa(4, 0xC000_0000, 0x20_0000, leafOnly: true, ttlLevel: -1));
        Assert.True(Cached(tlb, 0xC020_0000));
    }
}
