/*
 * armsmmu.h - C ABI of ArmSmmu, a model of the Arm System MMU v3 (IHI0070).
 *
 * The library libarmsmmu.so is the managed model compiled ahead of time (NativeAOT): it needs no .NET runtime.
 * Build it with
 *     dotnet publish src/ArmSmmu.Native -c Release -r linux-x64 -o OUT
 * which leaves libarmsmmu.so and this header in OUT. Link with -LOUT -larmsmmu (and an rpath or LD_LIBRARY_PATH).
 *
 * Conventions (those of SQLite and libgit2):
 *  - Every object is an opaque handle (armsmmu_t *) created by armsmmu_create* and released by armsmmu_destroy.
 *  - Functions returning int return ARMSMMU_OK (0) or a negative ARMSMMU_ERROR_* code. A failing call stores a
 *    message for the calling thread, returned by armsmmu_last_error().
 *  - Errors are reported only for HOST mistakes: a NULL handle or pointer, a register offset outside the two
 *    64 KiB register pages or misaligned for the access width, a buffer too small, a malformed request or feature
 *    set. GUEST mistakes (an illegal STE, an unmapped address, a bad command, an unbacked table) are never host
 *    errors: the model reports them as the architecture does, with event records, command errors and GERROR bits,
 *    and armsmmu_translate returns ARMSMMU_OK with outcome ARMSMMU_OUTCOME_FAULTED.
 *  - No C++ or .NET exception ever crosses this boundary; no function calls exit() or abort() on bad input.
 *  - The library never keeps a pointer the caller passed in, except the callbacks and context pointers given to
 *    armsmmu_create_with_memory, armsmmu_create_with_features, armsmmu_set_interrupt_handler and
 *    armsmmu_set_stall_handler, which it keeps until armsmmu_destroy (or until replaced).
 *  - Addresses and register offsets are uint64_t; multi-byte values in the model's memory are little-endian
 *    (IHI0070 structures are little-endian; IDR0.TTENDIAN advertises little-endian only).
 *
 * Thread safety (the same as the managed SmmuV3):
 *  - armsmmu_translate and armsmmu_explain may be called from any number of threads at the same time on one
 *    handle, also while another thread programs the device; a TLB hit takes no lock and allocates nothing.
 *  - Register reads and writes are serialised by the device: each completes atomically (a CMDQ_PROD write has
 *    consumed the commands when it returns; CR0ACK, IRQ_CTRLACK and GBPA.Update follow at once). Programming a
 *    device from several threads is safe but the order of the writes is the host's business, as on hardware.
 *  - armsmmu_memory_read/_write on the built-in memory are safe concurrently with translations; an aligned 8-byte
 *    armsmmu_memory_write is single-copy atomic, so a live descriptor can be replaced while others translate.
 *  - armsmmu_destroy must not run concurrently with any other call on the same handle, and the handle must not be
 *    used after it.
 *  - armsmmu_last_error is per thread.
 */
#ifndef ARMSMMU_H
#define ARMSMMU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An SMMU device (opaque). Created by armsmmu_create*, released by armsmmu_destroy. */
typedef struct armsmmu armsmmu_t;

/* ---------------------------------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------------------------------- */

/** Version of this header. armsmmu_version_number() gives the library's; they match for a consistent build. */
#define ARMSMMU_VERSION_MAJOR 0
#define ARMSMMU_VERSION_MINOR 3
#define ARMSMMU_VERSION_PATCH 0
/** (major << 16) | (minor << 8) | patch. */
#define ARMSMMU_VERSION_NUMBER ((ARMSMMU_VERSION_MAJOR << 16) | (ARMSMMU_VERSION_MINOR << 8) | ARMSMMU_VERSION_PATCH)
#define ARMSMMU_VERSION_STRING "0.3.0"

/** The library's version as "major.minor.patch". Static storage owned by the library; never free it. */
const char *armsmmu_version(void);

/** The library's version as (major << 16) | (minor << 8) | patch, comparable with ARMSMMU_VERSION_NUMBER. */
uint32_t armsmmu_version_number(void);

/* ---------------------------------------------------------------------------------------------------------------
 * Return codes
 * ------------------------------------------------------------------------------------------------------------- */

/** Success. */
#define ARMSMMU_OK 0
/** A NULL handle or pointer, an out-of-range enumeration value, a nonzero reserved field, a register offset outside
 *  0x0-0x1FFFF or not aligned to the access width, an illegal feature set. Nothing was changed. */
#define ARMSMMU_ERROR_INVALID_ARGUMENT (-1)
/** The caller's buffer cannot hold the answer; the size needed is reported (see armsmmu_explain). */
#define ARMSMMU_ERROR_BUFFER_TOO_SMALL (-2)
/** armsmmu_memory_read/_write touched an address the memory does not back (the memory callback returned nonzero).
 *  For armsmmu_memory_read the buffer contents are then unspecified; for _write nothing or part may be written
 *  when the memory is the caller's own. */
#define ARMSMMU_ERROR_MEMORY_ABORT (-3)
/** A bug in the library (an unexpected exception inside the model); armsmmu_last_error() has the details. The
 *  handle stays usable, but the device state may be inconsistent. Please report it. */
#define ARMSMMU_ERROR_INTERNAL (-4)

/**
 * The message of the last failing call made on this thread, in UTF-8, or "" when none has failed yet.
 * A successful call does not clear it (see armsmmu_clear_error). The string is owned by the library and stays
 * valid until the next failing call on the same thread; never free it. Thread-safe (the message is per thread).
 */
const char *armsmmu_last_error(void);

/** Resets this thread's last error message to "". */
void armsmmu_clear_error(void);

/* ---------------------------------------------------------------------------------------------------------------
 * Transactions
 * ------------------------------------------------------------------------------------------------------------- */

