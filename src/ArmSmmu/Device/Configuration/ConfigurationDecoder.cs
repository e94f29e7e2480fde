using ArmSmmu.Caches;
using ArmSmmu.Structures;
using ArmSmmu.Translation;

namespace ArmSmmu.Device;

/// <summary>
/// Checks STEs and CDs against the ILLEGAL rules of IHI0070 §5.2 and §5.4 for one SMMU's features, and turns
/// them into the translation parameters of the walker.
/// </summary>
internal static class ConfigurationDecoder
{
    /// <summary>Checks an STE and builds its context; null when the STE is invalid or ILLEGAL (C_BAD_STE), with the reason.</summary>
    public static SteContext? DecodeSte(in StreamTableEntry ste, ulong address, SmmuFeatures f, bool e2h, out string? problem)
    {
        problem = null;
        if (!ste.V)
        {
            return Illegal("V = 0", out problem); // IHI0070 §5.2: V = 0 -> C_BAD_STE
        }

        uint config = (uint)ste.Config;
        bool s1 = ste.Stage1Enabled;
        bool s2 = ste.Stage2Enabled;
        if ((config & 4) != 0)
        {
            // IHI0070 §5.2.2 (digest 2.3): the checklist for enabled configurations.
            if ((s1 && !f.Stage1) || (s2 && !f.Stage2))
            {
                return Illegal($"Config 0b{Convert.ToString(config, 2)} enables a stage this SMMU does not implement (IDR0.S1P/S2P)", out problem);
            }

            // IHI0070 §5.2.2 SteIllegal(): the ATS checks apply only when Config != 0b100 (bypass IGNOREs EATS).
            problem = (s1 || s2 ? CheckAts(ste, f, s2) : null) ?? (s1 ? CheckStage1Fields(ste, f) : null);
            if (problem is not null)
            {
                return null;
            }

            if (!f.Vmid16 && (ste.S2VMID >> 8) != 0 && !S2VmidIgnored(ste, f))
            {
                return Illegal($"S2VMID 0x{ste.S2VMID:X} has bits [15:8] set but IDR0.VMID16 = 0", out problem);
            }
        }

        var world = StreamWorld.NsEl1;
        if (f.SecureView)
        {
            // IHI0070 §5.2, §3.10.1: a Secure STE (SmmuV3.Secure.cs).
            problem = SecureStreamWorld(ste, s2, out world);
            if (problem is not null)
            {
                return null;
            }
        }
        else if (!StrwUnused(ste, f))
        {
            // IHI0070 §5.2 STRW: 0b10 selects EL2 (or EL2-E2H with CR2.E2H); x1 is ILLEGAL. IGNORED for 0b11x.
            switch (ste.STRW)
            {
                case StreamWorldEncoding.El1:
                    break;
                case StreamWorldEncoding.El2:
                    world = e2h ? StreamWorld.NsEl2E2H : StreamWorld.NsEl2;
                    break;
                default:
                    return Illegal($"STRW 0b{Convert.ToString((uint)ste.STRW, 2).PadLeft(2, '0')} is reserved", out problem);
            }
        }

        var stage2 = default(Stage2Config);
        if (s2 && (problem = TryDecodeStage2(ste, f, out stage2)) is not null)
        {
            return null;
        }

        // IHI0070 §5.2.2, §3.17: an IGNORED S2VMID tags nothing; without stage 2 the SMMU's entries carry VMID 0, which
        // is what a CMD_TLBI_NH_* with VMID 0 must find.
        ushort vmid = world == StreamWorld.NsEl1 && !S2VmidIgnored(ste, f) ? ste.S2VMID : (ushort)0;
        var bypassRegime = new TranslationRegime { Stage2Enabled = s2, Stage2 = stage2 };
        return new SteContext
        {
            Ste = ste,
            PrivCfg = f.AttributePermissionsOverride ? ste.PRIVCFG : 0,
            InstCfg = f.AttributePermissionsOverride ? ste.INSTCFG : 0,
            OutputNonSecure = !f.SecureView || (f.AttributePermissionsOverride && ste.NSCFG == 0b11), // IHI0070 §5.2 NSCFG
            OverriddenMemory = AttributeOverrides.Memory(f, ste.MTCFG, ste.MemAttr, ste.SHCFG, ste.ALLOCCFG),
            Address = address,
            World = world,
            Vmid = vmid,
            Stage2 = stage2,
            Stage1BypassRegime = bypassRegime,
            Stage1BypassKey = new TlbKey(world, vmid, 0, TranslationKind.Stage2),
        };
    }

