using ArmSmmu.Translation;

namespace ArmSmmu.Caches;

/// <summary>
/// The walk caches of one SMMU (IHI0070 §3.17, §16.2): stage-1 and stage-2 intermediate table entries, and the
/// stage-2 translations of stage-1 table IPAs. Each invalidation removes at least what its command's scope requires
/// (IHI0070 §4.4): Leaf = 1 by-address TLBIs keep intermediate entries (permitted: they only need to remove leaf
/// entries), everything else removes the covering entries of its StreamWorld, VMID and ASID. CFGI_* commands remove
/// nothing: the architecture keeps TLB contents across configuration invalidation, and every entry is tagged with the
/// table root and walk parameters it was built from, so a walk under a changed configuration cannot find it.
/// </summary>
internal sealed class WalkCaches
{
    private const uint AllWorlds = 0xF;

    /// <summary>Creates the caches; a size of 0 disables that cache.</summary>
    /// <param name="stage1Entries">Stage-1 intermediate entries.</param>
    /// <param name="stage2Entries">Stage-2 intermediate entries.</param>
    /// <param name="tableIpaEntries">Stage-2 translations of stage-1 table addresses.</param>
    public WalkCaches(int stage1Entries, int stage2Entries, int tableIpaEntries)
    {
        Stage1 = new WalkCache(stage1Entries, Generation);
        Stage2 = new WalkCache(stage2Entries, Generation);
        TableIpa = new WalkCache(tableIpaEntries, Generation);
    }

    /// <summary>Advanced before any entry is removed; read by a walk before it starts.</summary>
    public WalkCacheGeneration Generation { get; } = new();

    /// <summary>Stage-1 table descriptors.</summary>
    public WalkCache Stage1 { get; }

    /// <summary>Stage-2 table descriptors.</summary>
    public WalkCache Stage2 { get; }

    /// <summary>IPA→PA of stage-1 tables.</summary>
    public WalkCache TableIpa { get; }

    /// <summary>Reset: everything.</summary>
    public void InvalidateAll() => Remove(new Scope(AllWorlds, AllKinds, AnyVmid: true, 0, 0, AnyAsid: true, 0, 0, ulong.MaxValue));

    /// <summary>CMD_TLBI_NSNH_ALL (IHI0070 §4.4.4.1): every NS-EL1 entry, both stages.</summary>
    public void InvalidateNsnhAll() =>
        Remove(new Scope(WorldBit(StreamWorld.NsEl1), AllKinds, AnyVmid: true, 0, 0, AnyAsid: true, 0, 0, ulong.MaxValue));

    /// <summary>CMD_TLBI_EL2_ALL (IHI0070 §4.4.2.7): every NS-EL2 and NS-EL2-E2H stage-1 entry.</summary>
    public void InvalidateEl2All() => Remove(new Scope(
        WorldBit(StreamWorld.NsEl2) | WorldBit(StreamWorld.NsEl2E2H), KindBit(WalkCacheKind.Stage1Table), AnyVmid: true, 0, 0, AnyAsid: true, 0, 0, ulong.MaxValue));

    /// <summary>
    /// CMD_TLBI_NH_ALL (<paramref name="stage1Only"/>, IHI0070 §4.4.2.1): the NS-EL1 stage-1 entries of a VMID.
    /// CMD_TLBI_S12_VMALL (§4.4.3.2): every NS-EL1 entry of the VMID, stage-2 and table IPA entries included.
    /// </summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="stage1Only">True for NH_ALL.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored (SMMU_CR0.VMW, §3.17.6).</param>
    public void InvalidateVmid(ushort vmid, bool stage1Only, int vmidWildcardBits) => Remove(new Scope(
        WorldBit(StreamWorld.NsEl1), stage1Only ? KindBit(WalkCacheKind.Stage1Table) : AllKinds, AnyVmid: false, vmid, Ignored(vmidWildcardBits), AnyAsid: true, 0, 0, ulong.MaxValue));

    /// <summary>CMD_TLBI_NH_ASID (NS-EL1, IHI0070 §4.4.2.2) and CMD_TLBI_EL2_ASID (NS-EL2-E2H, §4.4.2.10): the stage-1 entries of an ASID.</summary>
    /// <param name="world">StreamWorld.</param>
    /// <param name="vmid">VMID (NS-EL1 only).</param>
    /// <param name="asid">ASID.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored.</param>
    public void InvalidateAsid(StreamWorld world, ushort vmid, ushort asid, int vmidWildcardBits) => Remove(new Scope(
        WorldBit(world), KindBit(WalkCacheKind.Stage1Table), !TlbKey.UsesVmid(world), vmid, Ignored(vmidWildcardBits), AnyAsid: false, asid, 0, ulong.MaxValue));

