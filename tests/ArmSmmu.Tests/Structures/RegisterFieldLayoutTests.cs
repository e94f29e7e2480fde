using ArmSmmu.Structures;
using CsCheck;

namespace ArmSmmu.Tests.Structures;

/// <summary>Register field positions (digest 1.3-1.9): getters read exactly [hi:lo], init accessors write only [hi:lo].</summary>
public class RegisterFieldLayoutTests
{
    private sealed record Field<T>(string Name, int Hi, int Lo, Func<T, ulong> Get, Func<T, ulong, T> Set);

    private static Field<T> F<T>(string name, int hi, int lo, Func<T, uint> get, Func<T, uint, T> set) =>
        new(name, hi, lo, x => get(x), (x, v) => set(x, (uint)v));

    private static Field<T> B<T>(string name, int bit, Func<T, bool> get, Func<T, bool, T> set) =>
        new(name, bit, bit, x => get(x) ? 1UL : 0UL, (x, v) => set(x, (v & 1) != 0));

    private static Field<T> A<T>(string name, int hi, int lo, Func<T, ulong> get, Func<T, ulong, T> set) =>
        new(name, hi, lo, x => get(x) >> lo, (x, v) => set(x, v << lo));

    private static void Check<T>(Func<ulong, T> create, Func<T, ulong> read, int width, params Field<T>[] fields)
    {
        ulong valueMask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, fields.Length - 1]).Sample(t =>
        {
            (ulong raw, ulong v, int i) = t;
            raw &= valueMask;
            Field<T> f = fields[i];
            ulong mask = ((1UL << (f.Hi - f.Lo + 1)) - 1) << f.Lo;
            T reg = create(raw);
            Assert.True((raw & mask) >> f.Lo == f.Get(reg), f.Name + " getter");
            Assert.True(((raw & ~mask) | ((v << f.Lo) & mask)) == read(f.Set(reg, v)), f.Name + " setter");
        }, iter: 2000);
    }

    [Fact]
    public void Control_register_fields()
    {
        Check(v => new Cr0Register((uint)v), r => r.Value, 32,
            B<Cr0Register>("DPT_WALK_EN", 10, r => r.DPT_WALK_EN, (r, v) => r with { DPT_WALK_EN = v }),
            F<Cr0Register>("VMW", 8, 6, r => r.VMW, (r, v) => r with { VMW = v }),
            B<Cr0Register>("ATSCHK", 4, r => r.ATSCHK, (r, v) => r with { ATSCHK = v }),
            B<Cr0Register>("CMDQEN", 3, r => r.CMDQEN, (r, v) => r with { CMDQEN = v }),
            B<Cr0Register>("EVENTQEN", 2, r => r.EVENTQEN, (r, v) => r with { EVENTQEN = v }),
            B<Cr0Register>("PRIQEN", 1, r => r.PRIQEN, (r, v) => r with { PRIQEN = v }),
            B<Cr0Register>("SMMUEN", 0, r => r.SMMUEN, (r, v) => r with { SMMUEN = v }));
        Check(v => new Cr2Register((uint)v), r => r.Value, 32,
            B<Cr2Register>("REC_CFG_ATS", 3, r => r.REC_CFG_ATS, (r, v) => r with { REC_CFG_ATS = v }),
            B<Cr2Register>("PTM", 2, r => r.PTM, (r, v) => r with { PTM = v }),
            B<Cr2Register>("RECINVSID", 1, r => r.RECINVSID, (r, v) => r with { RECINVSID = v }),
            B<Cr2Register>("E2H", 0, r => r.E2H, (r, v) => r with { E2H = v }));
        Check(v => new GbpaRegister((uint)v), r => r.Value, 32,
            B<GbpaRegister>("Update", 31, r => r.Update, (r, v) => r with { Update = v }),
            B<GbpaRegister>("ABORT", 20, r => r.ABORT, (r, v) => r with { ABORT = v }),
            F<GbpaRegister>("INSTCFG", 19, 18, r => r.INSTCFG, (r, v) => r with { INSTCFG = v }),
            F<GbpaRegister>("PRIVCFG", 17, 16, r => r.PRIVCFG, (r, v) => r with { PRIVCFG = v }),
            F<GbpaRegister>("SHCFG", 13, 12, r => r.SHCFG, (r, v) => r with { SHCFG = v }),
            F<GbpaRegister>("ALLOCCFG", 11, 8, r => r.ALLOCCFG, (r, v) => r with { ALLOCCFG = v }),
            B<GbpaRegister>("MTCFG", 4, r => r.MTCFG, (r, v) => r with { MTCFG = v }),
            F<GbpaRegister>("MemAttr", 3, 0, r => r.MemAttr, (r, v) => r with { MemAttr = v }));
    }

    [Fact]
    public void Base_and_msi_register_fields()
    {
        Check(v => new StreamTableBaseRegister(v), r => r.Value, 64,
            B<StreamTableBaseRegister>("RA", 62, r => r.RA, (r, v) => r with { RA = v }),
            A<StreamTableBaseRegister>("ADDR", 55, 6, r => r.Address, (r, v) => r with { Address = v }));
        Check(v => new StreamTableBaseCfgRegister((uint)v), r => r.Value, 32,
            F<StreamTableBaseCfgRegister>("FMT", 17, 16, r => r.FMT, (r, v) => r with { FMT = v }),
            F<StreamTableBaseCfgRegister>("SPLIT", 10, 6, r => r.SPLIT, (r, v) => r with { SPLIT = v }),
            F<StreamTableBaseCfgRegister>("LOG2SIZE", 5, 0, r => r.LOG2SIZE, (r, v) => r with { LOG2SIZE = v }));
        Check(v => new QueueBaseRegister(v), r => r.Value, 64,
            B<QueueBaseRegister>("RA/WA", 62, r => r.ReadWriteAllocate, (r, v) => r with { ReadWriteAllocate = v }),
            A<QueueBaseRegister>("ADDR", 55, 5, r => r.Address, (r, v) => r with { Address = v }),
            F<QueueBaseRegister>("LOG2SIZE", 4, 0, r => r.Log2Size, (r, v) => r with { Log2Size = v }));
        Check(v => new IrqCfg0Register(v), r => r.Value, 64,
            A<IrqCfg0Register>("ADDR", 55, 2, r => r.Address, (r, v) => r with { Address = v }));
        Check(v => new IrqCfg2Register((uint)v), r => r.Value, 32,
            B<IrqCfg2Register>("LO", 31, r => r.LO, (r, v) => r with { LO = v }),
            F<IrqCfg2Register>("SH", 5, 4, r => r.SH, (r, v) => r with { SH = v }),
            F<IrqCfg2Register>("MemAttr", 3, 0, r => r.MemAttr, (r, v) => r with { MemAttr = v }));
    }

    [Fact]
    public void Id_register_fields()
    {
        Check(v => new Idr1Register((uint)v), r => r.Value, 32,
            B<Idr1Register>("ECMDQ", 31, r => r.ECMDQ, (r, v) => r with { ECMDQ = v }),
            B<Idr1Register>("TABLES_PRESET", 30, r => r.TABLES_PRESET, (r, v) => r with { TABLES_PRESET = v }),
            B<Idr1Register>("QUEUES_PRESET", 29, r => r.QUEUES_PRESET, (r, v) => r with { QUEUES_PRESET = v }),
            B<Idr1Register>("REL", 28, r => r.REL, (r, v) => r with { REL = v }),
            F<Idr1Register>("CMDQS", 25, 21, r => r.CMDQS, (r, v) => r with { CMDQS = v }),
            F<Idr1Register>("EVENTQS", 20, 16, r => r.EVENTQS, (r, v) => r with { EVENTQS = v }),
            F<Idr1Register>("PRIQS", 15, 11, r => r.PRIQS, (r, v) => r with { PRIQS = v }),
            F<Idr1Register>("SSIDSIZE", 10, 6, r => r.SSIDSIZE, (r, v) => r with { SSIDSIZE = v }),
            F<Idr1Register>("SIDSIZE", 5, 0, r => r.SIDSIZE, (r, v) => r with { SIDSIZE = v }));
        Check(v => new Idr0Register((uint)v), r => r.Value, 32,
            F<Idr0Register>("ST_LEVEL", 28, 27, r => r.ST_LEVEL, (r, v) => r with { ST_LEVEL = v }),
            F<Idr0Register>("STALL_MODEL", 25, 24, r => r.STALL_MODEL, (r, v) => r with { STALL_MODEL = v }),
            F<Idr0Register>("TTENDIAN", 22, 21, r => r.TTENDIAN, (r, v) => r with { TTENDIAN = v }),
            F<Idr0Register>("HTTU", 7, 6, r => r.HTTU, (r, v) => r with { HTTU = v }),
            F<Idr0Register>("TTF", 3, 2, r => r.TTF, (r, v) => r with { TTF = v }),
            B<Idr0Register>("Hyp", 9, r => r.Hyp, (r, v) => r with { Hyp = v }),
            B<Idr0Register>("ASID16", 12, r => r.ASID16, (r, v) => r with { ASID16 = v }));
        Check(v => new Idr5Register((uint)v), r => r.Value, 32,
            F<Idr5Register>("STALL_MAX", 31, 16, r => r.STALL_MAX, (r, v) => r with { STALL_MAX = v }),
            F<Idr5Register>("VAX", 11, 10, r => r.VAX, (r, v) => r with { VAX = v }),
            B<Idr5Register>("GRAN16K", 5, r => r.GRAN16K, (r, v) => r with { GRAN16K = v }),
            F<Idr5Register>("OAS", 2, 0, r => r.OAS, (r, v) => r with { OAS = v }));
        Check(v => new Idr3Register((uint)v), r => r.Value, 32,
            F<Idr3Register>("BBML", 12, 11, r => r.BBML, (r, v) => r with { BBML = v }),
            B<Idr3Register>("RIL", 10, r => r.RIL, (r, v) => r with { RIL = v }),
            B<Idr3Register>("FWB", 8, r => r.FWB, (r, v) => r with { FWB = v }));
    }
}