    // IHI0070 §5.2 STRW of a Secure STE, used when stage 1 translates: 0b00 S-EL1, 0b01 EL3; 0b1x selects Secure EL2,
    // which this SMMU does not implement (S_IDR1.SEL2 = 0), nor Secure stage 2.
    private static string? SecureStreamWorld(in StreamTableEntry ste, bool s2, out StreamWorld world)
    {
        world = StreamWorld.Secure;
        if (s2)
        {
            return "a Secure STE enables stage 2 but S_IDR1.SEL2 = 0";
        }

        if (!ste.Stage1Enabled)
        {
            return null;
        }

        switch (ste.STRW)
        {
            case StreamWorldEncoding.El1:
                return null;
            case StreamWorldEncoding.El3:
                world = StreamWorld.El3;
                return null;
            default:
                return $"STRW 0b{Convert.ToString((uint)ste.STRW, 2).PadLeft(2, '0')} selects Secure EL2 but S_IDR1.SEL2 = 0";
        }
    }

    // IHI0070 §5.2.2 IgnoreSTESTRW(): STRW is used only by a Non-secure stage-1-only STE (Config 0b101) on an SMMU
    // with S1P and Hyp (IDR0.Hyp reads 1 only with both stages, IHI0070 §6.3.1).
    private static bool StrwUnused(in StreamTableEntry ste, SmmuFeatures f) =>
        !(f.Hyp && f.Stage1 && f.Stage2) || ste.Config != SteConfig.Stage1Translate;

    // IHI0070 §5.2.2 IgnoreSTES2VMID(): S2VMID is IGNORED without translation, without stage 2 in the SMMU, in
    // bypass, and for an EL2 StreamWorld (STRW used and not EL1).
    private static bool S2VmidIgnored(in StreamTableEntry ste, SmmuFeatures f) =>
        ((uint)ste.Config & 4) == 0
        || !f.Stage2
        || ste.Config == SteConfig.Bypass
        || (ste.STRW != StreamWorldEncoding.El1 && !StrwUnused(ste, f));

    private static SteContext? Illegal(string reason, out string problem)
    {
        problem = reason;
        return null;
    }

    private static string? CheckAts(in StreamTableEntry ste, SmmuFeatures f, bool s2)
    {
        AtsEnable eats = ste.EATS;
        if (eats == AtsEnable.Disabled || !f.Ats || ((uint)ste.Config & 0b11) == 0)
        {
            return null; // EATS is RES0 without ATS and IGNORED for bypass and abort STEs (IHI0070 §5.2)
        }

        // IHI0070 §5.2 EATS: split-stage (0b10) needs NS1ATS = 0, Config = 0b111 and S2S = 0.
        if (eats == AtsEnable.SplitStage)
        {
            return !f.SplitStageAts ? "EATS = 0b10 (split-stage ATS) but IDR0.NS1ATS = 1"
                : ste.Config != SteConfig.Nested ? "EATS = 0b10 (split-stage ATS) needs Config = 0b111"
                : ste.S2S ? "EATS = 0b10 with stage 2 stalling (S2S = 1)"
                : null;
        }

        return s2 && ste.S2S ? $"EATS = 0b{Convert.ToString((uint)eats, 2)} with stage 2 stalling (S2S = 1)" : null;
    }

    private static string? CheckStage1Fields(in StreamTableEntry ste, SmmuFeatures f)
    {
        if (ste.S1STALLD && f.StallModel != StallModel.StallAndTerminate)
        {
            return "S1STALLD = 1 but IDR0.STALL_MODEL is not 0b00";
        }

        // IHI0070 §5.2.2: S1CDMax and S1Fmt are IGNORED when IDR1.SSIDSIZE == 0 (substreams unsupported).
        bool substreams = f.SubstreamIdBits != 0;
        if (substreams && ste.S1CDMax > f.SubstreamIdBits)
        {
            return $"S1CDMax {ste.S1CDMax} exceeds IDR1.SSIDSIZE {f.SubstreamIdBits}";
        }

        if (substreams && ste.S1CDMax != 0 && ste.S1Fmt is CdTableFormat.TwoLevel4K or CdTableFormat.TwoLevel64K && !f.TwoLevelCdTable)
        {
            return $"S1Fmt {(uint)ste.S1Fmt} selects a 2-level CD table but IDR0.CD2L = 0";
        }

        // S1ContextPtr beyond the output address size is ILLEGAL (when stage 2 is off it is a PA).
        return ste.Stage2Enabled || (ste.S1ContextPtr >> f.OutputAddressBits) == 0
            ? null
            : $"S1ContextPtr 0x{ste.S1ContextPtr:X} is beyond the {f.OutputAddressBits}-bit OAS";
    }

