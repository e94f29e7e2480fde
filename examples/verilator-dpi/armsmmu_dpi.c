/*
 * armsmmu_dpi.c - DPI-C shim between SystemVerilog and libarmsmmu.
 *
 * Every function here is imported by armsmmu_dpi_pkg.sv. The argument types follow the DPI-C mapping of
 * IEEE 1800 Annex H: chandle = void *, int = int, int unsigned = unsigned int, longint = long long,
 * longint unsigned = unsigned long long, string = const char *, output arguments are pointers. Nothing here is
 * Verilator-specific, so the same file links into any simulator that supports DPI-C.
 *
 * The chandle a testbench holds is an smmu_dpi_t (below), not the armsmmu_t itself, so the shim can keep
 * per-device state (interrupt counters) next to the device.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "armsmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SMMU_DPI_LINES 5 /* armsmmu_interrupt_t: EVENTQ, PRIQ, GERROR, CMD_SYNC, SEV */

typedef struct smmu_dpi
{
    armsmmu_t *smmu;
    unsigned int interrupts[SMMU_DPI_LINES]; /* pulses seen per wired line, read by smmu_dpi_irq_count */
    char *explanation;                       /* the last smmu_dpi_explain text, owned here */
    size_t explanation_size;
} smmu_dpi_t;

/* Runs inside the device (its lock held): only count, the testbench polls the counters. */
static void count_interrupt(void *context, uint32_t line)
{
    smmu_dpi_t *handle = (smmu_dpi_t *)context;
    if (line < SMMU_DPI_LINES)
        handle->interrupts[line]++;
}

static armsmmu_t *device_of(void *handle)
{
    return handle == NULL ? NULL : ((smmu_dpi_t *)handle)->smmu;
}

/* A full-featured default device with the library's built-in sparse memory (zero where never written). */
void *smmu_dpi_create(void)
{
    smmu_dpi_t *handle = (smmu_dpi_t *)calloc(1, sizeof *handle);
    if (handle == NULL)
        return NULL;
    handle->smmu = armsmmu_create();
    if (handle->smmu == NULL)
    {
        fprintf(stderr, "smmu_dpi_create: %s\n", armsmmu_last_error());
        free(handle);
        return NULL;
    }
    armsmmu_set_interrupt_handler(handle->smmu, count_interrupt, handle);
    return handle;
}

void smmu_dpi_destroy(void *handle)
{
    if (handle == NULL)
        return;
    armsmmu_destroy(device_of(handle));
    free(((smmu_dpi_t *)handle)->explanation);
    free(handle);
}

/* Memory is the SMMU's view of physical memory: stream table, CDs, page tables and queues live here. 0 = ok. */
int smmu_dpi_write_mem64(void *handle, unsigned long long address, unsigned long long value)
{
    uint64_t little = (uint64_t)value; /* the model's memory is little-endian, like the host this runs on */
    return armsmmu_memory_write(device_of(handle), (uint64_t)address, &little, sizeof little);
}

int smmu_dpi_read_mem64(void *handle, unsigned long long address, unsigned long long *value)
{
    uint64_t little = 0;
    int status = armsmmu_memory_read(device_of(handle), (uint64_t)address, &little, sizeof little);
    *value = status == 0 ? little : 0;
    return status;
}

/* MMIO: offsets from the SMMU base, page 0 at 0x0, page 1 at 0x10000 (IHI0070 §6.1). */
void smmu_dpi_write_reg32(void *handle, unsigned int offset, unsigned int value)
{
    armsmmu_write_register32(device_of(handle), offset, value);
}

void smmu_dpi_write_reg64(void *handle, unsigned int offset, unsigned long long value)
{
    armsmmu_write_register64(device_of(handle), offset, (uint64_t)value);
}

unsigned int smmu_dpi_read_reg32(void *handle, unsigned int offset)
{
    return armsmmu_read_register32(device_of(handle), offset);
}

unsigned long long smmu_dpi_read_reg64(void *handle, unsigned int offset)
{
    return armsmmu_read_register64(device_of(handle), offset);
}

/*
 * One transaction with every request field. Returns the armsmmu_outcome_t (0 translated, 1 bypassed, 2 faulted,
 * 3 stalled) or -1 when the call itself failed (see smmu_dpi_last_error). fault is the IHI0070 §7.3 event number,
 * 0 when none; stall_tag is the STAG a CMD_RESUME must name when the outcome is stalled.
 */
int smmu_dpi_translate_ex(void *handle, unsigned int stream_id, int substream_valid, unsigned int substream_id,
                          unsigned long long iova, int access, int privileged, unsigned long long *pa,
                          unsigned int *fault, unsigned int *stall_tag)
{
    armsmmu_request_t request = {0};
    armsmmu_result_t result = {0};
    request.stream_id = stream_id;
    request.substream_id = substream_id;
    request.substream_valid = substream_valid != 0;
    request.address = (uint64_t)iova;
    request.access = (uint8_t)access;
    request.privileged = privileged != 0;
    *pa = 0;
    *fault = 0;
    *stall_tag = 0;
    if (armsmmu_translate(device_of(handle), &request, &result) != 0)
        return -1;
    *pa = result.physical_address;
    *fault = result.fault;
    *stall_tag = result.stall_tag;
    return (int)result.outcome;
}

/* The common case: no substream, unprivileged. */
int smmu_dpi_translate(void *handle, unsigned int stream_id, unsigned long long iova, int access,
                       unsigned long long *pa, unsigned int *fault)
{
    unsigned int stall_tag;
    return smmu_dpi_translate_ex(handle, stream_id, 0, 0, iova, access, 0, pa, fault, &stall_tag);
}

/* Pulses of a wired interrupt line (armsmmu_interrupt_t) since creation; edge-count them in the testbench. */
unsigned int smmu_dpi_irq_count(void *handle, int line)
{
    if (handle == NULL || line < 0 || line >= SMMU_DPI_LINES)
        return 0;
    return ((smmu_dpi_t *)handle)->interrupts[line];
}

/*
 * Why the model would translate this transaction as it does (the STE, the CD, every descriptor, the rule broken),
 * without side effects. Print it when the DUT and the model disagree. The text stays valid until the next call.
 */
const char *smmu_dpi_explain(void *handle, unsigned int stream_id, unsigned long long iova, int access)
{
    smmu_dpi_t *dpi = (smmu_dpi_t *)handle;
    armsmmu_request_t request = {0};
    size_t needed = 0;
    if (dpi == NULL)
        return "";
    request.stream_id = stream_id;
    request.address = (uint64_t)iova;
    request.access = (uint8_t)access;
    if (armsmmu_explain(dpi->smmu, &request, NULL, 0, &needed) != ARMSMMU_ERROR_BUFFER_TOO_SMALL)
        return armsmmu_last_error();
    if (needed > dpi->explanation_size)
    {
        char *grown = (char *)realloc(dpi->explanation, needed);
        if (grown == NULL)
            return "out of memory";
        dpi->explanation = grown;
        dpi->explanation_size = needed;
    }
    if (armsmmu_explain(dpi->smmu, &request, dpi->explanation, dpi->explanation_size, &needed) != ARMSMMU_OK)
        return armsmmu_last_error();
    return dpi->explanation;
}

/* Message of the last failing library call on this thread (the simulator thread). */
const char *smmu_dpi_last_error(void)
{
    const char *message = armsmmu_last_error();
    return message == NULL ? "" : message;
}

#ifdef __cplusplus
}
#endif
