namespace ArmSmmu;

// TLB maintenance reaches the walk caches with the same scope (IHI0070 §3.17, §4.4): the CMD_TLBI_* commands
// (SmmuV3.Commands.cs) and the broadcast TLBIs (SmmuV3.Broadcast.cs) name each scope once, through these, and the
// TLB and the walk caches both apply it. Leaf-only forms keep the walk caches' intermediate entries, as they keep
// the TLB's. CFGI_* commands do not reach the walk caches (see WalkCaches).
public sealed partial class SmmuV3
{
    private int InvalidateVmid(ushort vmid, bool stage1Only, int vmidWildcardBits)
    {
        _walkCaches.InvalidateVmid(vmid, stage1Only, vmidWildcardBits);
        return _tlb.InvalidateVmid(vmid, stage1Only, vmidWildcardBits);
    }

    private int InvalidateAsid(StreamWorld world, ushort vmid, ushort asid, int vmidWildcardBits = 0)
    {
        _walkCaches.InvalidateAsid(world, vmid, asid, vmidWildcardBits);
        return _tlb.InvalidateAsid(world, vmid, asid, vmidWildcardBits);
    }

    private int InvalidateVa(StreamWorld world, ushort vmid, ushort? asid, ulong address, ulong size, bool leafOnly, int ttlLevel, int vmidWildcardBits = 0)
    {
        _walkCaches.InvalidateVa(world, vmid, asid, address, size, leafOnly, vmidWildcardBits);
        return _tlb.InvalidateVa(world, vmid, asid, address, size, leafOnly, ttlLevel, vmidWildcardBits);
    }

    private int InvalidateIpa(ushort vmid, ulong ipa, ulong size, bool leafOnly, int ttlLevel, int vmidWildcardBits)
    {
        _walkCaches.InvalidateIpa(vmid, ipa, size, leafOnly, vmidWildcardBits);
        return _tlb.InvalidateIpa(vmid, ipa, size, leafOnly, ttlLevel, vmidWildcardBits);
    }

    private int InvalidateNsnhAll()
    {
        _walkCaches.InvalidateNsnhAll();
        return _tlb.InvalidateNsnhAll();
    }

    private int InvalidateEl2All()
    {
        _walkCaches.InvalidateEl2All();
        return _tlb.InvalidateEl2All();
    }

    // From the Secure command queue (SmmuV3.Secure.cs): one Secure StreamWorld of the shared TLB; the Secure side's walk
    // caches hold only Secure worlds and are emptied whole (a walk cache may lose more than the TLBI names).
    private int InvalidateSecureWorld(StreamWorld world)
    {
        _walkCaches.InvalidateAll();
        return _tlb.InvalidateWorld(world);
    }
}