/** The kind of access a device transaction makes. */
typedef enum armsmmu_access {
    ARMSMMU_ACCESS_READ = 0,    /**< data read */
    ARMSMMU_ACCESS_WRITE = 1,   /**< data write */
    ARMSMMU_ACCESS_EXECUTE = 2  /**< instruction fetch (a read with InD = instruction) */
} armsmmu_access_t;

/** What happened to a transaction. */
typedef enum armsmmu_outcome {
    ARMSMMU_OUTCOME_TRANSLATED = 0, /**< went through stage 1 and/or stage 2; physical_address is valid */
    ARMSMMU_OUTCOME_BYPASSED = 1,   /**< identity: STE Config bypass, or GBPA bypass while SMMUEN = 0 */
    ARMSMMU_OUTCOME_FAULTED = 2,    /**< terminated (aborted, or RAZ/WI per CD.A); fault says why */
    ARMSMMU_OUTCOME_STALLED = 3     /**< held until CMD_RESUME / CMD_STALL_TERM names stall_tag (IHI0070 §3.12.2) */
} armsmmu_outcome_t;

/** One device transaction presented to the SMMU (the upstream signals of IHI0070 §3.2, §3.9). 24 bytes. */
typedef struct armsmmu_request {
    uint32_t stream_id;       /**< StreamID of the requesting device */
    uint32_t substream_id;    /**< SubstreamID (PASID); used only when substream_valid is 1 */
    uint64_t address;         /**< input address: a VA (stage 1) or an IPA (stage-2-only streams) */
    uint8_t substream_valid;  /**< SSV: 1 when the transaction carries substream_id, else 0 */
    uint8_t access;           /**< an armsmmu_access_t value */
    uint8_t privileged;       /**< PnU: 1 for a privileged access, 0 for unprivileged */
    uint8_t secure;           /**< SEC_SID: 1 for a Secure stream, translated through the Secure Stream table of the
                                   SMMU_S_* page at 0x8000 (F_UUT when the device has no Secure side) */
    uint32_t reserved;        /**< must be 0 (kept for later members); nonzero is ARMSMMU_ERROR_INVALID_ARGUMENT */
} armsmmu_request_t;

/** The answer to one transaction. 24 bytes. */
typedef struct armsmmu_result {
    uint32_t outcome;          /**< an armsmmu_outcome_t value */
    uint32_t fault;            /**< for FAULTED and STALLED: the IHI0070 §7.3 event type number of the fault or
                                    configuration error (e.g. 0x10 F_TRANSLATION), recorded or not; 0 otherwise.
                                    See ARMSMMU_EVENT_* */
    uint64_t physical_address; /**< output address for TRANSLATED and BYPASSED; 0 otherwise */
    uint16_t stall_tag;        /**< STAG of a STALLED transaction, to name in CMD_RESUME; 0 otherwise */
    uint8_t page_shift;        /**< log2 of the size of the translation used (12 for a 4 KiB page, 21 for a 2 MiB
                                    block, 64 when bypassed); 0 when faulted or stalled */
    uint8_t fault_recorded;    /**< 1 when the fault produced an event record (the event queue may still have
                                    discarded it, e.g. when it was full or disabled), else 0 */
    uint8_t non_secure;        /**< for TRANSLATED and BYPASSED: 1 when physical_address is in the Non-secure PA
                                    space, 0 when in the Secure one (only a Secure stream can output Secure: STE.NSCFG,
                                    CD.NSCFGx, NSTable and the descriptor NS bit decide, IHI0070 §3.10, §5.2, §5.4);
                                    0 otherwise. Since 0.2.0 (the byte was reserved and 0 before) */
    uint8_t reserved[3];       /**< set to 0 */
} armsmmu_result_t;

/** Event type numbers (IHI0070 §7.3), as found in armsmmu_result_t.fault and in bits [7:0] of an event record. */
#define ARMSMMU_EVENT_F_UUT 0x01
#define ARMSMMU_EVENT_C_BAD_STREAMID 0x02
#define ARMSMMU_EVENT_F_STE_FETCH 0x03
#define ARMSMMU_EVENT_C_BAD_STE 0x04
#define ARMSMMU_EVENT_F_BAD_ATS_TREQ 0x05
#define ARMSMMU_EVENT_F_STREAM_DISABLED 0x06
#define ARMSMMU_EVENT_F_TRANSL_FORBIDDEN 0x07
#define ARMSMMU_EVENT_C_BAD_SUBSTREAMID 0x08
#define ARMSMMU_EVENT_F_CD_FETCH 0x09
#define ARMSMMU_EVENT_C_BAD_CD 0x0A
#define ARMSMMU_EVENT_F_WALK_EABT 0x0B
#define ARMSMMU_EVENT_F_TRANSLATION 0x10
#define ARMSMMU_EVENT_F_ADDR_SIZE 0x11
#define ARMSMMU_EVENT_F_ACCESS 0x12
#define ARMSMMU_EVENT_F_PERMISSION 0x13
#define ARMSMMU_EVENT_F_TLB_CONFLICT 0x20
#define ARMSMMU_EVENT_F_CFG_CONFLICT 0x21
#define ARMSMMU_EVENT_E_PAGE_REQUEST 0x24
#define ARMSMMU_EVENT_F_VMS_FETCH 0x25

/* ---------------------------------------------------------------------------------------------------------------
 * Memory the SMMU masters
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Reads length bytes at physical address into buffer. Return 0 on success; nonzero makes the access an external
 * abort (the SMMU then reports F_STE_FETCH, F_CD_FETCH, F_WALK_EABT, a command-queue abort GERROR, ...).
 * context is the pointer given to armsmmu_create_with_memory. buffer belongs to the library and is valid only
 * during the call. Called from any thread that calls into the device, including several translating threads at
 * once: the callback must be safe for concurrent reads. It must not call back into the same armsmmu_t.
 * Lengths are small (8 to 64 bytes for tables and queue entries, or the length given to armsmmu_memory_read).
 */
typedef int (*armsmmu_read_fn)(void *context, uint64_t address, void *buffer, size_t length);

