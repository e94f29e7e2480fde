/*
 * test_armsmmu.c - checks the C ABI of libarmsmmu against values derived from the tables it writes and from
 * IHI0070 (bit positions: shared/spec/smmuv3-digest.md). Prints one line per failed check and "N passed, M failed".
 * Build: examples/c/build.sh OUT; run: OUT/test_armsmmu.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armsmmu.h"
#include "bringup.h"

static int passed, failed;

#define CHECK(condition)                                                                  \
    do {                                                                                  \
        if (condition) {                                                                  \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            printf("FAIL %s:%d: %s (last error: %s)\n", __func__, __LINE__, #condition, \
                   armsmmu_last_error());                                                 \
        }                                                                                 \
    } while (0)

#define CHECK_EQ(actual, expected)                                                                       \
    do {                                                                                                 \
        uint64_t a_ = (uint64_t)(actual), e_ = (uint64_t)(expected);                                     \
        if (a_ == e_) {                                                                                  \
            passed++;                                                                                    \
        } else {                                                                                         \
            failed++;                                                                                    \
            printf("FAIL %s:%d: %s is 0x%" PRIx64 ", expected 0x%" PRIx64 "\n", __func__, __LINE__, #actual, \
                   a_, e_);                                                                              \
        }                                                                                                \
    } while (0)

static const uint32_t SID = 0x10;
static const uint16_t ASID = 1;
static const uint64_t VA = 0x40001000, PA = 0x80000000;

/* A device with one stage-1 stream whose page VA maps to PA (read/write). */
typedef struct fixture {
    armsmmu_t *smmu;
    layout_t layout;
    uint64_t ttb0;
    uint64_t pte;
} fixture_t;

static fixture_t bring_up(armsmmu_t *smmu, uint64_t base, uint32_t irq_ctrl, int stall)
{
    fixture_t f = {smmu, bu_layout(base), 0, 0};
    CHECK_EQ(bu_enable(smmu, &f.layout, irq_ctrl), ARMSMMU_CR0_SMMUEN | ARMSMMU_CR0_EVENTQEN | ARMSMMU_CR0_CMDQEN);
    f.ttb0 = bu_stage1_stream(smmu, &f.layout, SID, ASID, stall);
    f.pte = bu_map_page(smmu, &f.layout, f.ttb0, VA, PA, PTE_AP_RW_ANY);
    return f;
}

static armsmmu_result_t translate(armsmmu_t *smmu, uint32_t sid, uint64_t address, armsmmu_access_t access)
{
    armsmmu_request_t request = bu_request(sid, address, access);
    armsmmu_result_t result;
    memset(&result, 0xA5, sizeof result);
    CHECK_EQ(armsmmu_translate(smmu, &request, &result), ARMSMMU_OK);
    return result;
}

static void test_version_and_layout(void)
{
    CHECK_EQ(armsmmu_version_number(), ARMSMMU_VERSION_NUMBER);
    CHECK(strcmp(armsmmu_version(), ARMSMMU_VERSION_STRING) == 0);
    CHECK_EQ(sizeof(armsmmu_request_t), 24);
    CHECK_EQ(sizeof(armsmmu_result_t), 24);
    armsmmu_features_t features;
    CHECK_EQ(armsmmu_features_default(&features), ARMSMMU_OK);
    CHECK_EQ(features.size, sizeof features); /* the library's struct is the header's */
    CHECK_EQ(features.stream_id_bits, 16);
    CHECK_EQ(features.output_address_bits, 48);
    CHECK_EQ(features.tlb_entries, 4096);
}

static void test_id_registers(void)
{
    armsmmu_t *smmu = armsmmu_create();
    uint32_t idr0 = armsmmu_read_register32(smmu, ARMSMMU_REG_IDR0);
    CHECK_EQ(idr0 & 3, 3);               /* S1P and S2P (IHI0070 §6.3.1) */
    CHECK_EQ((idr0 >> 2) & 3, 2);        /* TTF: VMSAv8-64 */
    CHECK_EQ((idr0 >> 27) & 3, 1);       /* ST_LEVEL: 2-level stream tables */
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_IDR1) & 0x3F, 16); /* SIDSIZE */
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_IDR5) & 7, 5);     /* OAS 48 bits */
    uint64_t value = 0;
    CHECK_EQ(armsmmu_register_read(smmu, ARMSMMU_REG_IDR0, 4, &value), ARMSMMU_OK);
    CHECK_EQ(value, idr0);
    /* Before SMMUEN, GBPA (ABORT = 0 at reset) lets traffic through unchanged (IHI0070 §6.3.14). */
    armsmmu_result_t r = translate(smmu, 3, 0x1234, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_BYPASSED);
    CHECK_EQ(r.physical_address, 0x1234);
    armsmmu_destroy(smmu);
}

