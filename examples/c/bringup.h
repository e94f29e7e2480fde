/*
 * bringup.h - a minimal SMMUv3 driver in C over armsmmu.h, shared by example.c, test_armsmmu.c and
 * bench_translate.c. It does what a real driver does, through MMIO and memory only: a linear stream table,
 * command and event queues, one stage-1 STE + CD per stream, and VMSAv8-64 4 KiB-granule page tables with a
 * 39-bit VA (T0SZ = 25, walks start at level 1). Bit positions: IHI0070 (shared/spec/smmuv3-digest.md).
 */
#ifndef BRINGUP_H
#define BRINGUP_H

#include <stdint.h>
#include <string.h>

#include "armsmmu.h"

/* Where the structures live in the SMMU's memory. */
typedef struct layout {
    uint64_t strtab;     /* linear stream table, 2^STRTAB_LOG2 STEs of 64 bytes */
    uint64_t cmdq;       /* command queue, 2^CMDQ_LOG2 entries of 16 bytes */
    uint64_t eventq;     /* event queue, 2^EVENTQ_LOG2 records of 32 bytes */
    uint64_t cds;        /* one 64-byte CD per StreamID, at cds + 64 * sid */
    uint64_t next_table; /* bump allocator for 4 KiB translation tables */
    uint32_t cmdq_prod;  /* shadow of CMDQ_PROD (index + wrap bit) */
    uint32_t eventq_cons;
} layout_t;

#define STRTAB_LOG2 8u
#define CMDQ_LOG2 8u
#define EVENTQ_LOG2 7u

/* Descriptor bits (digest 7.4-7.6). AttrIndx 0 selects MAIR Attr0 = 0xFF (Normal WB). */
#define PTE_TABLE 0x3ull
#define PTE_PAGE 0x3ull                /* level 3: [1:0] = 11 */
#define PTE_BLOCK 0x1ull               /* levels 1-2: [1:0] = 01 */
#define PTE_AP_RW_ANY (1ull << 6)      /* AP[2:1] = 01: read/write at EL0 and EL1 */
#define PTE_AP_RO_ANY (3ull << 6)      /* AP[2:1] = 11: read-only at EL0 and EL1 */
#define PTE_SH_ISH (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_NG (1ull << 11)

/* Command opcodes (digest 4.1) and CMD_SYNC CS (digest 4.3). */
#define CMD_CFGI_STE 0x03ull
#define CMD_TLBI_NH_VA 0x12ull
#define CMD_RESUME 0x44ull
#define CMD_SYNC 0x46ull
#define CMD_SYNC_CS_SIG_IRQ (1ull << 12)

static inline int bu_write64(armsmmu_t *smmu, uint64_t address, uint64_t value)
{
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++) {
        bytes[i] = (uint8_t)(value >> (8 * i)); /* the SMMU's structures are little-endian */
    }
    return armsmmu_memory_write(smmu, address, bytes, sizeof bytes);
}

static inline uint64_t bu_read64(armsmmu_t *smmu, uint64_t address)
{
    uint8_t bytes[8] = {0};
    uint64_t value = 0;
    armsmmu_memory_read(smmu, address, bytes, sizeof bytes);
    for (int i = 7; i >= 0; i--) {
        value = (value << 8) | bytes[i];
    }
    return value;
}

/* Places the structures from base upward (base 64 KiB aligned) and zeroes what must read as zero. */
static inline layout_t bu_layout(uint64_t base)
{
    layout_t l = {0};
    l.strtab = base;                /* 256 * 64 = 16 KiB */
    l.cmdq = base + 0x4000;         /* 256 * 16 = 4 KiB */
    l.eventq = base + 0x5000;       /* 128 * 32 = 4 KiB */
    l.cds = base + 0x6000;          /* up to 64 CDs */
    l.next_table = base + 0x7000;
    return l;
}

static inline void bu_zero(armsmmu_t *smmu, uint64_t address, uint64_t length)
{
    static const uint8_t zeros[4096];
    for (uint64_t done = 0; done < length; done += sizeof zeros) {
        armsmmu_memory_write(smmu, address + done, zeros, sizeof zeros);
    }
}