/**
 * Writes length bytes from buffer at physical address. Return 0 on success; nonzero makes the access an external
 * abort. The SMMU writes event and PRI records, CMD_SYNC and interrupt MSIs, and Access-flag / dirty-state
 * updates of descriptors (the latter as a read followed by a write, which is not atomic against other masters of
 * your memory). Same threading rules as armsmmu_read_fn.
 */
typedef int (*armsmmu_write_fn)(void *context, uint64_t address, const void *buffer, size_t length);

/* ---------------------------------------------------------------------------------------------------------------
 * Features: the implementation choices advertised by the ID registers, and cache sizes
 * ------------------------------------------------------------------------------------------------------------- */

/** IDR0.STALL_MODEL. */
#define ARMSMMU_STALL_MODEL_STALL_AND_TERMINATE 0
#define ARMSMMU_STALL_MODEL_TERMINATE_ONLY 1
#define ARMSMMU_STALL_MODEL_STALL_FORCED 2

/** IDR0.HTTU. */
#define ARMSMMU_HTTU_NONE 0
#define ARMSMMU_HTTU_ACCESS_FLAG 1
#define ARMSMMU_HTTU_ACCESS_FLAG_AND_DIRTY 2

/**
 * A feature set. Always start from armsmmu_features_default(), which sets size and every field, then change
 * what you need. Boolean fields are 0 or 1. Sizes are as in IHI0070 §6.3 (IDR0/1/3/5).
 * ABI evolution: size is sizeof(armsmmu_features_t) of the header the caller was compiled with; a later library
 * gives fields past size their defaults, and rejects a larger size whose unknown tail is not zero.
 */
typedef struct armsmmu_features {
    uint32_t size;                        /**< sizeof(armsmmu_features_t); set by armsmmu_features_default */
    uint8_t stage1;                       /**< IDR0.S1P: stage-1 translation (default 1) */
    uint8_t stage2;                       /**< IDR0.S2P: stage-2 translation (default 1); one of the two is required */
    uint8_t two_level_stream_table;       /**< IDR0.ST_LEVEL = 01 (default 1); required when stream_id_bits >= 7 */
    uint8_t two_level_cd_table;           /**< IDR0.CD2L (default 1) */
    uint8_t granule_4k;                   /**< IDR5.GRAN4K (default 1) */
    uint8_t granule_16k;                  /**< IDR5.GRAN16K (default 1) */
    uint8_t granule_64k;                  /**< IDR5.GRAN64K (default 1); at least one granule is required */
    uint8_t stall_model;                  /**< IDR0.STALL_MODEL: ARMSMMU_STALL_MODEL_* (default STALL_AND_TERMINATE) */
    uint8_t httu;                         /**< IDR0.HTTU: ARMSMMU_HTTU_* (default ACCESS_FLAG_AND_DIRTY) */
    uint8_t abort_only_termination;       /**< IDR0.TERM_MODEL: 1 = no RAZ/WI termination, CD.A must be 1 (default 0) */
    uint8_t ats;                          /**< IDR0.ATS (default 1) */
    uint8_t pri;                          /**< IDR0.PRI (default 1; advertised only with ats) */
    uint8_t ats_record_errors;            /**< IDR0.ATSRECERR (default 0) */
    uint8_t msi;                          /**< IDR0.MSI: message-signalled interrupts (default 1) */
    uint8_t sev;                          /**< IDR0.SEV: CMD_SYNC SIG_SEV (default 1) */
    uint8_t hyp;                          /**< IDR0.Hyp: EL2 / EL2-E2H StreamWorlds (default 1) */
    uint8_t btm;                          /**< IDR0.BTM: broadcast TLB maintenance (default 1; armsmmu_broadcast_tlbi) */
    uint8_t coherent;                     /**< IDR0.COHACC (default 1) */
    uint8_t vmid16;                       /**< IDR0.VMID16 (default 1) */
    uint8_t asid16;                       /**< IDR0.ASID16 (default 1) */
    uint8_t vmid_wildcard;                /**< IDR0.VMW (default 1) */
    uint8_t attribute_types_override;     /**< IDR1.ATTR_TYPES_OVR (default 1) */
    uint8_t attribute_permissions_override; /**< IDR1.ATTR_PERMS_OVR (default 1) */
    uint8_t range_invalidation;           /**< IDR3.RIL: range invalidation and TTL hints (default 1) */
    uint8_t small_translation_tables;     /**< IDR3.STT (default 0) */
    uint8_t stage2_execute_never2;        /**< IDR3.XNX (default 0) */
    uint8_t hierarchical_attribute_disable; /**< IDR3.HAD (default 1) */
    uint8_t forced_write_back;            /**< IDR3.FWB (default 0) */
    uint8_t break_before_make_level;      /**< IDR3.BBML, 0..2 (default 2) */
    uint8_t gbpa_abort_at_reset;          /**< GBPA.ABORT reset value: 1 aborts everything until SMMUEN (default 0) */
    uint8_t architecture_minor_revision;  /**< AIDR.ArchMinorRev, 0..15 (default 2 = SMMUv3.2) */
    uint8_t check_driver;                 /**< the driver-bug detector: 1 reports stale cache use and ordering mistakes
                                               (armsmmu_driver_check_count; docs/driver-developers.md) (default 0;
                                               was reserved_byte, which had to be 0) */
    uint32_t output_address_bits;         /**< IDR5.OAS in bits: 32, 36, 40, 42, 44, 48 or 52 (default 48) */
    uint32_t stream_id_bits;              /**< IDR1.SIDSIZE, 0..32 (default 16) */
    uint32_t substream_id_bits;           /**< IDR1.SSIDSIZE, 0..20 (default 20) */
    uint32_t command_queue_log2_size;     /**< IDR1.CMDQS, 0..19 (default 19) */
    uint32_t event_queue_log2_size;       /**< IDR1.EVENTQS, 0..19 (default 19) */
    uint32_t pri_queue_log2_size;         /**< IDR1.PRIQS, 0..19 (default 19) */
    uint32_t stall_max;                   /**< IDR5.STALL_MAX, 0..65535 (default 256) */
    uint32_t iidr;                        /**< SMMU_IIDR value (default 0x43B) */
    uint32_t tlb_entries;                 /**< translations the TLB holds; 0 disables the TLB (default 4096) */
    uint32_t tlb_ways;                    /**< TLB associativity, >= 1 (default 8) */
    uint32_t config_cache_entries;        /**< STEs and CDs the configuration cache holds each; 0 disables (default 1024) */
    uint32_t reserved;                    /**< set to 0 */
} armsmmu_features_t;

