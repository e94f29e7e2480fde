using ArmSmmu.Driver;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Driver;

public class IoPageTableUnmapTests
{
    private static readonly IoPageTableConfig S1Of4K = new(PageTableStage.Stage1, Granule.Size4K, 48, 48);

    [Fact]
    public void Range_invalidations_follow_the_Linux_algorithm()
    {
        // Digest §4.4 worked by hand: 0x123 = 291 pages of 4K.
        //   step 1: scale = lowest set bit of 0b1_0010_0011 = 0; num = 291 & 31 = 3 -> NUM 2, SCALE 0, 3 pages.
        //   step 2: 288 = 0b1_0010_0000: scale 5; num = (288 >> 5) & 31 = 9 -> NUM 8, SCALE 5, 288 pages.
        // TG = (12 - 10) / 2 = 1; TTL = leaf level 3.
        var commands = IoPageTable.RangeInvalidations(0x4000_1000, 291UL << 12, Granule.Size4K, 3, rangeSupported: true);
        Assert.Equal(
            [
                new TlbInvalidation(0x4000_1000, 3UL << 12, true, 3, 1, 2, 0),
                new TlbInvalidation(0x4000_4000, 288UL << 12, true, 3, 1, 8, 5),
            ],
            commands);
    }

    [Fact]
    public void Range_invalidation_of_64K_blocks_uses_the_page_granule_and_the_block_level()
    {
        // 3 x 512 MiB level-2 blocks at 64K: 3 * 8192 pages = 24576 = 0b110 << 12 -> scale 13, num 3: NUM 2, SCALE 13.
        // TG = (16 - 10) / 2 = 3, TTL = 2.
        var commands = IoPageTable.RangeInvalidations(0x2000_0000, 0x6000_0000, Granule.Size64K, 2, rangeSupported: true);
        Assert.Equal([new TlbInvalidation(0x2000_0000, 0x6000_0000, true, 2, 3, 2, 13)], commands);
    }

    [Fact]
    public void Without_RIL_there_is_one_command_per_leaf()
    {
        var pages = IoPageTable.RangeInvalidations(0x4000_1000, 3UL << 12, Granule.Size4K, 3, rangeSupported: false);
        Assert.Equal(
            [
                new TlbInvalidation(0x4000_1000, 0x1000, true, 0, 0, 0, 0),
                new TlbInvalidation(0x4000_2000, 0x1000, true, 0, 0, 0, 0),
                new TlbInvalidation(0x4000_3000, 0x1000, true, 0, 0, 0, 0),
            ],
            pages);

        // Two 2 MiB blocks: one command each.
        var blocks = IoPageTable.RangeInvalidations(0x20_0000, 0x40_0000, Granule.Size4K, 2, rangeSupported: false);
        Assert.Equal([0x20_0000UL, 0x40_0000UL], blocks.Select(c => c.Address));
        Assert.All(blocks, c => Assert.Equal((0, 0, 0, 0), (c.Tg, c.Ttl, c.Num, c.Scale)));
    }

    [Fact]
    public void Walk_invalidation_of_one_page_avoids_the_reserved_encoding()
    {
        // Digest §4.4: NUM=0, SCALE=0, TTL=0 with TG != 0 is reserved; Linux then invalidates two pages.
        var commands = IoPageTable.RangeInvalidations(0x1000, 0x1000, Granule.Size4K, 3, rangeSupported: true, leaf: false);
        Assert.Equal([new TlbInvalidation(0x1000, 0x2000, false, 0, 1, 0, 1)], commands);
    }

    [Fact]
    public void Unmapping_everything_frees_the_emptied_tables()
    {
        var (memory, allocator, table) = IoPageTableTests.Create(S1Of4K);
        ulong baseline = allocator.BytesInUse;
        ulong iova = 0x80_4000_1000; // L0 index 1, L1 index 1, L2 index 0, L3 index 1
        table.Map(iova, 0x9000_0000, 291UL << 12, IoPagePermissions.ReadWrite);
        Assert.Equal(baseline + (3 * 0x1000UL), allocator.BytesInUse); // one L1, one L2 and one L3 table
        Assert.Equal(4, table.TableCount);

        UnmapResult result = table.Unmap(iova, 291UL << 12);

        Assert.Equal(291UL << 12, result.BytesUnmapped);
        Assert.Equal(baseline, allocator.BytesInUse);
        Assert.Equal(1, table.TableCount);
        Assert.Equal(0UL, memory.ReadUInt64(table.RootAddress + 8));

        // Leaves as in the worked example, then one walk invalidation per freed table, deepest first:
        //   L3 table (its descriptor is at level 2, covers 2 MiB = 512 pages = 2^9): NUM 0, SCALE 9;
        //   L2 table (1 GiB = 2^18 pages): SCALE 18; L1 table (512 GiB = 2^27 pages): SCALE 27. TTL 0 for walks.
        Assert.Equal(
            [
                new TlbInvalidation(iova, 3UL << 12, true, 3, 1, 2, 0),
                new TlbInvalidation(iova + 0x3000, 288UL << 12, true, 3, 1, 8, 5),
                new TlbInvalidation(0x80_4000_0000, 1UL << 21, false, 0, 1, 0, 9),
                new TlbInvalidation(0x80_4000_0000, 1UL << 30, false, 0, 1, 0, 18),
                new TlbInvalidation(0x80_0000_0000, 1UL << 39, false, 0, 1, 0, 27),
            ],
            result.Invalidations);
    }

