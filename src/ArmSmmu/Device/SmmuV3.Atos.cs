using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu;

// Address translation operations through SMMU_GATOS_* (IHI0070 chapter 9). A write of GATOS_CTRL.RUN = 1 runs the
// real pipeline (STE and CD through the configuration caches, TLB, walk) for GATOS_SID and GATOS_ADDR and writes
// GATOS_PAR before the write returns, so RUN always reads 0. Unlike a transaction, an operation ignores the fault
// configuration (CD.A/R/S, STE.S2R/S2S) and STE.INSTCFG/PRIVCFG and never records an event or stalls (§9).
//
// IHI0070 §4.7.3 (ATOS and CMD_SYNC/invalidation): an operation in progress must complete, or restart, with respect
// to invalidations that a later CMD_SYNC completes. Operations and command processing are serialised by the
// device lock and an operation completes inside the GATOS_CTRL write, so no operation is ever in progress when a
// command runs: each one sees either all of an invalidation's effect or none of it, which is what §4.7.3 requires.
//
// The Secure side has the same group as SMMU_S_GATOS_* (SmmuV3.Secure.cs: SSEC, NS); there is no VATOS page
// (IDR0.VATOS = 0, S_IDR2 = 0).
public sealed partial class SmmuV3
{
    private const ulong AtosAddrMask = ~0x3FUL; // GATOS_ADDR[5:0] are RES0

    private ulong ReadAtos64(ulong offset) => !Features.Atos ? 0 : offset switch
    {
        SmmuRegister.GATOS_SID => _registers.Atos.Sid,
        SmmuRegister.GATOS_ADDR => _registers.Atos.Addr,
        _ => _registers.Atos.Par,
    };

    private void WriteAtos64(ulong offset, ulong value)
    {
        if (!Features.Atos)
        {
            return;
        }

        if (offset == SmmuRegister.GATOS_SID)
        {
            // IHI0070 §6.3.38: StreamID bits above SIDSIZE, SubstreamID bits above SSIDSIZE and SSID_VALID without
            // substreams are RES0.
            // S_GATOS_SID adds SSEC (§6.3.84).
            var sid = new GatosSidRegister(value);
            _registers.Atos.Sid = new GatosSidRegister(0)
            {
                STREAMID = sid.STREAMID & (uint)Bits.Mask(Features.StreamIdBits),
                SUBSTREAMID = Features.SubstreamIdBits == 0 ? 0 : sid.SUBSTREAMID & (uint)Bits.Mask(Features.SubstreamIdBits),
                SSID_VALID = Features.SubstreamIdBits != 0 && sid.SSID_VALID,
                SSEC = Features.SecureView && sid.SSEC,
            }.Value;
        }
        else if (offset == SmmuRegister.GATOS_ADDR)
        {
            _registers.Atos.Addr = value & AtosAddrMask;
        }
    }

    private void WriteAtosCtrl(uint value)
    {
        if (Features.Atos && new GatosCtrlRegister(value).RUN)
        {
            var sid = new GatosSidRegister(_registers.Atos.Sid);
            var addr = new GatosAddrRegister(_registers.Atos.Addr);
            _registers.Atos.Par = (Features.SecureView ? RunSecureAtos(sid, addr) : RunAtos(sid, addr)).Value;
        }
    }

