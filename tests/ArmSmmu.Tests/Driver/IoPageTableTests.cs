using ArmSmmu.Driver;
using ArmSmmu.Translation;

namespace ArmSmmu.Tests.Driver;

public class IoPageTableTests
{
    private const ulong TableBase = 0x1000_0000;
    private const ulong TableWindow = 0x100_0000;
    private const ulong OaMask48 = (1UL << 48) - 1;

    [Theory]
    [InlineData(12, PageTableStage.Stage1)]
    [InlineData(12, PageTableStage.Stage2)]
    [InlineData(14, PageTableStage.Stage1)]
    [InlineData(14, PageTableStage.Stage2)]
    [InlineData(16, PageTableStage.Stage1)]
    [InlineData(16, PageTableStage.Stage2)]
    public void Pages_map_and_translate(int pageShift, PageTableStage stage)
    {
        var (memory, allocator, table) = Create(new IoPageTableConfig(stage, IoPageTableConfigTests.GranuleOf(pageShift), 48, 48));
        ulong page = 1UL << pageShift;
        ulong iova = 0x40_0000_0000 + (3 * page);
        ulong pa = 0x8_0000_0000 + (7 * page);
        table.Map(iova, pa, 5 * page, IoPagePermissions.ReadWrite);

        for (ulong k = 0; k < 5; k++)
        {
            Assert.True(table.TryIovaToPhys(iova + (k * page) + 0x18, out ulong got));
            Assert.Equal(pa + (k * page) + 0x18, got);
            var (descriptor, level, _) = PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova + (k * page));
            Assert.Equal(3, level);
            Assert.Equal(0b11UL, descriptor & 0b11); // digest §7.4: page
            Assert.Equal(pa + (k * page), descriptor & OaMask48 & ~(page - 1));
        }

