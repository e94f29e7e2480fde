using ArmSmmu.Structures;
using ArmSmmu.Translation;
using CsCheck;

namespace ArmSmmu.Tests.Structures;

/// <summary>
/// Every field of every record, at the position the digest gives (IHI0070 §4, §5, §7.3, §8; digest 2.1, 2.4, 3.1,
/// 3.4, 4.2/4.3, 5.1, 6). For random records and random field values: the getter reads exactly bits [hi:lo] of its
/// word, and the init accessor replaces exactly those bits, leaving every other bit of every word alone.
/// </summary>
public class FieldLayoutTests
{
    // A field: word, hi, lo, getter (shifted-down value) and setter (shifted-down value).
    private sealed record Field<T>(string Name, int Word, int Hi, int Lo, Func<T, ulong> Get, Func<T, ulong, T> Set);

    private static Field<T> F<T>(string name, int word, int hi, int lo, Func<T, ulong> get, Func<T, ulong, T> set) => new(name, word, hi, lo, get, set);

    private static Field<T> B<T>(string name, int word, int bit, Func<T, bool> get, Func<T, bool, T> set) =>
        new(name, word, bit, bit, x => get(x) ? 1UL : 0UL, (x, v) => set(x, (v & 1) != 0));

    // Address fields are kept in place: getter value >> lo is the field, setter takes the field << lo.
    private static Field<T> A<T>(string name, int word, int hi, int lo, Func<T, ulong> get, Func<T, ulong, T> set) =>
        new(name, word, hi, lo, x => get(x) >> lo, (x, v) => set(x, v << lo));

    private static ulong Mask(int hi, int lo) => (hi - lo == 63 ? ulong.MaxValue : ((1UL << (hi - lo + 1)) - 1)) << lo;

    private static void Check<T>(int words, Func<ulong[], T> create, Func<T, ulong[]> read, IEnumerable<Field<T>> fields)
    {
        Field<T>[] all = fields.ToArray();
        Gen.Select(Gen.ULong.Array[words], Gen.ULong, Gen.Int[0, all.Length - 1]).Sample(t =>
        {
            (ulong[] w, ulong v, int i) = t;
            Field<T> f = all[i];
            T record = create(w);
            ulong mask = Mask(f.Hi, f.Lo);
            Assert.True((w[f.Word] & mask) >> f.Lo == f.Get(record), f.Name + " getter");
            T updated = f.Set(record, v);
            ulong[] expected = (ulong[])w.Clone();
            expected[f.Word] = (w[f.Word] & ~mask) | ((v << f.Lo) & mask);
            Assert.True(expected.SequenceEqual(read(updated)), f.Name + " setter");
        }, iter: 4000);
    }

    [Fact]
    public void The_secure_id_register_fields_sit_where_IHI0070_6_3_45_and_6_3_46_put_them()
    {
        // S_IDR0: ECMDQ [31], STALL_MODEL [25:24], MSI [13]. S_IDR1: SECURE_IMPL [31], SEL2 [29], S_SIDSIZE [5:0].
        Assert.Equal(1u << 31, new SIdr0Register(0) { ECMDQ = true }.Value);
        Assert.Equal(3u << 24, new SIdr0Register(0) { STALL_MODEL = 3 }.Value);
        Assert.Equal(1u << 13, new SIdr0Register(0) { MSI = true }.Value);
        Assert.Equal(1u << 31, new SIdr1Register(0) { SECURE_IMPL = true }.Value);
        Assert.Equal(1u << 29, new SIdr1Register(0) { SEL2 = true }.Value);
        Assert.Equal(0x3Fu, new SIdr1Register(0) { S_SIDSIZE = 0x3F }.Value);
        var ones = new SIdr1Register(uint.MaxValue);
        Assert.Equal((true, true, 0x3Fu), (ones.SECURE_IMPL, ones.SEL2, ones.S_SIDSIZE));
        Assert.Equal(2u, new SIdr0Register(2u << 24).STALL_MODEL);
    }