/**
 * Fills *features with the full-featured default (an SMMUv3.2-class device: stage 1 and 2, 2-level tables,
 * 16-bit ASID/VMID, all granules, 48-bit OAS, RIL, HTTU, ATS, PRI, stall, MSI) and sets features->size.
 * Returns ARMSMMU_OK, or ARMSMMU_ERROR_INVALID_ARGUMENT when features is NULL. The caller owns *features.
 */
int armsmmu_features_default(armsmmu_features_t *features);

/** Fills *features with the feature set of smmu (features->size must be set; fields past it are not written).
 *  Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle or pointer, size below 8). */
int armsmmu_get_features(armsmmu_t *smmu, armsmmu_features_t *features);

/* ---------------------------------------------------------------------------------------------------------------
 * Device lifetime
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Creates a full-featured default SMMU in its reset state, mastering a built-in sparse memory that spans the whole
 * 64-bit physical address space and reads as zero where never written. Fill that memory with armsmmu_memory_write.
 * Returns the handle (owned by the caller, release it with armsmmu_destroy) or NULL on failure (armsmmu_last_error
 * says why).
 */
armsmmu_t *armsmmu_create(void);

/**
 * Creates a full-featured default SMMU that masters the caller's memory through read and write (write may be
 * NULL: every write by the SMMU is then an external abort). context is passed back to both callbacks unchanged;
 * the library does not own it, and it (and the callbacks) must stay valid until armsmmu_destroy.
 * Returns the handle or NULL (read is NULL; armsmmu_last_error says why).
 */
armsmmu_t *armsmmu_create_with_memory(armsmmu_read_fn read, armsmmu_write_fn write, void *context);

/**
 * Creates an SMMU with the given feature set (NULL = the default) and memory (read NULL = the built-in sparse
 * memory, in which case write and context must be NULL too). *features is read during the call only.
 * Returns the handle or NULL when the feature set is not a legal SMMUv3 (armsmmu_last_error names the field).
 */
armsmmu_t *armsmmu_create_with_features(const armsmmu_features_t *features, armsmmu_read_fn read,
                                        armsmmu_write_fn write, void *context);

/** Releases smmu and everything it owns (the built-in memory too). NULL is a no-op. The handle is invalid after. */
void armsmmu_destroy(armsmmu_t *smmu);

/**
 * Power-on reset: every register, queue pointer, cache and outstanding stall returns to its reset state. Memory is
 * untouched. Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle).
 */
int armsmmu_reset(armsmmu_t *smmu);

/* ---------------------------------------------------------------------------------------------------------------
 * Save and restore (docs/save-restore.md): the device's architectural state as a versioned UTF-8 JSON snapshot
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Writes the snapshot (registers, queue indexes, errors, stalls, PMCG; not the caches, not memory) into buffer
 * (caller-owned, may be NULL when size is 0) when size is large enough; *needed (may be NULL) receives its size in
 * bytes (no NUL is added). Returns ARMSMMU_OK, ARMSMMU_ERROR_BUFFER_TOO_SMALL (buffer untouched; call again with
 * *needed bytes) or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle, buffer NULL with size > 0). Call it while no
 * translation is in flight.
 */
int armsmmu_save(armsmmu_t *smmu, void *buffer, size_t size, size_t *needed);

/**
 * Replaces the device's state with a snapshot of size bytes written by armsmmu_save (buffer caller-owned, read during
 * the call only). The device must have the saved feature set and master the memory saved with the snapshot; it then
 * behaves exactly as the saved device would have. Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle
 * or buffer; not a snapshot, a version this library does not read, other features: armsmmu_last_error says which,
 * and the device is left at its reset state). Call it while no translation is in flight.
 */
int armsmmu_restore(armsmmu_t *smmu, const void *buffer, size_t size);

/* ---------------------------------------------------------------------------------------------------------------
 * Memory access from the host (to build stream tables, CDs, page tables and queues, and to read event records)
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Reads length bytes of the SMMU's memory at address into buffer (owned by the caller, at least length bytes).
 * With the caller's memory this goes through its read callback. length 0 is allowed (buffer may then be NULL).
 * Returns ARMSMMU_OK, ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle or buffer) or ARMSMMU_ERROR_MEMORY_ABORT.
 */
int armsmmu_memory_read(armsmmu_t *smmu, uint64_t address, void *buffer, size_t length);

/**
 * Writes length bytes from buffer (owned by the caller) to the SMMU's memory at address. This is a plain memory
 * write: the SMMU does not snoop it, so change live structures as a driver would (invalidate with CMD_CFGI_* and
 * CMD_TLBI_* afterwards). Returns ARMSMMU_OK, ARMSMMU_ERROR_INVALID_ARGUMENT or ARMSMMU_ERROR_MEMORY_ABORT.
 */
int armsmmu_memory_write(armsmmu_t *smmu, uint64_t address, const void *buffer, size_t length);

/* ---------------------------------------------------------------------------------------------------------------
 * MMIO registers: offset from the SMMU base, page 0 at 0x0, page 1 at 0x10000 (IHI0070 §6.2).
 * A 64-bit register may also be accessed as two 32-bit halves, the high half at offset + 4. Undefined offsets
 * inside the pages read as zero and ignore writes (RAZ/WI), as on hardware.
 * ------------------------------------------------------------------------------------------------------------- */

