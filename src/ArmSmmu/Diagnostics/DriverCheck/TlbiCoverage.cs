using ArmSmmu.Structures;
using ArmSmmu.Translation;
using static System.FormattableString;

namespace ArmSmmu.Diagnostics.DriverCheck;

/// <summary>
/// What one translation depends on in TLB terms: its StreamWorld, VMID, ASID, input address, the IPA stage 1 gave
/// and the size of the leaf. Decides whether a TLBI covers it (IHI0070 §4.4) and names the TLBI that would.
/// </summary>
/// <param name="World">StreamWorld of the stream.</param>
/// <param name="Vmid">VMID (STE.S2VMID at NS-EL1).</param>
/// <param name="Asid">ASID of the CD (0 without stage 1).</param>
/// <param name="Stage1">Stage 1 translates.</param>
/// <param name="Stage2">Stage 2 translates.</param>
/// <param name="Address">Input address (VA; IPA when only stage 2 translates).</param>
/// <param name="Ipa">The IPA stage 1 produced (the input address without stage 1).</param>
/// <param name="Shift">log2 of the leaf's size (the region a single-address TLBI of any address inside it removes).</param>
internal readonly record struct TlbiCoverage(StreamWorld World, ushort Vmid, ushort Asid, bool Stage1, bool Stage2, ulong Address, ulong Ipa, int Shift)
{
    public static bool IsTlbi(CommandOpcode opcode) => opcode is CommandOpcode.TlbiNhAll or CommandOpcode.TlbiNhAsid or CommandOpcode.TlbiNhVa
        or CommandOpcode.TlbiNhVaa or CommandOpcode.TlbiEl2All or CommandOpcode.TlbiEl2Asid or CommandOpcode.TlbiEl2Va or CommandOpcode.TlbiEl2Vaa
        or CommandOpcode.TlbiS12Vmall or CommandOpcode.TlbiS2Ipa or CommandOpcode.TlbiNsnhAll;

    /// <summary>Whether <paramref name="c"/> removes this translation's TLB entry (VMIDs and ASIDs compared exactly: a check, not the TLB).</summary>
    public bool CoveredBy(in Command c)
    {
        bool el1 = World == StreamWorld.NsEl1;
        bool el2 = World is StreamWorld.NsEl2 or StreamWorld.NsEl2E2H;
        return c.Opcode switch
        {
            CommandOpcode.TlbiNsnhAll => World != StreamWorld.Secure,
            CommandOpcode.TlbiNhAll => el1 && Stage1 && c.Vmid == Vmid,
            CommandOpcode.TlbiNhAsid => el1 && Stage1 && c.Vmid == Vmid && c.Asid == Asid,
            CommandOpcode.TlbiNhVa => el1 && Stage1 && c.Vmid == Vmid && c.Asid == Asid && Inside(c, c.Address, Address),
            CommandOpcode.TlbiNhVaa => el1 && Stage1 && c.Vmid == Vmid && Inside(c, c.Address, Address),
            CommandOpcode.TlbiS12Vmall => el1 && c.Vmid == Vmid,
            CommandOpcode.TlbiS2Ipa => el1 && Stage2 && c.Vmid == Vmid && Inside(c, c.Ipa, Ipa),
            CommandOpcode.TlbiEl2All => el2,
            CommandOpcode.TlbiEl2Asid => el2 && c.Asid == Asid,
            CommandOpcode.TlbiEl2Va => el2 && c.Asid == Asid && Inside(c, c.Address, Address),
            CommandOpcode.TlbiEl2Vaa => el2 && Inside(c, c.Address, Address),
            _ => false,
        };
    }

    /// <summary>The TLBI a driver issues after changing this translation's leaf at stage 1 (or stage 2 when <paramref name="stage2Changed"/>).</summary>
    public string CoveringCommand(bool stage2Changed)
    {
        if (stage2Changed || !Stage1)
        {
            return Stage1
                ? Invariant($"CMD_TLBI_S2_IPA VMID {Vmid} IPA 0x{Ipa:X} then CMD_TLBI_NH_ALL VMID {Vmid} (or CMD_TLBI_S12_VMALL VMID {Vmid}), and CMD_SYNC")
                : Invariant($"CMD_TLBI_S2_IPA VMID {Vmid} IPA 0x{Ipa:X} and CMD_SYNC");
        }

        return World switch
        {
            StreamWorld.NsEl1 => Invariant($"CMD_TLBI_NH_VA{(Stage2 ? $" VMID {Vmid}" : string.Empty)} ASID {Asid} VA 0x{Address:X} and CMD_SYNC"),
            StreamWorld.NsEl2E2H => Invariant($"CMD_TLBI_EL2_VA ASID {Asid} VA 0x{Address:X} and CMD_SYNC"),
            _ => Invariant($"CMD_TLBI_EL2_VAA VA 0x{Address:X} and CMD_SYNC"),
        };
    }

    // A single-address TLBI removes the leaf holding its address; a range one (TG != 0) every leaf in its range (IHI0070 §4.4.1.1).
    private bool Inside(in Command c, ulong tlbiAddress, ulong address)
    {
        if (c.Tg == RangeGranule.None)
        {
            return Shift >= 64 || (tlbiAddress >> Shift) == (address >> Shift);
        }

        int shift = 10 + (2 * (int)c.Tg) + (int)c.Scale;
        ulong size = shift >= 64 ? ulong.MaxValue : (c.Num + 1UL) << shift;
        ulong leaf = Shift >= 64 ? 0 : address & ~Bits.Mask(Shift);
        ulong leafEnd = Shift >= 64 ? ulong.MaxValue : leaf + Bits.Mask(Shift);
        ulong end = size == ulong.MaxValue || tlbiAddress > ulong.MaxValue - size ? ulong.MaxValue : tlbiAddress + size - 1;
        return tlbiAddress <= leafEnd && leaf <= end;
    }
}
