using ArmSmmu.Structures;

namespace ArmSmmu.Tests.Structures;

/// <summary>Register offsets and field layouts (IHI0070 §6, digest 1) against the values Linux writes (digest 8.2/8.3).</summary>
public class RegisterTests
{
    [Fact]
    public void Offsets_match_digest_1_2()
    {
        Assert.Equal(0x18UL, SmmuRegister.IIDR);
        Assert.Equal(0x1CUL, SmmuRegister.AIDR);
        Assert.Equal(0x44UL, SmmuRegister.GBPA);
        Assert.Equal(0x88UL, SmmuRegister.STRTAB_BASE_CFG);
        Assert.Equal(0x9CUL, SmmuRegister.CMDQ_CONS);
        Assert.Equal(0xBCUL, SmmuRegister.EVENTQ_IRQ_CFG2);
        Assert.Equal(0xDCUL, SmmuRegister.PRIQ_IRQ_CFG2);
        Assert.Equal(0x100A8UL, SmmuRegister.EVENTQ_PROD);
        Assert.Equal(0x100ACUL, SmmuRegister.EVENTQ_CONS);
        Assert.Equal(0x100C8UL, SmmuRegister.PRIQ_PROD);
        Assert.Equal(0x100CCUL, SmmuRegister.PRIQ_CONS);
        Assert.Equal(SmmuRegister.EVENTQ_PROD - SmmuRegister.Page1, SmmuRegister.EVENTQ_PROD_PAGE0);
        Assert.Equal(SmmuRegister.PRIQ_CONS - SmmuRegister.Page1, SmmuRegister.PRIQ_CONS_PAGE0);
    }

    [Fact]
    public void NameOf_names_registers_high_halves_and_nothing_else()
    {
        Assert.Equal("CR0ACK", SmmuRegister.NameOf(0x24));
        Assert.Equal("IRQ_CTRLACK", SmmuRegister.NameOf(0x54));
        Assert.Equal("GERROR_IRQ_CFG0", SmmuRegister.NameOf(0x68));
        Assert.Equal("STRTAB_BASE", SmmuRegister.NameOf(0x80));
        Assert.Equal("STRTAB_BASE[63:32]", SmmuRegister.NameOf(0x84));
        Assert.Equal("CMDQ_BASE[63:32]", SmmuRegister.NameOf(0x94));
        Assert.Equal("EVENTQ_CONS", SmmuRegister.NameOf(0x100AC));
        Assert.Equal("EVENTQ_PROD_PAGE0", SmmuRegister.NameOf(0xA8));
        Assert.Equal("IMPDEF+0x10", SmmuRegister.NameOf(0xE10));
        Assert.Null(SmmuRegister.NameOf(0x4C));
        Assert.Null(SmmuRegister.NameOf(0x8C)); // STRTAB_BASE_CFG is 32-bit: no high half
        Assert.Null(SmmuRegister.NameOf(0x10020));
        Assert.True(SmmuRegister.Is64Bit(SmmuRegister.PRIQ_IRQ_CFG0));
        Assert.False(SmmuRegister.Is64Bit(SmmuRegister.CMDQ_PROD));
    }

    [Fact]
    public void Linux_reset_values_decode()
    {
        // Digest 8.3 step 3: CR1 0xD75 = tables and queues ISH, outer WB, inner WB.
        var cr1 = new Cr1Register(0xD75);
        Assert.Equal((3u, 1u, 1u, 3u, 1u, 1u), (cr1.TABLE_SH, cr1.TABLE_OC, cr1.TABLE_IC, cr1.QUEUE_SH, cr1.QUEUE_OC, cr1.QUEUE_IC));
        Assert.Equal(0xD75u, new Cr1Register { TABLE_SH = 3, TABLE_OC = 1, TABLE_IC = 1, QUEUE_SH = 3, QUEUE_OC = 1, QUEUE_IC = 1 }.Value);
        Assert.Equal("0b01 write-back", cr1.Describe().Single(f => f.Name == "TABLE_OC").Meaning);
        Assert.Contains("reserved", new Cr1Register(0x300).Describe().Single(f => f.Name == "TABLE_OC").Meaning, StringComparison.Ordinal);

        // Step 4: CR2 0x6 = PTM | RECINVSID; 0x7 with E2H.
        Assert.Equal(0x6u, new Cr2Register { PTM = true, RECINVSID = true }.Value);
        Assert.True(new Cr2Register(0x7).E2H);

        // Step 15: CR0 0xD = SMMUEN | EVENTQEN | CMDQEN; 0x1D adds ATSCHK.
        var cr0 = new Cr0Register(0x1D);
        Assert.Equal(Cr0Flags.SMMUEN | Cr0Flags.EVENTQEN | Cr0Flags.CMDQEN | Cr0Flags.ATSCHK, cr0.Flags);
        Assert.True(cr0.SMMUEN && cr0.EVENTQEN && cr0.CMDQEN && cr0.ATSCHK && !cr0.PRIQEN);
        Assert.Equal(0xDu, new Cr0Register { Flags = Cr0Flags.SMMUEN | Cr0Flags.EVENTQEN | Cr0Flags.CMDQEN }.Value);
        Assert.Equal(0x1C8u, new Cr0Register { CMDQEN = true, VMW = 7 }.Value);
        Assert.Equal(3u, Cr0.GetVmw(0xC0));
        Assert.Equal(0x10Fu, Cr0.WithVmw(0xF, 4));

        // Step 14: IRQ_CTRL 0x5 (EVENTQ | GERROR), 0x7 with PRIQ.
        Assert.Equal(5u, (uint)(IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.GERROR_IRQEN));
        Assert.Equal(7u, (uint)(IrqCtrlFlags.EVENTQ_IRQEN | IrqCtrlFlags.GERROR_IRQEN | IrqCtrlFlags.PRIQ_IRQEN));

        // Digest 1.7: Linux's active GERROR mask 0x1FD is every error bit below DPT/CMDQP.
        Assert.Equal(0x1FDu, (uint)(GerrorFlags.CMDQ_ERR | GerrorFlags.EVENTQ_ABT_ERR | GerrorFlags.PRIQ_ABT_ERR |
            GerrorFlags.MSI_CMDQ_ABT_ERR | GerrorFlags.MSI_EVENTQ_ABT_ERR | GerrorFlags.MSI_PRIQ_ABT_ERR |
            GerrorFlags.MSI_GERROR_ABT_ERR | GerrorFlags.SFM_ERR));
    }