    [Fact]
    public void Every_STE_field_sits_where_IHI0070_5_2_puts_it()
    {
        Check(8, w => new StreamTableEntry(w), s => s.ToArray(), new[]
        {
            B<StreamTableEntry>("V", 0, 0, s => s.V, (s, v) => s with { V = v }),
            F<StreamTableEntry>("Config", 0, 3, 1, s => (ulong)s.Config, (s, v) => s with { Config = (SteConfig)(uint)v }),
            F<StreamTableEntry>("S1Fmt", 0, 5, 4, s => (ulong)s.S1Fmt, (s, v) => s with { S1Fmt = (CdTableFormat)(uint)v }),
            A<StreamTableEntry>("S1ContextPtr", 0, 55, 6, s => s.S1ContextPtr, (s, v) => s with { S1ContextPtr = v }),
            F<StreamTableEntry>("S1CDMax", 0, 63, 59, s => s.S1CDMax, (s, v) => s with { S1CDMax = (uint)v }),
            F<StreamTableEntry>("S1DSS", 1, 1, 0, s => (ulong)s.S1DSS, (s, v) => s with { S1DSS = (DefaultSubstream)(uint)v }),
            F<StreamTableEntry>("S1CIR", 1, 3, 2, s => s.S1CIR, (s, v) => s with { S1CIR = (uint)v }),
            F<StreamTableEntry>("S1COR", 1, 5, 4, s => s.S1COR, (s, v) => s with { S1COR = (uint)v }),
            F<StreamTableEntry>("S1CSH", 1, 7, 6, s => s.S1CSH, (s, v) => s with { S1CSH = (uint)v }),
            B<StreamTableEntry>("S2HWU59", 1, 8, s => s.S2HWU59, (s, v) => s with { S2HWU59 = v }),
            B<StreamTableEntry>("S2HWU60", 1, 9, s => s.S2HWU60, (s, v) => s with { S2HWU60 = v }),
            B<StreamTableEntry>("S2HWU61", 1, 10, s => s.S2HWU61, (s, v) => s with { S2HWU61 = v }),
            B<StreamTableEntry>("S2HWU62", 1, 11, s => s.S2HWU62, (s, v) => s with { S2HWU62 = v }),
            B<StreamTableEntry>("DRE", 1, 12, s => s.DRE, (s, v) => s with { DRE = v }),
            F<StreamTableEntry>("CONT", 1, 16, 13, s => s.CONT, (s, v) => s with { CONT = (uint)v }),
            B<StreamTableEntry>("DCP", 1, 17, s => s.DCP, (s, v) => s with { DCP = v }),
            B<StreamTableEntry>("PPAR", 1, 18, s => s.PPAR, (s, v) => s with { PPAR = v }),
            B<StreamTableEntry>("MEV", 1, 19, s => s.MEV, (s, v) => s with { MEV = v }),
            F<StreamTableEntry>("SW_RESERVED", 1, 23, 20, s => s.SW_RESERVED, (s, v) => s with { SW_RESERVED = (uint)v }),
            B<StreamTableEntry>("S1PIE", 1, 24, s => s.S1PIE, (s, v) => s with { S1PIE = v }),
            B<StreamTableEntry>("S2FWB", 1, 25, s => s.S2FWB, (s, v) => s with { S2FWB = v }),
            B<StreamTableEntry>("S1MPAM", 1, 26, s => s.S1MPAM, (s, v) => s with { S1MPAM = v }),
            B<StreamTableEntry>("S1STALLD", 1, 27, s => s.S1STALLD, (s, v) => s with { S1STALLD = v }),
            F<StreamTableEntry>("EATS", 1, 29, 28, s => (ulong)s.EATS, (s, v) => s with { EATS = (AtsEnable)(uint)v }),
            F<StreamTableEntry>("STRW", 1, 31, 30, s => (ulong)s.STRW, (s, v) => s with { STRW = (StreamWorldEncoding)(uint)v }),
            F<StreamTableEntry>("MemAttr", 1, 35, 32, s => s.MemAttr, (s, v) => s with { MemAttr = (uint)v }),
            B<StreamTableEntry>("MTCFG", 1, 36, s => s.MTCFG, (s, v) => s with { MTCFG = v }),
            F<StreamTableEntry>("ALLOCCFG", 1, 40, 37, s => s.ALLOCCFG, (s, v) => s with { ALLOCCFG = (uint)v }),
            F<StreamTableEntry>("SHCFG", 1, 45, 44, s => s.SHCFG, (s, v) => s with { SHCFG = (uint)v }),
            F<StreamTableEntry>("NSCFG", 1, 47, 46, s => s.NSCFG, (s, v) => s with { NSCFG = (uint)v }),
            F<StreamTableEntry>("PRIVCFG", 1, 49, 48, s => s.PRIVCFG, (s, v) => s with { PRIVCFG = (uint)v }),
            F<StreamTableEntry>("INSTCFG", 1, 51, 50, s => s.INSTCFG, (s, v) => s with { INSTCFG = (uint)v }),
            F<StreamTableEntry>("S2VMID", 2, 15, 0, s => s.S2VMID, (s, v) => s with { S2VMID = (ushort)v }),
            F<StreamTableEntry>("S2T0SZ", 2, 37, 32, s => s.S2T0SZ, (s, v) => s with { S2T0SZ = (uint)v }),
            F<StreamTableEntry>("S2SL0", 2, 39, 38, s => s.S2SL0, (s, v) => s with { S2SL0 = (uint)v }),
            F<StreamTableEntry>("S2IR0", 2, 41, 40, s => s.S2IR0, (s, v) => s with { S2IR0 = (uint)v }),
            F<StreamTableEntry>("S2OR0", 2, 43, 42, s => s.S2OR0, (s, v) => s with { S2OR0 = (uint)v }),
            F<StreamTableEntry>("S2SH0", 2, 45, 44, s => s.S2SH0, (s, v) => s with { S2SH0 = (uint)v }),
            F<StreamTableEntry>("S2TG", 2, 47, 46, s => (ulong)s.S2TG, (s, v) => s with { S2TG = (Tg0Granule)(uint)v }),
            F<StreamTableEntry>("S2PS", 2, 50, 48, s => s.S2PS, (s, v) => s with { S2PS = (uint)v }),
            B<StreamTableEntry>("S2AA64", 2, 51, s => s.S2AA64, (s, v) => s with { S2AA64 = v }),
            B<StreamTableEntry>("S2ENDI", 2, 52, s => s.S2ENDI, (s, v) => s with { S2ENDI = v }),
            B<StreamTableEntry>("S2AFFD", 2, 53, s => s.S2AFFD, (s, v) => s with { S2AFFD = v }),
            B<StreamTableEntry>("S2PTW", 2, 54, s => s.S2PTW, (s, v) => s with { S2PTW = v }),
            B<StreamTableEntry>("S2HD", 2, 55, s => s.S2HD, (s, v) => s with { S2HD = v }),
            B<StreamTableEntry>("S2HA", 2, 56, s => s.S2HA, (s, v) => s with { S2HA = v }),
            B<StreamTableEntry>("S2S", 2, 57, s => s.S2S, (s, v) => s with { S2S = v }),
            B<StreamTableEntry>("S2R", 2, 58, s => s.S2R, (s, v) => s with { S2R = v }),
            B<StreamTableEntry>("S2NSW", 3, 0, s => s.S2NSW, (s, v) => s with { S2NSW = v }),
            B<StreamTableEntry>("S2NSA", 3, 1, s => s.S2NSA, (s, v) => s with { S2NSA = v }),
            B<StreamTableEntry>("S2SL0_2", 3, 2, s => s.S2SL0_2, (s, v) => s with { S2SL0_2 = v }), // IHI0070 §5.2 bit [194]
            B<StreamTableEntry>("S2DS", 3, 3, s => s.S2DS, (s, v) => s with { S2DS = v }), // IHI0070 §5.2 bit [195]
            A<StreamTableEntry>("S2TTB", 3, 55, 4, s => s.S2TTB, (s, v) => s with { S2TTB = v }),
        });
    }

