using ArmSmmu.Device;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// The Secure programming interface (IHI0070 §3.10, §6.3 SMMU_S_*). The Secure side is a second instance of this
// class made from the same register banks (Device/RegisterBanks), seen through the SMMU_S_* page at 0x8000: its own
// Secure Stream table, command and event queues, GERROR and interrupts, configuration and walk caches, and the TLB of
// the device it belongs to, where its entries carry the Secure StreamWorlds (S-EL1, EL3) in their tag. Non-secure
// commands scope only Non-secure StreamWorlds, and a Non-secure stream's tag never names a Secure one, so neither
// ever observes a Secure entry. Both sides share one lock: a register write on either side is serialised with the other.
public sealed partial class SmmuV3
{
    private const ulong SecurePageBase = 0x8000;

    // SMMU_S_* registers the Secure side decodes as its own page-0 registers: CR0 to EVENTQ_IRQ_CFG2 and the S_GATOS_*
    // group (no Secure PRI queue; Secure VATOS and ECMDQ are not implemented, their offsets are RAZ/WI).
    private const ulong SecurePageForwardedEnd = 0x80C0;

    private const uint SInitInvAll = 1; // S_INIT.INV_ALL [0]

    private const uint SGbpaNsCfgMask = 0xC000; // S_GBPA.NSCFG [15:14] (RES0 in GBPA)

    private readonly SmmuV3? _secure;
    private readonly SmmuV3? _nonSecure;

    private SmmuV3 CreateSecureSide()
    {
        var side = new SmmuV3(_memory, Features.SecureSide, _recorder, this);

        // The Secure side's lines and stall resolutions are this device's, marked Secure.
        side.InterruptRaised += (_, e) => InterruptRaised?.Invoke(this, new SmmuInterruptEventArgs(e.Source) { Secure = true });
        side.StallResolved += (_, e) => StallResolved?.Invoke(this, new StallResolvedEventArgs(e.StreamId, e.StallTag, e.Retry, e.Abort) { Secure = true });
        return side;
    }

    private bool IsSecurePage(ulong offset) => _secure is not null
        && offset is (>= SecurePageBase and < SecurePageForwardedEnd) or (>= SmmuRegister.S_GATOS_CTRL and < SmmuRegister.S_GATOS_PAR + 8);

    private static bool IsSecure64BitRegister(ulong offset) => offset is SmmuRegister.S_GERROR_IRQ_CFG0 or SmmuRegister.S_STRTAB_BASE
        or SmmuRegister.S_CMDQ_BASE or SmmuRegister.S_EVENTQ_BASE or SmmuRegister.S_EVENTQ_IRQ_CFG0
        or SmmuRegister.S_GATOS_SID or SmmuRegister.S_GATOS_ADDR or SmmuRegister.S_GATOS_PAR;

    // IHI0070 §6.3.45-§6.3.48: the S_IDRs; S_INIT.INV_ALL reads 0, its invalidation having completed within the write.
    private uint ReadSecure32(ulong offset) => offset switch
    {
        SmmuRegister.S_IDR0 => Features.SIdr0,
        SmmuRegister.S_IDR1 => Features.SIdr1,
        SmmuRegister.S_IDR2 or SmmuRegister.S_IDR3 or SmmuRegister.S_IDR4 => Features.SIdr2,
        < SmmuRegister.S_CR0 or SmmuRegister.S_INIT => 0,
        _ => _secure!.Read32(offset - SecurePageBase),
    };

    private void WriteSecure32(ulong offset, uint value)
    {
        switch (offset)
        {
            case SmmuRegister.S_INIT when (value & SInitInvAll) != 0:
                // IHI0070 §6.3.51: every cache of both security states. (With either SMMUEN set this is CONSTRAINED
                // UNPREDICTABLE; the model invalidates.)
                InvalidateEveryCache();
                break;
            case SmmuRegister.S_GBPA:
                _secure!.WriteGbpa(value, SGbpaNsCfgMask); // IHI0070 §6.3.14: S_GBPA adds NSCFG
                break;
            case < SmmuRegister.S_CR0 or SmmuRegister.S_INIT:
                break; // the S_IDRs are read-only
            default:
                _secure!.Write32(offset - SecurePageBase, value);
                break;
        }
    }

    private void InvalidateEveryCache()
    {
        _tlb.InvalidateAll(); // the one TLB both sides share
        foreach (var side in new[] { this, _secure! })
        {
            side._walkCaches.InvalidateAll();
            side._configCaches.InvalidateAll();
        }
    }

