using ArmSmmu.Translation;
using Op = ArmSmmu.BroadcastTlbiOperation;

namespace ArmSmmu;

// Broadcast TLB maintenance (IHI0070 §3.17.2-§3.17.6): a processor's TLBI…IS reaches the SMMU's TLB through the same
// invalidation operations the CMD_TLBI_* commands use; only the scope (StreamWorld, VMID, ASID) is worked out here.
public sealed partial class SmmuV3
{
    /// <summary>
    /// Receives a TLB invalidation broadcast by a processor (the seed's <c>receive_broadcast_tlbi</c>) and removes the
    /// TLB entries it matches, as IHI0070 §3.17 says. Completion is immediate: the DVM sync is the caller's.
    /// Non-secure operations reach Non-secure StreamWorlds and need SMMU_CR2.PTM = 0; Secure EL1 and EL3 operations
    /// reach the Secure side's S-EL1 and EL3 StreamWorlds and need SMMU_S_CR2.PTM = 0 (§3.17.2, §6.3.60). Nothing
    /// happens when SMMU_IDR0.BTM = 0, or for a Security state or StreamWorld this SMMU does not implement (§3.17:
    /// such messages are silently ignored).
    /// </summary>
    /// <param name="message">The operation, its operands and its origin.</param>
    /// <returns>The number of TLB entries removed.</returns>
    /// <exception cref="ArgumentException">
    /// An operation a PE cannot issue from <see cref="BroadcastInvalidation.IssuedFrom"/> (an EL2 operation from EL1,
    /// an EL3 operation below EL3), a TTL level outside 0-3, or malformed range operands.
    /// </exception>
    public int ReceiveBroadcastInvalidation(in BroadcastInvalidation message)
    {
        CheckIssuable(message);
        ulong size = message.RangeBytes;
        lock (_lock)
        {
            // IHI0070 §3.17, §6.3.60: each Security state has its own PTM (RES0 without BTM); with PTM = 1 the SMMU
            // ignores that state's broadcasts (the recommended choice). EL3 is a Secure regime.
            bool secure = message.Security == SecurityState.Secure || message.IsEl3;
            var side = secure ? _secure : this;
            if (!Features.Btm || side is null || side.Cr2.PTM)
            {
                Statistics.CountBroadcastInvalidation(applied: false);
                return 0;
            }

            Statistics.CountBroadcastInvalidation(applied: true);

            // The walk caches take the same scopes (IHI0070 §3.17, §16.2; SmmuV3.WalkCaches.cs).
            return !secure ? Apply(message, ScopeOf(message, size)) : side.ApplySecure(message, size);
        }
    }

    private static void CheckIssuable(in BroadcastInvalidation message)
    {
        bool el2Only = message.Operation is Op.IPAS2E1IS or Op.IPAS2LE1IS or Op.VMALLS12E1IS or Op.ALLE1IS or Op.ALLE2IS
            or Op.VAE2IS or Op.VALE2IS or Op.RIPAS2E1IS or Op.RIPAS2LE1IS;
        if ((el2Only && message.IssuedFrom == ExceptionLevel.EL1) || (message.IsEl3 && message.IssuedFrom != ExceptionLevel.EL3))
        {
            throw new ArgumentException($"TLBI {message.Operation} cannot be executed at {message.IssuedFrom} (it is UNDEFINED there).", nameof(message));
        }

        if (message.LastLevel is < 0 or > 3)
        {
            throw new ArgumentException($"TTL level {message.LastLevel} is outside 0-3.", nameof(message));
        }
    }