        Assert.False(table.TryIovaToPhys(iova - page, out _));
        Assert.False(table.TryIovaToPhys(iova + (5 * page), out _));
        Assert.False(table.TryIovaToPhys(1UL << 48, out _));
        Assert.True(allocator.BytesInUse > 0);
    }

    [Fact]
    public void Aligned_2MiB_at_4K_is_one_level2_block()
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        ulong iova = 0x12_4020_0000;
        ulong pa = 0x1_0060_0000;
        table.Map(iova, pa, 0x20_0000, IoPagePermissions.Read);

        var (descriptor, level, slot) = PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova + 0x1234);
        Assert.Equal(2, level);
        Assert.Equal(0b01UL, descriptor & 0b11);                    // digest §7.4: block
        Assert.Equal(pa, descriptor & OaMask48 & ~((1UL << 21) - 1)); // digest §7.5: OA[47:21]
        Assert.Equal(0UL, descriptor & 0x1F_F000);                   // OA bits between g and n are RES0
        Assert.Equal(slot, PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova + 0x1F_F000).Slot);
        Assert.True(table.TryIovaToPhys(iova + 0x1F_FFFF, out ulong last));
        Assert.Equal(pa + 0x1F_FFFF, last);
    }

    [Theory]
    [InlineData(12, 0x4000_0000UL, 1)] // 4K: 1 GiB blocks at level 1
    [InlineData(12, 0x20_0000UL, 2)]   // 4K: 2 MiB at level 2
    [InlineData(14, 0x200_0000UL, 2)]  // 16K: 32 MiB at level 2
    [InlineData(16, 0x2000_0000UL, 2)] // 64K: 512 MiB at level 2
    public void Largest_legal_block_is_used(int pageShift, ulong blockSize, int expectedLevel)
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage2, IoPageTableConfigTests.GranuleOf(pageShift), 48, 48));
        ulong iova = 4 * blockSize;
        ulong pa = 2 * blockSize;
        ulong page = 1UL << pageShift;

        // Two blocks and a page: the run keeps the block level while size and alignment allow.
        table.Map(iova, pa, (2 * blockSize) + page, IoPagePermissions.ReadWrite);
        var first = PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova);
        var second = PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova + blockSize);
        var tail = PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova + (2 * blockSize));
        Assert.Equal((expectedLevel, 0b01UL), (first.Level, first.Descriptor & 0b11));
        Assert.Equal((expectedLevel, 0b01UL), (second.Level, second.Descriptor & 0b11));
        Assert.Equal((3, 0b11UL), (tail.Level, tail.Descriptor & 0b11));
    }

    [Fact]
    public void Misaligned_output_uses_pages_even_when_the_input_is_block_aligned()
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        table.Map(0x20_0000, 0x30_1000, 0x20_0000, IoPagePermissions.Read);
        Assert.Equal(3, PageTableOracle.Walk(memory, table.Config, table.RootAddress, 0x20_0000).Level);
        Assert.True(table.TryIovaToPhys(0x3F_F000, out ulong pa));
        Assert.Equal(0x50_0000UL, pa);
    }

    [Fact]
    public void Stage1_leaf_bits_follow_digest_7_10()
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        table.Map(0x1000, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);
        table.Map(0x2000, 0x9000_0000, 0x1000, IoPagePermissions.Read | IoPagePermissions.Execute | IoPagePermissions.Privileged | IoPagePermissions.Mmio);
        table.Map(0x3000, 0xA000_0000, 0x1000, IoPagePermissions.Write | IoPagePermissions.NoCache);

        // RW cacheable: page 0b11, AttrIndx[4:2]=1, AP[2:1]=01 (AP[1]=1 EL0, AP[2]=0 writable), SH[9:8]=11, AF[10], nG[11], PXN[53], UXN[54].
        ulong rw = 0x8000_0000UL | 0b11 | (1UL << 2) | (0b01UL << 6) | (0b11UL << 8) | (1UL << 10) | (1UL << 11) | (1UL << 53) | (1UL << 54);
        Assert.Equal(rw, Leaf(memory, table, 0x1000));

        // Read-only privileged executable MMIO: AttrIndx 2, AP[2:1]=10, SH=10 (not cacheable), no XN bits.
        ulong device = 0x9000_0000UL | 0b11 | (2UL << 2) | (0b10UL << 6) | (0b10UL << 8) | (1UL << 10) | (1UL << 11);
        Assert.Equal(device, Leaf(memory, table, 0x2000));

        // Non-cacheable: AttrIndx 0, SH outer.
        ulong nc = 0xA000_0000UL | 0b11 | (0b01UL << 6) | (0b10UL << 8) | (1UL << 10) | (1UL << 11) | (1UL << 53) | (1UL << 54);
        Assert.Equal(nc, Leaf(memory, table, 0x3000));
    }

    [Fact]
    public void Stage1_global_leaves_clear_nG()
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48) { Global = true });
        table.Map(0x1000, 0x8000_0000, 0x1000, IoPagePermissions.Read);
        Assert.False(Bits.IsSet(Leaf(memory, table, 0x1000), 11));
    }

    [Fact]
    public void Stage2_leaf_bits_follow_digest_7_10()
    {
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage2, Granule.Size4K, 48, 48));
        table.Map(0x1000, 0x8000_0000, 0x1000, IoPagePermissions.Read);
        table.Map(0x2000, 0x9000_0000, 0x1000, IoPagePermissions.Write | IoPagePermissions.Execute | IoPagePermissions.Mmio);
        table.Map(0x3000, 0xA000_0000, 0x1000, IoPagePermissions.ReadWrite | IoPagePermissions.NoCache);

        // Read-only cacheable: S2AP[7:6]=01, MemAttr[5:2]=0xF, SH=11, AF, XN[54].
        ulong ro = 0x8000_0000UL | 0b11 | (0xFUL << 2) | (0b01UL << 6) | (0b11UL << 8) | (1UL << 10) | (1UL << 54);
        Assert.Equal(ro, Leaf(memory, table, 0x1000));

        // Write-only executable MMIO: S2AP=10, MemAttr 0x1, SH=10, no XN.
        ulong mmio = 0x9000_0000UL | 0b11 | (0x1UL << 2) | (0b10UL << 6) | (0b10UL << 8) | (1UL << 10);
        Assert.Equal(mmio, Leaf(memory, table, 0x2000));

        // Non-cacheable: MemAttr 0x5.
        ulong nc = 0xA000_0000UL | 0b11 | (0x5UL << 2) | (0b11UL << 6) | (0b10UL << 8) | (1UL << 10) | (1UL << 54);
        Assert.Equal(nc, Leaf(memory, table, 0x3000));
    }

    [Fact]
    public void Stage2_concatenated_start_tables_are_one_aligned_block()
    {
        // Digest §7.3/§7.10: 4K ias 40 -> two level-1 tables, 8 KiB, aligned to 8 KiB; index = IPA[39:30].
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage2, Granule.Size4K, 40, 48));
        Assert.Equal(0UL, table.RootAddress % 0x2000);

        table.Map(0xFF_C000_0000, 0x4000_0000, 0x4000_0000, IoPagePermissions.ReadWrite);
        table.Map(0, 0x8000_0000, 0x1000, IoPagePermissions.ReadWrite);

        ulong top = memory.ReadUInt64(table.RootAddress + (0x3FF * 8)); // last entry of the second table
        Assert.Equal(0b01UL, top & 0b11);
        Assert.Equal(0x4000_0000UL, top & OaMask48 & ~((1UL << 30) - 1));
        Assert.Equal(0b11UL, memory.ReadUInt64(table.RootAddress) & 0b11);
        Assert.True(table.TryIovaToPhys(0xFF_C000_1234, out ulong pa));
        Assert.Equal(0x4000_1234UL, pa);
        Assert.Throws<ArgumentException>(() => table.Map(1UL << 40, 0, 0x1000, IoPagePermissions.Read));
    }

    [Fact]
    public void Output_addresses_above_48_bits_use_bits_15_to_12_with_64K()
    {
        // Digest §7.9: 64K granule with 52-bit OA packs OA[51:48] in descriptor bits [15:12].
        var (memory, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage2, Granule.Size64K, 48, 52));
        ulong pa = 0xA_1234_5678_0000;
        table.Map(0x10000, pa, 0x10000, IoPagePermissions.Read);
        ulong leaf = Leaf(memory, table, 0x10000);
        Assert.Equal(0xAUL, (leaf >> 12) & 0xF);
        Assert.Equal(pa & OaMask48, leaf & OaMask48 & ~0xFFFFUL);
        Assert.True(table.TryIovaToPhys(0x10008, out ulong got));
        Assert.Equal(pa + 8, got);
    }

    [Fact]
    public void Mapping_over_a_mapping_throws_and_changes_nothing()
    {
        var (memory, allocator, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        table.Map(0x20_0000, 0x20_0000, 0x20_0000, IoPagePermissions.Read);
        ulong inUse = allocator.BytesInUse;

        // Pages before the existing block are free, but the range runs into the block.
        var ex = Assert.Throws<InvalidOperationException>(() => table.Map(0x1F_0000, 0x100_0000, 0x2_0000, IoPagePermissions.Read));
        Assert.Contains("0x200000", ex.Message, StringComparison.Ordinal);
        Assert.False(table.TryIovaToPhys(0x1F_0000, out _));
        Assert.Equal(inUse, allocator.BytesInUse);
        Assert.Equal(0UL, PageTableOracle.Walk(memory, table.Config, table.RootAddress, 0x1F_0000).Descriptor);
    }

    [Fact]
    public void Bad_arguments_throw_ArgumentException()
    {
        var (_, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size16K, 48, 40));
        Assert.Throws<ArgumentException>(() => table.Map(0x1000, 0, 0x4000, IoPagePermissions.Read));  // iova not 16K aligned
        Assert.Throws<ArgumentException>(() => table.Map(0, 0x1000, 0x4000, IoPagePermissions.Read));  // pa not aligned
        Assert.Throws<ArgumentException>(() => table.Map(0, 0, 0x2000, IoPagePermissions.Read));        // size not aligned
        Assert.Throws<ArgumentException>(() => table.Map(0, 0, 0, IoPagePermissions.Read));
        Assert.Throws<ArgumentException>(() => table.Map(0, 1UL << 40, 0x4000, IoPagePermissions.Read)); // beyond oas
        Assert.Throws<ArgumentException>(() => table.Map(0, 0, 0x4000, IoPagePermissions.Execute));      // neither read nor write
        Assert.Throws<ArgumentException>(() => table.Unmap(0x2000, 0x4000));
    }

    [Fact]
    public void Allocator_exhaustion_mid_map_leaves_nothing_behind()
    {
        var memory = new SparseMemory();
        var allocator = new PhysicalAllocator(memory, TableBase, 0x3000); // root + 2 tables: a 4K page needs 3 below L0
        var table = new IoPageTable(allocator, new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        Assert.Throws<InvalidOperationException>(() => table.Map(0x1000, 0x1000, 0x1000, IoPagePermissions.Read));
        Assert.Equal(0x1000UL, allocator.BytesInUse);
        Assert.Equal(1, table.TableCount);
        Assert.Equal(0UL, memory.ReadUInt64(table.RootAddress));
    }

    [Fact]
    public void Dispose_returns_every_table()
    {
        var (_, allocator, table) = Create(new IoPageTableConfig(PageTableStage.Stage2, Granule.Size4K, 40, 48));
        table.Map(0x1000, 0x1000, 0x3000, IoPagePermissions.Read);
        table.Map(0x80_0000_0000, 0x1000, 0x1000, IoPagePermissions.Read);
        Assert.True(allocator.BytesInUse > 0x2000);
        table.Dispose();
        Assert.Equal(0UL, allocator.BytesInUse);
        Assert.Throws<ObjectDisposedException>(() => table.Map(0, 0, 0x1000, IoPagePermissions.Read));
    }

    [Fact]
    public void Concurrent_maps_of_disjoint_ranges_all_land()
    {
        var (_, _, table) = Create(new IoPageTableConfig(PageTableStage.Stage1, Granule.Size4K, 48, 48));
        Parallel.For(0, 8, t => table.Map((ulong)t * 0x4000_0000 + 0x1000, 0x100_0000 + ((ulong)t * 0x1000), 0x1000, IoPagePermissions.Read));
        for (ulong t = 0; t < 8; t++)
        {
            Assert.True(table.TryIovaToPhys((t * 0x4000_0000) + 0x1000, out ulong pa));
            Assert.Equal(0x100_0000 + (t * 0x1000), pa);
        }
    }

    internal static (SparseMemory Memory, PhysicalAllocator Allocator, IoPageTable Table) Create(IoPageTableConfig config)
    {
        var memory = new SparseMemory();
        var allocator = new PhysicalAllocator(memory, TableBase, TableWindow);
        return (memory, allocator, new IoPageTable(allocator, config));
    }

    private static ulong Leaf(SparseMemory memory, IoPageTable table, ulong iova) =>
        PageTableOracle.Walk(memory, table.Config, table.RootAddress, iova).Descriptor;
}