    /// <summary>
    /// CMD_TLBI_NH_VA / NH_VAA / EL2_VA / EL2_VAA with Leaf = 0 (IHI0070 §4.4.2): the stage-1 intermediate entries whose
    /// table region overlaps the range, for the ASID (null: every ASID). With Leaf = 1 nothing is removed: §4.4.1
    /// requires only leaf entries to go, and keeping the tables is this model's documented choice. The TTL hint is
    /// ignored here, since every level above the leaf belongs to the walk it names.
    /// </summary>
    /// <param name="world">StreamWorld.</param>
    /// <param name="vmid">VMID (NS-EL1 only).</param>
    /// <param name="asid">ASID, or null for all.</param>
    /// <param name="address">First VA.</param>
    /// <param name="size">Bytes.</param>
    /// <param name="leafOnly">Leaf = 1.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored.</param>
    public void InvalidateVa(StreamWorld world, ushort vmid, ushort? asid, ulong address, ulong size, bool leafOnly, int vmidWildcardBits)
    {
        if (leafOnly)
        {
            return;
        }

        bool anyAsid = asid is null || !TlbKey.UsesAsid(world, TranslationKind.Stage1);
        Remove(new Scope(
            WorldBit(world), KindBit(WalkCacheKind.Stage1Table), !TlbKey.UsesVmid(world), vmid, Ignored(vmidWildcardBits), anyAsid, asid.GetValueOrDefault(), address, Last(address, size)));
    }

    /// <summary>
    /// CMD_TLBI_S2_IPA (IHI0070 §4.4.3.1): the table-IPA entries whose stage-2 leaf overlaps the range (they are leaf
    /// information, so Leaf = 1 removes them too) and, with Leaf = 0, the stage-2 intermediate entries overlapping it.
    /// Stage-1 entries stay: they hold IPAs, which this command does not change.
    /// </summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="ipa">First IPA.</param>
    /// <param name="size">Bytes.</param>
    /// <param name="leafOnly">Leaf = 1.</param>
    /// <param name="vmidWildcardBits">Low VMID bits ignored.</param>
    public void InvalidateIpa(ushort vmid, ulong ipa, ulong size, bool leafOnly, int vmidWildcardBits) => Remove(new Scope(
        WorldBit(StreamWorld.NsEl1),
        KindBit(WalkCacheKind.TableIpa) | (leafOnly ? 0 : KindBit(WalkCacheKind.Stage2Table)),
        AnyVmid: false,
        vmid,
        Ignored(vmidWildcardBits),
        AnyAsid: true,
        0,
        ipa,
        Last(ipa, size)));

    private static uint AllKinds => KindBit(WalkCacheKind.Stage1Table) | KindBit(WalkCacheKind.Stage2Table) | KindBit(WalkCacheKind.TableIpa);

    private static uint WorldBit(StreamWorld world) => 1u << (int)world;

    private static uint KindBit(WalkCacheKind kind) => 1u << (int)kind;

    private static ushort Ignored(int vmidWildcardBits) => (ushort)Bits.Mask(vmidWildcardBits);

    // IHI0070 §4.4.1.1: [address, address + size) without wrapping; a size of 0 names the one address.
    private static ulong Last(ulong first, ulong size) =>
        size == 0 ? first : first + (size - 1) >= first ? first + (size - 1) : ulong.MaxValue;

    private void Remove(in Scope scope)
    {
        Generation.Advance();
        if ((scope.Kinds & KindBit(WalkCacheKind.Stage1Table)) != 0)
        {
            Stage1.RemoveWhere(scope, Scope.Matches);
        }

        if ((scope.Kinds & KindBit(WalkCacheKind.Stage2Table)) != 0)
        {
            Stage2.RemoveWhere(scope, Scope.Matches);
        }

        if ((scope.Kinds & KindBit(WalkCacheKind.TableIpa)) != 0)
        {
            TableIpa.RemoveWhere(scope, Scope.Matches);
        }
    }

    private readonly record struct Scope(
        uint Worlds, uint Kinds, bool AnyVmid, ushort Vmid, ushort VmidIgnored, bool AnyAsid, ushort Asid, ulong First, ulong Last)
    {
        public static bool Matches(WalkCacheEntry entry, Scope s)
        {
            ulong tag = entry.Key.Tag;
            var kind = WalkCacheTag.Kind(tag);
            return (s.Worlds & WorldBit(WalkCacheTag.World(tag))) != 0
                && (s.Kinds & KindBit(kind)) != 0
                && (s.AnyVmid || ((WalkCacheTag.Vmid(tag) ^ s.Vmid) & ~s.VmidIgnored) == 0)
                && (s.AnyAsid || kind != WalkCacheKind.Stage1Table || WalkCacheTag.Asid(tag) == s.Asid)
                && entry.First <= s.Last && s.First <= entry.Last;
        }
    }
}