    private static string? TryDecodeStage2(in StreamTableEntry ste, SmmuFeatures f, out Stage2Config s2)
    {
        s2 = default;
        string? problem;
        if (ste.S2S && f.StallModel == StallModel.TerminateOnly)
        {
            return "S2S = 1 but IDR0.STALL_MODEL = 0b01 (no stalls)";
        }

        if (!ste.S2S && f.StallModel == StallModel.StallForced)
        {
            return "S2S = 0 but IDR0.STALL_MODEL = 0b10 (stalls forced)";
        }

        // Only VMSAv8-64 tables, little-endian (IDR0.TTF = 0b10, TTENDIAN = 0b10).
        if (!ste.S2AA64)
        {
            return "S2AA64 = 0 selects VMSAv8-32 tables, which IDR0.TTF does not offer";
        }

        if (ste.S2ENDI)
        {
            return "S2ENDI = 1 (big-endian tables) but IDR0.TTENDIAN is little-endian only";
        }

        if ((ste.S2HA || ste.S2HD) && !HttuAllows(f, ste.S2HA, ste.S2HD))
        {
            return $"S2HA/S2HD = {(ste.S2HA ? 1 : 0)}/{(ste.S2HD ? 1 : 0)} exceed IDR0.HTTU";
        }

        if (!Granule.TryFromS2Tg((uint)ste.S2TG, out var granule) || !Supported(f, granule))
        {
            return $"S2TG 0b{Convert.ToString((uint)ste.S2TG, 2).PadLeft(2, '0')} is reserved or not in IDR5";
        }

        int outputBits = Math.Min(SmmuFeatures.DecodeAddressSize(ste.S2PS), f.OutputAddressBits);
        int t0sz = (int)ste.S2T0SZ;
        bool ds = f.EffectiveDs(ste.S2DS, granule);
        int maxT0sz = f.SmallTranslationTables ? (granule.PageShift == 16 ? 47 : 48) : 39;
        int minT0sz = MinimumS2T0SZ(f, granule, ds);
        if (t0sz < minT0sz || t0sz > maxT0sz)
        {
            return $"S2T0SZ {t0sz} is outside {minT0sz}..{maxT0sz}";
        }

        // IHI0070 §5.2 S2SL0_2: bit [2] of the start level only with S2DS and the 4K granule, else RES0 (ignored).
        bool sl0Bit2 = ds && granule.PageShift == 12 && ste.S2SL0_2;
        if (!TryStage2StartLevel(granule, ste.S2SL0 | (sl0Bit2 ? 4u : 0), t0sz, f.SmallTranslationTables, ds, out int start))
        {
            return $"S2SL0 {ste.S2SL0}{(sl0Bit2 ? " with S2SL0_2" : "")} is inconsistent with S2T0SZ {t0sz} and the {granule} granule";
        }

        // S2TTB outside the effective S2PS, or beyond 48 bits for 4K/16K without S2DS, is ILLEGAL, not an address size fault.
        problem = TableBaseProblem("S2TTB", ste.S2TTB, outputBits, "S2PS", granule, ds, "S2DS");
        if (problem is not null)
        {
            return problem;
        }

        s2 = new Stage2Config
        {
            S2Ttb = ste.S2TTB,
            S2T0SZ = (byte)t0sz,
            StartLevel = (sbyte)start,
            Granule = granule,
            OutputBits = (byte)outputBits,
            Affd = ste.S2AFFD,
            Ptw = ste.S2PTW,
            Ha = ste.S2HA,
            Hd = ste.S2HA && ste.S2HD,
            ExtendedExecuteNever = f.XnxImplemented,
            Ds = ds,
            Sh = (byte)ste.S2SH0,
        };
        return null;
    }

