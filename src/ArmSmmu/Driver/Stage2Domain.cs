using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>
/// A stage-2 translation context: a VMID and stage-2 tables, programmed into STE words 2 and 3 (digest §8.5 step 3,
/// §7.10 VTCR). Create it with <see cref="SmmuDriver.CreateStage2Domain"/>.
/// </summary>
public sealed class Stage2Domain : IDisposable
{
    private readonly SmmuDriver _driver;
    private readonly DomainTables _tables;

    internal Stage2Domain(SmmuDriver driver, IoPageTableConfig config, ushort vmid, bool stall, IoPageTable? restored = null)
    {
        _driver = driver;
        Vmid = vmid;
        Stall = stall;
        _tables = new DomainTables(this, driver, config, ToCommand, restored);
    }

    /// <summary>The VMID (STE.S2VMID).</summary>
    public ushort Vmid { get; }

    /// <summary>Stage-2 faults stall (STE.S2S = 1).</summary>
    public bool Stall { get; }

    /// <summary>The stage-2 tables (STE.S2TTB = <see cref="IoPageTable.RootAddress"/>).</summary>
    public IoPageTable PageTable => _tables.PageTable;

    /// <summary>The IPA size in bits.</summary>
    public int InputBits => PageTable.Config.InputBits;

    /// <summary>The translation granule.</summary>
    public Granule Granule => PageTable.Config.Granule;

    /// <summary>
    /// Set when a nested stream uses this domain: unmapping then also removes the combined stage-1+2 TLB entries of
    /// the VMID (TLBI_NH_ALL), which an IPA-based invalidation need not touch (IHI0070 §4.4.3).
    /// </summary>
    public bool UsedForNesting { get; set; }

    /// <summary>
    /// <paramref name="ste"/> with the stage-2 fields of this domain: S2VMID, the VTCR fields (S2T0SZ, S2SL0,
    /// S2IR0/S2OR0/S2SH0, S2TG, S2PS), S2AA64, S2PTW, S2R = 1, S2S, and S2TTB.
    /// </summary>
    /// <param name="ste">An STE with stage 2 enabled in Config.</param>
    /// <returns>The completed STE.</returns>
    public StreamTableEntry ApplyTo(in StreamTableEntry ste)
    {
        var config = PageTable.Config;
        return ste with
        {
            S2VMID = Vmid,
            S2T0SZ = (uint)config.S2T0SZ,
            S2SL0 = config.S2SL0,
            S2SL0_2 = config.S2SL0_2,
            S2DS = config.Ds,
            S2IR0 = config.Irgn0,
            S2OR0 = config.Orgn0,
            S2SH0 = config.Sh0,
            S2TG = config.S2Tg,
            S2PS = config.S2Ps,
            S2AA64 = true,
            S2PTW = true,
            S2R = true,
            S2S = Stall,
            S2TTB = PageTable.RootAddress,
        };
    }

    /// <summary>Maps IPAs [<paramref name="ipa"/>, +<paramref name="size"/>) to <paramref name="pa"/>; no TLBI.</summary>
    /// <param name="ipa">IPA, granule aligned.</param>
    /// <param name="pa">PA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <param name="permissions">Access rights (S2AP) and memory type.</param>
    public void Map(ulong ipa, ulong pa, ulong size, IoPagePermissions permissions) =>
        _tables.Map(ipa, pa, size, permissions);

    /// <summary>Unmaps the range, then TLBI_S2_IPA per range (and TLBI_NH_ALL when nested) + CMD_SYNC.</summary>
    /// <param name="ipa">IPA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <returns>Bytes that were mapped and are now unmapped.</returns>
    public ulong Unmap(ulong ipa, ulong size) => _tables.Unmap(ipa, size, NestedFlush);

    // Iommu's map and unmap, which hold the driver's lock already.
    internal void MapLocked(ulong ipa, ulong pa, ulong size, IoPagePermissions permissions) =>
        _tables.MapLocked(ipa, pa, size, permissions);

    internal ulong UnmapLocked(ulong ipa, ulong size) => _tables.UnmapLocked(ipa, size, NestedFlush);

    // What an unmap adds to its TLBI_S2_IPAs for a nested stream: the combined stage-1 + stage-2 entries, which
    // TLBI_S2_IPA need not remove (IHI0070 §4.4.3.1).
    private Command? NestedFlush => UsedForNesting ? Command.TlbiNhAll(Vmid) : null;

    /// <summary>Changes the permissions of a mapped IPA range by break-before-make with TLBI (see <see cref="Stage1Domain.Protect"/>).</summary>
    /// <param name="ipa">IPA, granule aligned.</param>
    /// <param name="size">Bytes; every page must be mapped.</param>
    /// <param name="permissions">The new permissions.</param>
    public void Protect(ulong ipa, ulong size, IoPagePermissions permissions) =>
        _tables.Protect(ipa, size, permissions, Unmap);

    /// <summary>Invalidates every TLB entry of the VMID, both stages: TLBI_S12_VMALL + SYNC.</summary>
    public void FlushTlb() => _driver.SubmitAndSync(Command.TlbiS12Vmall(Vmid));

    /// <summary>Flushes the TLB, releases the VMID and frees the tables; no STE may still use them.</summary>
    public void Dispose() => _tables.Dispose(FlushTlb, () => _driver.ReleaseVmid(Vmid));

    // Digest §8.4: TLBI_S2_IPA(VMID, IPA, Leaf, NUM/SCALE/TTL/TG).
    private Command ToCommand(TlbInvalidation i) =>
        Command.TlbiS2Ipa(Vmid, i.Address, i.Leaf, (uint)i.Num, (uint)i.Scale, (uint)i.Ttl, (RangeGranule)i.Tg);
}