/** Reads a 32-bit register. On a host error (NULL handle, offset above 0x1FFFF or not 4-byte aligned) returns 0 and
 *  sets armsmmu_last_error; use armsmmu_register_read to tell that apart from a register that reads 0. */
uint32_t armsmmu_read_register32(armsmmu_t *smmu, uint64_t offset);

/** Reads a 64-bit register (offset 8-byte aligned). On a host error returns 0 and sets armsmmu_last_error. */
uint64_t armsmmu_read_register64(armsmmu_t *smmu, uint64_t offset);

/** Writes a 32-bit register; commands, CR0ACK and the like take effect before it returns. On a host error nothing
 *  is written and armsmmu_last_error is set. May call the interrupt and stall handlers on this thread. */
void armsmmu_write_register32(armsmmu_t *smmu, uint64_t offset, uint32_t value);

/** Writes a 64-bit register (offset 8-byte aligned). Host errors as armsmmu_write_register32. */
void armsmmu_write_register64(armsmmu_t *smmu, uint64_t offset, uint64_t value);

/** Checked register read: width is 4 or 8 (bytes); *value receives the register (zero-extended).
 *  Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle or value, bad width, offset, alignment). */
int armsmmu_register_read(armsmmu_t *smmu, uint64_t offset, unsigned width, uint64_t *value);

/** Checked register write: width is 4 or 8; for 4, value must fit in 32 bits.
 *  Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT. */
int armsmmu_register_write(armsmmu_t *smmu, uint64_t offset, unsigned width, uint64_t value);

/** Checked read of a register of the PMCG (IHI0070 chapter 10), by its offset from the PMCG base: page 0 at 0x0,
 *  page 1 (CFGR.RELOC_CTRS) at 0x10000. width is 4 or 8. Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (as
 *  armsmmu_register_read, or a feature set without a PMCG). */
int armsmmu_pmcg_register_read(armsmmu_t *smmu, uint64_t offset, unsigned width, uint64_t *value);

/** Checked write of a PMCG register; as armsmmu_pmcg_register_read. An overflow it causes may call the interrupt handler. */
int armsmmu_pmcg_register_write(armsmmu_t *smmu, uint64_t offset, unsigned width, uint64_t value);

/** A few PMCG register offsets (IHI0070 §10.5.1); EVCNTRn, SVRn, OVSCLR0/OVSSET0 and CAPR add 0x10000 with RELOC_CTRS. */
#define ARMSMMU_PMCG_REG_EVCNTR0 0x000u
#define ARMSMMU_PMCG_REG_EVTYPER0 0x400u
#define ARMSMMU_PMCG_REG_SMR0 0xA00u
#define ARMSMMU_PMCG_REG_CNTENSET0 0xC00u
#define ARMSMMU_PMCG_REG_OVSSET0 0xCC0u
#define ARMSMMU_PMCG_REG_CFGR 0xE00u
#define ARMSMMU_PMCG_REG_CR 0xE04u
#define ARMSMMU_PMCG_PAGE1 0x10000u

/** Frequently used register offsets (IHI0070 §6.2). */
#define ARMSMMU_REG_IDR0 0x0000u
#define ARMSMMU_REG_IDR1 0x0004u
#define ARMSMMU_REG_IDR3 0x000Cu
#define ARMSMMU_REG_IDR5 0x0014u
#define ARMSMMU_REG_IIDR 0x0018u
#define ARMSMMU_REG_AIDR 0x001Cu
#define ARMSMMU_REG_CR0 0x0020u
#define ARMSMMU_REG_CR0ACK 0x0024u
#define ARMSMMU_REG_CR1 0x0028u
#define ARMSMMU_REG_CR2 0x002Cu
#define ARMSMMU_REG_GBPA 0x0044u
#define ARMSMMU_REG_IRQ_CTRL 0x0050u
#define ARMSMMU_REG_IRQ_CTRLACK 0x0054u
#define ARMSMMU_REG_GERROR 0x0060u
#define ARMSMMU_REG_GERRORN 0x0064u
#define ARMSMMU_REG_GERROR_IRQ_CFG0 0x0068u
#define ARMSMMU_REG_STRTAB_BASE 0x0080u
#define ARMSMMU_REG_STRTAB_BASE_CFG 0x0088u
#define ARMSMMU_REG_CMDQ_BASE 0x0090u
#define ARMSMMU_REG_CMDQ_PROD 0x0098u
#define ARMSMMU_REG_CMDQ_CONS 0x009Cu
#define ARMSMMU_REG_EVENTQ_BASE 0x00A0u
#define ARMSMMU_REG_EVENTQ_IRQ_CFG0 0x00B0u
#define ARMSMMU_REG_PRIQ_BASE 0x00C0u
#define ARMSMMU_REG_PRIQ_IRQ_CFG0 0x00D0u
#define ARMSMMU_REG_GATOS_CTRL 0x0100u /* address translation operations (IHI0070 chapter 9): write RUN = 1 */
#define ARMSMMU_REG_GATOS_SID 0x0108u  /* STREAMID [31:0], SUBSTREAMID [51:32], SSID_VALID [52] */
#define ARMSMMU_REG_GATOS_ADDR 0x0110u /* ADDR [63:12], TYPE [11:10], PnU [9], RnW [8], InD [7], HTTUI [6] */
#define ARMSMMU_REG_GATOS_PAR 0x0118u  /* the result: FAULT [0]; see docs/c-abi.md */
/* The Secure programming interface (IHI0070 §6.3.45-§6.3.86; SMMU_S_IDR1.SECURE_IMPL = 1 in the default features). */
#define ARMSMMU_REG_S_CR0 0x8020u
#define ARMSMMU_REG_S_CR0ACK 0x8024u
#define ARMSMMU_REG_S_CR2 0x802Cu           /* PTM [2]: 1 ignores Secure EL1 and EL3 broadcast TLBIs */
#define ARMSMMU_REG_S_GBPA 0x8044u
#define ARMSMMU_REG_S_STRTAB_BASE 0x8080u
#define ARMSMMU_REG_S_STRTAB_BASE_CFG 0x8088u
#define ARMSMMU_REG_S_GATOS_CTRL 0x8100u    /* Secure ATOS (IDR0.ATOS): as GATOS_*, since 0.2.0 */
#define ARMSMMU_REG_S_GATOS_SID 0x8108u     /* as GATOS_SID, plus SSEC [53]: 1 a Secure StreamID, 0 a Non-secure one */
#define ARMSMMU_REG_S_GATOS_ADDR 0x8110u
#define ARMSMMU_REG_S_GATOS_PAR 0x8118u     /* as GATOS_PAR, plus NS [10]: the output PA space */
#define ARMSMMU_REG_EVENTQ_PROD 0x100A8u
#define ARMSMMU_REG_EVENTQ_CONS 0x100ACu
#define ARMSMMU_REG_PRIQ_PROD 0x100C8u
#define ARMSMMU_REG_PRIQ_CONS 0x100CCu