    /// <summary>
    /// IHI0070 §5.2 S2SL0 (with S2SL0_2 as bit 2) with DDI0487 VTCR_EL2.{SL2, SL0} semantics (digest 7.3): the start
    /// level and the concatenation limits. 4K: 0b000 L2, 0b001 L1, 0b010 L0, 0b011 L3 (STT), 0b100 L-1 (DS);
    /// 16K/64K: 0b00 L3, 0b01 L2, 0b10 L1, 0b11 L0 (16K with DS only).
    /// </summary>
    public static bool TryStage2StartLevel(Granule granule, uint sl0, int t0sz, bool stt, bool ds, out int start)
    {
        bool small = granule.PageShift == 12;
        start = small ? 2 - (int)sl0 : 3 - (int)sl0;
        bool allowed = (small, sl0) switch
        {
            (true, 3) => stt,
            (true, 4) => ds,
            (_, > 3) => false,
            (false, 3) => granule.PageShift == 14 && ds,
            _ => true,
        };
        if (small && sl0 >= 3)
        {
            start = sl0 == 3 ? 3 : -1;
        }

        // At least one bit and at most 16 concatenated tables at the start level.
        int bitsAtStart = 64 - t0sz - granule.LevelShift(start);
        return allowed && bitsAtStart >= 1 && bitsAtStart <= granule.BitsPerLevel + 4;
    }

    // IHI0070 §5.2 STES2T0SZInvalid(): 64 - IAS in SMMUv3.0; then MAX(12, 64 - IAS) for the 64K granule or S2DS, else MAX(16, 64 - IAS).
    private static int MinimumS2T0SZ(SmmuFeatures f, Granule granule, bool ds) =>
        f.ArchitectureMinorRevision == 0 ? 64 - f.InputAddressBits
        : Math.Max(64 - SmmuFeatures.MaxTableInputBits(granule, ds), 64 - f.InputAddressBits);

    // IHI0070 §5.2 S2TTB, §5.4 TTBx: a table base outside the effective output size is ILLEGAL, and so is one beyond 48
    // bits when the 4K or 16K granule is used without DS (no descriptor could then reach it).
    private static string? TableBaseProblem(string name, ulong ttb, int outputBits, string sizeName, Granule granule, bool ds, string dsName)
    {
        if ((ttb >> outputBits) != 0)
        {
            return $"{name} 0x{ttb:X} is beyond the effective {outputBits}-bit {sizeName}";
        }

        return granule.PageShift != 16 && !ds && (ttb >> 48) != 0
            ? $"{name} 0x{ttb:X} is beyond 48 bits with the {granule} granule and {dsName} = 0"
            : null;
    }

    private static bool HttuAllows(SmmuFeatures f, bool ha, bool hd) =>
        (!ha || f.Httu >= HttuSupport.AccessFlag) && (!hd || f.Httu >= HttuSupport.AccessFlagAndDirty);

    private static bool Supported(SmmuFeatures f, Granule g) => g.PageShift switch
    {
        12 => f.Granule4K,
        14 => f.Granule16K,
        _ => f.Granule64K,
    };

    /// <summary>Checks a CD reached through <paramref name="ste"/> and builds its context; null when invalid or ILLEGAL (C_BAD_CD), with the reason.</summary>
    public static CdContext? DecodeCd(in ContextDescriptor cd, ulong address, SteContext ste, SmmuFeatures f, out string? problem)
    {
        // IHI0070 §5.4.2 (digest 3.3).
        problem = CdProblem(cd, ste, f);
        if (problem is not null)
        {
            return null;
        }

        bool singleEl = ste.World is StreamWorld.NsEl2 or StreamWorld.El3;

        int outputBits = Math.Min(SmmuFeatures.DecodeAddressSize(cd.IPS), f.OutputAddressBits);
        bool epd1 = cd.EPD1 || singleEl; // EL2 has no TTB1 (IHI0070 §5.4)
        var g0 = default(Granule);
        var g1 = default(Granule);
        problem = (cd.EPD0 ? null : CheckHalf(0, cd.T0SZ, Granule.TryFromTg0((uint)cd.TG0, out g0), g0, cd.TTB0, outputBits, cd.DS, f))
            ?? (epd1 ? null : CheckHalf(1, cd.T1SZ, Granule.TryFromTg1((uint)cd.TG1, out g1), g1, cd.TTB1, outputBits, cd.DS, f));
        if (problem is not null)
        {
            return null;
        }

        bool had = f.HierarchicalAttributeDisable;
        var stage1 = new Stage1Config
        {
            Ttb0 = cd.TTB0,
            Ttb1 = cd.TTB1,
            T0SZ = (byte)cd.T0SZ,
            T1SZ = (byte)cd.T1SZ,
            Granule0 = g0,
            Granule1 = g1,
            Epd0 = cd.EPD0,
            Epd1 = epd1,
            Tbi0 = cd.TBI0,
            Tbi1 = cd.TBI1 && !singleEl,
            OutputBits = (byte)outputBits,
            Affd = cd.AFFD,
            Ha = cd.HA,
            Hd = cd.HA && cd.HD,
            Had0 = had && cd.HAD0,
            Had1 = had && cd.HAD1 && !singleEl,
            Wxn = cd.WXN,
            Pan = cd.PAN,
            Mair = cd.MAIR,
            SingleExceptionLevel = singleEl,
            Secure = f.SecureView, // IHI0070 §5.4 NSCFG0/1: where a Secure stream's walks start
            NonSecureStart0 = f.SecureView && cd.NSCFG0,
            NonSecureStart1 = f.SecureView && cd.NSCFG1,
            Ds = cd.DS && f.DsImplemented,
            Sh0 = (byte)cd.SH0,
            Sh1 = (byte)cd.SH1,
        };
        var regime = new TranslationRegime
        {
            Stage1Enabled = true,
            Stage1 = stage1,
            Stage2Enabled = ste.Ste.Stage2Enabled,
            Stage2 = ste.Stage2,
        };
        ushort asid = singleEl ? (ushort)0 : f.Asid16 ? cd.ASID : (ushort)(cd.ASID & 0xFF);
        var kind = ste.Ste.Stage2Enabled ? TranslationKind.Nested : TranslationKind.Stage1;
        return new CdContext
        {
            Cd = cd,
            Address = address,
            Regime = regime,
            Key = new TlbKey(ste.World, ste.Vmid, asid, kind, cd.ASET), // IHI0070 §3.17.1: ASET tags global entries
        };
    }