    // IHI0070 §3.10.1: a transaction with SEC_SID = 1 is translated by the Secure side, through the Secure Stream table.
    private TranslationResult TranslateSecureStream(in TranslationRequest request) =>
        _secure!.Translate(request with { Secure = false });

    // IHI0070 §6.3.14: with S_CR0.SMMUEN = 0 Secure traffic follows S_GBPA, whose NSCFG chooses the PA space (0b0x:
    // the incoming, Secure, one).
    private TransactionAttributes WithBypassSpace(in TransactionAttributes attributes, GbpaRegister gbpa) =>
        Features.SecureView ? attributes with { NonSecure = Features.AttributePermissionsOverride && gbpa.NSCFG == 0b11 } : attributes;

    // SMMU_S_GATOS_* (IHI0070 §9.1.2, §6.3.83-§6.3.86), on the Secure side: SSEC = 1 looks the StreamID up in the
    // Secure Stream table, SSEC = 0 in the Non-secure one; either way RUN needs S_CR0.SMMUEN and PAR reports NS.
    private GatosParRegister RunSecureAtos(GatosSidRegister sid, GatosAddrRegister addr) =>
        (sid.SSEC ? this : _nonSecure!).RunAtos(sid, addr, secureInterface: true, secureEnabled: Enabled(Cr0Flags.SMMUEN));

    // The Secure command queue (IHI0070 §4.1.6, §4.4): SSec = 1 names a Secure StreamID, SSec = 0 a Non-secure one;
    // CMD_TLBI_NH_* act on Secure EL1 translations, CMD_TLBI_EL3_* on EL3 ones; the Non-secure-only TLBIs (EL2, S12,
    // S2_IPA, NSNH_ALL) act on the Non-secure side as they would from its own queue.
    private CommandError ExecuteSecure(in Command c)
    {
        var nonSecure = _nonSecure!;
        var side = c.SSec ? this : nonSecure;
        switch (c.Opcode)
        {
            case CommandOpcode.PrefetchConfig:
            case CommandOpcode.PrefetchAddr:
                return CommandError.None;

            case CommandOpcode.CfgiSte or CommandOpcode.CfgiSteRange or CommandOpcode.CfgiCd or CommandOpcode.CfgiCdAll:
                // IHI0070 §4.3: the same invalidation, of the configuration caches of the side SSec names.
                return side.Execute(c with { SSec = false });

            case CommandOpcode.TlbiNhAll when Features.Stage1:
                InvalidateSecureWorld(StreamWorld.Secure);
                return CommandError.None;

            case CommandOpcode.TlbiNhAsid when Features.Stage1:
                InvalidateAsid(StreamWorld.Secure, 0, EffectiveAsid(c.Asid));
                return CommandError.None;

            case CommandOpcode.TlbiNhVa or CommandOpcode.TlbiNhVaa or CommandOpcode.TlbiEl3Va when Features.Stage1:
                return InvalidateSecureByAddress(c);

            case CommandOpcode.TlbiEl3All when Features.Stage1:
                InvalidateSecureWorld(StreamWorld.El3); // IHI0070 §4.4.2.12
                return CommandError.None;

            case CommandOpcode.TlbiEl2All or CommandOpcode.TlbiEl2Asid or CommandOpcode.TlbiEl2Va or CommandOpcode.TlbiEl2Vaa
                or CommandOpcode.TlbiS12Vmall or CommandOpcode.TlbiS2Ipa or CommandOpcode.TlbiNsnhAll:
                return nonSecure.Execute(c); // its TLB and walk-cache scopes (SmmuV3.WalkCaches.cs)

            case CommandOpcode.Resume when Features.StallModel != StallModel.TerminateOnly:
                side.ResolveStall(c.StreamId, c.StallTag, retry: c.Ac, abort: !c.Ac && (c.Ab || Features.AbortOnlyTermination));
                return CommandError.None;

            case CommandOpcode.StallTerm when Features.StallModel != StallModel.TerminateOnly:
                side.TerminateStalls(c.StreamId);
                return CommandError.None;

            case CommandOpcode.Sync:
                return ExecuteSync(c);

            default:
                // CMD_TLBI_S_EL2_*, S_S12_VMALL, S_S2_IPA and SNH_ALL need S_IDR1.SEL2; ATC_INV and PRI_RESP have no
                // Secure form (Secure streams have no ATS); reserved and IMPLEMENTATION DEFINED opcodes (IHI0070 §4.1.1).
                return CommandError.Ill;
        }
    }