    [Fact]
    public void Every_CD_field_sits_where_IHI0070_5_4_puts_it()
    {
        Check(8, w => new ContextDescriptor(w), c => c.ToArray(), new[]
        {
            F<ContextDescriptor>("T0SZ", 0, 5, 0, c => c.T0SZ, (c, v) => c with { T0SZ = (uint)v }),
            F<ContextDescriptor>("TG0", 0, 7, 6, c => (ulong)c.TG0, (c, v) => c with { TG0 = (Tg0Granule)(uint)v }),
            F<ContextDescriptor>("IR0", 0, 9, 8, c => c.IR0, (c, v) => c with { IR0 = (uint)v }),
            F<ContextDescriptor>("OR0", 0, 11, 10, c => c.OR0, (c, v) => c with { OR0 = (uint)v }),
            F<ContextDescriptor>("SH0", 0, 13, 12, c => c.SH0, (c, v) => c with { SH0 = (uint)v }),
            B<ContextDescriptor>("EPD0", 0, 14, c => c.EPD0, (c, v) => c with { EPD0 = v }),
            B<ContextDescriptor>("ENDI", 0, 15, c => c.ENDI, (c, v) => c with { ENDI = v }),
            F<ContextDescriptor>("T1SZ", 0, 21, 16, c => c.T1SZ, (c, v) => c with { T1SZ = (uint)v }),
            F<ContextDescriptor>("TG1", 0, 23, 22, c => (ulong)c.TG1, (c, v) => c with { TG1 = (Tg1Granule)(uint)v }),
            F<ContextDescriptor>("IR1", 0, 25, 24, c => c.IR1, (c, v) => c with { IR1 = (uint)v }),
            F<ContextDescriptor>("OR1", 0, 27, 26, c => c.OR1, (c, v) => c with { OR1 = (uint)v }),
            F<ContextDescriptor>("SH1", 0, 29, 28, c => c.SH1, (c, v) => c with { SH1 = (uint)v }),
            B<ContextDescriptor>("EPD1", 0, 30, c => c.EPD1, (c, v) => c with { EPD1 = v }),
            B<ContextDescriptor>("V", 0, 31, c => c.V, (c, v) => c with { V = v }),
            F<ContextDescriptor>("IPS", 0, 34, 32, c => c.IPS, (c, v) => c with { IPS = (uint)v }),
            B<ContextDescriptor>("AFFD", 0, 35, c => c.AFFD, (c, v) => c with { AFFD = v }),
            B<ContextDescriptor>("WXN", 0, 36, c => c.WXN, (c, v) => c with { WXN = v }),
            B<ContextDescriptor>("UWXN", 0, 37, c => c.UWXN, (c, v) => c with { UWXN = v }),
            B<ContextDescriptor>("TBI0", 0, 38, c => c.TBI0, (c, v) => c with { TBI0 = v }),
            B<ContextDescriptor>("TBI1", 0, 39, c => c.TBI1, (c, v) => c with { TBI1 = v }),
            B<ContextDescriptor>("PAN", 0, 40, c => c.PAN, (c, v) => c with { PAN = v }),
            B<ContextDescriptor>("AA64", 0, 41, c => c.AA64, (c, v) => c with { AA64 = v }),
            B<ContextDescriptor>("HD", 0, 42, c => c.HD, (c, v) => c with { HD = v }),
            B<ContextDescriptor>("HA", 0, 43, c => c.HA, (c, v) => c with { HA = v }),
            B<ContextDescriptor>("S", 0, 44, c => c.S, (c, v) => c with { S = v }),
            B<ContextDescriptor>("R", 0, 45, c => c.R, (c, v) => c with { R = v }),
            B<ContextDescriptor>("A", 0, 46, c => c.A, (c, v) => c with { A = v }),
            B<ContextDescriptor>("ASET", 0, 47, c => c.ASET, (c, v) => c with { ASET = v }),
            F<ContextDescriptor>("ASID", 0, 63, 48, c => c.ASID, (c, v) => c with { ASID = (ushort)v }),
            B<ContextDescriptor>("NSCFG0", 1, 0, c => c.NSCFG0, (c, v) => c with { NSCFG0 = v }),
            B<ContextDescriptor>("HAD0", 1, 1, c => c.HAD0, (c, v) => c with { HAD0 = v }),
            B<ContextDescriptor>("E0PD0", 1, 2, c => c.E0PD0, (c, v) => c with { E0PD0 = v }),
            A<ContextDescriptor>("TTB0", 1, 55, 4, c => c.TTB0, (c, v) => c with { TTB0 = v }),
            B<ContextDescriptor>("NSCFG1", 2, 0, c => c.NSCFG1, (c, v) => c with { NSCFG1 = v }),
            B<ContextDescriptor>("HAD1", 2, 1, c => c.HAD1, (c, v) => c with { HAD1 = v }),
            B<ContextDescriptor>("E0PD1", 2, 2, c => c.E0PD1, (c, v) => c with { E0PD1 = v }),
            A<ContextDescriptor>("TTB1", 2, 55, 4, c => c.TTB1, (c, v) => c with { TTB1 = v }),
            B<ContextDescriptor>("DS", 2, 58, c => c.DS, (c, v) => c with { DS = v }),
            F<ContextDescriptor>("MAIR", 3, 63, 0, c => c.MAIR, (c, v) => c with { MAIR = v }),
            F<ContextDescriptor>("AMAIR", 4, 63, 0, c => c.AMAIR, (c, v) => c with { AMAIR = v }),
        });
    }