static void test_stage1_translate_unmap_fault(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);

    armsmmu_result_t r = translate(f.smmu, SID, VA + 0x234, ARMSMMU_ACCESS_WRITE);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_TRANSLATED);
    CHECK_EQ(r.physical_address, PA + 0x234); /* page PA + offset within the 4 KiB page */
    CHECK_EQ(r.page_shift, 12);
    CHECK_EQ(r.fault, 0);
    CHECK_EQ(r.non_secure, 1); /* a Non-secure stream's output is always Non-secure */
    CHECK_EQ(r.reserved[0] | r.reserved[1] | r.reserved[2], 0);

    /* A 2 MiB level-2 block: PA = block base + VA[20:0]. */
    bu_map_block(f.smmu, &f.layout, f.ttb0, 0x40200000, 0x90000000, PTE_AP_RO_ANY);
    r = translate(f.smmu, SID, 0x402ABCDE, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_TRANSLATED);
    CHECK_EQ(r.physical_address, 0x900ABCDE);
    CHECK_EQ(r.page_shift, 21);
    /* AP[2:1] = 11 is read-only: a write is F_PERMISSION (IHI0070 §7.3.16). */
    r = translate(f.smmu, SID, 0x402ABCDE, ARMSMMU_ACCESS_WRITE);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_FAULTED);
    CHECK_EQ(r.fault, ARMSMMU_EVENT_F_PERMISSION);
    uint64_t record[4];
    CHECK(bu_next_event(f.smmu, &f.layout, record));
    CHECK_EQ(record[0] & 0xFF, ARMSMMU_EVENT_F_PERMISSION);

    /* Clearing the PTE alone changes nothing the TLB already holds: the entry lives until TLBI (IHI0070 §3.21). */
    bu_write64(f.smmu, f.pte, 0);
    r = translate(f.smmu, SID, VA + 0x10, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_TRANSLATED);
    CHECK_EQ(r.physical_address, PA + 0x10);

    uint32_t prod = f.layout.cmdq_prod;
    CHECK_EQ(bu_unmap_page(f.smmu, &f.layout, f.pte, ASID, VA), prod + 2); /* TLBI and SYNC consumed */
    CHECK_EQ(armsmmu_read_register32(f.smmu, ARMSMMU_REG_GERROR), 0);     /* no command error */
    r = translate(f.smmu, SID, VA + 0x234, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_FAULTED);
    CHECK_EQ(r.fault, ARMSMMU_EVENT_F_TRANSLATION);
    CHECK_EQ(r.fault_recorded, 1);
    CHECK_EQ(r.physical_address, 0);

    /* The F_TRANSLATION record (digest 5.1): type and StreamID in dw0; RnW (bit 35) = 1 for a read and
     * CLASS (bits 41:40) = IN in dw1; InputAddr in dw2; no IPA for a stage-1 fault. */
    CHECK(bu_next_event(f.smmu, &f.layout, record));
    CHECK_EQ(record[0], 0x10ull | ((uint64_t)SID << 32));
    CHECK_EQ(record[1], (1ull << 35) | (2ull << 40));
    CHECK_EQ(record[2], VA + 0x234);
    CHECK_EQ(record[3], 0);
    CHECK(!bu_next_event(f.smmu, &f.layout, record));

    /* An unconfigured StreamID (STE V = 0) is C_BAD_STE, a guest mistake: ARMSMMU_OK with a fault. */
    r = translate(f.smmu, SID + 1, VA, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.fault, ARMSMMU_EVENT_C_BAD_STE);

    armsmmu_statistics_t stats;
    memset(&stats, 0xFF, sizeof stats);
    stats.size = sizeof stats;
    CHECK_EQ(armsmmu_get_statistics(f.smmu, &stats), ARMSMMU_OK);
    CHECK_EQ(stats.size, sizeof stats);
    /* The block write hit the TLB (its permissions are cached with it) and the stale read after the PTE was cleared;
     * walks: the page (3 descriptors), the block (1: its level-1 table descriptor came from the walk cache) and the
     * unmapped page (1: the leaf-only TLBI kept the cached tables, IHI0070 §4.4.1, so only the leaf was read). */
    CHECK_EQ(stats.tlb_hits, 2);
    CHECK_EQ(stats.walks, 3);
    CHECK_EQ(stats.descriptor_reads, 3 + 1 + 1);
    CHECK_EQ(stats.commands, 4);         /* CFGI_STE, CMD_SYNC, TLBI_NH_VA, CMD_SYNC */
    CHECK_EQ(stats.events_written, 3);   /* F_PERMISSION, F_TRANSLATION, C_BAD_STE */
    CHECK_EQ(armsmmu_reset_statistics(f.smmu), ARMSMMU_OK);
    armsmmu_get_statistics(f.smmu, &stats);
    CHECK_EQ(stats.walks, 0);

    /* Power-on reset: SMMUEN = 0 again, so GBPA bypass applies. */
    CHECK_EQ(armsmmu_reset(f.smmu), ARMSMMU_OK);
    CHECK_EQ(armsmmu_read_register32(f.smmu, ARMSMMU_REG_CR0), 0);
    r = translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_BYPASSED);
    armsmmu_destroy(f.smmu);
}

