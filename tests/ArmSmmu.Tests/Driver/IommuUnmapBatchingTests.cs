using ArmSmmu.Driver;
using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Driver;

/// <summary>
/// Unmap through <see cref="Iommu"/> issues its TLBIs the way Linux's arm-smmu-v3 does (digest §8.5 step 7): the
/// leaf invalidations of the range, then one CMD_SYNC; tables a partial unmap empties stay for the next map.
/// </summary>
public class IommuUnmapBatchingTests
{
    private const ulong Page = 0x1000;

    [Fact]
    public void Unmap_of_a_lone_page_is_one_leaf_tlbi_and_one_sync()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(5, StreamMode.Stage1);
        iommu.Map(5, 0x4000_0000, 0x9000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.Equal(0x9000_0010UL, iommu.Translate(5, 0x4000_0010, AccessKind.Read).PhysicalAddress);
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);

        Assert.Equal(Page, iommu.Unmap(5, 0x4000_0000, Page));

        // IHI0070 §4.4.1.1 with RIL: TG 4K, NUM 0, SCALE 0 and TTL 3 (a level-3 leaf) name exactly this page.
        Assert.Equal([CommandOpcode.TlbiNhVa, CommandOpcode.Sync], commands.Select(c => c.Opcode));
        Assert.True(commands[0].Leaf);
        Assert.Equal((0x4000_0000UL, 0u, 0u, 3u), (commands[0].Address, commands[0].Num, commands[0].Scale, commands[0].Ttl));
        Assert.Equal(TranslationOutcome.Faulted, iommu.Translate(5, 0x4000_0010, AccessKind.Read).Outcome);
    }

    [Fact]
    public void Remapping_the_page_reuses_the_tables_and_translates_to_the_new_address()
    {
        var iommu = new Iommu();
        iommu.ConfigureStream(5, StreamMode.Stage1);
        iommu.Map(5, 0x4000_0000, 0x9000_0000, Page, IoPagePermissions.ReadWrite);
        Assert.True(iommu.Translate(5, 0x4000_0000, AccessKind.Read).IsSuccess);
        iommu.Unmap(5, 0x4000_0000, Page);
        var commands = new List<Command>();
        iommu.Driver.CommandWritten += (_, c) => commands.Add(c);

        iommu.Map(5, 0x4000_0000, 0xA000_0000, Page, IoPagePermissions.ReadWrite);

        Assert.Empty(commands); // map writes descriptors only: invalid entries are never cached (digest §8.5 step 6)
        Assert.Equal(0xA000_0010UL, iommu.Translate(5, 0x4000_0010, AccessKind.Read).PhysicalAddress);
    }
}