    [Fact]
    public void Domain_tables_keep_a_table_a_partial_unmap_empties_and_free_it_when_an_unmap_covers_it()
    {
        // Linux's io-pgtable-arm (the driver's domains: KeepPartlyUnmappedTables): a page's unmap leaves its emptied
        // L3 table in place, with only the leaf TLBI; an unmap of the table's whole 2 MiB frees it with a walk TLBI.
        var config = S1Of4K with { KeepPartlyUnmappedTables = true };
        var (memory, allocator, table) = IoPageTableTests.Create(config);
        ulong iova = 0x80_4000_1000;
        table.Map(iova, 0x9000_0000, 0x1000, IoPagePermissions.ReadWrite);
        ulong withTables = allocator.BytesInUse;

        var pageUnmap = table.Unmap(iova, 0x1000);

        Assert.Equal(0x1000UL, pageUnmap.BytesUnmapped);
        Assert.Equal(4, table.TableCount);
        Assert.Equal([new TlbInvalidation(iova, 0x1000, true, 3, 1, 0, 0)], pageUnmap.Invalidations);
        Assert.Equal(0UL, PageTableOracle.Walk(memory, config, table.RootAddress, iova).Descriptor);

        table.Map(iova + 0x1000, 0x9000_1000, 0x1000, IoPagePermissions.ReadWrite);
        Assert.Equal(withTables, allocator.BytesInUse); // the kept table is used again
        table.Unmap(iova + 0x1000, 0x1000);

        var tableUnmap = table.Unmap(0x80_4000_0000, 0x20_0000);

        Assert.Equal(0UL, tableUnmap.BytesUnmapped);
        Assert.Equal(3, table.TableCount); // the L2 table, only partly covered, stays though it is empty now
        Assert.Equal(withTables - 0x1000, allocator.BytesInUse);
        Assert.Equal([new TlbInvalidation(0x80_4000_0000, 0x20_0000, false, 0, 1, 0, 9)], tableUnmap.Invalidations);
    }

    [Fact]
    public void Unmapping_part_of_a_block_splits_it()
    {
        var (memory, allocator, table) = IoPageTableTests.Create(S1Of4K);
        ulong iova = 0x4020_0000;
        ulong pa = 0x1_0060_0000;
        table.Map(iova, pa, 0x20_0000, IoPagePermissions.ReadWrite);
        ulong blockDescriptor = PageTableOracle.Walk(memory, S1Of4K, table.RootAddress, iova).Descriptor;
        ulong before = allocator.BytesInUse;

        UnmapResult result = table.Unmap(iova + 0x1000, 0x1000);

        Assert.Equal(0x1000UL, result.BytesUnmapped);
        Assert.False(table.TryIovaToPhys(iova + 0x1000, out _));
        Assert.True(table.TryIovaToPhys(iova, out ulong low));
        Assert.True(table.TryIovaToPhys(iova + 0x1F_F000, out ulong high));
        Assert.Equal((pa, pa + 0x1F_F000), (low, high));
        Assert.Equal(before + 0x1000, allocator.BytesInUse); // the new level-3 table

        // The remainder keeps the block's attributes, now as pages (bits[1:0]=11).
        var (page, level, _) = PageTableOracle.Walk(memory, S1Of4K, table.RootAddress, iova + 0x2000);
        Assert.Equal(3, level);
        Assert.Equal((blockDescriptor & ~OutputAndType()) | 0b11 | (pa + 0x2000), page);

        // The TLB may hold the 2 MiB block: TTL 2, one page of range.
        Assert.Equal([new TlbInvalidation(iova + 0x1000, 0x1000, true, 2, 1, 0, 0)], result.Invalidations);
    }