    [Fact]
    public void L1_descriptor_fields_sit_where_IHI0070_5_1_and_5_3_put_them()
    {
        Check(1, w => new L1StreamTableDescriptor(w[0]), d => [d.Value], new[]
        {
            F<L1StreamTableDescriptor>("Span", 0, 4, 0, d => d.Span, (d, v) => d with { Span = (uint)v }),
            A<L1StreamTableDescriptor>("L2Ptr", 0, 55, 6, d => d.L2Ptr, (d, v) => d with { L2Ptr = v }),
        });
        Check(1, w => new L1ContextDescriptor(w[0]), d => [d.Value], new[]
        {
            B<L1ContextDescriptor>("V", 0, 0, d => d.V, (d, v) => d with { V = v }),
            A<L1ContextDescriptor>("L2Ptr", 0, 55, 12, d => d.L2Ptr, (d, v) => d with { L2Ptr = v }),
        });
    }

    [Fact]
    public void Every_command_field_sits_where_digest_4_2_and_4_3_put_it()
    {
        Check(2, w => new Command(w), c => [c.Dw0, c.Dw1], new[]
        {
            F<Command>("Opcode", 0, 7, 0, c => (ulong)c.Opcode, (c, v) => c with { Opcode = (CommandOpcode)(byte)v }),
            B<Command>("Global", 0, 9, c => c.Global, (c, v) => c with { Global = v }),
            B<Command>("SSec", 0, 10, c => c.SSec, (c, v) => c with { SSec = v }),
            B<Command>("SSV", 0, 11, c => c.SSV, (c, v) => c with { SSV = v }),
            B<Command>("Ac", 0, 12, c => c.Ac, (c, v) => c with { Ac = v }),
            B<Command>("Ab", 0, 13, c => c.Ab, (c, v) => c with { Ab = v }),
            F<Command>("SubstreamID", 0, 31, 12, c => c.SubstreamId, (c, v) => c with { SubstreamId = (uint)v }),
            F<Command>("StreamID", 0, 63, 32, c => c.StreamId, (c, v) => c with { StreamId = (uint)v }),
            F<Command>("VMID", 0, 47, 32, c => c.Vmid, (c, v) => c with { Vmid = (ushort)v }),
            F<Command>("ASID", 0, 63, 48, c => c.Asid, (c, v) => c with { Asid = (ushort)v }),
            F<Command>("NUM", 0, 16, 12, c => c.Num, (c, v) => c with { Num = (uint)v }),
            F<Command>("SCALE", 0, 24, 20, c => c.Scale, (c, v) => c with { Scale = (uint)v }),
            F<Command>("CS", 0, 13, 12, c => (ulong)c.CS, (c, v) => c with { CS = (SyncCompletionSignal)(v & 3) }),
            F<Command>("MSH", 0, 23, 22, c => c.MSH, (c, v) => c with { MSH = (uint)v }),
            F<Command>("MSIAttr", 0, 27, 24, c => c.MsiAttr, (c, v) => c with { MsiAttr = (uint)v }),
            F<Command>("MSIData", 0, 63, 32, c => c.MsiData, (c, v) => c with { MsiData = (uint)v }),
            B<Command>("Leaf", 1, 0, c => c.Leaf, (c, v) => c with { Leaf = v }),
            F<Command>("Range", 1, 4, 0, c => c.Range, (c, v) => c with { Range = (uint)v }),
            F<Command>("PrefetchSize", 1, 4, 0, c => c.PrefetchSize, (c, v) => c with { PrefetchSize = (uint)v }),
            F<Command>("AtcSize", 1, 5, 0, c => c.AtcSize, (c, v) => c with { AtcSize = (uint)v }),
            F<Command>("PRGIndex", 1, 8, 0, c => c.PrgIndex, (c, v) => c with { PrgIndex = (uint)v }),
            F<Command>("TTL", 1, 9, 8, c => c.Ttl, (c, v) => c with { Ttl = (uint)v }),
            F<Command>("TG", 1, 11, 10, c => (ulong)c.Tg, (c, v) => c with { Tg = (RangeGranule)(uint)v }),
            F<Command>("Resp", 1, 13, 12, c => (ulong)c.PriResponse, (c, v) => c with { PriResponse = (PriResponseCode)(uint)v }),
            F<Command>("STAG", 1, 15, 0, c => c.StallTag, (c, v) => c with { StallTag = (ushort)v }),
            A<Command>("Address", 1, 63, 12, c => c.Address, (c, v) => c with { Address = v }),
            A<Command>("IPA", 1, 55, 12, c => c.Ipa, (c, v) => c with { Ipa = v }),
            A<Command>("MSIAddress", 1, 55, 2, c => c.MsiAddress, (c, v) => c with { MsiAddress = v }),
        });
    }

