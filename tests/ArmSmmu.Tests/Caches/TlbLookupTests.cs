using ArmSmmu.Caches;
using ArmSmmu.Translation;
using static ArmSmmu.Tests.Caches.TlbTestData;

namespace ArmSmmu.Tests.Caches;

public class TlbLookupTests
{
    [Fact]
    public void Page_hits_from_first_to_last_byte_and_misses_outside()
    {
        TlbKey key = El1(1, 1);
        Tlb tlb = Filled((key, Entry(0x8000_3000, 0x1_2345_6000, Page4K)));

        Assert.True(tlb.TryLookup(key, 0x8000_3000, out TranslationEntry first));
        Assert.Equal(0x1_2345_6000UL, first.Translate(0x8000_3000));
        Assert.True(tlb.TryLookup(key, 0x8000_3FFF, out TranslationEntry last));
        Assert.Equal(0x1_2345_6FFFUL, last.Translate(0x8000_3FFF));
        Assert.False(tlb.TryLookup(key, 0x8000_2FFF, out _));
        Assert.False(tlb.TryLookup(key, 0x8000_4000, out _));
    }

    [Fact]
    public void Block_2M_and_1G_hit_at_their_edges()
    {
        TlbKey key = El1(1, 1);
        Tlb tlb = Filled(
            (key, Entry(0x4020_0000, 0x9_0000_0000, Block2M)),
            (key, Entry(0x80_0000_0000, 0x40_0000_0000, Block1G)));

        Assert.True(tlb.TryLookup(key, 0x403F_FFFF, out TranslationEntry block));
        Assert.Equal(0x9_001F_FFFFUL, block.Translate(0x403F_FFFF));
        Assert.False(tlb.TryLookup(key, 0x401F_FFFF, out _));
        Assert.False(tlb.TryLookup(key, 0x4040_0000, out _));

        Assert.True(tlb.TryLookup(key, 0x80_3FFF_FFFF, out TranslationEntry giga));
        Assert.Equal(0x40_3FFF_FFFFUL, giga.Translate(0x80_3FFF_FFFF));
        Assert.False(tlb.TryLookup(key, 0x80_4000_0000, out _));
    }

    [Theory]
    [InlineData(14)] // 16K page
    [InlineData(16)] // 64K page
    [InlineData(25)] // 16K granule level-2 block (32 MiB)
    [InlineData(29)] // 64K granule level-2 block (512 MiB)
    [InlineData(42)] // 64K granule level-1 block with 52-bit addresses (4 TiB)
    public void Every_granule_size_is_found_for_its_last_byte(int shift)
    {
        TlbKey key = El1(3, 4);
        ulong size = 1UL << shift;
        ulong inputBase = 5 * size;
        Tlb tlb = Filled((key, Entry(inputBase, 2 * size, shift)));

        Assert.True(tlb.TryLookup(key, inputBase + size - 1, out TranslationEntry entry));
        Assert.Equal((2 * size) + size - 1, entry.Translate(inputBase + size - 1));
        Assert.False(tlb.TryLookup(key, inputBase + size, out _));
    }

    [Fact]
    public void Non_global_entry_matches_only_its_ASID()
    {
        Tlb tlb = Filled((El1(1, 7), Entry(0x1000, 0x5000, Page4K)));

        Assert.True(tlb.TryLookup(El1(1, 7), 0x1000, out _));
        Assert.False(tlb.TryLookup(El1(1, 8), 0x1000, out _));
    }

    [Fact]
    public void Global_entry_matches_any_ASID_but_only_its_VMID_world_and_kind()
    {
        // IHI0070 §3.17.1: a global entry matches regardless of ASID, never across StreamWorlds (or VMIDs, §3.17).
        Tlb tlb = Filled((El1(1, 7), Entry(0x1000, 0x5000, Page4K, global: true)));

        Assert.True(tlb.TryLookup(El1(1, 8), 0x1000, out TranslationEntry entry));
        Assert.Equal(0x5000UL, entry.OutputBase);
        Assert.False(tlb.TryLookup(El1(2, 7), 0x1000, out _));
        Assert.False(tlb.TryLookup(El1(1, 7, TranslationKind.Nested), 0x1000, out _));
        Assert.False(tlb.TryLookup(new TlbKey(StreamWorld.NsEl2E2H, 1, 7, TranslationKind.Stage1), 0x1000, out _));
    }

