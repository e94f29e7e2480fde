namespace ArmSmmu.Tests.Device.Pmcg;

/// <summary>
/// Locations of the PMCG's two 64 KiB pages that hold no register (IHI0070 §10.5): beyond the 4 KiB register page,
/// and unnamed slots of the ID block at 0xFB0-0xFFC, are RES0: they read as zero and ignore writes.
/// </summary>
public class PmcgReservedSpaceTests
{
    private static SmmuPerformanceMonitor Pmcg() => new SmmuV3(new SparseMemory()).PerformanceMonitor!;

    [Theory]
    [InlineData(0x1000UL)]  // page 0, beyond the register page
    [InlineData(0xFFF8UL)]
    [InlineData(0x11000UL)] // page 1, beyond the register page
    public void Section_10_5_beyond_the_4k_register_page_is_raz_wi(ulong offset)
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister32(offset, 0xFFFF_FFFF);
        pmcg.WriteRegister64(offset & ~7UL, ulong.MaxValue);

        Assert.Equal(0u, pmcg.ReadRegister32(offset));
        Assert.Equal(0UL, pmcg.ReadRegister64(offset & ~7UL));
    }

    [Theory]
    [InlineData(0xFB0UL)]
    [InlineData(0xFC0UL)]
    [InlineData(0xFC8UL)]
    public void Section_10_5_unnamed_slots_of_the_id_block_read_zero(ulong offset)
    {
        var pmcg = Pmcg();
        pmcg.WriteRegister32(offset, 0xFFFF_FFFF);

        Assert.Equal(0u, pmcg.ReadRegister32(offset));
        Assert.Equal(0x0Du, pmcg.ReadRegister32(PmcgRegister.CIDR0)); // the named ones still answer (CoreSight CIDR0)
    }
}
