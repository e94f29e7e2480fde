using ArmSmmu.Structures;

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