/** CR0 bits (IHI0070 §6.3.9). */
#define ARMSMMU_CR0_SMMUEN (1u << 0)
#define ARMSMMU_CR0_PRIQEN (1u << 1)
#define ARMSMMU_CR0_EVENTQEN (1u << 2)
#define ARMSMMU_CR0_CMDQEN (1u << 3)
/** IRQ_CTRL bits (IHI0070 §6.3.13). */
#define ARMSMMU_IRQ_CTRL_GERROR_IRQEN (1u << 0)
#define ARMSMMU_IRQ_CTRL_PRIQ_IRQEN (1u << 1)
#define ARMSMMU_IRQ_CTRL_EVENTQ_IRQEN (1u << 2)

/* ---------------------------------------------------------------------------------------------------------------
 * Translation
 * ------------------------------------------------------------------------------------------------------------- */

/**
 * Translates one transaction. *request is read (caller-owned, read during the call only); *result is written
 * (caller-owned). A fault is not an error: it returns ARMSMMU_OK with result->outcome ARMSMMU_OUTCOME_FAULTED,
 * result->fault the event type, and (when the configuration records it) an event record in the event queue.
 * Returns ARMSMMU_ERROR_INVALID_ARGUMENT for a NULL pointer, access above 2, substream_valid/privileged/secure
 * above 1, reserved nonzero, or a valid substream_id above 0xFFFFF (a PASID has 20 bits); *result is then untouched. Thread-safe (see the top of this file). May call the
 * interrupt handler on this thread (event queue interrupt).
 */
int armsmmu_translate(armsmmu_t *smmu, const armsmmu_request_t *request, armsmmu_result_t *result);

/** Since 0.3.0: a translation port of a device (opaque), one requester's connection. Opened by armsmmu_port_open, released by
 *  armsmmu_port_close. */
typedef struct armsmmu_port armsmmu_port_t;

/**
 * Opens a port on smmu for one requester (a device model, a DMA engine, a simulation thread). Translating through it
 * gives what armsmmu_translate gives, results, events and statistics alike; the port counts its TLB hits in a
 * counter cell of its own rather than the calling thread's, which saves a thread-local lookup per hit. Use a port
 * from one thread at a time (from several at once translations stay correct, the statistics may miss some); open
 * one per requester, not per transaction, and close every port before armsmmu_destroy of its device. Returns NULL
 * when smmu is NULL (see armsmmu_last_error).
 */
armsmmu_port_t *armsmmu_port_open(armsmmu_t *smmu);

/** As armsmmu_translate, through port (NULL port: ARMSMMU_ERROR_INVALID_ARGUMENT). */
int armsmmu_port_translate(armsmmu_port_t *port, const armsmmu_request_t *request, armsmmu_result_t *result);

/** Closes port (NULL is ignored); what it counted stays in the device's statistics. */
void armsmmu_port_close(armsmmu_port_t *port);

/**
 * Explains how the SMMU would translate *request now, as UTF-8 text: the registers that matter, the STE and CD it
 * fetches (and which rule an illegal one breaks), every descriptor of the walk, and the result. Changes nothing:
 * no event, no cache fill, no Access-flag write.
 * buffer (caller-owned, may be NULL when size is 0) receives the NUL-terminated text when size is large enough;
 * *needed (may be NULL) receives the size needed including the NUL.
 * Returns ARMSMMU_OK, ARMSMMU_ERROR_BUFFER_TOO_SMALL (buffer untouched; call again with *needed bytes) or
 * ARMSMMU_ERROR_INVALID_ARGUMENT (as armsmmu_translate, or buffer NULL with size > 0).
 */
int armsmmu_explain(armsmmu_t *smmu, const armsmmu_request_t *request, char *buffer, size_t size, size_t *needed);

/* ---------------------------------------------------------------------------------------------------------------
 * Driver-bug detector (features.check_driver = 1; docs/driver-developers.md)
 * ------------------------------------------------------------------------------------------------------------- */

/** What the detector found a driver doing wrong (the managed DriverMistake, in the same order). */
typedef enum armsmmu_driver_mistake {
    ARMSMMU_DRIVER_STALE_STE = 0,        /**< a cached STE used after the STE changed, with no CMD_CFGI_STE since */
    ARMSMMU_DRIVER_STALE_CD = 1,         /**< a cached CD used after the CD changed, with no CMD_CFGI_CD since */
    ARMSMMU_DRIVER_STALE_TLB = 2,        /**< a TLB entry used after its page tables changed, with no covering TLBI */
    ARMSMMU_DRIVER_STALE_WALK_CACHE = 3, /**< a walk resumed from a table descriptor that changed (no Leaf=0 TLBI) */
    ARMSMMU_DRIVER_TORN_STRUCTURE = 4,   /**< an STE or CD made valid (word 0) before its other words were written */
    ARMSMMU_DRIVER_TLBI_WITHOUT_SYNC = 5, /**< a TLBI not followed by CMD_SYNC before a translation it covers */
    ARMSMMU_DRIVER_BREAK_BEFORE_MAKE = 6  /**< a valid leaf replaced by one with another output, never invalid between */
} armsmmu_driver_mistake_t;

