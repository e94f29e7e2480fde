/*
 * example.c - brings an SMMUv3 up through MMIO only, maps a page for a device, translates a DMA address,
 * unmaps it (PTE clear + CMD_TLBI_NH_VA + CMD_SYNC), translates again, and prints the fault and its event record.
 * Build and run: examples/c/run.sh OUT (OUT = the dotnet publish output holding libarmsmmu.so and armsmmu.h).
 */
#include <inttypes.h>
#include <stdio.h>

#include "armsmmu.h"
#include "bringup.h"

static const char *outcome_name(uint32_t outcome)
{
    static const char *const names[] = {"TRANSLATED", "BYPASSED", "FAULTED", "STALLED"};
    return outcome < 4 ? names[outcome] : "?";
}

static void show(const char *what, const armsmmu_request_t *request, const armsmmu_result_t *result)
{
    printf("%-22s SID 0x%" PRIx32 " VA 0x%" PRIx64 " -> %s", what, request->stream_id, request->address,
           outcome_name(result->outcome));
    if (result->outcome == ARMSMMU_OUTCOME_TRANSLATED || result->outcome == ARMSMMU_OUTCOME_BYPASSED) {
        printf(" PA 0x%" PRIx64 " (2^%u-byte translation)\n", result->physical_address, result->page_shift);
    } else {
        printf(" fault 0x%02" PRIx32 "%s\n", result->fault, result->fault_recorded ? " (recorded)" : "");
    }
}

int main(void)
{
    printf("libarmsmmu %s\n", armsmmu_version());
    armsmmu_t *smmu = armsmmu_create();
    if (smmu == NULL) {
        fprintf(stderr, "armsmmu_create: %s\n", armsmmu_last_error());
        return 1;
    }

    layout_t layout = bu_layout(0x10000000);
    uint32_t cr0ack = bu_enable(smmu, &layout, 0);
    printf("IDR0 0x%08" PRIx32 ", CR0ACK 0x%" PRIx32 "\n", armsmmu_read_register32(smmu, ARMSMMU_REG_IDR0), cr0ack);

    const uint32_t sid = 0x10;
    const uint16_t asid = 1;
    const uint64_t va = 0x40001000, pa = 0x80000000;
    uint64_t ttb0 = bu_stage1_stream(smmu, &layout, sid, asid, 0);
    uint64_t pte = bu_map_page(smmu, &layout, ttb0, va, pa, PTE_AP_RW_ANY);

    armsmmu_request_t request = bu_request(sid, va + 0x234, ARMSMMU_ACCESS_WRITE);
    armsmmu_result_t result;
    if (armsmmu_translate(smmu, &request, &result) != ARMSMMU_OK) {
        fprintf(stderr, "armsmmu_translate: %s\n", armsmmu_last_error());
        return 1;
    }
    show("mapped, write:", &request, &result);

    uint32_t cons = bu_unmap_page(smmu, &layout, pte, asid, va);
    printf("unmapped: PTE cleared, TLBI_NH_VA + CMD_SYNC consumed (CMDQ_CONS 0x%" PRIx32 ")\n", cons);

    request.access = ARMSMMU_ACCESS_READ;
    armsmmu_translate(smmu, &request, &result);
    show("unmapped, read:", &request, &result);

    uint64_t record[4];
    while (bu_next_event(smmu, &layout, record)) {
        printf("event record: %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", record[0], record[1],
               record[2], record[3]);
        printf("  type 0x%02x, StreamID 0x%" PRIx32 ", RnW %u, CLASS %u, InputAddr 0x%" PRIx64 "\n",
               (unsigned)(record[0] & 0xFF), (uint32_t)(record[0] >> 32), (unsigned)((record[1] >> 35) & 1),
               (unsigned)((record[1] >> 40) & 3), record[2]);
    }

    char why[4096];
    size_t needed = 0;
    if (armsmmu_explain(smmu, &request, why, sizeof why, &needed) == ARMSMMU_OK) {
        printf("why:\n%s", why);
    }

    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(smmu, &stats);
    printf("TLB %" PRIu64 " hits / %" PRIu64 " misses, %" PRIu64 " walks, %" PRIu64 " commands, %" PRIu64
           " events written\n",
           stats.tlb_hits, stats.tlb_misses, stats.walks, stats.commands, stats.events_written);
    armsmmu_destroy(smmu);
    return result.fault == ARMSMMU_EVENT_F_TRANSLATION ? 0 : 1;
}