    private static string? CdProblem(in ContextDescriptor cd, SteContext ste, SmmuFeatures f)
    {
        if (!cd.V)
        {
            return "V = 0";
        }

        if (ste.Ste.S1STALLD && cd.S)
        {
            return "S = 1 but the STE sets S1STALLD";
        }

        if (f.AbortOnlyTermination && !cd.A)
        {
            return "A = 0 but IDR0.TERM_MODEL = 1 (RAZ/WI termination not supported)";
        }

        if (f.StallModel == StallModel.TerminateOnly && cd.S)
        {
            return "S = 1 but IDR0.STALL_MODEL = 0b01 (no stalls)";
        }

        if (f.StallModel == StallModel.StallForced && !cd.S)
        {
            return "S = 0 but IDR0.STALL_MODEL = 0b10 (stalls forced)";
        }

        if (!cd.AA64)
        {
            return "AA64 = 0 selects VMSAv8-32 tables, which IDR0.TTF does not offer";
        }

        // IHI0070 §5.4.2 CdIllegal(): ENDI is IGNORED when both halves are effectively disabled, and an EL2
        // StreamWorld has no TTB1 (EffectiveCDEPD1 is 1).
        bool singleEl = ste.World is StreamWorld.NsEl2 or StreamWorld.El3;
        if (cd.ENDI && !(cd.EPD0 && (cd.EPD1 || singleEl)))
        {
            return "ENDI = 1 (big-endian tables) but IDR0.TTENDIAN is little-endian only";
        }

        if ((cd.HA || cd.HD) && !HttuAllows(f, cd.HA, cd.HD))
        {
            return $"HA/HD = {(cd.HA ? 1 : 0)}/{(cd.HD ? 1 : 0)} exceed IDR0.HTTU";
        }

        return !singleEl && !f.Asid16 && (cd.ASID >> 8) != 0
            ? $"ASID 0x{cd.ASID:X} has bits [15:8] set but IDR0.ASID16 = 0"
            : null;
    }

    private static string? CheckHalf(int half, uint txsz, bool granuleKnown, Granule g, ulong ttb, int outputBits, bool dsField, SmmuFeatures f)
    {
        if (!granuleKnown || !Supported(f, g))
        {
            return $"TG{half} is reserved or its granule is not in IDR5";
        }

        // IHI0070 §5.4.2 CDTxSZInvalid(): the minimum is 12 with IDR5.VAX = 0b01 and the 64K granule or an effective DS.
        bool ds = f.EffectiveDs(dsField, g);
        int max = f.SmallTranslationTables ? (g.PageShift == 16 ? 47 : 48) : 39;
        int min = f.VaxImplemented ? 64 - SmmuFeatures.MaxTableInputBits(g, ds) : 16;
        if (txsz < min || txsz > max)
        {
            return $"T{half}SZ {txsz} is outside {min}..{max}";
        }

        // TTBx outside the effective IPS makes the CD ILLEGAL (digest 3.2, 7.8), as does one beyond 48 bits without DS.
        return TableBaseProblem($"TTB{half}", ttb, outputBits, "IPS", g, ds, "DS");
    }
}