/* A port translates as the device does and its hits count in the device's statistics (SmmuV3.OpenPort). */
static void test_port(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    armsmmu_port_t *port = armsmmu_port_open(f.smmu);
    CHECK(port != NULL);
    CHECK_EQ(armsmmu_reset_statistics(f.smmu), ARMSMMU_OK);

    armsmmu_request_t request = bu_request(SID, VA + 0x48, ARMSMMU_ACCESS_READ);
    armsmmu_result_t through_port, through_device;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(armsmmu_port_translate(port, &request, &through_port), ARMSMMU_OK);
    }
    CHECK_EQ(armsmmu_translate(f.smmu, &request, &through_device), ARMSMMU_OK);
    CHECK_EQ(through_port.outcome, ARMSMMU_OUTCOME_TRANSLATED);
    CHECK_EQ(through_port.physical_address, PA + 0x48);
    CHECK(memcmp(&through_port, &through_device, sizeof through_port) == 0);

    /* An unconfigured StreamID faults through a port as through the device (C_BAD_STE, recorded). */
    request = bu_request(SID + 1, VA, ARMSMMU_ACCESS_READ);
    CHECK_EQ(armsmmu_port_translate(port, &request, &through_port), ARMSMMU_OK);
    CHECK_EQ(through_port.fault, ARMSMMU_EVENT_C_BAD_STE);

    armsmmu_port_close(port);
    armsmmu_statistics_t stats;
    memset(&stats, 0, sizeof stats);
    stats.size = sizeof stats;
    CHECK_EQ(armsmmu_get_statistics(f.smmu, &stats), ARMSMMU_OK);
    /* The port's first translation walked; its next two hit (kept after it closed), and the device's one hit. */
    CHECK_EQ(stats.tlb_hits, 3);
    CHECK_EQ(stats.walks, 1);
    CHECK_EQ(armsmmu_port_translate(NULL, &request, &through_port), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(armsmmu_port_open(NULL) == NULL);
    armsmmu_port_close(NULL);
    armsmmu_destroy(f.smmu);
}