    [Fact]
    public void Gbpa_abort_update_write()
    {
        // Digest 8.3 step 1: GBPA | ABORT (bit 20) | Update (bit 31).
        var gbpa = new GbpaRegister { ABORT = true, Update = true };
        Assert.Equal(0x8010_0000u, gbpa.Value);
        var all = new GbpaRegister { INSTCFG = 3, PRIVCFG = 2, SHCFG = 1, ALLOCCFG = 0xA, MTCFG = true, MemAttr = 0xF };
        Assert.Equal((3u << 18) | (2u << 16) | (1u << 12) | (0xAu << 8) | (1u << 4) | 0xF, all.Value);
        Assert.Equal("0b01 use incoming", all.Describe().Single(f => f.Name == "SHCFG").Meaning);
    }

    [Fact]
    public void Stream_table_base_and_cfg()
    {
        // Digest 8.2: 2-level table for 16 SID bits: STRTAB_BASE_CFG 0x10210 = FMT 01, SPLIT 8, LOG2SIZE 16.
        var cfg = new StreamTableBaseCfgRegister(0x10210);
        Assert.Equal((1u, 8u, 16u), (cfg.FMT, cfg.SPLIT, cfg.LOG2SIZE));
        Assert.Equal(0x10210u, new StreamTableBaseCfgRegister { FMT = 1, SPLIT = 8, LOG2SIZE = 16 }.Value);
        Assert.Equal(["FMT", "SPLIT", "LOG2SIZE"], cfg.Describe().Select(f => f.Name));
        Assert.Equal("[17:16]", cfg.Describe()[0].Bits);

        // STRTAB_BASE = bit 62 (RA) | PA[55:6].
        var strtab = new StreamTableBaseRegister { RA = true, Address = 0x00FF_FFFF_FFFF_FFFF };
        Assert.Equal((1UL << 62) | 0x00FF_FFFF_FFFF_FFC0, strtab.Value);
        Assert.Equal(0x00FF_FFFF_FFFF_FFC0UL, strtab.Address);
    }

    [Fact]
    public void Queue_base_and_irq_cfg()
    {
        // Digest 8.2: *Q_BASE = bit 62 | PA[55:5] | log2 entries.
        var q = new QueueBaseRegister(0x4000_0008_1234_5613);
        Assert.True(q.ReadWriteAllocate);
        Assert.Equal(0x8_1234_5600UL, q.Address);
        Assert.Equal(19u, q.Log2Size);
        Assert.Equal(q.Value, new QueueBaseRegister { ReadWriteAllocate = true, Address = 0x8_1234_5600, Log2Size = 19 }.Value);

        // Digest 1.7: CFG0 ADDR [55:2]; CFG2 SH [5:4], MemAttr [3:0], LO [31]. Linux writes CFG2 = 0x1 (Device-nGnRE).
        Assert.Equal(0x8_0000_1004UL, new IrqCfg0Register(0xFF00_0008_0000_1007).Address);
        var cfg2 = new IrqCfg2Register(0x8000_0031);
        Assert.True(cfg2.LO);
        Assert.Equal(3u, cfg2.SH);
        Assert.Equal(1u, cfg2.MemAttr);
        Assert.Equal("0b0001 Device-nGnRE", new IrqCfg2Register(1).Describe().Single(f => f.Name == "MemAttr").Meaning);
    }