    [Fact]
    public void Every_event_field_sits_where_digest_5_1_puts_it()
    {
        Check(4, w => new EventRecord(w), e => [e.Dw0, e.Dw1, e.Dw2, e.Dw3], new[]
        {
            F<EventRecord>("Type", 0, 7, 0, e => (ulong)e.Type, (e, v) => e with { Type = (EventType)(byte)v }),
            B<EventRecord>("SSV", 0, 11, e => e.SSV, (e, v) => e with { SSV = v }),
            F<EventRecord>("SubstreamID", 0, 31, 12, e => e.SubstreamId, (e, v) => e with { SubstreamId = (uint)v }),
            F<EventRecord>("StreamID", 0, 63, 32, e => e.StreamId, (e, v) => e with { StreamId = (uint)v }),
            F<EventRecord>("STAG", 1, 15, 0, e => e.StallTag, (e, v) => e with { StallTag = (ushort)v }),
            F<EventRecord>("Reason", 1, 15, 0, e => e.Reason, (e, v) => e with { Reason = (ushort)v }),
            B<EventRecord>("GPCF", 1, 16, e => e.GPCF, (e, v) => e with { GPCF = v }),
            B<EventRecord>("Stall", 1, 31, e => e.Stall, (e, v) => e with { Stall = v }),
            B<EventRecord>("PnU", 1, 33, e => e.PnU, (e, v) => e with { PnU = v }),
            B<EventRecord>("InD", 1, 34, e => e.InD, (e, v) => e with { InD = v }),
            B<EventRecord>("RnW", 1, 35, e => e.RnW, (e, v) => e with { RnW = v }),
            B<EventRecord>("NSIPA", 1, 38, e => e.NSIPA, (e, v) => e with { NSIPA = v }),
            B<EventRecord>("S2", 1, 39, e => e.S2, (e, v) => e with { S2 = v }),
            F<EventRecord>("CLASS", 1, 41, 40, e => (ulong)e.Class, (e, v) => e with { Class = (FaultClass)(byte)(v & 3) }),
            B<EventRecord>("TTRnW", 1, 44, e => e.TTRnW, (e, v) => e with { TTRnW = v }),
            F<EventRecord>("InputAddr", 2, 63, 0, e => e.InputAddress, (e, v) => e with { InputAddress = v }),
            A<EventRecord>("IPA", 3, 55, 12, e => e.Ipa, (e, v) => e with { Ipa = v }),
            A<EventRecord>("FetchAddr", 3, 55, 3, e => e.FetchAddress, (e, v) => e with { FetchAddress = v }),
        });
    }