/* Broadcast TLB maintenance (IHI0070 §3.17) and an address translation operation through GATOS_* (chapter 9). */
static void test_broadcast_tlbi_and_atos(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).physical_address, PA); /* now in the TLB */
    bu_write64(f.smmu, f.pte, 0);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).physical_address, PA); /* stale but permitted */

    /* CR2.PTM = 0 (the bring-up leaves CR2 at 0): TLBI VAE1IS for {VMID 0, ASID} at VA removes the entry. */
    armsmmu_broadcast_tlbi_t tlbi = {.operation = ARMSMMU_TLBI_VAE1IS, .asid = ASID, .address = VA, .last_level = -1, .exception_level = 1};
    uint32_t removed = 99;
    CHECK_EQ(sizeof tlbi, 24);
    CHECK_EQ(armsmmu_broadcast_tlbi(f.smmu, &tlbi, &removed), ARMSMMU_OK);
    CHECK_EQ(removed, 1);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).fault, ARMSMMU_EVENT_F_TRANSLATION);
    tlbi.operation = ARMSMMU_TLBI_ALLE2IS; /* an EL2 operation from EL1: host misuse */
    CHECK_EQ(armsmmu_broadcast_tlbi(f.smmu, &tlbi, NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(f.smmu, &stats);
    CHECK_EQ(stats.broadcast_tlbi, 1);
    CHECK_EQ(stats.commands, 2); /* CFGI_STE and CMD_SYNC of the bring-up only */

    /* ATOS stage 1 read (TYPE 0b01, RnW = 1) of the mapped page: PAR.ADDR = PA, FAULT = 0 (IHI0070 §6.3.40). */
    uint64_t record[4];
    while (bu_next_event(f.smmu, &f.layout, record)) {
    }
    bu_map_page(f.smmu, &f.layout, f.ttb0, VA, PA, PTE_AP_RW_ANY);
    armsmmu_write_register64(f.smmu, ARMSMMU_REG_GATOS_SID, SID);
    armsmmu_write_register64(f.smmu, ARMSMMU_REG_GATOS_ADDR, VA | (1u << 10) | (1u << 8));
    armsmmu_write_register32(f.smmu, ARMSMMU_REG_GATOS_CTRL, 1);
    CHECK_EQ(armsmmu_read_register32(f.smmu, ARMSMMU_REG_GATOS_CTRL), 0); /* RUN cleared: PAR is valid */
    CHECK_EQ(armsmmu_read_register64(f.smmu, ARMSMMU_REG_GATOS_PAR) & 0x00FFFFFFFFFFF801ull, PA);
    /* An unmapped VA: FAULT = 1, FAULTCODE = F_TRANSLATION (0x10), REASON = 0 (§9.1.5), and no event record. */
    armsmmu_write_register64(f.smmu, ARMSMMU_REG_GATOS_ADDR, (VA + 0x100000) | (1u << 10) | (1u << 8));
    armsmmu_write_register32(f.smmu, ARMSMMU_REG_GATOS_CTRL, 1);
    CHECK_EQ(armsmmu_read_register64(f.smmu, ARMSMMU_REG_GATOS_PAR), (0x10u << 4) | 1);
    CHECK(!bu_next_event(f.smmu, &f.layout, record));
    armsmmu_destroy(f.smmu);
}

static void test_explain(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    armsmmu_request_t request = bu_request(SID, VA + 8, ARMSMMU_ACCESS_READ);
    size_t needed = 0;
    CHECK_EQ(armsmmu_explain(f.smmu, &request, NULL, 0, &needed), ARMSMMU_ERROR_BUFFER_TOO_SMALL);
    CHECK(needed > 100);
    CHECK(strstr(armsmmu_last_error(), "bytes") != NULL);
    char small[16] = "untouched";
    CHECK_EQ(armsmmu_explain(f.smmu, &request, small, sizeof small, NULL), ARMSMMU_ERROR_BUFFER_TOO_SMALL);
    CHECK(strcmp(small, "untouched") == 0);
    char *text = malloc(needed);
    size_t again = 0;
    CHECK_EQ(armsmmu_explain(f.smmu, &request, text, needed, &again), ARMSMMU_OK);
    CHECK_EQ(again, needed);
    CHECK_EQ(strlen(text) + 1, needed);
    CHECK(strstr(text, "Translated -> 0x80000008") != NULL);
    CHECK(strstr(text, "level 3") != NULL);
    free(text);
    /* Explaining changes nothing: no walk counted, no event. */
    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(f.smmu, &stats);
    CHECK_EQ(stats.walks, 0);
    armsmmu_destroy(f.smmu);
}

static void test_host_errors(void)
{
    armsmmu_request_t request = bu_request(SID, VA, ARMSMMU_ACCESS_READ);
    armsmmu_result_t result = {0};
    armsmmu_clear_error();
    CHECK(strcmp(armsmmu_last_error(), "") == 0);
    CHECK_EQ(armsmmu_translate(NULL, &request, &result), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(armsmmu_last_error(), "NULL") != NULL);
    CHECK_EQ(armsmmu_reset(NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_memory_write(NULL, 0, "x", 1), ARMSMMU_ERROR_INVALID_ARGUMENT);
    armsmmu_destroy(NULL); /* a no-op, like free(NULL) */

    armsmmu_t *smmu = armsmmu_create();
    CHECK_EQ(armsmmu_translate(smmu, NULL, &result), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_translate(smmu, &request, NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    request.access = 7;
    CHECK_EQ(armsmmu_translate(smmu, &request, &result), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(armsmmu_last_error(), "access 7") != NULL);
    request.access = ARMSMMU_ACCESS_READ;
    request.reserved = 1;
    CHECK_EQ(armsmmu_translate(smmu, &request, &result), ARMSMMU_ERROR_INVALID_ARGUMENT);
    request.reserved = 0;
    request.substream_valid = 1;
    request.substream_id = 1u << 20; /* a PASID has 20 bits */
    CHECK_EQ(armsmmu_translate(smmu, &request, &result), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(armsmmu_last_error(), "20 bits") != NULL);
    request.substream_id = 0xFFFFF; /* the largest PASID is the guest's business: bypassed while SMMUEN = 0 */
    CHECK_EQ(armsmmu_translate(smmu, &request, &result), ARMSMMU_OK);
    CHECK_EQ(result.outcome, ARMSMMU_OUTCOME_BYPASSED);

    /* Registers: outside the two 64 KiB pages, or misaligned for the width, is a host error (reads give 0). */
    armsmmu_clear_error();
    CHECK_EQ(armsmmu_read_register32(smmu, 0x20000), 0);
    CHECK(strstr(armsmmu_last_error(), "0x20000") != NULL);
    armsmmu_clear_error();
    CHECK_EQ(armsmmu_read_register64(smmu, ARMSMMU_REG_STRTAB_BASE + 4), 0);
    CHECK(strstr(armsmmu_last_error(), "aligned") != NULL);
    armsmmu_clear_error();
    armsmmu_write_register32(smmu, 0x1FFFF, 1);
    CHECK(strlen(armsmmu_last_error()) > 0);
    uint64_t value;
    CHECK_EQ(armsmmu_register_read(smmu, 0x20000, 4, &value), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_register_read(smmu, 0, 2, &value), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_register_read(smmu, 0, 4, NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_register_write(smmu, ARMSMMU_REG_CR0, 4, 0x100000000ull), ARMSMMU_ERROR_INVALID_ARGUMENT);
    /* An undefined offset inside the pages is RAZ/WI, not an error. */
    CHECK_EQ(armsmmu_register_read(smmu, 0xE00, 4, &value), ARMSMMU_OK);
    CHECK_EQ(value, 0);

    CHECK_EQ(armsmmu_memory_read(smmu, 0, NULL, 8), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_memory_read(smmu, 0, NULL, 0), ARMSMMU_OK);
    CHECK_EQ(armsmmu_get_statistics(smmu, NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    armsmmu_statistics_t stats = {.size = 0};
    CHECK_EQ(armsmmu_get_statistics(smmu, &stats), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK_EQ(armsmmu_features_default(NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(armsmmu_create_with_memory(NULL, NULL, NULL) == NULL);
    CHECK(strstr(armsmmu_last_error(), "read callback") != NULL);
    armsmmu_destroy(smmu);
}

/* Guest RAM as a C array at [RAM_BASE, RAM_BASE + RAM_SIZE); anything else is an external abort. */
#define RAM_BASE 0x10000000ull
#define RAM_SIZE (1u << 20)

typedef struct ram {
    uint8_t bytes[RAM_SIZE];
    unsigned reads, writes;
} ram_t;

static int ram_read(void *context, uint64_t address, void *buffer, size_t length)
{
    ram_t *ram = context;
    __atomic_fetch_add(&ram->reads, 1, __ATOMIC_RELAXED);
    if (address < RAM_BASE || address - RAM_BASE > RAM_SIZE - length) {
        return 1;
    }
    memcpy(buffer, ram->bytes + (address - RAM_BASE), length);
    return 0;
}

static int ram_write(void *context, uint64_t address, const void *buffer, size_t length)
{
    ram_t *ram = context;
    ram->writes++;
    if (address < RAM_BASE || address - RAM_BASE > RAM_SIZE - length) {
        return 1;
    }
    memcpy(ram->bytes + (address - RAM_BASE), buffer, length);
    return 0;
}

static void test_custom_memory(void)
{
    ram_t *ram = calloc(1, sizeof *ram);
    armsmmu_t *smmu = armsmmu_create_with_memory(ram_read, ram_write, ram);
    CHECK(smmu != NULL);
    fixture_t f = bring_up(smmu, RAM_BASE, 0, 0);
    /* The STE the driver wrote is in the C array (STE 0x10 at strtab + 0x400: V, Config 0b101 -> 0xB). */
    CHECK_EQ(ram->bytes[0x400] & 0xF, 0xB);
    unsigned reads_before = ram->reads;
    armsmmu_result_t r = translate(smmu, SID, VA + 0x44, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.physical_address, PA + 0x44);
    CHECK(ram->reads > reads_before); /* STE, CD and three descriptors came through ram_read */

    /* A level-2 table descriptor pointing outside the RAM: the level-3 read aborts, F_WALK_EABT (IHI0070 §7.3.11).
     * It sits in a 1 GiB region no walk has used yet: replacing a valid table descriptor instead would need a TLBI
     * (the walk caches may keep the old one, IHI0070 §4.4). */
    uint64_t l1 = f.ttb0 + 8 * bu_index(0xBFE00000, 1);
    uint64_t l2_table = bu_alloc_table(smmu, &f.layout);
    bu_write64(smmu, l1, l2_table | PTE_TABLE);
    bu_write64(smmu, l2_table + 8 * bu_index(0xBFE00000, 2), 0xF0000000ull | PTE_TABLE);
    r = translate(smmu, SID, 0xBFE00000, ARMSMMU_ACCESS_READ);
    CHECK_EQ(r.fault, ARMSMMU_EVENT_F_WALK_EABT);
    uint64_t record[4];
    CHECK(bu_next_event(smmu, &f.layout, record));
    CHECK_EQ(record[0] & 0xFF, ARMSMMU_EVENT_F_WALK_EABT);
    CHECK_EQ(record[2], 0xBFE00000);                                  /* InputAddr */
    CHECK_EQ(record[3] & ~7ull, 0xF0000000ull + 8 * bu_index(0xBFE00000, 3)); /* FetchAddr: the level-3 descriptor */

    /* Host reads through the callbacks report the abort as a host error code. */
    uint8_t byte;
    CHECK_EQ(armsmmu_memory_read(smmu, 0x1000, &byte, 1), ARMSMMU_ERROR_MEMORY_ABORT);
    CHECK(strstr(armsmmu_last_error(), "0x1000") != NULL);

    /* A stream table outside the RAM: the STE fetch aborts, F_STE_FETCH (IHI0070 §7.3.4). */
    armsmmu_write_register32(smmu, ARMSMMU_REG_CR0, ARMSMMU_CR0_EVENTQEN | ARMSMMU_CR0_CMDQEN);
    armsmmu_write_register64(smmu, ARMSMMU_REG_STRTAB_BASE, 0xF0000000ull);
    armsmmu_write_register32(smmu, ARMSMMU_REG_CR0, ARMSMMU_CR0_SMMUEN | ARMSMMU_CR0_EVENTQEN | ARMSMMU_CR0_CMDQEN);
    r = translate(smmu, SID + 2, VA, ARMSMMU_ACCESS_READ); /* a StreamID whose STE is not cached */
    CHECK_EQ(r.fault, ARMSMMU_EVENT_F_STE_FETCH);
    armsmmu_destroy(smmu);
    free(ram);
}

typedef struct interrupts {
    unsigned count[6];
    uint32_t stall_sid;
    uint16_t stall_tag;
    int stall_retry, stall_calls;
} interrupts_t;

static void on_interrupt(void *context, uint32_t line)
{
    interrupts_t *seen = context;
    if (line < 5) {
        seen->count[line]++;
    }
}

static void on_stall(void *context, uint32_t stream_id, uint16_t stall_tag, int retry, int abort)
{
    interrupts_t *seen = context;
    (void)abort;
    seen->stall_sid = stream_id;
    seen->stall_tag = stall_tag;
    seen->stall_retry = retry;
    seen->stall_calls++;
}

static void test_interrupts_and_stalls(void)
{
    interrupts_t seen = {0};
    armsmmu_t *smmu = armsmmu_create();
    CHECK_EQ(armsmmu_set_interrupt_handler(smmu, on_interrupt, &seen), ARMSMMU_OK);
    CHECK_EQ(armsmmu_set_stall_handler(smmu, on_stall, &seen), ARMSMMU_OK);
    fixture_t f = bring_up(smmu, 0x10000000, ARMSMMU_IRQ_CTRL_EVENTQ_IRQEN | ARMSMMU_IRQ_CTRL_GERROR_IRQEN, 0);

    /* EVENTQ_IRQ_CFG0 = 0: the wired event-queue line pulses when the queue goes non-empty (digest 1.10). */
    translate(smmu, SID, 0x5000, ARMSMMU_ACCESS_READ);
    CHECK_EQ(seen.count[ARMSMMU_INTERRUPT_EVENTQ], 1);
    /* CMD_SYNC with CS = SIG_IRQ and no MSI address pulses the CMD_SYNC line. */
    bu_command(smmu, &f.layout, CMD_SYNC | CMD_SYNC_CS_SIG_IRQ, 0);
    CHECK_EQ(seen.count[ARMSMMU_INTERRUPT_CMD_SYNC], 1);
    /* An illegal opcode is a command error: GERROR.CMDQ_ERR, GERROR line. */
    bu_command(smmu, &f.layout, 0x7F, 0);
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_GERROR) & 1, 1);
    CHECK_EQ((armsmmu_read_register32(smmu, ARMSMMU_REG_CMDQ_CONS) >> 24) & 0x7F, 1); /* CERROR_ILL */
    CHECK_EQ(seen.count[ARMSMMU_INTERRUPT_GERROR], 1);
    armsmmu_destroy(smmu);

    /* A stall (CD.S = 1): STALLED with a tag; CMD_RESUME (Ac = 1, retry) resolves it through the stall handler. */
    memset(&seen, 0, sizeof seen);
    smmu = armsmmu_create();
    armsmmu_set_stall_handler(smmu, on_stall, &seen);
    f = bring_up(smmu, 0x10000000, 0, 1);
    armsmmu_result_t r = translate(smmu, SID, 0x5000, ARMSMMU_ACCESS_WRITE);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_STALLED);
    CHECK_EQ(r.fault, ARMSMMU_EVENT_F_TRANSLATION);
    uint64_t record[4];
    CHECK(bu_next_event(smmu, &f.layout, record));
    CHECK_EQ((record[1] >> 31) & 1, 1);          /* Stall */
    CHECK_EQ(record[1] & 0xFFFF, r.stall_tag);  /* STAG */
    bu_command(smmu, &f.layout, CMD_RESUME | (1ull << 12) | ((uint64_t)SID << 32), r.stall_tag);
    CHECK_EQ(seen.stall_calls, 1);
    CHECK_EQ(seen.stall_sid, SID);
    CHECK_EQ(seen.stall_tag, r.stall_tag);
    CHECK_EQ(seen.stall_retry, 1);
    armsmmu_destroy(smmu);
}

/* The driver-bug detector: a page remapped (break, make) without the TLBI it needs is one stale-TLB finding that
 * names CMD_TLBI_NH_VA for the stream's ASID and VA, while the translation keeps using the cached entry. */
static void test_driver_check(void)
{
    armsmmu_features_t features;
    armsmmu_features_default(&features);
    CHECK_EQ(features.check_driver, 0);
    features.check_driver = 1;
    fixture_t f = bring_up(armsmmu_create_with_features(&features, NULL, NULL, NULL), 0x10000000, 0, 0);
    uint64_t count = 99;
    CHECK_EQ(armsmmu_driver_check_count(f.smmu, &count), ARMSMMU_OK);
    CHECK_EQ(count, 0);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).physical_address, PA);
    uint64_t pte = bu_read64(f.smmu, f.pte);
    bu_write64(f.smmu, f.pte, 0);
    bu_write64(f.smmu, f.pte, (pte & ~0x0000FFFFFFFFF000ull) | 0x90000000ull);
    CHECK_EQ(translate(f.smmu, SID, VA + 4, ARMSMMU_ACCESS_READ).physical_address, PA + 4); /* the cached entry */
    translate(f.smmu, SID, VA + 8, ARMSMMU_ACCESS_READ);
    CHECK_EQ(armsmmu_driver_check_count(f.smmu, &count), ARMSMMU_OK);
    CHECK_EQ(count, 1);
    armsmmu_driver_report_t report;
    size_t needed = 0;
    CHECK_EQ(armsmmu_driver_check_report(f.smmu, 0, &report, NULL, 0, &needed), ARMSMMU_ERROR_BUFFER_TOO_SMALL);
    CHECK_EQ(report.mistake, ARMSMMU_DRIVER_STALE_TLB);
    CHECK_EQ(report.stream_id, SID);
    CHECK_EQ(report.substream_valid, 0);
    CHECK_EQ(report.input_address, VA + 4);
    CHECK_EQ(report.structure_address, f.pte);
    char *text = malloc(needed);
    CHECK_EQ(armsmmu_driver_check_report(f.smmu, 0, NULL, text, needed, NULL), ARMSMMU_OK);
    CHECK(strstr(text, "needs CMD_TLBI_NH_VA ASID 1 VA 0x40001004") != NULL);
    free(text);
    CHECK_EQ(armsmmu_driver_check_report(f.smmu, 1, &report, NULL, 0, NULL), ARMSMMU_ERROR_INVALID_ARGUMENT);
    armsmmu_destroy(f.smmu);
}

static void test_features(void)
{
    armsmmu_features_t features;
    armsmmu_features_default(&features);
    features.stage2 = 0;
    features.output_address_bits = 40;
    features.tlb_entries = 0; /* no TLB: every translation walks */
    armsmmu_t *smmu = armsmmu_create_with_features(&features, NULL, NULL, NULL);
    CHECK(smmu != NULL);
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_IDR0) & 3, 2); /* S1P only */
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_IDR5) & 7, 2); /* OAS 40 bits */
    armsmmu_features_t back = {.size = sizeof back};
    CHECK_EQ(armsmmu_get_features(smmu, &back), ARMSMMU_OK);
    CHECK(memcmp(&back, &features, sizeof back) == 0);
    bring_up(smmu, 0x10000000, 0, 0);
    translate(smmu, SID, VA, ARMSMMU_ACCESS_READ);
    translate(smmu, SID, VA, ARMSMMU_ACCESS_READ);
    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(smmu, &stats);
    CHECK_EQ(stats.tlb_hits, 0);
    CHECK_EQ(stats.walks, 2);
    armsmmu_destroy(smmu);

    /* An older caller's shorter struct: the fields it lacks keep their defaults. */
    armsmmu_features_t old;
    armsmmu_features_default(&old);
    old.stage2 = 0;
    old.size = 8;
    old.tlb_entries = 1; /* past size: ignored */
    smmu = armsmmu_create_with_features(&old, NULL, NULL, NULL);
    CHECK(smmu != NULL);
    back.size = sizeof back;
    armsmmu_get_features(smmu, &back);
    CHECK_EQ(back.stage2, 0);
    CHECK_EQ(back.tlb_entries, 4096);
    armsmmu_destroy(smmu);

    /* Illegal feature sets are host errors, named in the message. */
    armsmmu_features_default(&features);
    features.stage1 = features.stage2 = 0;
    CHECK(armsmmu_create_with_features(&features, NULL, NULL, NULL) == NULL);
    CHECK(strstr(armsmmu_last_error(), "stage") != NULL);
    armsmmu_features_default(&features);
    features.output_address_bits = 47;
    CHECK(armsmmu_create_with_features(&features, NULL, NULL, NULL) == NULL);
    armsmmu_features_default(&features);
    features.msi = 2;
    CHECK(armsmmu_create_with_features(&features, NULL, NULL, NULL) == NULL);
    /* A newer caller's longer struct with a nonzero field this library does not know. */
    struct {
        armsmmu_features_t known;
        uint32_t future;
    } newer;
    armsmmu_features_default(&newer.known);
    newer.known.size = sizeof newer;
    newer.future = 1;
    CHECK(armsmmu_create_with_features(&newer.known, NULL, NULL, NULL) == NULL);
    newer.future = 0;
    smmu = armsmmu_create_with_features(&newer.known, NULL, NULL, NULL);
    CHECK(smmu != NULL);
    armsmmu_destroy(smmu);
}

/* Translations from several threads at once on one device (the header's thread-safety promise). */
typedef struct worker {
    armsmmu_t *smmu;
    uint64_t page;
    unsigned wrong;
} worker_t;

static void *translate_many(void *argument)
{
    worker_t *w = argument;
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t offset = (i * 8u) & 0xFFF;
        armsmmu_request_t request = bu_request(SID, VA + w->page * 0x1000 + offset, ARMSMMU_ACCESS_READ);
        armsmmu_result_t result;
        if (armsmmu_translate(w->smmu, &request, &result) != ARMSMMU_OK ||
            result.physical_address != PA + w->page * 0x10000 + offset) {
            w->wrong++;
        }
    }
    return NULL;
}

