#include "smmu_driver.h"

#include <stdexcept>
#include <string>

#include "armsmmu.h"

namespace vp
{
namespace
{
// Where the driver keeps its structures, as offsets from the start of RAM.
constexpr uint64_t kStreamTable = 0x0000; // linear, 2^8 STEs of 64 bytes
constexpr uint32_t kStreamTableLog2 = 8;
constexpr uint64_t kCommandQueue = 0x4000; // 2^8 commands of 16 bytes
constexpr uint32_t kCommandQueueLog2 = 8;
constexpr uint64_t kEventQueue = 0x5000; // 2^7 records of 32 bytes
constexpr uint32_t kEventQueueLog2 = 7;
constexpr uint64_t kContextDescriptor = 0x6000;
constexpr uint64_t kTables = 0x10000; // page-table pool, 4 KB each, up to kTablesEnd
constexpr uint64_t kTablesEnd = 0x100000;
constexpr uint64_t kPage = 4096;

// Command opcodes (IHI0070 §4.1.1).
constexpr uint64_t kCmdCfgiSte = 0x03, kCmdCfgiAll = 0x04, kCmdTlbiNhVa = 0x12, kCmdTlbiNsnhAll = 0x30, kCmdSync = 0x46;

uint64_t level_index(uint64_t iova, int level) { return (iova >> (39 - 9 * level)) & 0x1FF; } // 4 KB granule
} // namespace

SmmuDriver::SmmuDriver(Target &registers, Ram &ram, uint16_t asid)
    : registers_(registers), ram_(ram), next_table_(ram.base() + kTables), asid_(asid)
{
    l0_table_ = allocate_table();
}

void SmmuDriver::access(Command command, uint64_t offset, void *value, size_t width)
{
    Payload payload{command, offset, static_cast<uint8_t *>(value), width, 0, Response::Incomplete};
    Time delay{};
    registers_.b_transport(payload, delay);
    if (payload.response != Response::Ok)
        throw std::runtime_error("MMIO access failed at offset " + std::to_string(offset));
}

uint32_t SmmuDriver::read32(uint64_t offset)
{
    uint32_t value = 0;
    access(Command::Read, offset, &value, sizeof value);
    return value;
}

void SmmuDriver::write32(uint64_t offset, uint32_t value) { access(Command::Write, offset, &value, sizeof value); }

void SmmuDriver::write64(uint64_t offset, uint64_t value) { access(Command::Write, offset, &value, sizeof value); }

// Write, then poll the acknowledge register as a driver must (IHI0070 §6.3.9); this model acknowledges at once.
void SmmuDriver::write_acked(uint64_t offset, uint64_t ack_offset, uint32_t value)
{
    write32(offset, value);
    for (int poll = 0; poll < 1000; poll++)
        if (read32(ack_offset) == value)
            return;
    throw std::runtime_error("register not acknowledged at offset " + std::to_string(offset));
}

void SmmuDriver::store(uint64_t address, uint64_t value)
{
    if (!ram_.write(address, &value, sizeof value))
        throw std::out_of_range("store outside RAM");
}

uint64_t SmmuDriver::load(uint64_t address)
{
    uint64_t value = 0;
    if (!ram_.read(address, &value, sizeof value))
        throw std::out_of_range("load outside RAM");
    return value;
}

uint64_t SmmuDriver::allocate_table()
{
    if (next_table_ + kPage > ram_.base() + kTablesEnd)
        throw std::length_error("page-table pool exhausted");
    uint64_t table = next_table_;
    next_table_ += kPage;
    for (uint64_t i = 0; i < kPage; i += 8)
        store(table + i, 0); // every entry invalid
    return table;
}

void SmmuDriver::submit(uint64_t dw0, uint64_t dw1)
{
    uint64_t slot = ram_.base() + kCommandQueue + (cmdq_prod_ & ((1u << kCommandQueueLog2) - 1)) * 16;
    store(slot, dw0);
    store(slot + 8, dw1);
    cmdq_prod_ = (cmdq_prod_ + 1) & ((2u << kCommandQueueLog2) - 1); // index plus wrap bit (§3.5.1)
    write32(ARMSMMU_REG_CMDQ_PROD, cmdq_prod_);
}

// CMD_SYNC (CS = none), then wait until CMDQ_CONS passes it (§4.7.3); a command error is a driver bug here.
void SmmuDriver::sync()
{
    submit(kCmdSync, 0);
    uint32_t cons = 0;
    for (int poll = 0; poll < 1000; poll++)
    {
        cons = read32(ARMSMMU_REG_CMDQ_CONS);
        if ((cons & ((2u << kCommandQueueLog2) - 1)) == cmdq_prod_)
            break;
    }
    if ((cons & ((2u << kCommandQueueLog2) - 1)) != cmdq_prod_ || ((cons >> 24) & 0x7F) != 0)
        throw std::runtime_error("CMD_SYNC did not complete; CMDQ_CONS = " + std::to_string(cons));
}

void SmmuDriver::bring_up()
{
    uint32_t idr0 = read32(ARMSMMU_REG_IDR0), idr5 = read32(ARMSMMU_REG_IDR5);
    if ((idr0 & 2) == 0 || (idr5 & (1u << 4)) == 0) // IDR0.S1P, IDR5.GRAN4K
        throw std::runtime_error("this driver needs stage 1 with a 4 KB granule");
    uint64_t base = ram_.base();
    for (uint64_t sid = 0; sid < (1u << kStreamTableLog2); sid++)
        for (uint64_t dw = 0; dw < 8; dw++)
            store(base + kStreamTable + sid * 64 + dw * 8, 0); // V = 0: C_BAD_STE until attached

    write_acked(ARMSMMU_REG_CR0, ARMSMMU_REG_CR0ACK, 0);
    write32(ARMSMMU_REG_CR1, 0xD75); // tables and queues: Inner Shareable, write-back
    write32(ARMSMMU_REG_CR2, 0x2);   // RECINVSID
    write64(ARMSMMU_REG_STRTAB_BASE, (uint64_t{1} << 62) | (base + kStreamTable));
    write32(ARMSMMU_REG_STRTAB_BASE_CFG, kStreamTableLog2); // FMT = linear
    write64(ARMSMMU_REG_CMDQ_BASE, (uint64_t{1} << 62) | (base + kCommandQueue) | kCommandQueueLog2);
    write32(ARMSMMU_REG_CMDQ_PROD, 0);
    write32(ARMSMMU_REG_CMDQ_CONS, 0);
    write_acked(ARMSMMU_REG_CR0, ARMSMMU_REG_CR0ACK, ARMSMMU_CR0_CMDQEN);
    submit(kCmdCfgiAll, 31); // CFGI_STE_RANGE, Range = 31: all StreamIDs
    sync();
    submit(kCmdTlbiNsnhAll, 0);
    sync();
    write64(ARMSMMU_REG_EVENTQ_BASE, (uint64_t{1} << 62) | (base + kEventQueue) | kEventQueueLog2);
    write32(ARMSMMU_REG_EVENTQ_PROD, 0);
    write32(ARMSMMU_REG_EVENTQ_CONS, 0);
    write_acked(ARMSMMU_REG_CR0, ARMSMMU_REG_CR0ACK, ARMSMMU_CR0_CMDQEN | ARMSMMU_CR0_EVENTQEN);
    // EVENTQ_IRQ_CFG0 stays 0: wired interrupt lines rather than MSIs (§6.3.13).
    write_acked(ARMSMMU_REG_IRQ_CTRL, ARMSMMU_REG_IRQ_CTRLACK,
                ARMSMMU_IRQ_CTRL_EVENTQ_IRQEN | ARMSMMU_IRQ_CTRL_GERROR_IRQEN);
    write_acked(ARMSMMU_REG_CR0, ARMSMMU_REG_CR0ACK,
                ARMSMMU_CR0_CMDQEN | ARMSMMU_CR0_EVENTQEN | ARMSMMU_CR0_SMMUEN);

    // The domain's CD (§5.4): T0SZ 16, TG0 4 KB, IR0/OR0 write-back, SH0 ISH, EPD1, V, IPS 48 bits, AA64,
    // R (record faults), A (abort), ASET, ASID; TTB0 = level-0 table; MAIR Attr1 = 0xFF (Normal write-back).
    uint64_t cd = base + kContextDescriptor;
    store(cd + 8, l0_table_);
    store(cd + 16, 0);
    store(cd + 24, 0xF404FF44);
    for (uint64_t dw = 4; dw < 8; dw++)
        store(cd + dw * 8, 0);
    store(cd, 16 | (0b01u << 8) | (0b01u << 10) | (0b11u << 12) | (uint64_t{1} << 30) | (uint64_t{1} << 31) |
                  (uint64_t{0b101} << 32) | (uint64_t{1} << 41) | (uint64_t{0b111} << 45) | (uint64_t{asid_} << 48));
}

void SmmuDriver::attach(uint32_t stream_id)
{
    if (stream_id >= (1u << kStreamTableLog2))
        throw std::out_of_range("StreamID beyond the stream table");
    // STE (§5.2): V, Config 101 (stage 1 only), S1ContextPtr = the CD, S1CDMax 0; S1CIR/S1COR write-back, S1CSH
    // ISH, S1STALLD. dw0 (holding V) goes last, then CMD_CFGI_STE + CMD_SYNC because the SMMU may have cached
    // the invalid STE (§3.21).
    uint64_t ste = ram_.base() + kStreamTable + uint64_t{stream_id} * 64;
    store(ste + 8, (0b01u << 2) | (0b01u << 4) | (0b11u << 6) | (1u << 27));
    store(ste, (ram_.base() + kContextDescriptor) | (0b101u << 1) | 1);
    submit(kCmdCfgiSte | (uint64_t{stream_id} << 32), 1); // Leaf = 1
    sync();
}

void SmmuDriver::map(uint64_t iova, uint64_t pa, bool writable)
{
    uint64_t table = l0_table_;
    for (int level = 0; level < 3; level++)
    {
        uint64_t entry = table + level_index(iova, level) * 8;
        uint64_t descriptor = load(entry);
        if ((descriptor & 3) != 3) // not yet a table descriptor
        {
            descriptor = allocate_table() | 3;
            store(entry, descriptor);
        }
        table = descriptor & 0x0000'FFFF'FFFF'F000;
    }
    // Level-3 page descriptor: AttrIndx 1 (write-back), AP[1] = 1 (unprivileged access), AP[2] = read-only,
    // SH = ISH, AF, nG.
    uint64_t page = (pa & ~(kPage - 1)) | 3 | (1u << 2) | (1u << 6) | (writable ? 0 : 1u << 7) | (0b11u << 8) |
                    (1u << 10) | (1u << 11);
    store(table + level_index(iova, 3) * 8, page);
    pages_[iova & ~(kPage - 1)] = pa & ~(kPage - 1);
}

void SmmuDriver::unmap(uint64_t iova)
{
    uint64_t table = l0_table_;
    for (int level = 0; level < 3; level++)
    {
        uint64_t descriptor = load(table + level_index(iova, level) * 8);
        if ((descriptor & 3) != 3)
            return; // nothing mapped there
        table = descriptor & 0x0000'FFFF'FFFF'F000;
    }
    store(table + level_index(iova, 3) * 8, 0);
    pages_.erase(iova & ~(kPage - 1));
    // CMD_TLBI_NH_VA: VMID 0, ASID, VA, Leaf = 1 (§4.4), then CMD_SYNC.
    submit(kCmdTlbiNhVa | (uint64_t{asid_} << 48), (iova & ~(kPage - 1)) | 1);
    sync();
}

bool SmmuDriver::lookup(uint64_t iova, uint64_t &pa) const
{
    auto it = pages_.find(iova & ~(kPage - 1));
    if (it == pages_.end())
        return false;
    pa = it->second | (iova & (kPage - 1));
    return true;
}

std::vector<EventRecord> SmmuDriver::drain_events()
{
    std::vector<EventRecord> records;
    const uint32_t mask = (2u << kEventQueueLog2) - 1;
    uint32_t prod = read32(ARMSMMU_REG_EVENTQ_PROD) & mask;
    while (evtq_cons_ != prod)
    {
        uint64_t slot = ram_.base() + kEventQueue + (evtq_cons_ & ((1u << kEventQueueLog2) - 1)) * 32;
        EventRecord record{};
        for (int dw = 0; dw < 4; dw++)
            record.dw[dw] = load(slot + dw * 8);
        records.push_back(record);
        evtq_cons_ = (evtq_cons_ + 1) & mask;
    }
    write32(ARMSMMU_REG_EVENTQ_CONS, evtq_cons_);
    return records;
}

} // namespace vp