    [Fact]
    public void Unmapping_one_page_of_a_1GiB_block_splits_twice()
    {
        var (memory, _, table) = IoPageTableTests.Create(S1Of4K);
        table.Map(0x4000_0000, 0x8000_0000, 0x4000_0000, IoPagePermissions.Read);
        UnmapResult result = table.Unmap(0x4060_0000, 0x1000);

        Assert.Equal(0x1000UL, result.BytesUnmapped);
        Assert.Equal(2, PageTableOracle.Walk(memory, S1Of4K, table.RootAddress, 0x4000_0000).Level); // 2 MiB blocks remain
        Assert.Equal(3, PageTableOracle.Walk(memory, S1Of4K, table.RootAddress, 0x4060_1000).Level);
        Assert.False(table.TryIovaToPhys(0x4060_0000, out _));
        Assert.True(table.TryIovaToPhys(0x4060_1000, out ulong pa));
        Assert.Equal(0x8060_1000UL, pa);
        Assert.True(table.TryIovaToPhys(0x7FFF_FFFF, out ulong last));
        Assert.Equal(0xBFFF_FFFFUL, last);
        Assert.Equal([new TlbInvalidation(0x4060_0000, 0x1000, true, 1, 1, 0, 0)], result.Invalidations);
    }

    [Fact]
    public void Unmapping_a_hole_reports_nothing()
    {
        var (_, _, table) = IoPageTableTests.Create(S1Of4K);
        table.Map(0x1000, 0x1000, 0x1000, IoPagePermissions.Read);
        UnmapResult result = table.Unmap(0x10_0000, 0x10_0000);
        Assert.Equal(0UL, result.BytesUnmapped);
        Assert.Empty(result.Invalidations);
        Assert.True(table.TryIovaToPhys(0x1000, out _));
    }

    [Fact]
    public void Unmapping_without_RIL_lists_one_command_per_leaf_and_per_freed_table()
    {
        var (_, _, table) = IoPageTableTests.Create(S1Of4K with { RangeInvalidation = false });
        table.Map(0x20_0000, 0x20_0000, 0x20_0000 + 0x2000, IoPagePermissions.Read);
        UnmapResult result = table.Unmap(0x20_0000, 0x20_0000 + 0x2000);
        Assert.Equal(
            [
                new TlbInvalidation(0x20_0000, 0x20_0000, true, 0, 0, 0, 0),   // the 2 MiB block
                new TlbInvalidation(0x40_0000, 0x1000, true, 0, 0, 0, 0),
                new TlbInvalidation(0x40_1000, 0x1000, true, 0, 0, 0, 0),
                new TlbInvalidation(0x40_0000, 0x20_0000, false, 0, 0, 0, 0),  // the L3 table (descriptor at level 2)
                new TlbInvalidation(0, 0x4000_0000, false, 0, 0, 0, 0),        // the L2 table
                new TlbInvalidation(0, 1UL << 39, false, 0, 0, 0, 0),          // the L1 table
            ],
            result.Invalidations);
    }

