/*
 * hit_loop.c - instructions per TLB-hitting armsmmu_translate, counted by callgrind (deterministic, unlike time on a
 * shared machine). Brings up one stage-1 stream with 512 resident pages (examples/c/bringup.h), warms the TLB, then
 * collects only around COUNT hits (CALLGRIND_TOGGLE_COLLECT), so Ir / COUNT is the cost of one hit, wrapper included.
 * Build and run: bench/callgrind/run.sh (it publishes libarmsmmu.so first).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>

#include "armsmmu.h"
#include "bringup.h"

int main(int argc, char **argv)
{
    const unsigned pages = 512;
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000ul;

    armsmmu_t *smmu = armsmmu_create();
    layout_t layout = bu_layout(0x10000000);
    bu_enable(smmu, &layout, 0);
    uint64_t ttb0 = bu_stage1_stream(smmu, &layout, 1, 1, 0);
    for (unsigned page = 0; page < pages; page++) {
        bu_map_page(smmu, &layout, ttb0, (uint64_t)page << 12, 0x80001000ull + ((uint64_t)page << 12), PTE_AP_RW_ANY);
    }

    armsmmu_request_t request = bu_request(1, 0x40, ARMSMMU_ACCESS_READ);
    armsmmu_result_t result;
    for (int round = 0; round < 2; round++) { /* fill the TLB, then once more so every path is warm */
        for (unsigned page = 0; page < pages; page++) {
            request.address = ((uint64_t)page << 12) | 0x40;
            armsmmu_translate(smmu, &request, &result);
        }
    }

    uint64_t checksum = 0;
    CALLGRIND_TOGGLE_COLLECT;
    for (unsigned long i = 0; i < count; i++) {
        request.address = ((uint64_t)(i % pages) << 12) | 0x40;
        armsmmu_translate(smmu, &request, &result);
        checksum += result.physical_address;
    }
    CALLGRIND_TOGGLE_COLLECT;

    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(smmu, &stats);
    uint64_t expected = 0;
    for (unsigned long i = 0; i < count; i++) {
        expected += 0x80001040ull + ((uint64_t)(i % pages) << 12);
    }

    printf("%lu hits, %" PRIu64 " TLB misses in all, checksum %s\n", count, stats.tlb_misses,
           checksum == expected ? "ok" : "WRONG");
    armsmmu_destroy(smmu);
    return checksum == expected ? 0 : 1;
}