/** One finding (32 bytes). */
typedef struct armsmmu_driver_report {
    uint32_t mistake;            /**< an armsmmu_driver_mistake_t */
    uint32_t stream_id;          /**< StreamID of the transaction that exposed it */
    uint32_t substream_id;       /**< its SubstreamID, when substream_valid */
    uint8_t substream_valid;     /**< 1 when the transaction had a SubstreamID */
    uint8_t reserved[3];         /**< 0 */
    uint64_t input_address;      /**< its input address */
    uint64_t structure_address;  /**< where the STE, CD or descriptor lives (0 for a TLBI without CMD_SYNC) */
} armsmmu_driver_report_t;

/**
 * *count receives the number of findings the detector has kept so far (each mistake is reported once; at most
 * 10,000 are kept). Writes, translations and commands made through the handle feed the detector: with
 * check_driver = 1, write structures with armsmmu_memory_write (on the built-in memory, or on the caller's memory
 * through the handle), so the order of the writes is seen. Returns ARMSMMU_OK, or ARMSMMU_ERROR_INVALID_ARGUMENT
 * (NULL handle or count). 0 when the detector is off. Thread-safe.
 */
int armsmmu_driver_check_count(armsmmu_t *smmu, uint64_t *count);

/**
 * Finding number index (0-based, oldest first): *report (may be NULL) receives its fields, and text (caller-owned,
 * may be NULL when size is 0) one NUL-terminated UTF-8 line naming the mistake, the transaction, why, and the command
 * that would have prevented it, e.g. "stale TLB entry: StreamID 0x10 address 0x40001000 [0x...]: ...; needs
 * CMD_TLBI_NH_VA ASID 1 VA 0x40001000 and CMD_SYNC". *needed (may be NULL) receives the text size with the NUL.
 * Returns ARMSMMU_OK, ARMSMMU_ERROR_BUFFER_TOO_SMALL (text untouched, *report filled) or
 * ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle, index not below the count, text NULL with size > 0).
 */
int armsmmu_driver_check_report(armsmmu_t *smmu, uint64_t index, armsmmu_driver_report_t *report, char *text,
                                size_t size, size_t *needed);

/* ---------------------------------------------------------------------------------------------------------------
 * Broadcast TLB maintenance (IHI0070 §3.17)
 * ------------------------------------------------------------------------------------------------------------- */

/** The TLBI instructions a processor broadcasts (Arm ARM names; the R forms need FEAT_TLBIRANGE). */
typedef enum armsmmu_tlbi {
    ARMSMMU_TLBI_VAE1IS = 0, ARMSMMU_TLBI_VALE1IS = 1, ARMSMMU_TLBI_VAAE1IS = 2, ARMSMMU_TLBI_VAALE1IS = 3,
    ARMSMMU_TLBI_ASIDE1IS = 4, ARMSMMU_TLBI_VMALLE1IS = 5, ARMSMMU_TLBI_IPAS2E1IS = 6, ARMSMMU_TLBI_IPAS2LE1IS = 7,
    ARMSMMU_TLBI_VMALLS12E1IS = 8, ARMSMMU_TLBI_ALLE1IS = 9, ARMSMMU_TLBI_ALLE2IS = 10, ARMSMMU_TLBI_VAE2IS = 11,
    ARMSMMU_TLBI_VALE2IS = 12, ARMSMMU_TLBI_RVAE1IS = 13, ARMSMMU_TLBI_RVALE1IS = 14, ARMSMMU_TLBI_RVAAE1IS = 15,
    ARMSMMU_TLBI_RVAALE1IS = 16, ARMSMMU_TLBI_RIPAS2E1IS = 17, ARMSMMU_TLBI_RIPAS2LE1IS = 18,
    /* Since 0.2.0: the EL3 forms (exception_level 3), which reach StreamWorld EL3 entries of Secure streams. */
    ARMSMMU_TLBI_VAE3IS = 19, ARMSMMU_TLBI_VALE3IS = 20, ARMSMMU_TLBI_ALLE3IS = 21
} armsmmu_tlbi_t;

/** One broadcast TLB invalidation (24 bytes; zero-initialise, then set what the operation uses). */
typedef struct armsmmu_broadcast_tlbi {
    uint32_t operation;      /**< an armsmmu_tlbi_t */
    uint16_t asid;           /**< ASID operand (VA, ASID and E2H EL2 forms) */
    uint16_t vmid;           /**< the issuer's VMID (VTTBR_EL2.VMID; 0 without EL2) */
    uint64_t address;        /**< VA or IPA as a byte address; the range start for the R forms */
    int8_t last_level;       /**< TTL hint: leaf level 0..3, or -1 for none */
    uint8_t range_granule;   /**< R forms: TG, 1 = 4 KB, 2 = 16 KB, 3 = 64 KB (0 otherwise) */
    uint8_t range_scale;     /**< R forms: SCALE 0..3 */
    uint8_t range_num;       /**< R forms: NUM 0..31: (NUM+1) * 2^(5*SCALE+1) granules */
    uint8_t exception_level; /**< 1, 2 or 3: where the TLBI was executed */
    uint8_t secure;          /**< 1 for a Secure EL1 regime: reaches the Secure streams' S-EL1 entries only, 0 the
                                  Non-secure ones only (IHI0070 §3.17.2; not consulted for the EL3 forms) */
    uint8_t host_e2h;        /**< 1 when the issuer runs EL2 with E2H (and TGE for *E1IS ops at EL2) */
    uint8_t reserved;        /**< 0 */
} armsmmu_broadcast_tlbi_t;