    [Fact]
    public void Contiguous_hint_marks_aligned_sets_of_16_pages()
    {
        // Digest §7.9: 4K level 3 sets are 16 entries (64 KiB), aligned in input and output.
        var config = S1Of4K with { UseContiguousHint = true };
        var (memory, _, table) = IoPageTableTests.Create(config);
        table.Map(0x1_0000, 0x50_0000, 17 * 0x1000UL, IoPagePermissions.ReadWrite);

        for (ulong k = 0; k < 16; k++)
        {
            Assert.True(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x1_0000 + (k * 0x1000)).Descriptor, 52));
        }

        Assert.False(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x2_0000).Descriptor, 52));

        // Output not 64 KiB aligned: no set.
        table.Map(0x10_0000, 0x60_1000, 16 * 0x1000UL, IoPagePermissions.ReadWrite);
        Assert.False(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x10_0000).Descriptor, 52));
    }

    [Fact]
    public void Contiguous_hint_is_off_by_default()
    {
        var (memory, _, table) = IoPageTableTests.Create(S1Of4K);
        table.Map(0x1_0000, 0x50_0000, 16 * 0x1000UL, IoPagePermissions.ReadWrite);
        Assert.False(Bits.IsSet(PageTableOracle.Walk(memory, S1Of4K, table.RootAddress, 0x1_0000).Descriptor, 52));
    }

    [Fact]
    public void Unmapping_inside_a_contiguous_set_breaks_the_set()
    {
        var config = S1Of4K with { UseContiguousHint = true };
        var (memory, _, table) = IoPageTableTests.Create(config);
        table.Map(0x1_0000, 0x50_0000, 16 * 0x1000UL, IoPagePermissions.ReadWrite);
        UnmapResult result = table.Unmap(0x1_3000, 0x1000);

        for (ulong k = 0; k < 16; k++)
        {
            ulong descriptor = PageTableOracle.Walk(memory, config, table.RootAddress, 0x1_0000 + (k * 0x1000)).Descriptor;
            Assert.False(Bits.IsSet(descriptor, 52));
            Assert.Equal(k != 3, (descriptor & 1) == 1);
        }

        // The whole 64 KiB set may be one TLB entry: 16 pages = NUM 0, SCALE 4, TTL 3.
        Assert.Equal([new TlbInvalidation(0x1_0000, 0x1_0000, true, 3, 1, 0, 4)], result.Invalidations);
    }

    [Fact]
    public void Unmapping_across_two_contiguous_sets_breaks_both_and_invalidates_them_as_one_range()
    {
        // Digest §7.9: a set only partly unmapped at either end of the range loses the hint in every entry.
        var config = S1Of4K with { UseContiguousHint = true };
        var (memory, _, table) = IoPageTableTests.Create(config);
        table.Map(0x1_0000, 0x50_0000, 32 * 0x1000UL, IoPagePermissions.ReadWrite);
        UnmapResult result = table.Unmap(0x1_8000, 16 * 0x1000UL);

        for (ulong k = 0; k < 32; k++)
        {
            ulong descriptor = PageTableOracle.Walk(memory, config, table.RootAddress, 0x1_0000 + (k * 0x1000)).Descriptor;
            Assert.False(Bits.IsSet(descriptor, 52));
            Assert.Equal(k is < 8 or >= 24, (descriptor & 1) == 1);
        }

        // Both 64 KiB sets may be TLB entries: 32 pages from 0x1_0000 = NUM 0, SCALE 5, TTL 3.
        Assert.Equal([new TlbInvalidation(0x1_0000, 0x2_0000, true, 3, 1, 0, 5)], result.Invalidations);
    }

    [Fact]
    public void Unmapping_a_page_of_a_contiguous_block_set_breaks_the_set_and_splits_the_block()
    {
        // 16 level-2 blocks of 2 MiB form a set (digest §7.9); unmapping one page splits its block into 511 pages.
        var config = S1Of4K with { UseContiguousHint = true };
        var (memory, _, table) = IoPageTableTests.Create(config);
        table.Map(0x200_0000, 0x400_0000, 0x200_0000, IoPagePermissions.ReadWrite);
        Assert.True(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x3FF_F000).Descriptor, 52));
        UnmapResult result = table.Unmap(0x260_1000, 0x1000);

        var kept = PageTableOracle.Walk(memory, config, table.RootAddress, 0x200_0000);
        Assert.Equal(2, kept.Level);
        Assert.False(Bits.IsSet(kept.Descriptor, 52));
        Assert.False(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x3FF_F000).Descriptor, 52));
        var split = PageTableOracle.Walk(memory, config, table.RootAddress, 0x260_2000);
        Assert.Equal(3, split.Level);
        Assert.Equal(0x460_2000UL, split.Descriptor & OutputAndType() & ~0b11UL);
        Assert.Equal(0UL, PageTableOracle.Walk(memory, config, table.RootAddress, 0x260_1000).Descriptor & 1);

        // The set and the split block, both level-2 entries the TLB may hold: 32 MiB = 8,192 pages = NUM 0, SCALE 13, TTL 2.
        Assert.Equal([new TlbInvalidation(0x200_0000, 0x200_0000, true, 2, 1, 0, 13)], result.Invalidations);
    }

    [Theory]
    [InlineData(14)]
    [InlineData(16)]
    public void Contiguous_sets_at_16K_and_64K_hold_the_digest_counts(int pageShift)
    {
        // Digest §7.9: 16K level 3 = 128 entries (2 MiB); 64K level 3 = 32 entries (2 MiB).
        var config = new IoPageTableConfig(PageTableStage.Stage2, IoPageTableConfigTests.GranuleOf(pageShift), 48, 48) { UseContiguousHint = true };
        var (memory, _, table) = IoPageTableTests.Create(config);
        ulong page = 1UL << pageShift;
        table.Map(0x20_0000, 0x40_0000, 0x20_0000 + page, IoPagePermissions.Read);
        Assert.True(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x3F_0000).Descriptor, 52));
        Assert.False(Bits.IsSet(PageTableOracle.Walk(memory, config, table.RootAddress, 0x40_0000).Descriptor, 52));
    }

    [Fact]
    public void Remapping_after_unmap_reuses_freed_tables()
    {
        var (_, allocator, table) = IoPageTableTests.Create(S1Of4K);
        table.Map(0x1000, 0x1000, 0x1000, IoPagePermissions.Read);
        ulong mapped = allocator.BytesInUse;
        table.Unmap(0x1000, 0x1000);
        table.Map(0x1000, 0x2000, 0x1000, IoPagePermissions.Read);
        Assert.Equal(mapped, allocator.BytesInUse);
        Assert.True(table.TryIovaToPhys(0x1000, out ulong pa));
        Assert.Equal(0x2000UL, pa);
    }

    private static ulong OutputAndType() => (((1UL << 48) - 1) & ~0xFFFUL) | 0b11;
}