    [Fact]
    public void Worlds_VMIDs_and_kinds_do_not_alias()
    {
        // IHI0070 §3.17: the same ASID in another VMID or StreamWorld, or an IPA entry, is a different translation.
        Tlb tlb = Filled(
            (El1(1, 1), Entry(0x1000, 0xA000, Page4K)),
            (El1(2, 1), Entry(0x1000, 0xB000, Page4K)),
            (El1(1, 1, TranslationKind.Stage2), Entry(0x1000, 0xC000, Page4K)),
            (new TlbKey(StreamWorld.NsEl2E2H, 0, 1, TranslationKind.Stage1), Entry(0x1000, 0xD000, Page4K)),
            (new TlbKey(StreamWorld.Secure, 1, 1, TranslationKind.Stage1), Entry(0x1000, 0xE000, Page4K)));

        Assert.True(tlb.TryLookup(El1(1, 1), 0x1000, out TranslationEntry a));
        Assert.True(tlb.TryLookup(El1(2, 1), 0x1000, out TranslationEntry b));
        Assert.True(tlb.TryLookup(El1(1, 9, TranslationKind.Stage2), 0x1000, out TranslationEntry c));
        Assert.True(tlb.TryLookup(new TlbKey(StreamWorld.NsEl2E2H, 0, 1, TranslationKind.Stage1), 0x1000, out TranslationEntry d));
        Assert.True(tlb.TryLookup(new TlbKey(StreamWorld.Secure, 1, 1, TranslationKind.Stage1), 0x1000, out TranslationEntry e));
        Assert.Equal(
            new ulong[] { 0xA000, 0xB000, 0xC000, 0xD000, 0xE000 },
            new[] { a.OutputBase, b.OutputBase, c.OutputBase, d.OutputBase, e.OutputBase });
    }

    [Fact]
    public void Tags_a_StreamWorld_does_not_use_are_ignored()
    {
        // IHI0070 §3.17 table: NS-EL2 entries carry neither ASID nor VMID; EL2-E2H no VMID; IPA entries no ASID.
        Tlb tlb = Filled(
            (new TlbKey(StreamWorld.NsEl2, 5, 6, TranslationKind.Stage1), Entry(0x1000, 0xA000, Page4K)),
            (new TlbKey(StreamWorld.NsEl2E2H, 5, 6, TranslationKind.Stage1), Entry(0x2000, 0xB000, Page4K)),
            (El1(5, 6, TranslationKind.Stage2), Entry(0x3000, 0xC000, Page4K)));

        Assert.True(tlb.TryLookup(new TlbKey(StreamWorld.NsEl2, 0, 0, TranslationKind.Stage1), 0x1000, out _));
        Assert.True(tlb.TryLookup(new TlbKey(StreamWorld.NsEl2E2H, 0, 6, TranslationKind.Stage1), 0x2000, out _));
        Assert.False(tlb.TryLookup(new TlbKey(StreamWorld.NsEl2E2H, 0, 7, TranslationKind.Stage1), 0x2000, out _));
        Assert.True(tlb.TryLookup(El1(5, 0, TranslationKind.Stage2), 0x3000, out _));
        Assert.False(tlb.TryLookup(El1(4, 6, TranslationKind.Stage2), 0x3000, out _));
    }

    [Fact]
    public void Lookups_count_hits_and_misses()
    {
        TlbKey key = El1(1, 1);
        Tlb tlb = Filled((key, Entry(0x1000, 0x2000, Page4K)));

        tlb.TryLookup(key, 0x1000, out _);
        tlb.TryLookup(key, 0x1800, out _);
        tlb.TryLookup(key, 0x9000, out _);

        Assert.Equal(new CacheStatisticsSnapshot(2, 1, 1, 0, 0), tlb.Statistics.Snapshot());
        Assert.Equal(2.0 / 3.0, tlb.Statistics.HitRate, 10);
    }
}