static void test_threads(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    worker_t workers[4];
    pthread_t threads[4];
    for (unsigned t = 0; t < 4; t++) {
        bu_map_page(f.smmu, &f.layout, f.ttb0, VA + t * 0x1000, PA + t * 0x10000, PTE_AP_RW_ANY);
        workers[t] = (worker_t){f.smmu, t, 0};
        pthread_create(&threads[t], NULL, translate_many, &workers[t]);
    }
    for (unsigned t = 0; t < 4; t++) {
        pthread_join(threads[t], NULL);
        CHECK_EQ(workers[t].wrong, 0);
    }
    armsmmu_destroy(f.smmu);
}

/* The PMCG (IHI0070 chapter 10): counter 0 counts the transactions of every StreamID. */
static void test_pmcg(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    uint64_t cfgr = 0, count = 0;
    CHECK_EQ(armsmmu_pmcg_register_read(f.smmu, ARMSMMU_PMCG_REG_CFGR, 4, &cfgr), ARMSMMU_OK);
    CHECK_EQ(cfgr & 0x3F, 7);                 /* NCTR: 8 counters */
    CHECK_EQ((cfgr >> 8) & 0x3F, 63);         /* SIZE: 64-bit counters, 8-byte stride */
    CHECK_EQ((cfgr >> 20) & 1, 1);            /* RELOC_CTRS: counters in page 1 */
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_EVTYPER0, 4, 1u | (1u << 29)), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_SMR0, 4, 0xFFFFFFFFu), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_CNTENSET0, 8, 1), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_CR, 4, 1), ARMSMMU_OK);
    translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ);
    translate(f.smmu, SID, VA + 8, ARMSMMU_ACCESS_READ);
    CHECK_EQ(armsmmu_pmcg_register_read(f.smmu, ARMSMMU_PMCG_PAGE1 + ARMSMMU_PMCG_REG_EVCNTR0, 8, &count), ARMSMMU_OK);
    CHECK_EQ(count, 2);
    CHECK_EQ(armsmmu_pmcg_register_read(f.smmu, 0x20000, 4, &count), ARMSMMU_ERROR_INVALID_ARGUMENT);
    armsmmu_destroy(f.smmu);
}