    private CommandError InvalidateSecureByAddress(in Command c)
    {
        if (!TryDecodeRange(c, out ulong size, out int ttlLevel))
        {
            return CommandError.Ill;
        }

        // IHI0070 §4.4.2.3-4: NH_VA by ASID (or global), NH_VAA every ASID; §4.4.2.13: EL3_VA, EL3 has no ASID.
        var world = c.Opcode == CommandOpcode.TlbiEl3Va ? StreamWorld.El3 : StreamWorld.Secure;
        ushort? asid = c.Opcode == CommandOpcode.TlbiNhVa ? EffectiveAsid(c.Asid) : null;
        InvalidateVa(world, 0, asid, c.Address, size, c.Leaf, ttlLevel);
        return CommandError.None;
    }

    // A Secure EL1 or EL3 broadcast TLBI, on the Secure side (its walk caches; the TLB is shared). IHI0070 §3.17.2:
    // Secure EL1 operations reach StreamWorld Secure entries, EL3 ones EL3 entries (§3.17.4: neither is required to
    // reach the other, and does not). With S_IDR1.SEL2 = 0 the message's VMID does not scope the invalidation
    // (§3.17.2.1), a Secure VMALLS12E1IS is stage 1 with VMID 0, and operations from Secure EL2 (SCR_EL3.EEL2 = 1) or
    // for Secure stage 2 or EL2 are not required to affect anything, and do not.
    private int ApplySecure(in BroadcastInvalidation m, ulong size)
    {
        if (!Features.Stage1 || m.IssuedFrom == ExceptionLevel.EL2)
        {
            return 0;
        }

        ushort asid = EffectiveAsid(m.Asid);
        ulong address = m.Address & ~0xFFFUL;
        int ttl = m.LastLevel ?? -1;
        return m.Operation switch
        {
            BroadcastTlbiOperation.VAE1IS or BroadcastTlbiOperation.VALE1IS or BroadcastTlbiOperation.RVAE1IS or BroadcastTlbiOperation.RVALE1IS =>
                InvalidateVa(StreamWorld.Secure, 0, asid, address, size, m.LeafOnly, ttl),
            BroadcastTlbiOperation.VAAE1IS or BroadcastTlbiOperation.VAALE1IS or BroadcastTlbiOperation.RVAAE1IS or BroadcastTlbiOperation.RVAALE1IS =>
                InvalidateVa(StreamWorld.Secure, 0, null, address, size, m.LeafOnly, ttl),
            BroadcastTlbiOperation.ASIDE1IS => InvalidateAsid(StreamWorld.Secure, 0, asid), // global entries stay (§3.17.1)
            BroadcastTlbiOperation.VMALLE1IS or BroadcastTlbiOperation.VMALLS12E1IS or BroadcastTlbiOperation.ALLE1IS => InvalidateSecureWorld(StreamWorld.Secure),
            BroadcastTlbiOperation.VAE3IS or BroadcastTlbiOperation.VALE3IS => InvalidateVa(StreamWorld.El3, 0, null, address, size, m.LeafOnly, ttl),
            BroadcastTlbiOperation.ALLE3IS => InvalidateSecureWorld(StreamWorld.El3),
            _ => 0, // IPAS2*, ALLE2IS, VAE2IS, VALE2IS: no Secure stage 2 or Secure EL2
        };
    }

    // The Secure side's registers and stalls in a snapshot (format version 3, docs/save-restore.md); the banks are the
    // Non-secure side's types, under names of their own.
    private void VisitSecureStateSections(IStateVisitor visitor)
    {
        visitor.Registers("secureControl", ref _registers.Control, sinceVersion: 3);
        visitor.Registers("secureGlobalError", ref _registers.GlobalError, sinceVersion: 3);
        visitor.Registers("secureStreamTable", ref _registers.StreamTable, sinceVersion: 3);
        visitor.Registers("secureCommandQueue", ref _registers.CommandQueue, sinceVersion: 3);
        visitor.Registers("secureEventQueue", ref _registers.EventQueue, sinceVersion: 3);
        var stalls = new StallState(this);
        visitor.Section("secureStalls", ref stalls, sinceVersion: 3);
        visitor.Registers("secureGatos", ref _registers.Atos, sinceVersion: 4); // IHI0070 §6.3.83-§6.3.86 S_GATOS_*
    }
}