/* The reset sequence of digest 8.3: tables and queues, then CR0 with SMMUEN, EVENTQEN, CMDQEN. Returns CR0ACK. */
static inline uint32_t bu_enable(armsmmu_t *smmu, layout_t *l, uint32_t irq_ctrl)
{
    bu_zero(smmu, l->strtab, 0x7000); /* stream table (STEs V = 0), queues, CDs */
    armsmmu_write_register64(smmu, ARMSMMU_REG_STRTAB_BASE, l->strtab);
    armsmmu_write_register32(smmu, ARMSMMU_REG_STRTAB_BASE_CFG, STRTAB_LOG2); /* FMT 0 (linear), LOG2SIZE */
    armsmmu_write_register64(smmu, ARMSMMU_REG_CMDQ_BASE, l->cmdq | CMDQ_LOG2);
    armsmmu_write_register32(smmu, ARMSMMU_REG_CMDQ_PROD, 0);
    armsmmu_write_register32(smmu, ARMSMMU_REG_CMDQ_CONS, 0);
    armsmmu_write_register64(smmu, ARMSMMU_REG_EVENTQ_BASE, l->eventq | EVENTQ_LOG2);
    armsmmu_write_register32(smmu, ARMSMMU_REG_EVENTQ_PROD, 0);
    armsmmu_write_register32(smmu, ARMSMMU_REG_EVENTQ_CONS, 0);
    armsmmu_write_register32(smmu, ARMSMMU_REG_IRQ_CTRL, irq_ctrl);
    armsmmu_write_register32(smmu, ARMSMMU_REG_CR0, ARMSMMU_CR0_SMMUEN | ARMSMMU_CR0_EVENTQEN | ARMSMMU_CR0_CMDQEN);
    l->cmdq_prod = 0;
    l->eventq_cons = 0;
    return armsmmu_read_register32(smmu, ARMSMMU_REG_CR0ACK);
}

/* Adds one command and rings CMDQ_PROD; the model consumes it before the write returns. Returns CMDQ_CONS. */
static inline uint32_t bu_command(armsmmu_t *smmu, layout_t *l, uint64_t dw0, uint64_t dw1)
{
    uint64_t slot = l->cmdq + 16ull * (l->cmdq_prod & ((1u << CMDQ_LOG2) - 1));
    bu_write64(smmu, slot, dw0);
    bu_write64(smmu, slot + 8, dw1);
    l->cmdq_prod = (l->cmdq_prod + 1) & ((2u << CMDQ_LOG2) - 1); /* index plus wrap bit */
    armsmmu_write_register32(smmu, ARMSMMU_REG_CMDQ_PROD, l->cmdq_prod);
    return armsmmu_read_register32(smmu, ARMSMMU_REG_CMDQ_CONS);
}

static inline uint64_t bu_alloc_table(armsmmu_t *smmu, layout_t *l)
{
    uint64_t table = l->next_table;
    l->next_table += 4096;
    bu_zero(smmu, table, 4096);
    return table;
}

/* A stage-1 stream: CD (digest 3.1, 8.5) with T0SZ 25, 4 KiB granule, WB ISH walks, EPD1, IPS 48 bits, AA64,
 * R = 1 (record faults), A = 1 (abort), the given ASID, TTB0 = a fresh level-1 table; then the STE (digest 2.1):
 * V, Config 0b101 (stage 1 only), S1ContextPtr = the CD, S1CDMax 0. Returns the level-1 table. */
static inline uint64_t bu_stage1_stream(armsmmu_t *smmu, layout_t *l, uint32_t sid, uint16_t asid, int stall)
{
    uint64_t ttb0 = bu_alloc_table(smmu, l);
    uint64_t cd = l->cds + 64ull * sid;
    uint64_t cd0 = 25ull | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 30) | (1ull << 31) | (5ull << 32)
                   | (1ull << 41) | (1ull << 45) | (1ull << 46) | (1ull << 47) | ((uint64_t)asid << 48);
    if (stall) {
        cd0 |= 1ull << 44; /* CD.S: stall instead of terminating (IHI0070 §5.5) */
    }
    bu_write64(smmu, cd + 8, ttb0);   /* TTB0 */
    bu_write64(smmu, cd + 24, 0xFF);  /* MAIR: Attr0 = Normal WB RWA */
    bu_write64(smmu, cd, cd0);        /* dw0 last: V becomes 1 on a complete CD */
    uint64_t ste = l->strtab + 64ull * sid;
    bu_write64(smmu, ste + 8, 0xD4);  /* S1CIR = S1COR = WB, S1CSH = ISH */
    bu_write64(smmu, ste, 0xBull | cd);
    bu_command(smmu, l, CMD_CFGI_STE | ((uint64_t)sid << 32), 1); /* Leaf = 1 */
    bu_command(smmu, l, CMD_SYNC, 0);
    return ttb0;
}