/**
 * Delivers a processor's broadcast TLBI to the SMMU: the TLB entries it matches are removed at once (the DVM sync is
 * the caller's). Nothing happens when IDR0.BTM = 0, or PTM = 1 in CR2 (Non-secure operations) or S_CR2 (Secure EL1
 * and EL3 operations), counted in broadcast_tlbi_ignored.
 * *tlbi is caller-owned and read during the call; *removed (may be NULL) receives the number of entries removed.
 * Returns ARMSMMU_OK, or ARMSMMU_ERROR_INVALID_ARGUMENT for a NULL handle or tlbi, a field out of range, or an
 * operation the PE cannot issue from exception_level (an EL2 operation from EL1, an EL3 one below EL3). Thread-safe.
 */
int armsmmu_broadcast_tlbi(armsmmu_t *smmu, const armsmmu_broadcast_tlbi_t *tlbi, uint32_t *removed);

/* ---------------------------------------------------------------------------------------------------------------
 * Interrupts and stalls
 * ------------------------------------------------------------------------------------------------------------- */

/** Wired interrupt lines (IHI0070 §3.18). An enabled source pulses its line also when it sends an MSI (a memory
 *  write, through the write callback): an SMMU with both wired outputs and MSIs uses both (§3.18.2). */
typedef enum armsmmu_interrupt {
    ARMSMMU_INTERRUPT_EVENTQ = 0,   /**< the event queue received a record (IRQ_CTRL.EVENTQ_IRQEN) */
    ARMSMMU_INTERRUPT_PRIQ = 1,     /**< the PRI queue received a page request */
    ARMSMMU_INTERRUPT_GERROR = 2,   /**< a global error became active in GERROR */
    ARMSMMU_INTERRUPT_CMD_SYNC = 3, /**< a CMD_SYNC with CS = SIG_IRQ completed */
    ARMSMMU_INTERRUPT_SEV = 4,      /**< a WFE wake-up event: CMD_SYNC with CS = SIG_SEV */
    ARMSMMU_INTERRUPT_PMCG = 5      /**< a PMCG counter overflowed (INTEN and IRQEN), IHI0070 §10.5.2.19 */
} armsmmu_interrupt_t;

/** Called when a wired interrupt line pulses. line is an armsmmu_interrupt_t value. Runs on the thread that caused
 *  it (a register write, or a translation that recorded a fault) while the device lock is held: it may read
 *  registers and memory, but must not write registers or destroy the device. */
typedef void (*armsmmu_interrupt_fn)(void *context, uint32_t line);

/** Installs (or, with handler NULL, removes) the interrupt handler. context is passed back unchanged and is not
 *  owned by the library. Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle). */
int armsmmu_set_interrupt_handler(armsmmu_t *smmu, armsmmu_interrupt_fn handler, void *context);

/** Called when CMD_RESUME or CMD_STALL_TERM resolves a stalled transaction (IHI0070 §4.6). retry is 1 when the
 *  device should re-issue the transaction, 0 when it was terminated; abort (when terminated) is 1 for abort,
 *  0 for RAZ/WI. Same threading rules as armsmmu_interrupt_fn. */
typedef void (*armsmmu_stall_fn)(void *context, uint32_t stream_id, uint16_t stall_tag, int retry, int abort);

/** Installs (or, with handler NULL, removes) the stall-resolution handler. Returns ARMSMMU_OK or
 *  ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle). */
int armsmmu_set_stall_handler(armsmmu_t *smmu, armsmmu_stall_fn handler, void *context);

/* ---------------------------------------------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------------------------------------------- */

/** Counters since creation or the last armsmmu_reset_statistics. Set size = sizeof(armsmmu_statistics_t) before
 *  calling armsmmu_get_statistics; a later library fills only the fields that fit in size. */
typedef struct armsmmu_statistics {
    uint32_t size;               /**< sizeof(armsmmu_statistics_t), set by the caller */
    uint32_t reserved;           /**< set to 0 by the library */
    uint64_t tlb_hits;           /**< translations found in the TLB */
    uint64_t tlb_misses;         /**< TLB lookups that missed */
    uint64_t tlb_insertions;     /**< translations stored in the TLB */
    uint64_t tlb_evictions;      /**< TLB entries replaced to make room */
    uint64_t tlb_invalidated;    /**< TLB entries removed by invalidation commands */
    uint64_t ste_cache_hits;     /**< STE lookups served by the configuration cache */
    uint64_t ste_cache_misses;   /**< STE fetches from memory */
    uint64_t cd_cache_hits;      /**< CD lookups served by the configuration cache */
    uint64_t cd_cache_misses;    /**< CD fetches from memory */
    uint64_t walks;              /**< translation table walks started */
    uint64_t descriptor_reads;   /**< descriptors read by all walks (both stages) */
    uint64_t commands;           /**< commands consumed without error */
    uint64_t command_errors;     /**< commands that stopped the queue with a command error */
    uint64_t events_written;     /**< event records written to the event queue */
    uint64_t events_discarded;   /**< event records discarded (queue disabled, full, or its memory aborted) */
    uint64_t global_errors;      /**< global errors activated in GERROR */
    uint64_t broadcast_tlbi;     /**< broadcast TLB invalidations acted on (armsmmu_broadcast_tlbi; not commands) */
    uint64_t broadcast_tlbi_ignored; /**< broadcast TLB invalidations ignored: IDR0.BTM = 0 or CR2.PTM = 1 */
} armsmmu_statistics_t;

/** Fills *statistics (caller-owned; statistics->size must be set, at least 8). Counters are read one by one while
 *  translations may go on, so they are not a single atomic snapshot. Returns ARMSMMU_OK or
 *  ARMSMMU_ERROR_INVALID_ARGUMENT. */
int armsmmu_get_statistics(armsmmu_t *smmu, armsmmu_statistics_t *statistics);

/** Sets every counter to zero. Returns ARMSMMU_OK or ARMSMMU_ERROR_INVALID_ARGUMENT (NULL handle). */
int armsmmu_reset_statistics(armsmmu_t *smmu);

#ifdef __cplusplus
}
#endif

#endif /* ARMSMMU_H */
