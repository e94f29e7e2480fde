// SmmuDriver: the CPU-side software of the platform. It programs the SMMU the way an operating-system driver does,
// through its registers (MMIO transactions on the bridge's register target) and plain stores to RAM: stream
// table, STE, context descriptor, 4 KB stage-1 page tables, command and event queues (IHI0070 §3.11, Linux order).
#pragma once

#include <map>
#include <vector>

#include "ram.h"
#include "transaction.h"

namespace vp
{

/// One 32-byte event record (IHI0070 §7.3), little-endian double words.
struct EventRecord
{
    uint64_t dw[4];
    uint32_t number() const { return static_cast<uint32_t>(dw[0] & 0xFF); }
    uint32_t stream_id() const { return static_cast<uint32_t>(dw[0] >> 32); }
    uint64_t input_address() const { return dw[2]; }
    bool is_read() const { return (dw[1] >> 35) & 1; } // RnW
};

class SmmuDriver
{
  public:
    /// One stage-1 domain (address space asid). Uses RAM from ram.base(): 64 KB for structures and queues, then
    /// page tables up to 1 MB.
    SmmuDriver(Target &registers, Ram &ram, uint16_t asid);

    /// Reset order of Linux arm-smmu-v3: tables and queues, CMDQEN, CFGI_ALL + TLBI_NSNH_ALL, EVENTQEN,
    /// wired event-queue and global-error interrupts, SMMUEN.
    void bring_up();
    /// Points stream_id's STE at the domain's CD: the device's IOVAs now go through the domain's page tables.
    void attach(uint32_t stream_id);
    /// Maps one 4 KB page (creating intermediate tables). New valid entries need no invalidation (§3.21).
    void map(uint64_t iova, uint64_t pa, bool writable);
    /// Clears the page's PTE, then CMD_TLBI_NH_VA (ASID, VA, Leaf) and CMD_SYNC.
    void unmap(uint64_t iova);
    /// The PA the driver mapped iova to (its own bookkeeping, not the SMMU's), or nothing.
    bool lookup(uint64_t iova, uint64_t &pa) const;
    /// Consumes every record in the event queue.
    std::vector<EventRecord> drain_events();

  private:
    void access(Command command, uint64_t offset, void *value, size_t width);
    uint32_t read32(uint64_t offset);
    void write32(uint64_t offset, uint32_t value);
    void write64(uint64_t offset, uint64_t value);
    void write_acked(uint64_t offset, uint64_t ack_offset, uint32_t value);
    void store(uint64_t address, uint64_t value);
    uint64_t load(uint64_t address);
    uint64_t allocate_table();
    void submit(uint64_t dw0, uint64_t dw1);
    void sync();

    Target &registers_;
    Ram &ram_;
    uint64_t next_table_;
    uint64_t l0_table_;
    uint16_t asid_;
    uint32_t cmdq_prod_ = 0;
    uint32_t evtq_cons_ = 0;
    std::map<uint64_t, uint64_t> pages_; // iova page -> pa page
};

} // namespace vp
