using System.Globalization;

namespace ArmSmmu.Structures;

// Declared, with every field and its docs, by the tables in Command.table.md (docs/structure.md, "Tables");
// this file adds the hand-written members.

public readonly partial struct Command
{
    // ---- factories: the encodings Linux emits (digest 8.4) ----

    /// <summary>CMD_PREFETCH_CONFIG (IHI0070 §4.2.1): dw0 = 0x1 | SID &lt;&lt; 32.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <returns>The command.</returns>
    public static Command PrefetchConfig(uint streamId) => new Command { Opcode = CommandOpcode.PrefetchConfig, StreamId = streamId };

    /// <summary>CMD_CFGI_STE (IHI0070 §4.3.1): dw0 = 0x3 | SID &lt;&lt; 32, dw1 = Leaf.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="leaf">True: only the STE; false: also the L1STD on its path.</param>
    /// <returns>The command.</returns>
    public static Command CfgiSte(uint streamId, bool leaf) => new Command { Opcode = CommandOpcode.CfgiSte, StreamId = streamId, Leaf = leaf };

    /// <summary>CMD_CFGI_STE_RANGE (IHI0070 §4.3.2): 2^(Range+1) StreamIDs starting at SID aligned down.</summary>
    /// <param name="streamId">A StreamID in the range.</param>
    /// <param name="range">Range, 0..31.</param>
    /// <returns>The command.</returns>
    public static Command CfgiSteRange(uint streamId, uint range) => new Command { Opcode = CommandOpcode.CfgiSteRange, StreamId = streamId, Range = range };

    /// <summary>CMD_CFGI_ALL (IHI0070 §4.3.3): CMD_CFGI_STE_RANGE with Range = 31, dw0 = 0x4, dw1 = 0x1F.</summary>
    /// <returns>The command.</returns>
    public static Command CfgiAll() => CfgiSteRange(0, 31);

    /// <summary>CMD_CFGI_CD (IHI0070 §4.3.4): dw0 = 0x5 | SSID &lt;&lt; 12 | SID &lt;&lt; 32, dw1 = Leaf.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamId">SubstreamID.</param>
    /// <param name="leaf">True: only the CD; false: also the L1CD on its path.</param>
    /// <returns>The command.</returns>
    public static Command CfgiCd(uint streamId, uint substreamId, bool leaf) => new Command { Opcode = CommandOpcode.CfgiCd, StreamId = streamId, SubstreamId = substreamId, Leaf = leaf };

    /// <summary>CMD_CFGI_CD_ALL (IHI0070 §4.3.5): all CDs of a stream.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <returns>The command.</returns>
    public static Command CfgiCdAll(uint streamId) => new Command { Opcode = CommandOpcode.CfgiCdAll, StreamId = streamId };

    /// <summary>CMD_TLBI_NH_ALL (IHI0070 §4.4.2): all NS-EL1 entries of a VMID.</summary>
    /// <param name="vmid">VMID.</param>
    /// <returns>The command.</returns>
    public static Command TlbiNhAll(ushort vmid) => new Command { Opcode = CommandOpcode.TlbiNhAll, Vmid = vmid };

    /// <summary>CMD_TLBI_NH_ASID (IHI0070 §4.4.3): dw0 = 0x11 | VMID &lt;&lt; 32 | ASID &lt;&lt; 48.</summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="asid">ASID.</param>
    /// <returns>The command.</returns>
    public static Command TlbiNhAsid(ushort vmid, ushort asid) => new Command { Opcode = CommandOpcode.TlbiNhAsid, Vmid = vmid, Asid = asid };

    /// <summary>CMD_TLBI_NH_VA (IHI0070 §4.4.4): dw0 = 0x12 | NUM &lt;&lt; 12 | SCALE &lt;&lt; 20 | VMID &lt;&lt; 32 | ASID &lt;&lt; 48, dw1 = VA[63:12] | Leaf | TTL &lt;&lt; 8 | TG &lt;&lt; 10.</summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="asid">ASID.</param>
    /// <param name="address">VA (bits [11:0] dropped).</param>
    /// <param name="leaf">Only leaf entries.</param>
    /// <param name="num">Range NUM.</param>
    /// <param name="scale">Range SCALE.</param>
    /// <param name="ttl">Level hint.</param>
    /// <param name="tg">Range granule (0 = single address).</param>
    /// <returns>The command.</returns>
    public static Command TlbiNhVa(ushort vmid, ushort asid, ulong address, bool leaf, uint num = 0, uint scale = 0, uint ttl = 0, RangeGranule tg = RangeGranule.None) =>
        RangeTlbi(CommandOpcode.TlbiNhVa, address, leaf, num, scale, ttl, tg) with { Vmid = vmid, Asid = asid };

    /// <summary>CMD_TLBI_NH_VAA (IHI0070 §4.4.5): as TLBI_NH_VA for all ASIDs of the VMID.</summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="address">VA (bits [11:0] dropped).</param>
    /// <param name="leaf">Only leaf entries.</param>
    /// <param name="num">Range NUM.</param>
    /// <param name="scale">Range SCALE.</param>
    /// <param name="ttl">Level hint.</param>
    /// <param name="tg">Range granule (0 = single address).</param>
    /// <returns>The command.</returns>
    public static Command TlbiNhVaa(ushort vmid, ulong address, bool leaf, uint num = 0, uint scale = 0, uint ttl = 0, RangeGranule tg = RangeGranule.None) =>
        RangeTlbi(CommandOpcode.TlbiNhVaa, address, leaf, num, scale, ttl, tg) with { Vmid = vmid };

    /// <summary>CMD_TLBI_EL2_ALL (IHI0070 §4.4.8): dw0 = 0x20.</summary>
    /// <returns>The command.</returns>
    public static Command TlbiEl2All() => new Command { Opcode = CommandOpcode.TlbiEl2All };

    /// <summary>CMD_TLBI_EL2_ASID (IHI0070 §4.4.9): dw0 = 0x21 | ASID &lt;&lt; 48.</summary>
    /// <param name="asid">ASID.</param>
    /// <returns>The command.</returns>
    public static Command TlbiEl2Asid(ushort asid) => new Command { Opcode = CommandOpcode.TlbiEl2Asid, Asid = asid };

    /// <summary>CMD_TLBI_EL2_VA (IHI0070 §4.4.10): as TLBI_NH_VA without a VMID.</summary>
    /// <param name="asid">ASID.</param>
    /// <param name="address">VA (bits [11:0] dropped).</param>
    /// <param name="leaf">Only leaf entries.</param>
    /// <param name="num">Range NUM.</param>
    /// <param name="scale">Range SCALE.</param>
    /// <param name="ttl">Level hint.</param>
    /// <param name="tg">Range granule (0 = single address).</param>
    /// <returns>The command.</returns>
    public static Command TlbiEl2Va(ushort asid, ulong address, bool leaf, uint num = 0, uint scale = 0, uint ttl = 0, RangeGranule tg = RangeGranule.None) =>
        RangeTlbi(CommandOpcode.TlbiEl2Va, address, leaf, num, scale, ttl, tg) with { Asid = asid };

    /// <summary>CMD_TLBI_EL2_VAA (IHI0070 §4.4.11): EL2 VA for all ASIDs.</summary>
    /// <param name="address">VA (bits [11:0] dropped).</param>
    /// <param name="leaf">Only leaf entries.</param>
    /// <param name="num">Range NUM.</param>
    /// <param name="scale">Range SCALE.</param>
    /// <param name="ttl">Level hint.</param>
    /// <param name="tg">Range granule (0 = single address).</param>
    /// <returns>The command.</returns>
    public static Command TlbiEl2Vaa(ulong address, bool leaf, uint num = 0, uint scale = 0, uint ttl = 0, RangeGranule tg = RangeGranule.None) =>
        RangeTlbi(CommandOpcode.TlbiEl2Vaa, address, leaf, num, scale, ttl, tg);

    /// <summary>CMD_TLBI_S12_VMALL (IHI0070 §4.4.12): dw0 = 0x28 | VMID &lt;&lt; 32.</summary>
    /// <param name="vmid">VMID.</param>
    /// <returns>The command.</returns>
    public static Command TlbiS12Vmall(ushort vmid) => new Command { Opcode = CommandOpcode.TlbiS12Vmall, Vmid = vmid };

    /// <summary>CMD_TLBI_S2_IPA (IHI0070 §4.4.13): dw0 = 0x2A | NUM &lt;&lt; 12 | SCALE &lt;&lt; 20 | VMID &lt;&lt; 32, dw1 = IPA[55:12] | Leaf | TTL &lt;&lt; 8 | TG &lt;&lt; 10.</summary>
    /// <param name="vmid">VMID.</param>
    /// <param name="ipa">IPA (bits [11:0] and [63:56] dropped).</param>
    /// <param name="leaf">Only leaf entries.</param>
    /// <param name="num">Range NUM.</param>
    /// <param name="scale">Range SCALE.</param>
    /// <param name="ttl">Level hint.</param>
    /// <param name="tg">Range granule (0 = single address).</param>
    /// <returns>The command.</returns>
    public static Command TlbiS2Ipa(ushort vmid, ulong ipa, bool leaf, uint num = 0, uint scale = 0, uint ttl = 0, RangeGranule tg = RangeGranule.None) =>
        RangeTlbi(CommandOpcode.TlbiS2Ipa, 0, leaf, num, scale, ttl, tg) with { Vmid = vmid, Ipa = ipa };

    /// <summary>CMD_TLBI_NSNH_ALL (IHI0070 §4.4.14): dw0 = 0x30.</summary>
    /// <returns>The command.</returns>
    public static Command TlbiNsnhAll() => new Command { Opcode = CommandOpcode.TlbiNsnhAll };

    /// <summary>CMD_ATC_INV (IHI0070 §4.5.1): dw0 = 0x40 | Global &lt;&lt; 9 | SSV &lt;&lt; 11 | SSID &lt;&lt; 12 | SID &lt;&lt; 32, dw1 = Size | Addr[63:12].</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamId">SubstreamID, or null for none (SSV = 0).</param>
    /// <param name="address">Start address (bits [11:0] dropped).</param>
    /// <param name="size">Span is 4096 * 2^size bytes; 52 = everything.</param>
    /// <param name="global">Also invalidate global entries.</param>
    /// <returns>The command.</returns>
    public static Command AtcInv(uint streamId, uint? substreamId, ulong address, uint size, bool global) =>
        ForSubstream(CommandOpcode.AtcInv, streamId, substreamId) with { Global = global, AtcSize = size, Address = address };

    /// <summary>CMD_PRI_RESP (IHI0070 §4.6.1): dw0 = 0x41 | SSV &lt;&lt; 11 | SSID &lt;&lt; 12 | SID &lt;&lt; 32, dw1 = PRGIndex | Resp &lt;&lt; 12.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="substreamId">SubstreamID, or null for none (SSV = 0).</param>
    /// <param name="prgIndex">Page Request Group index.</param>
    /// <param name="response">0 ResponseFailure, 1 InvalidRequest, 2 Success.</param>
    /// <returns>The command.</returns>
    public static Command PriResp(uint streamId, uint? substreamId, uint prgIndex, PriResponseCode response) =>
        ForSubstream(CommandOpcode.PriResp, streamId, substreamId) with { PrgIndex = prgIndex, PriResponse = response };

    /// <summary>CMD_RESUME (IHI0070 §4.6.2): dw0 = 0x44 | Ac &lt;&lt; 12 | Ab &lt;&lt; 13 | SID &lt;&lt; 32, dw1 = STAG.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <param name="stallTag">STAG from the stall event.</param>
    /// <param name="retry">Retry the transaction (Ac = 1).</param>
    /// <param name="abort">When terminating: abort (Ab = 1) rather than RAZ/WI.</param>
    /// <returns>The command.</returns>
    public static Command Resume(uint streamId, ushort stallTag, bool retry, bool abort) =>
        new Command { Opcode = CommandOpcode.Resume, StreamId = streamId, Ac = retry, Ab = abort, StallTag = stallTag };

    /// <summary>CMD_STALL_TERM (IHI0070 §4.6.3): terminate every stalled transaction of a stream.</summary>
    /// <param name="streamId">StreamID.</param>
    /// <returns>The command.</returns>
    public static Command StallTerm(uint streamId) => new Command { Opcode = CommandOpcode.StallTerm, StreamId = streamId };

    /// <summary>
    /// CMD_SYNC (IHI0070 §4.7.3): dw0 = 0x46 | CS &lt;&lt; 12 | MSH &lt;&lt; 22 | MSIAttr &lt;&lt; 24 | MSIData &lt;&lt; 32,
    /// dw1 = MSIAddress[55:2]. Linux always passes msh 3 (ISH) and msiAttr 0xF (inner/outer write-back).
    /// </summary>
    /// <param name="cs">Completion signal.</param>
    /// <param name="msiAddress">MSI target (0 = none; bits [1:0] dropped).</param>
    /// <param name="msiData">MSI payload.</param>
    /// <param name="msiAttr">MSI memory attributes.</param>
    /// <param name="msh">MSI shareability.</param>
    /// <returns>The command.</returns>
    public static Command Sync(SyncCompletionSignal cs, ulong msiAddress = 0, uint msiData = 0, uint msiAttr = 0, uint msh = 0) => new Command
    {
        Opcode = CommandOpcode.Sync,
        CS = cs,
        MSH = msh,
        MsiAttr = msiAttr,
        MsiData = msiData,
        MsiAddress = msiAddress,
    };

    // The commands aimed at a stream and, with SSV = 1, one of its substreams (ATC_INV, PRI_RESP).
    private static Command ForSubstream(CommandOpcode opcode, uint streamId, uint? substreamId) => new Command
    {
        Opcode = opcode,
        StreamId = streamId,
        SSV = substreamId.HasValue,
        SubstreamId = substreamId ?? 0,
    };

    private static Command RangeTlbi(CommandOpcode opcode, ulong address, bool leaf, uint num, uint scale, uint ttl, RangeGranule tg) => new Command
    {
        Opcode = opcode,
        Num = num,
        Scale = scale,
        Address = address,
        Leaf = leaf,
        Ttl = ttl,
        Tg = tg,
    };

    /// <summary>The specification's name of an opcode, e.g. <c>CMD_CFGI_STE</c>, or <c>CMD_0xNN</c> when reserved.</summary>
    /// <param name="opcode">The opcode.</param>
    /// <returns>The name.</returns>
    public static string OpcodeName(CommandOpcode opcode) =>
        CommandOpcodeText.SpecName(opcode) ?? string.Create(CultureInfo.InvariantCulture, $"CMD_0x{(byte)opcode:X2}");

    /// <summary>The fields the command's opcode defines (IHI0070 §4, digest 4.3).</summary>
    /// <returns>Opcode first, then the opcode's parameters.</returns>
    public IReadOnlyList<DecodedField> Describe()
    {
        var f = new FieldText("dw");
        DescribeOpcode(f);
        switch (Opcode)
        {
            case CommandOpcode.PrefetchConfig:
                Stream(f, secure: true, substream: true);
                break;
            case CommandOpcode.PrefetchAddr:
                Stream(f, secure: true, substream: true);
                DescribePrefetchSize(f).Address("Addr", 1, _w1, 63, 12);
                break;
            case CommandOpcode.CfgiSte:
                Stream(f, secure: true, substream: false);
                f.Flag("Leaf", 1, _w1, 0, "STE only", "STE and L1STD");
                break;
            case CommandOpcode.CfgiSteRange:
                Stream(f, secure: true, substream: false);
                DescribeRange(f);
                break;
            case CommandOpcode.CfgiCd:
                DescribeStreamId(DescribeSubstreamId(DescribeSSec(f))).Flag("Leaf", 1, _w1, 0, "CD only", "CD and L1CD");
                break;
            case CommandOpcode.CfgiCdAll:
            case CommandOpcode.StallTerm:
                Stream(f, secure: true, substream: false);
                break;
            case CommandOpcode.TlbiNhAll:
            case CommandOpcode.TlbiS12Vmall:
            case CommandOpcode.TlbiSS12Vmall:
                DescribeVmid(f);
                break;
            case CommandOpcode.TlbiNhAsid:
                DescribeAsid(DescribeVmid(f));
                break;
            case CommandOpcode.TlbiEl2Asid:
            case CommandOpcode.TlbiSEl2Asid:
                DescribeAsid(f);
                break;
            case CommandOpcode.TlbiNhVa:
            case CommandOpcode.TlbiNhVaa:
            case CommandOpcode.TlbiS2Ipa:
            case CommandOpcode.TlbiSS2Ipa:
            case CommandOpcode.TlbiEl2Va:
            case CommandOpcode.TlbiSEl2Va:
            case CommandOpcode.TlbiEl2Vaa:
            case CommandOpcode.TlbiSEl2Vaa:
            case CommandOpcode.TlbiEl3Va:
                RangeTlbiFields(f);
                break;
            case CommandOpcode.AtcInv:
                DescribeGlobal(f);
                Stream(f, secure: false, substream: true);
                DescribeAddress(DescribeAtcSize(f));
                break;
            case CommandOpcode.PriResp:
                Stream(f, secure: false, substream: true);
                DescribePriResponse(DescribePrgIndex(f));
                break;
            case CommandOpcode.Resume:
                DescribeStallTag(DescribeStreamId(DescribeAb(DescribeAc(DescribeSSec(f)))));
                break;
            case CommandOpcode.Sync:
                DescribeMsiAddress(DescribeMsiData(DescribeMsiAttr(DescribeMSH(DescribeCS(f)))));
                break;
            default:
                // Commands with no parameters (e.g. TLBI_NSNH_ALL, TLBI_EL2_ALL) or reserved opcodes: raw words help most.
                if (!Enum.IsDefined(Opcode))
                {
                    f.Add("dw0", 0, _w0, 63, 0, FieldText.Hex).Add("dw1", 1, _w1, 63, 0, FieldText.Hex);
                }

                break;
        }

        return f.Fields;
    }

    private void Stream(FieldText f, bool secure, bool substream)
    {
        if (secure)
        {
            DescribeSSec(f);
        }

        if (substream)
        {
            DescribeSubstreamId(DescribeSSV(f));
        }

        DescribeStreamId(f);
    }

    // The range TLBIs (IHI0070 §4.4): NUM/SCALE, then VMID and ASID where the opcode has them, then Leaf/TTL/TG and the address.
    private void RangeTlbiFields(FieldText f)
    {
        DescribeScale(DescribeNum(f));
        if (Opcode is CommandOpcode.TlbiNhVa or CommandOpcode.TlbiNhVaa or CommandOpcode.TlbiS2Ipa or CommandOpcode.TlbiSS2Ipa)
        {
            DescribeVmid(f);
        }

        if (Opcode is CommandOpcode.TlbiNhVa or CommandOpcode.TlbiEl2Va or CommandOpcode.TlbiSEl2Va)
        {
            DescribeAsid(f);
        }

        DescribeTg(DescribeTtl(f.Flag("Leaf", 1, _w1, 0, "leaf entries only", "leaf and walk-cache entries")));
        if (Opcode is CommandOpcode.TlbiS2Ipa or CommandOpcode.TlbiSS2Ipa)
        {
            DescribeIpa(f);
        }
        else
        {
            DescribeAddress(f);
        }
    }

    private static string OpcodeText(ulong v) => FieldText.Hex(v) + " " + OpcodeName((CommandOpcode)v);

    private static string RangeText(ulong v) =>
        v == 31 ? "31 all StreamIDs (CMD_CFGI_ALL)" : string.Create(CultureInfo.InvariantCulture, $"{v} ({1UL << (int)(v + 1)} StreamIDs)");

    private static string AtcSizeText(ulong v) =>
        v >= 52 ? FieldText.Dec(v) + " everything" : string.Create(CultureInfo.InvariantCulture, $"{v} (0x{4096UL << (int)v:X} bytes)");

    private static string TtlText(ulong v) => v == 0 ? "0 any level" : string.Create(CultureInfo.InvariantCulture, $"{v} leaf at level {v}");

    /// <summary>One-line summary: the opcode name and its parameters.</summary>
    /// <returns>e.g. <c>CMD_CFGI_STE StreamID=0x5 Leaf=1</c>.</returns>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder(OpcodeName(Opcode));
        foreach (DecodedField field in Describe())
        {
            if (field.Name != "Opcode")
            {
                text.Append(' ').Append(field.Name).Append('=').Append(field.Value == 0 || field.Value < 10 ? FieldText.Dec(field.Value) : FieldText.Hex(field.Value));
            }
        }

        return text.ToString();
    }

}