/* IHI0070 §3.10, §5.2: a Secure stream (request.secure = 1) walks the Secure Stream table; STE.NSCFG of a bypass STE
 * chooses the output PA space, which armsmmu_result_t.non_secure reports (0b10 Secure, 0b11 Non-secure). */
static void test_secure_stream_output_space(void)
{
    armsmmu_t *smmu = armsmmu_create();
    const uint64_t strtab = 0x20000000;
    bu_zero(smmu, strtab, 4 * 64);
    for (uint32_t sid = 0; sid < 3; sid++) {
        /* V, Config 0b100 (bypass); NSCFG [111:110] = 0b10, 0b11, 0b00 (incoming: Secure). */
        uint64_t nscfg = sid == 0 ? 2 : sid == 1 ? 3 : 0;
        CHECK_EQ(bu_write64(smmu, strtab + 64 * sid, 1 | (4ull << 1)), ARMSMMU_OK);
        CHECK_EQ(bu_write64(smmu, strtab + 64 * sid + 8, nscfg << 46), ARMSMMU_OK);
    }
    armsmmu_write_register64(smmu, ARMSMMU_REG_S_STRTAB_BASE, strtab);
    armsmmu_write_register32(smmu, ARMSMMU_REG_S_STRTAB_BASE_CFG, 2); /* linear, 4 entries */
    armsmmu_write_register32(smmu, ARMSMMU_REG_S_CR0, 1);             /* S_CR0.SMMUEN */
    CHECK_EQ(armsmmu_read_register32(smmu, ARMSMMU_REG_S_CR0ACK) & 1, 1);

    armsmmu_request_t request = bu_request(0, 0x5000, ARMSMMU_ACCESS_READ);
    request.secure = 1;
    armsmmu_result_t r;
    const uint8_t expected[3] = {0, 1, 0};
    for (uint32_t sid = 0; sid < 3; sid++) {
        request.stream_id = sid;
        memset(&r, 0xA5, sizeof r);
        CHECK_EQ(armsmmu_translate(smmu, &request, &r), ARMSMMU_OK);
        CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_BYPASSED);
        CHECK_EQ(r.physical_address, 0x5000);
        CHECK_EQ(r.non_secure, expected[sid]);
        CHECK_EQ(r.reserved[0] | r.reserved[1] | r.reserved[2], 0);
    }
    /* The same StreamID on the Non-secure side: GBPA bypass (SMMUEN = 0), Non-secure. */
    CHECK_EQ(translate(smmu, 0, 0x5000, ARMSMMU_ACCESS_READ).non_secure, 1);
    /* A fault reports no PA space. */
    request.stream_id = 3; /* an invalid (zero) STE: C_BAD_STE */
    CHECK_EQ(armsmmu_translate(smmu, &request, &r), ARMSMMU_OK);
    CHECK_EQ(r.outcome, ARMSMMU_OUTCOME_FAULTED);
    CHECK_EQ(r.non_secure, 0);
    armsmmu_destroy(smmu);
}

