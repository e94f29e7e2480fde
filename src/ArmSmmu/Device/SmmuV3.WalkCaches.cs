using ArmSmmu.Structures;
using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu;

// Walk-cache maintenance (IHI0070 §3.17, §4.4): run after a TLBI command completed without error, next to the TLB's own
// invalidation in Execute. CFGI_* commands do not reach the walk caches (see WalkCaches).
public sealed partial class SmmuV3
{
    private void InvalidateWalkCaches(in Command c)
    {
        int wildcard = VmidWildcardBits;
        switch (c.Opcode)
        {
            case CommandOpcode.TlbiNhAll:
                _walkCaches.InvalidateVmid(c.Vmid, stage1Only: true, wildcard);
                break;
            case CommandOpcode.TlbiS12Vmall:
                _walkCaches.InvalidateVmid(c.Vmid, stage1Only: false, wildcard);
                break;
            case CommandOpcode.TlbiNhAsid:
                _walkCaches.InvalidateAsid(StreamWorld.NsEl1, c.Vmid, EffectiveAsid(c.Asid), wildcard);
                break;
            case CommandOpcode.TlbiEl2Asid:
                _walkCaches.InvalidateAsid(StreamWorld.NsEl2E2H, 0, EffectiveAsid(c.Asid), 0);
                break;
            case CommandOpcode.TlbiEl2All:
                _walkCaches.InvalidateEl2All();
                break;
            case CommandOpcode.TlbiNsnhAll:
                _walkCaches.InvalidateNsnhAll();
                break;
            case CommandOpcode.TlbiNhVa or CommandOpcode.TlbiNhVaa or CommandOpcode.TlbiEl2Va or CommandOpcode.TlbiEl2Vaa or CommandOpcode.TlbiS2Ipa:
                InvalidateWalkCachesByAddress(c, wildcard);
                break;
        }
    }

    // A processor's broadcast TLBI reaches the walk caches with the scope Apply gives it in the TLB (IHI0070 §3.17.2-
    // §3.17.6); leaf-only forms keep intermediate entries, as the leaf-only commands do.
    private void InvalidateWalkCaches(in BroadcastInvalidation m, in BroadcastScope scope)
    {
        var (asid, vmid, vmw, address, size, _, el20) = scope; // el20: §3.17.5, the EL2&0 regime's entries
        switch (m.Operation)
        {
            case Op.VAE1IS or Op.VALE1IS or Op.RVAE1IS or Op.RVALE1IS or Op.VAAE1IS or Op.VAALE1IS or Op.RVAAE1IS or Op.RVAALE1IS:
                ushort? byAsid = m.Operation is Op.VAE1IS or Op.VALE1IS or Op.RVAE1IS or Op.RVALE1IS ? asid : null;
                _walkCaches.InvalidateVa(el20 ? StreamWorld.NsEl2E2H : StreamWorld.NsEl1, el20 ? (ushort)0 : vmid, byAsid, address, size, m.LeafOnly, el20 ? 0 : vmw);
                break;
            case Op.ASIDE1IS when el20:
                _walkCaches.InvalidateAsid(StreamWorld.NsEl2E2H, 0, asid, 0);
                break;
            case Op.ASIDE1IS:
                _walkCaches.InvalidateAsid(StreamWorld.NsEl1, vmid, asid, vmw);
                break;
            case Op.VMALLE1IS when el20:
                _walkCaches.InvalidateVa(StreamWorld.NsEl2E2H, 0, null, 0, ulong.MaxValue, leafOnly: false, 0);
                break;
            case Op.VMALLE1IS:
                _walkCaches.InvalidateVmid(vmid, stage1Only: true, vmw);
                break;
            case Op.IPAS2E1IS or Op.IPAS2LE1IS or Op.RIPAS2E1IS or Op.RIPAS2LE1IS:
                _walkCaches.InvalidateIpa(vmid, address, size, m.LeafOnly, vmw);
                break;
            case Op.VMALLS12E1IS:
                _walkCaches.InvalidateVmid(vmid, stage1Only: false, vmw);
                break;
            case Op.ALLE1IS:
                _walkCaches.InvalidateNsnhAll();
                break;
            case Op.ALLE2IS:
                _walkCaches.InvalidateEl2All();
                break;
            default: // VAE2IS, VALE2IS: an E2H issuer supplies an ASID (§3.17.5)
                _walkCaches.InvalidateVa(m.HostE2H ? StreamWorld.NsEl2E2H : StreamWorld.NsEl2, 0, m.HostE2H ? asid : null, address, size, m.LeafOnly, 0);
                break;
        }
    }

    private void InvalidateWalkCachesByAddress(in Command c, int wildcard)
    {
        // Execute accepted the command, so its range decodes.
        _ = TryDecodeRange(c, out ulong size, out _);
        ushort? asid = c.Opcode is CommandOpcode.TlbiNhVa or CommandOpcode.TlbiEl2Va ? EffectiveAsid(c.Asid) : null;
        switch (c.Opcode)
        {
            case CommandOpcode.TlbiS2Ipa:
                _walkCaches.InvalidateIpa(c.Vmid, c.Ipa, size, c.Leaf, wildcard);
                break;
            case CommandOpcode.TlbiNhVa or CommandOpcode.TlbiNhVaa:
                _walkCaches.InvalidateVa(StreamWorld.NsEl1, c.Vmid, asid, c.Address, size, c.Leaf, wildcard);
                break;
            default:
                // IHI0070 §4.4.2.8-9: EL2 entries have no ASID; EL2-E2H entries are per ASID.
                _walkCaches.InvalidateVa(StreamWorld.NsEl2, 0, null, c.Address, size, c.Leaf, 0);
                _walkCaches.InvalidateVa(StreamWorld.NsEl2E2H, 0, asid, c.Address, size, c.Leaf, 0);
                break;
        }
    }
}
