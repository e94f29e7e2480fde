"""A minimal SMMUv3 driver: a linear stream table, command and event queues, stage-1 STEs + CDs and 4 KiB page
tables (39-bit VA, walks from level 1), written through Smmu's memory and register calls only, as a real driver
would. A starting point for testbenches; bit positions from IHI0070 (STE §5.2, CD §5.4, commands §4, event
records §7, VMSAv8-64 descriptors)."""

from .smmu import Smmu

CR0, CR0ACK, IRQ_CTRL, GERROR = 0x20, 0x24, 0x50, 0x60
STRTAB_BASE, STRTAB_BASE_CFG = 0x80, 0x88
CMDQ_BASE, CMDQ_PROD, CMDQ_CONS = 0x90, 0x98, 0x9C
EVENTQ_BASE, EVENTQ_PROD, EVENTQ_CONS = 0xA0, 0x100A8, 0x100AC
SMMUEN, EVENTQEN, CMDQEN = 1, 4, 8
EVENTQ_IRQEN = 4

CMD_CFGI_STE, CMD_TLBI_NH_VA, CMD_SYNC = 0x03, 0x12, 0x46
AP_RW_ANY, AP_RO_ANY = 1 << 6, 3 << 6  # AP[2:1] = 01 / 11
PAGE_ATTRIBUTES = (1 << 10) | (3 << 8) | (1 << 11) | 0b11  # AF, ISH, nG, page


class Stage1Driver:
    """Brings an Smmu up at base and manages stage-1 streams on it."""

    LOG2_STES, LOG2_COMMANDS, LOG2_EVENTS = 8, 8, 7

    def __init__(self, smmu: Smmu, base: int = 0x1000_0000, irq_ctrl: int = 0):
        self.smmu = smmu
        self.strtab, self.cmdq, self.eventq, self.cds = base, base + 0x4000, base + 0x5000, base + 0x6000
        self.next_table = base + 0x7000
        self.cmdq_prod = self.eventq_cons = 0
        smmu.write_memory(base, bytes(0x7000))
        smmu.write_register64(STRTAB_BASE, self.strtab)
        smmu.write_register32(STRTAB_BASE_CFG, self.LOG2_STES)  # linear
        smmu.write_register64(CMDQ_BASE, self.cmdq | self.LOG2_COMMANDS)
        smmu.write_register64(EVENTQ_BASE, self.eventq | self.LOG2_EVENTS)
        smmu.write_register32(IRQ_CTRL, irq_ctrl)
        smmu.write_register32(CR0, SMMUEN | EVENTQEN | CMDQEN)
        self.cr0ack = smmu.read_register32(CR0ACK)

    def command(self, dw0: int, dw1: int = 0) -> int:
        slot = self.cmdq + 16 * (self.cmdq_prod & ((1 << self.LOG2_COMMANDS) - 1))
        self.smmu.write64(slot, dw0)
        self.smmu.write64(slot + 8, dw1)
        self.cmdq_prod = (self.cmdq_prod + 1) & ((2 << self.LOG2_COMMANDS) - 1)
        self.smmu.write_register32(CMDQ_PROD, self.cmdq_prod)
        return self.smmu.read_register32(CMDQ_CONS)

    def table(self) -> int:
        address, self.next_table = self.next_table, self.next_table + 4096
        self.smmu.write_memory(address, bytes(4096))
        return address

    def stage1_stream(self, sid: int, asid: int) -> int:
        """STE (V, Config 0b101) -> CD (T0SZ 25, 4K, WB ISH, EPD1, IPS 48, AA64, R, A, ASET, ASID). Returns TTB0."""
        ttb0, cd = self.table(), self.cds + 64 * sid
        self.smmu.write64(cd + 8, ttb0)
        self.smmu.write64(cd + 24, 0xFF)  # MAIR Attr0: Normal WB
        cd0 = 25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 30 | 1 << 31 | 5 << 32 | 1 << 41 | 1 << 45 | 1 << 46 | 1 << 47
        self.smmu.write64(cd, cd0 | asid << 48)
        self.smmu.write64(self.strtab + 64 * sid + 8, 0xD4)
        self.smmu.write64(self.strtab + 64 * sid, 0xB | cd)
        self.command(CMD_CFGI_STE | sid << 32, 1)
        self.command(CMD_SYNC)
        return ttb0

    def map_page(self, ttb0: int, va: int, pa: int, access: int = AP_RW_ANY) -> int:
        """Writes the level-3 PTE (creating level-2/3 tables); returns its address."""
        table = ttb0
        for level in (1, 2):
            slot = table + 8 * ((va >> (12 + 9 * (3 - level))) & 0x1FF)
            descriptor = self.smmu.read64(slot)
            if descriptor & 3 != 3:
                descriptor = self.table() | 3
                self.smmu.write64(slot, descriptor)
            table = descriptor & 0x0000_FFFF_FFFF_F000
        pte = table + 8 * ((va >> 12) & 0x1FF)
        self.smmu.write64(pte, pa | access | PAGE_ATTRIBUTES)
        return pte

    def unmap_page(self, pte: int, asid: int, va: int) -> None:
        self.smmu.write64(pte, 0)
        self.command(CMD_TLBI_NH_VA | asid << 48, (va & ~0xFFF) | 1)  # Leaf = 1
        self.command(CMD_SYNC)

    def events(self):
        """Drains the event queue: a list of 4-word records."""
        records, mask = [], (2 << self.LOG2_EVENTS) - 1
        while self.smmu.read_register32(EVENTQ_PROD) & mask != self.eventq_cons:
            slot = self.eventq + 32 * (self.eventq_cons & ((1 << self.LOG2_EVENTS) - 1))
            records.append([self.smmu.read64(slot + 8 * i) for i in range(4)])
            self.eventq_cons = (self.eventq_cons + 1) & mask
            self.smmu.write_register32(EVENTQ_CONS, self.eventq_cons)
        return records