    [Fact]
    public void Fvp_id_registers_decode_as_digest_1_11()
    {
        var idr0 = new Idr0Register(0x080F_E6BF);
        Assert.Equal(1u, idr0.ST_LEVEL);
        Assert.Equal(0u, idr0.STALL_MODEL);
        Assert.Equal(0u, idr0.TTENDIAN);
        Assert.True(idr0.CD2L && idr0.VMID16 && idr0.VMW && idr0.PRI && idr0.ATOS && idr0.SEV && idr0.MSI);
        Assert.False(idr0.ASID16);
        Assert.True(idr0.ATS && idr0.Hyp && idr0.BTM && idr0.COHACC && idr0.S1P && idr0.S2P);
        Assert.Equal(2u, idr0.HTTU);
        Assert.Equal(3u, idr0.TTF);

        var idr1 = new Idr1Register(0x0E73_9D10);
        Assert.True(idr1.ATTR_TYPES_OVR && idr1.ATTR_PERMS_OVR);
        Assert.False(idr1.TABLES_PRESET || idr1.QUEUES_PRESET || idr1.REL);
        Assert.Equal((19u, 19u, 19u, 20u, 16u), (idr1.CMDQS, idr1.EVENTQS, idr1.PRIQS, idr1.SSIDSIZE, idr1.SIDSIZE));

        var idr3 = new Idr3Register(0x14);
        Assert.True(idr3.XNX && idr3.HAD);
        Assert.False(idr3.RIL);

        var idr5 = new Idr5Register(0x0001_005D);
        Assert.Equal(1u, idr5.STALL_MAX);
        Assert.True(idr5.GRAN64K && idr5.GRAN4K);
        Assert.False(idr5.GRAN16K);
        Assert.Equal(5u, idr5.OAS);
        Assert.Equal("0b101 48 bits", idr5.Describe().Single(f => f.Name == "OAS").Meaning);

        Assert.Equal(1u, new AidrRegister(0x1).ArchMinorRev);
        var mmu600 = new IidrRegister((0x483u << 20) | (1u << 16) | (2u << 12) | 0x43B);
        Assert.Equal((0x483u, 1u, 2u, 0x43Bu), (mmu600.ProductID, mmu600.Variant, mmu600.Revision, mmu600.Implementer));
        Assert.Contains("ST_LEVEL=1", idr0.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Queue_pointer_wrap_full_and_empty()
    {
        // Digest 1.10: index = low QS bits, wrap = bit QS; empty = both equal; full = index equal, wrap differs.
        const int qs = 3; // 8 entries
        var q = Queue(qs, 0, 0);
        uint p = 0;
        for (int i = 0; i < 8; i++)
        {
            Assert.False(Queue(qs, p, 0).IsFull);
            p = q.Next(p);
        }

        Assert.Equal(0x8u, p); // index 0, wrap 1
        Assert.True(Queue(qs, p, 0).IsFull);
        Assert.False(Queue(qs, p, 0).IsEmpty);
        Assert.Equal(8u, Queue(qs, p, 0).Count);
        Assert.True(Queue(qs, p, p).IsEmpty);
        Assert.Equal(3u, Queue(qs, 0x2, 0xF).Count); // cons index 7 wrap 1, prod index 2 wrap 0

        // Wrapping again clears the wrap flag; bit 31 (OVFLG/OVACKFLG) survives, ERR does not.
        Assert.Equal(0u, q.Next(0xF));
        Assert.Equal(0x8000_0000u, q.Next(0x8000_000F));
        Assert.Equal(0x8000_0006u, q.Next(0x8100_0005));

        const uint cons = 0x8100_000D;
        Assert.Equal(5u, q.Index(cons));
        Assert.True(q.Wrap(cons));
        Assert.True((cons & SmmuQueue.OverflowFlag) != 0);
        Assert.Equal(CommandError.Ill, Queue(qs, 0, cons).Error);
        Assert.Equal(0x8000_000Eu, q.Next(cons));

        // Full and empty ignore bit 31 and ERR.
        Assert.True(Queue(qs, 0x8000_0005, 0x0200_0005).IsEmpty);
        Assert.True(Queue(qs, 0x5, 0x8000_000D).IsFull);

        // A one-entry queue (log2 0): the wrap flag is bit 0.
        Assert.Equal(1u, Queue(0, 0, 0).Next(0));
        Assert.True(Queue(0, 1, 0).IsFull);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmmuQueue(Command.Size, 20));

        static SmmuQueue Queue(int log2Size, uint prod, uint cons) =>
            new(Command.Size, SmmuQueue.MaxLog2Size) { Base = (ulong)log2Size, Prod = prod, Cons = cons };
    }
}