    [Fact]
    public void Every_PRI_entry_field_sits_where_digest_6_puts_it()
    {
        Check(2, w => new PriQueueEntry(w), p => [p.Dw0, p.Dw1], new[]
        {
            F<PriQueueEntry>("StreamID", 0, 31, 0, p => p.StreamId, (p, v) => p with { StreamId = (uint)v }),
            F<PriQueueEntry>("SubstreamID", 0, 51, 32, p => p.SubstreamId, (p, v) => p with { SubstreamId = (uint)v }),
            B<PriQueueEntry>("Priv", 0, 58, p => p.Priv, (p, v) => p with { Priv = v }),
            B<PriQueueEntry>("X", 0, 59, p => p.Exec, (p, v) => p with { Exec = v }),
            B<PriQueueEntry>("R", 0, 60, p => p.Read, (p, v) => p with { Read = v }),
            B<PriQueueEntry>("W", 0, 61, p => p.Write, (p, v) => p with { Write = v }),
            B<PriQueueEntry>("Last", 0, 62, p => p.Last, (p, v) => p with { Last = v }),
            B<PriQueueEntry>("SSV", 0, 63, p => p.SSV, (p, v) => p with { SSV = v }),
            F<PriQueueEntry>("PRGIndex", 1, 8, 0, p => p.PrgIndex, (p, v) => p with { PrgIndex = (uint)v }),
            A<PriQueueEntry>("Addr", 1, 63, 12, p => p.PageAddress, (p, v) => p with { PageAddress = v }),
        });
    }