/* docs/save-restore.md: size query, save, reset (memory untouched), restore; the PMCG counter comes back too. */
static void test_save_restore(void)
{
    fixture_t f = bring_up(armsmmu_create(), 0x10000000, 0, 0);
    size_t needed = 0;
    uint64_t count = 0;
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_EVTYPER0, 4, 1u | (1u << 29)), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_SMR0, 4, 0xFFFFFFFFu), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_CNTENSET0, 8, 1), ARMSMMU_OK);
    CHECK_EQ(armsmmu_pmcg_register_write(f.smmu, ARMSMMU_PMCG_REG_CR, 4, 1), ARMSMMU_OK);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).physical_address, PA);
    CHECK_EQ(armsmmu_save(f.smmu, NULL, 0, &needed), ARMSMMU_ERROR_BUFFER_TOO_SMALL);
    CHECK(needed > 100);
    char *snapshot = malloc(needed);
    CHECK(snapshot != NULL);
    CHECK_EQ(armsmmu_save(f.smmu, snapshot, needed, &needed), ARMSMMU_OK);
    CHECK(memcmp(snapshot, "{", 1) == 0);

    CHECK_EQ(armsmmu_reset(f.smmu), ARMSMMU_OK);
    CHECK_EQ(translate(f.smmu, SID, VA, ARMSMMU_ACCESS_READ).physical_address, VA); /* SMMUEN = 0: bypass (GBPA) */
    CHECK_EQ(armsmmu_restore(f.smmu, snapshot, needed), ARMSMMU_OK);
    CHECK_EQ(translate(f.smmu, SID, VA + 8, ARMSMMU_ACCESS_READ).physical_address, PA + 8);
    CHECK_EQ(armsmmu_pmcg_register_read(f.smmu, ARMSMMU_PMCG_PAGE1 + ARMSMMU_PMCG_REG_EVCNTR0, 8, &count), ARMSMMU_OK);
    CHECK_EQ(count, 2); /* one before the save, one after the restore */

    CHECK_EQ(armsmmu_restore(f.smmu, "{}", 2), ARMSMMU_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(armsmmu_last_error(), "armsmmu.smmuv3") != NULL);
    CHECK_EQ(armsmmu_restore(f.smmu, NULL, 0), ARMSMMU_ERROR_INVALID_ARGUMENT);
    free(snapshot);
    armsmmu_destroy(f.smmu);
}

int main(void)
{
    test_version_and_layout();
    test_id_registers();
    test_stage1_translate_unmap_fault();
    test_port();
    test_secure_stream_output_space();
    test_broadcast_tlbi_and_atos();
    test_explain();
    test_host_errors();
    test_custom_memory();
    test_interrupts_and_stalls();
    test_features();
    test_driver_check();
    test_threads();
    test_pmcg();
    test_save_restore();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
