using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Driver;

/// <summary>
/// A stage-1 translation context: an ASID, stage-1 tables, and the CD that points the SMMU at them (digest §8.5
/// step 1, §7.10). Create it with <see cref="SmmuDriver.CreateStage1Domain"/>.
/// </summary>
public sealed class Stage1Domain : IDisposable
{
    private readonly SmmuDriver _driver;
    private readonly DomainTables _tables;

    internal Stage1Domain(SmmuDriver driver, IoPageTableConfig config, ushort asid, Stage2Domain? parent, bool el2, bool stall, IoPageTable? restored = null)
    {
        _driver = driver;
        Asid = asid;
        Parent = parent;
        El2 = el2;
        Stall = stall;
        _tables = new DomainTables(this, driver, config, ToCommand, restored);
    }

    /// <summary>The ASID tagging this domain's TLB entries (CD.ASID).</summary>
    public ushort Asid { get; }

    /// <summary>For a nested stream, the stage-2 domain translating this domain's output; otherwise null.</summary>
    public Stage2Domain? Parent { get; }

    /// <summary>The VMID the TLB entries carry: the parent's, or 0 for a stage-1-only stream.</summary>
    public ushort Vmid => Parent?.Vmid ?? 0;

    /// <summary>The stream runs in the EL2-E2H StreamWorld: invalidation uses CMD_TLBI_EL2_*.</summary>
    public bool El2 { get; }

    /// <summary>Faults stall (CD.S = 1).</summary>
    public bool Stall { get; }

    /// <summary>The stage-1 tables (CD.TTB0 = <see cref="IoPageTable.RootAddress"/>).</summary>
    public IoPageTable PageTable => _tables.PageTable;

    /// <summary>The translation granule.</summary>
    public Granule Granule => PageTable.Config.Granule;

    /// <summary>
    /// The valid CD for this domain, as Linux builds it (digest §8.5 step 1): T0SZ/TG0/IPS from the tables, walks
    /// inner-shareable write-back when coherent, EPD1 (no TTB1), AA64, R = A = 1 (record and abort), ASET = 1
    /// (private ASID), S per <see cref="Stall"/>, the Linux MAIR.
    /// </summary>
    public ContextDescriptor ContextDescriptor
    {
        get
        {
            var config = PageTable.Config;
            return new ContextDescriptor
            {
                T0SZ = (uint)config.T0SZ,
                TG0 = config.Tg0,
                IR0 = config.Irgn0,
                OR0 = config.Orgn0,
                SH0 = config.Sh0,
                EPD1 = true,
                V = true,
                IPS = config.Ips,
                AA64 = true,
                S = Stall,
                R = true,
                A = true,
                ASET = true,
                ASID = Asid,
                TTB0 = PageTable.RootAddress,
                DS = config.Ds,
                MAIR = config.Mair,
            };
        }
    }

    /// <summary>Maps [<paramref name="iova"/>, +<paramref name="size"/>) to <paramref name="outputAddress"/>: descriptor writes only, no TLBI (digest §8.5 step 6: invalid entries are never cached).</summary>
    /// <param name="iova">VA, granule aligned.</param>
    /// <param name="outputAddress">PA (IPA for a nested stream), granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <param name="permissions">Access rights and memory type.</param>
    public void Map(ulong iova, ulong outputAddress, ulong size, IoPagePermissions permissions) =>
        _tables.Map(iova, outputAddress, size, permissions);

    /// <summary>Unmaps the range and issues the TLB invalidations it needs plus a CMD_SYNC (digest §8.5 step 7).</summary>
    /// <param name="iova">VA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule.</param>
    /// <returns>Bytes that were mapped and are now unmapped.</returns>
    public ulong Unmap(ulong iova, ulong size) => _tables.Unmap(iova, size);

    // Iommu's map and unmap, which hold the driver's lock already.
    internal void MapLocked(ulong iova, ulong outputAddress, ulong size, IoPagePermissions permissions) =>
        _tables.MapLocked(iova, outputAddress, size, permissions);

    internal ulong UnmapLocked(ulong iova, ulong size) => _tables.UnmapLocked(iova, size);

    /// <summary>
    /// Changes the permissions of a mapped range: break-before-make (unmap with TLBI + SYNC, then map again with the
    /// same output addresses), because a valid entry whose permissions change may be cached (digest §8.5 step 6).
    /// </summary>
    /// <param name="iova">VA, granule aligned.</param>
    /// <param name="size">Bytes, a multiple of the granule; every page must be mapped.</param>
    /// <param name="permissions">The new permissions.</param>
    public void Protect(ulong iova, ulong size, IoPagePermissions permissions) =>
        _tables.Protect(iova, size, permissions, Unmap);

    /// <summary>Invalidates every TLB entry of this domain: TLBI_NH_ASID (TLBI_EL2_ASID for EL2-E2H) + SYNC.</summary>
    public void FlushTlb()
    {
        _driver.SubmitAndSync(El2 ? Command.TlbiEl2Asid(Asid) : Command.TlbiNhAsid(Vmid, Asid));
    }

    /// <summary>Flushes the TLB, releases the ASID and frees the tables; the CD must no longer be valid.</summary>
    public void Dispose() => _tables.Dispose(FlushTlb, () => _driver.ReleaseAsid(Asid));

    // Digest §8.5 step 7: TLBI_NH_VA (ASID, VMID), or TLBI_EL2_VA in EL2-E2H, with the range fields when RIL.
    private Command ToCommand(TlbInvalidation i) => El2
        ? Command.TlbiEl2Va(Asid, i.Address, i.Leaf, (uint)i.Num, (uint)i.Scale, (uint)i.Ttl, (RangeGranule)i.Tg)
        : Command.TlbiNhVa(Vmid, Asid, i.Address, i.Leaf, (uint)i.Num, (uint)i.Scale, (uint)i.Ttl, (RangeGranule)i.Tg);
}