    [Fact]
    public void Decoding_every_STE_field_and_reencoding_reproduces_the_defined_bits()
    {
        // Defined bits per digest 2.1: dw0 all but [58:56]; dw1 [40:0] and [51:44]; dw2 [15:0] and [58:32];
        // dw3 [55:0] (S2SL0_2 and S2DS are bits [2] and [3]). IMPLEMENTATION DEFINED and v3.2+ fields of dw4..dw7 are not modelled.
        ulong[] defined = [~(7UL << 56), 0x000F_F1FF_FFFF_FFFF, 0x07FF_FFFF_0000_FFFF, 0x00FF_FFFF_FFFF_FFFF, 0, 0, 0, 0];
        Gen.ULong.Array[8].Sample(w =>
        {
            var s = new StreamTableEntry(w);
            var rebuilt = new StreamTableEntry
            {
                V = s.V,
                Config = s.Config,
                S1Fmt = s.S1Fmt,
                S1ContextPtr = s.S1ContextPtr,
                S1CDMax = s.S1CDMax,
                S1DSS = s.S1DSS,
                S1CIR = s.S1CIR,
                S1COR = s.S1COR,
                S1CSH = s.S1CSH,
                S2HWU59 = s.S2HWU59,
                S2HWU60 = s.S2HWU60,
                S2HWU61 = s.S2HWU61,
                S2HWU62 = s.S2HWU62,
                DRE = s.DRE,
                CONT = s.CONT,
                DCP = s.DCP,
                PPAR = s.PPAR,
                MEV = s.MEV,
                SW_RESERVED = s.SW_RESERVED,
                S1PIE = s.S1PIE,
                S2FWB = s.S2FWB,
                S1MPAM = s.S1MPAM,
                S1STALLD = s.S1STALLD,
                EATS = s.EATS,
                STRW = s.STRW,
                MemAttr = s.MemAttr,
                MTCFG = s.MTCFG,
                ALLOCCFG = s.ALLOCCFG,
                SHCFG = s.SHCFG,
                NSCFG = s.NSCFG,
                PRIVCFG = s.PRIVCFG,
                INSTCFG = s.INSTCFG,
                S2VMID = s.S2VMID,
                S2T0SZ = s.S2T0SZ,
                S2SL0 = s.S2SL0,
                S2IR0 = s.S2IR0,
                S2OR0 = s.S2OR0,
                S2SH0 = s.S2SH0,
                S2TG = s.S2TG,
                S2PS = s.S2PS,
                S2AA64 = s.S2AA64,
                S2ENDI = s.S2ENDI,
                S2AFFD = s.S2AFFD,
                S2PTW = s.S2PTW,
                S2HD = s.S2HD,
                S2HA = s.S2HA,
                S2S = s.S2S,
                S2R = s.S2R,
                S2NSW = s.S2NSW,
                S2NSA = s.S2NSA,
                S2SL0_2 = s.S2SL0_2,
                S2DS = s.S2DS,
                S2TTB = s.S2TTB,
            };
            Assert.Equal(w.Zip(defined, (x, m) => x & m), rebuilt.ToArray());
        });
    }