    // The operands as this SMMU matches them, worked out once for the TLB and the walk caches.
    private BroadcastScope ScopeOf(in BroadcastInvalidation m, ulong size) => new(
        // IHI0070 §3.17.4: an SMMU with 8-bit ASIDs/VMIDs compares the bottom 8 bits (a match when the top 8 bits are
        // non-zero is permitted, and this model takes it). §3.17: without stage 2 the SMMU matches VMID 0.
        EffectiveAsid(m.Asid),
        !Features.Stage2 ? (ushort)0 : Features.Vmid16 ? m.Vmid : (ushort)(m.Vmid & 0xFF),
        VmidWildcardBits, // IHI0070 §3.17.6: VMID wildcards apply to broadcasts as to commands
        m.Address & ~0xFFFUL,
        size,
        m.LastLevel ?? -1,
        // IHI0070 §3.17.5: a VHE host's *E1IS operations executed at EL2 (TGE = 1) target the EL2&0 regime, whose SMMU
        // entries are the NS-EL2-E2H ones; entries of NS-EL2 (no E2H) are not required to be affected and are not.
        m.HostE2H && m.IssuedFrom == ExceptionLevel.EL2);

    private int Apply(in BroadcastInvalidation m, in BroadcastScope scope)
    {
        var (asid, vmid, vmw, address, size, ttl, el20) = scope;
        bool leaf = m.LeafOnly;
        switch (m.Operation)
        {
            case Op.VAE1IS or Op.VALE1IS or Op.RVAE1IS or Op.RVALE1IS:
                return el20 ? InvalidateEl2Va(asid, address, size, leaf, ttl)
                    : Features.Stage1 ? InvalidateVa(StreamWorld.NsEl1, vmid, asid, address, size, leaf, ttl, vmw) : 0;
            case Op.VAAE1IS or Op.VAALE1IS or Op.RVAAE1IS or Op.RVAALE1IS:
                return el20 ? InvalidateEl2Va(null, address, size, leaf, ttl)
                    : Features.Stage1 ? InvalidateVa(StreamWorld.NsEl1, vmid, null, address, size, leaf, ttl, vmw) : 0;
            case Op.ASIDE1IS:
                // IHI0070 §3.17.1: global entries are not required to be removed by an ASID scope; they stay.
                return el20 ? (HypImplemented ? InvalidateAsid(StreamWorld.NsEl2E2H, 0, asid) : 0)
                    : Features.Stage1 ? InvalidateAsid(StreamWorld.NsEl1, vmid, asid, vmw) : 0;
            case Op.VMALLE1IS:
                return el20 ? InvalidateEl2Va(null, 0, ulong.MaxValue, false, -1)
                    : Features.Stage1 ? InvalidateVmid(vmid, stage1Only: true, vmw) : 0;
            case Op.IPAS2E1IS or Op.IPAS2LE1IS or Op.RIPAS2E1IS or Op.RIPAS2LE1IS:
                // Stage-2 entries only, as CMD_TLBI_S2_IPA: combined S1+S2 entries need VMALLE1IS/VMALLS12E1IS, as on a PE.
                return Features.Stage2 ? InvalidateIpa(vmid, address, size, leaf, ttl, vmw) : 0;
            case Op.VMALLS12E1IS:
                // A message with a combined effect affects the implemented stages (IHI0070 §3.17).
                return InvalidateVmid(vmid, stage1Only: false, vmw);
            case Op.ALLE1IS:
                return InvalidateNsnhAll();
            case Op.ALLE2IS:
                return HypImplemented ? InvalidateEl2All() : 0;
            case Op.VAE3IS or Op.VALE3IS or Op.ALLE3IS:
                return 0; // never Non-secure (ReceiveBroadcastInvalidation routes them to the Secure side)
            default: // VAE2IS, VALE2IS
                if (!HypImplemented)
                {
                    return 0;
                }

                // IHI0070 §3.17.5: an E2H issuer supplies an ASID and reaches NS-EL2-E2H entries; otherwise NS-EL2 entries.
                return m.HostE2H
                    ? InvalidateVa(StreamWorld.NsEl2E2H, 0, asid, address, size, leaf, ttl)
                    : InvalidateVa(StreamWorld.NsEl2, 0, null, address, size, leaf, ttl);
        }
    }

    private int InvalidateEl2Va(ushort? asid, ulong address, ulong size, bool leaf, int ttl) =>
        HypImplemented ? InvalidateVa(StreamWorld.NsEl2E2H, 0, asid, address, size, leaf, ttl) : 0;

    private readonly record struct BroadcastScope(ushort Asid, ushort Vmid, int VmidWildcard, ulong Address, ulong Size, int Ttl, bool El20);
}