    // secureInterface: an S_GATOS_* operation, whose RUN is guarded by S_CR0.SMMUEN (secureEnabled) and whose PAR
    // reports NS (IHI0070 §6.3.83, §6.3.86).
    private GatosParRegister RunAtos(GatosSidRegister sid, GatosAddrRegister addr, bool secureInterface = false, bool secureEnabled = true)
    {
        // INV_REQ follows what the SMMU implements (the Secure side's features drop stage 2 for Secure STEs only).
        var implemented = _nonSecure?.Features ?? Features;
        var type = addr.TYPE;
        bool wantsStage1 = type is AtosType.Stage1 or AtosType.Stage1And2;
        bool wantsStage2 = type is AtosType.Stage2 or AtosType.Stage1And2;

        // IHI0070 §9.1.3, §9.1.5 priority 1: INV_REQ is decided before any structure is read.
        if (type == AtosType.Reserved || (wantsStage1 && !implemented.Stage1) || (wantsStage2 && !implemented.Stage2)
            || (type == AtosType.Stage2 && sid.SSID_VALID))
        {
            return GatosParRegister.Failure(AtosFaultCode.InvalidRequest);
        }

        // IHI0070 §9.1.1, §9.1.4: clearing SMMUEN terminates operations with INTERNAL_ERR; none can start without it.
        // §9.1.1 note: a Secure request for a Non-secure StreamID also needs SMMU_CR0.SMMUEN.
        if (!Enabled(Cr0Flags.SMMUEN) || !secureEnabled)
        {
            return GatosParRegister.Failure(AtosFaultCode.InternalError);
        }

        // IHI0070 §9.1.3: RnW, InD and PnU come from GATOS_ADDR, not overridden by STE.INSTCFG/PRIVCFG; InD is
        // ignored for a write.
        var access = new AccessIntent(!addr.RnW, addr.RnW && addr.InD, addr.PnU);
        var request = new TranslationRequest(
            (uint)sid.STREAMID, addr.ADDR, access.Write ? AccessKind.Write : access.Instruction ? AccessKind.Execute : AccessKind.Read,
            sid.SSID_VALID ? (uint)sid.SUBSTREAMID : null, addr.PnU);

        // Priorities 3-5: C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE.
        var ste = _configuration.LookupSte(request.StreamId, out var error);
        if (ste is null)
        {
            return GatosParRegister.Failure((byte)error.Type);
        }

        // Priority 7 (point B): INV_STAGE when STE.Config does not translate at a requested stage (Config 0b0xx and
        // 0b100 translate at none). S1DSS = 0b01 does not make stage 1 "not configured" (§9.1.3).
        if ((wantsStage1 && !ste.Ste.Stage1Enabled) || (wantsStage2 && !ste.Ste.Stage2Enabled))
        {
            return GatosParRegister.Failure(AtosFaultCode.InvalidStage);
        }

        // (A Secure STE never enables stage 2 without S_IDR1.SEL2, so a stage-2 request for a Secure StreamID ends
        // here in INV_STAGE, as §9.1.3 says.)
        var par = type == AtosType.Stage2
            ? AtosResult(type, WalkAtos(addr.ADDR, ste.Stage1BypassRegime, access, addr.HTTUI, stage1Only: false), addr.ADDR)
            : AtosThroughPath(type, request, access, addr.HTTUI);
        return secureInterface ? par : par.WithNonSecure(false); // NS is RES0 in GATOS_PAR
    }

    // TYPE 0b01 and 0b11: SubstreamID and CD selection, then the walk (priorities 8-13).
    private GatosParRegister AtosThroughPath(AtosType type, in TranslationRequest request, AccessIntent access, bool inhibitHttu)
    {
        var path = _configuration.Resolve(request, out var error, out _);
        if (path is null)
        {
            // A stage-2 fault or abort while fetching the CD (§9.1.4): a stage-1 request reports F_CD_FETCH; a
            // stage 1 and 2 request reports the stage-2 fault with REASON CD and, for a TRF, the CD's IPA.
            bool stage2OnCd = error.Type is EventType.FTranslation or EventType.FAddrSize or EventType.FAccess or EventType.FPermission or EventType.FWalkEabt;
            if (!stage2OnCd)
            {
                return GatosParRegister.Failure((byte)error.Type);
            }

            return type == AtosType.Stage1
                ? GatosParRegister.Failure((byte)EventType.FCdFetch)
                : GatosParRegister.Failure((byte)error.Type, 1, error.Type == EventType.FWalkEabt ? 0 : error.Stage2Fault.Ipa);
        }

        if (path.Cd is null && type == AtosType.Stage1)
        {
            // IHI0070 §9.1.3: no SubstreamID with S1DSS = 0b01: stage 1 bypasses, returning the input address (4 KB,
            // Normal write-back inner shareable: the attributes are IMPLEMENTATION DEFINED) or an address size fault.
            return Descriptor.Exceeds(request.Address, Features.InputAddressBits)
                ? GatosParRegister.Failure((byte)EventType.FAddrSize)
                : GatosParRegister.Success(request.Address, 12, Mair(MemoryAttributes.NormalWriteBack), 0b11)
                    .WithNonSecure(!Features.SecureView); // S_GATOS_PAR.NS IMPLEMENTATION DEFINED: the stream's own space
        }

        // A stage-1 request on a nested stream stops at the IPA; everything else is the path transactions take.
        bool stage1OfNested = type == AtosType.Stage1 && path.Regime.Stage2Enabled;
        var walk = inhibitHttu || stage1OfNested
            ? WalkAtos(request.Address, path.Regime, access, inhibitHttu, stage1OfNested)
            : ThroughTlb(path, request.Address, access);
        return AtosResult(type, walk, request.Address);
    }