    [Fact]
    public void Decoding_every_CD_field_and_reencoding_reproduces_the_defined_bits()
    {
        // Defined bits per digest 3.1 (fields this model names): dw0 all; dw1 [2:0], [55:4]; dw2 [2:0], [55:4], [58];
        // dw3 (MAIR) and dw4 (AMAIR) all.
        ulong[] defined = [ulong.MaxValue, 0x00FF_FFFF_FFFF_FFF7, 0x04FF_FFFF_FFFF_FFF7, ulong.MaxValue, ulong.MaxValue, 0, 0, 0];
        Gen.ULong.Array[8].Sample(w =>
        {
            var c = new ContextDescriptor(w);
            var rebuilt = new ContextDescriptor
            {
                T0SZ = c.T0SZ,
                TG0 = c.TG0,
                IR0 = c.IR0,
                OR0 = c.OR0,
                SH0 = c.SH0,
                EPD0 = c.EPD0,
                ENDI = c.ENDI,
                T1SZ = c.T1SZ,
                TG1 = c.TG1,
                IR1 = c.IR1,
                OR1 = c.OR1,
                SH1 = c.SH1,
                EPD1 = c.EPD1,
                V = c.V,
                IPS = c.IPS,
                AFFD = c.AFFD,
                WXN = c.WXN,
                UWXN = c.UWXN,
                TBI0 = c.TBI0,
                TBI1 = c.TBI1,
                PAN = c.PAN,
                AA64 = c.AA64,
                HD = c.HD,
                HA = c.HA,
                S = c.S,
                R = c.R,
                A = c.A,
                ASET = c.ASET,
                ASID = c.ASID,
                NSCFG0 = c.NSCFG0,
                HAD0 = c.HAD0,
                E0PD0 = c.E0PD0,
                TTB0 = c.TTB0,
                NSCFG1 = c.NSCFG1,
                HAD1 = c.HAD1,
                E0PD1 = c.E0PD1,
                TTB1 = c.TTB1,
                DS = c.DS,
                MAIR = c.MAIR,
                AMAIR = c.AMAIR,
            };
            Assert.Equal(w.Zip(defined, (x, m) => x & m), rebuilt.ToArray());
        });
    }

    [Fact]
    public void Reserved_config_values_round_trip_as_casts()
    {
        // IHI0070 §5.2: Config 0b001..0b011 are reserved (behave as abort) but must survive decode/encode unchanged.
        for (uint raw = 0; raw < 8; raw++)
        {
            var ste = new StreamTableEntry { V = true, Config = (SteConfig)raw };
            Assert.Equal(1 | (raw << 1), ste.Dw0);
            Assert.Equal(raw, (uint)ste.Config);
        }
    }
}
