/*
 * bench_translate.c - what a C caller pays: cold start (the first armsmmu_create, which also starts the library's
 * runtime, then bring-up and the first translation) and the steady-state cost of a TLB-hitting armsmmu_translate.
 * The managed comparison in the same conditions is bench/ArmSmmu.Benchmarks NativeTranslateBenchmarks.
 * Run: OUT/bench_translate [translations]   (default 2,000,000; best of 5 rounds)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "armsmmu.h"
#include "bringup.h"

static double clock_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* CPU time of this thread: on a shared machine, time the thread spent descheduled does not count. */
static double cpu_ns(void) { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

int main(int argc, char **argv)
{
    const unsigned pages = 512; /* all resident in the default 4096-entry TLB */
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000ul;

    double t0 = now_ns();
    armsmmu_t *smmu = armsmmu_create();
    double t1 = now_ns();
    layout_t layout = bu_layout(0x10000000);
    bu_enable(smmu, &layout, 0);
    uint64_t ttb0 = bu_stage1_stream(smmu, &layout, 1, 1, 0);
    for (unsigned page = 0; page < pages; page++) {
        bu_map_page(smmu, &layout, ttb0, (uint64_t)page << 12, 0x80001000ull + ((uint64_t)page << 12), PTE_AP_RW_ANY);
    }
    double t2 = now_ns();
    armsmmu_request_t request = bu_request(1, 0x40, ARMSMMU_ACCESS_READ);
    armsmmu_result_t result;
    armsmmu_translate(smmu, &request, &result);
    double t3 = now_ns();
    if (result.physical_address != 0x80001040ull) {
        fprintf(stderr, "setup broken: PA 0x%" PRIx64 "\n", result.physical_address);
        return 1;
    }
    printf("cold start: first armsmmu_create %.0f us (runtime start included), bring-up + %u pages %.0f us, "
           "first translation %.0f us, total %.2f ms\n",
           (t1 - t0) / 1e3, pages, (t2 - t1) / 1e3, (t3 - t2) / 1e3, (t3 - t0) / 1e6);

    for (unsigned page = 0; page < pages; page++) { /* fill the TLB */
        request.address = ((uint64_t)page << 12) | 0x40;
        armsmmu_translate(smmu, &request, &result);
    }
    double best = 1e30, best_wall = 1e30;
    uint64_t checksum = 0;
    for (int round = 0; round < 5; round++) {
        double start = cpu_ns(), start_wall = now_ns();
        for (unsigned long i = 0; i < count; i++) {
            request.address = ((uint64_t)(i % pages) << 12) | 0x40;
            armsmmu_translate(smmu, &request, &result);
            checksum += result.physical_address;
        }
        double per = (cpu_ns() - start) / (double)count, per_wall = (now_ns() - start_wall) / (double)count;
        best = per < best ? per : best;
        best_wall = per_wall < best_wall ? per_wall : best_wall;
    }
    armsmmu_statistics_t stats = {.size = sizeof stats};
    armsmmu_get_statistics(smmu, &stats);
    printf("TLB-hitting armsmmu_translate: %.1f ns per call of thread CPU time, %.1f ns wall (best of 5 rounds of %lu; "
           "%" PRIu64 " TLB misses in all; checksum %" PRIx64 ")\n",
           best, best_wall, count, stats.tlb_misses, checksum);
    armsmmu_destroy(smmu);
    return 0;
}