    // The TLB and walk exactly as a transaction uses them (entries inserted as a transaction's would be).
    private WalkResult ThroughTlb(Device.StreamPath path, ulong address, AccessIntent access)
    {
        if (_translation.TryHitCounted(path.Tag, address, path.Regime, access, out var hit))
        {
            return WalkResult.Ok(hit, 0);
        }

        var fault = _translation.Translate(address, path, access, hit, out var entry);
        return new WalkResult { Entry = entry, Fault = fault };
    }

    // A walk outside the TLB: HTTUI = 1 (no Access flag or dirty update: HA/HD taken as 0, §6.3.39) or a partial regime.
    private WalkResult WalkAtos(ulong address, TranslationRegime regime, AccessIntent access, bool inhibitHttu, bool stage1Only)
    {
        if (inhibitHttu)
        {
            regime.Stage1.Ha = regime.Stage1.Hd = regime.Stage2.Ha = regime.Stage2.Hd = false;
        }

        var walk = stage1Only ? _walker.WalkStage1Only(address, regime, access) : _walker.Walk(address, regime, access);
        Statistics.CountWalk(walk.DescriptorReads);
        return walk;
    }

    // IHI0070 §9.1.4 and its REASON/FADDR table; §6.3.40 for the success fields.
    private static GatosParRegister AtosResult(AtosType type, in WalkResult walk, ulong address)
    {
        var fault = walk.Fault;
        if (fault.Kind == FaultKind.None)
        {
            var entry = walk.Entry;
            var memory = entry.Attributes;
            byte mair = type == AtosType.Stage2 ? Mair(memory with { ReadAllocate = true, WriteAllocate = true, Transient = false }) : Mair(memory);
            return GatosParRegister.Success(entry.Translate(address), entry.Shift, mair, Sh(memory)).WithNonSecure(!entry.Secure);
        }

        byte code = (byte)FaultEvent(fault.Kind);
        if (!fault.Stage2)
        {
            return GatosParRegister.Failure(code); // stage 1 (or its descriptor fetch abort): REASON 0b00
        }

        if (type == AtosType.Stage1)
        {
            // A stage-2 fault on a stage-1 table fetch of a stage-1 request is a synthetic F_WALK_EABT.
            return GatosParRegister.Failure((byte)EventType.FWalkEabt);
        }

        if (type == AtosType.Stage2)
        {
            return GatosParRegister.Failure(code, 0b11);
        }

        uint reason = fault.Class switch
        {
            FaultClass.CD => 0b01,
            FaultClass.TT => 0b10,
            _ => 0b11,
        };
        return GatosParRegister.Failure(code, reason, fault.Kind == FaultKind.ExternalAbort ? 0 : fault.Ipa);
    }

    // MAIR attribute byte (DDI0487 D8.6): Device 0b0000dd00; Normal outer and inner nibbles 0b0100 NC, 0b11RW WB,
    // 0b10RW WT, 0b01RW / 0b00RW the transient WB / WT forms (which need RW != 00).
    private static byte Mair(in MemoryAttributes m)
    {
        if (m.Type != MemoryType.Normal)
        {
            return (byte)((int)m.Type << 2);
        }

        uint hints = (m.ReadAllocate ? 2u : 0) | (m.WriteAllocate ? 1u : 0);
        bool transient = m.Transient && hints != 0;
        uint Nibble(Cacheability c) => c switch
        {
            Cacheability.NonCacheable => 0b0100,
            Cacheability.WriteBack => (transient ? 0b0100u : 0b1100u) | hints,
            _ => (transient ? 0b0000u : 0b1000u) | hints,
        };
        return (byte)((Nibble(m.Outer) << 4) | Nibble(m.Inner));
    }

    // IHI0070 §6.3.40: SH is Outer Shareable for any Device type.
    private static uint Sh(in MemoryAttributes m) => m.Type != MemoryType.Normal ? 0b10u : m.Shareability switch
    {
        Shareability.InnerShareable => 0b11u,
        Shareability.OuterShareable => 0b10u,
        _ => 0b00u,
    };
}