/* Index of va at a level of the 39-bit, 4 KiB-granule walk: level 1 VA[38:30], level 2 VA[29:21], level 3 VA[20:12]. */
static inline uint64_t bu_index(uint64_t va, int level)
{
    return (va >> (12 + 9 * (3 - level))) & 0x1FF;
}

/* Returns the address of the descriptor for va at level (2 or 3), creating the tables above it. */
static inline uint64_t bu_descriptor(armsmmu_t *smmu, layout_t *l, uint64_t l1_table, uint64_t va, int level)
{
    uint64_t table = l1_table;
    for (int at = 1; at < level; at++) {
        uint64_t slot = table + 8 * bu_index(va, at);
        uint64_t desc = bu_read64(smmu, slot);
        if ((desc & 3) != PTE_TABLE) {
            desc = bu_alloc_table(smmu, l) | PTE_TABLE;
            bu_write64(smmu, slot, desc);
        }
        table = desc & 0x0000FFFFFFFFF000ull;
    }
    return table + 8 * bu_index(va, level);
}

/* Maps the 4 KiB page at va to pa; attributes are PTE_AP_* (AF, ISH and nG are added). Returns the PTE address. */
static inline uint64_t bu_map_page(armsmmu_t *smmu, layout_t *l, uint64_t l1_table, uint64_t va, uint64_t pa,
                                   uint64_t access)
{
    uint64_t pte = bu_descriptor(smmu, l, l1_table, va, 3);
    bu_write64(smmu, pte, pa | access | PTE_AF | PTE_SH_ISH | PTE_NG | PTE_PAGE);
    return pte;
}

/* Maps the 2 MiB block at va to pa with a level-2 block descriptor. */
static inline uint64_t bu_map_block(armsmmu_t *smmu, layout_t *l, uint64_t l1_table, uint64_t va, uint64_t pa,
                                    uint64_t access)
{
    uint64_t desc = bu_descriptor(smmu, l, l1_table, va, 2);
    bu_write64(smmu, desc, pa | access | PTE_AF | PTE_SH_ISH | PTE_NG | PTE_BLOCK);
    return desc;
}

/* Unmaps a page as Linux does (digest 8.5 step 7): clear the PTE, TLBI_NH_VA (ASID, Leaf = 1), CMD_SYNC. */
static inline uint32_t bu_unmap_page(armsmmu_t *smmu, layout_t *l, uint64_t pte, uint16_t asid, uint64_t va)
{
    bu_write64(smmu, pte, 0);
    bu_command(smmu, l, CMD_TLBI_NH_VA | ((uint64_t)asid << 48), (va & ~0xFFFull) | 1);
    return bu_command(smmu, l, CMD_SYNC, 0);
}

/* Takes the next event record off the event queue (digest 8.6). Returns 1 and fills record, or 0 when empty. */
static inline int bu_next_event(armsmmu_t *smmu, layout_t *l, uint64_t record[4])
{
    uint32_t mask = (2u << EVENTQ_LOG2) - 1; /* index plus wrap bit */
    uint32_t prod = armsmmu_read_register32(smmu, ARMSMMU_REG_EVENTQ_PROD) & mask;
    if (prod == l->eventq_cons) {
        return 0;
    }
    uint64_t slot = l->eventq + 32ull * (l->eventq_cons & ((1u << EVENTQ_LOG2) - 1));
    for (int i = 0; i < 4; i++) {
        record[i] = bu_read64(smmu, slot + 8ull * i);
    }
    l->eventq_cons = (l->eventq_cons + 1) & mask;
    armsmmu_write_register32(smmu, ARMSMMU_REG_EVENTQ_CONS, l->eventq_cons);
    return 1;
}

static inline armsmmu_request_t bu_request(uint32_t sid, uint64_t address, armsmmu_access_t access)
{
    armsmmu_request_t request;
    memset(&request, 0, sizeof request);
    request.stream_id = sid;
    request.address = address;
    request.access = (uint8_t)access;
    return request;
}

#endif /* BRINGUP_H */
