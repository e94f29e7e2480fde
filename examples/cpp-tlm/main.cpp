// A TLM-style platform: CPU software (SmmuDriver) programs an SMMU (ArmSmmu via libarmsmmu) that sits between a
// DMA engine and RAM. The page tables live in that same RAM. The DMA engine copies a buffer by IOVA; the test
// checks the bytes landed at the physical addresses the driver mapped, and that faulting transactions come back
// as error responses with the matching event record and interrupt.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "dma_engine.h"
#include "ram.h"
#include "smmu_bridge.h"
#include "smmu_driver.h"

namespace
{
using namespace vp;

int passed = 0;
int failed = 0;

void check(bool ok, const std::string &what)
{
    (ok ? passed : failed)++;
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
}

std::string hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

uint8_t pattern(size_t i) { return static_cast<uint8_t>(i * 7 + 3); }

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr size_t kRamSize = 8 << 20;
constexpr uint64_t kDataPages = kRamBase + 0x40'0000; // DMA buffers live from here
constexpr uint32_t kDmaStream = 0x21;
constexpr uint32_t kUnattachedStream = 0x22;
constexpr uint64_t kSrc = 0x7000'0000;     // IOVA of the source buffer (read-only)
constexpr uint64_t kDst = 0x7100'0000;     // IOVA of the destination buffer (writable)
constexpr uint64_t kUnmapped = 0x7200'0000;
constexpr size_t kPages = 3;
constexpr size_t kCopy = 10000;            // from kSrc + 0x10 to kDst + 0x234: both span 3 pages

struct Platform
{
    Ram ram{kRamBase, kRamSize, Time(20)};
    SmmuBridge smmu{ram, ram, Time(5)};
    SmmuDriver driver{smmu.registers(), ram, /*asid=*/7};
    DmaEngine dma{smmu, kDmaStream, /*burst_bytes=*/256};
    int event_interrupts = 0;
    int global_error_interrupts = 0;

    Platform()
    {
        // Wired lines: just count here (the device is locked while it calls); software reacts afterwards.
        smmu.on_interrupt([this](armsmmu_interrupt_t line) {
            if (line == ARMSMMU_INTERRUPT_EVENTQ)
                event_interrupts++;
            if (line == ARMSMMU_INTERRUPT_GERROR)
                global_error_interrupts++;
        });
    }

    uint8_t byte_at(uint64_t pa) const
    {
        uint8_t value = 0;
        ram.read(pa, &value, 1);
        return value;
    }
};

// Expect exactly one event record with this number, StreamID and input address, announced by one interrupt.
void expect_event(Platform &p, int interrupts_before, uint32_t number, uint32_t stream_id, uint64_t address)
{
    auto events = p.driver.drain_events();
    std::string what = "event " + hex(number) + " for SID " + hex(stream_id);
    check(events.size() == 1, what + ": one record (got " + std::to_string(events.size()) + ")");
    check(p.event_interrupts == interrupts_before + 1, what + ": one event-queue interrupt");
    if (events.size() != 1)
        return;
    check(events[0].number() == number, what + ": event number " + hex(events[0].number()));
    check(events[0].stream_id() == stream_id, what + ": StreamID " + hex(events[0].stream_id()));
    if (number >= ARMSMMU_EVENT_F_TRANSLATION) // translation faults carry the input address (§7.3)
        check(events[0].input_address() == address, what + ": InputAddr " + hex(events[0].input_address()));
}

void copy_through_smmu(Platform &p)
{
    // Scattered physical pages, so only a real translation puts the bytes where the driver expects them.
    const uint64_t src_frames[kPages] = {5, 2, 7}, dst_frames[kPages] = {0, 6, 3};
    for (size_t i = 0; i < kPages; i++)
    {
        p.driver.map(kSrc + i * 4096, kDataPages + src_frames[i] * 4096, /*writable=*/false);
        p.driver.map(kDst + i * 4096, kDataPages + dst_frames[i] * 4096, /*writable=*/true);
    }
    // The CPU fills the source through its own (physical) view of RAM.
    for (size_t i = 0; i < kCopy; i++)
    {
        uint64_t pa = 0;
        p.driver.lookup(kSrc + 0x10 + i, pa);
        uint8_t value = pattern(i);
        p.ram.write(pa, &value, 1);
    }

    Time delay{};
    Response response = p.dma.copy(kSrc + 0x10, kDst + 0x234, kCopy, delay);
    check(response == Response::Ok, std::string("DMA copy of 10000 bytes: ") + to_string(response));
    size_t wrong = 0;
    for (size_t i = 0; i < kCopy; i++)
    {
        uint64_t pa = 0;
        if (!p.driver.lookup(kDst + 0x234 + i, pa) || p.byte_at(pa) != pattern(i))
            wrong++;
    }
    check(wrong == 0, "every byte landed at its translated PA (" + std::to_string(wrong) + " wrong)");
    uint64_t before = 0, after = 0;
    p.driver.lookup(kDst + 0x233, before);
    p.driver.lookup(kDst + 0x234 + kCopy, after);
    check(p.byte_at(before) == 0 && p.byte_at(after) == 0, "bytes around the destination untouched");
    check(p.event_interrupts == 0 && p.driver.drain_events().empty(), "no fault, no event");
    std::printf("     %zu transactions, %lld ns of simulated time\n", p.dma.transactions(),
                static_cast<long long>(delay.count()));
}

void faults(Platform &p)
{
    Time delay{};
    uint64_t pa = 0;
    p.driver.lookup(kSrc + 0x100, pa);
    uint8_t before = p.byte_at(pa);
    int irqs = p.event_interrupts;
    Response response = p.dma.transfer(Command::Write, kSrc + 0x100, 64, delay);
    check(response == Response::GenericError, std::string("write to a read-only page: ") + to_string(response));
    check(p.smmu.last_fault() == ARMSMMU_EVENT_F_PERMISSION, "  fault F_PERMISSION");
    check(p.byte_at(pa) == before, "  memory behind it unchanged");
    expect_event(p, irqs, ARMSMMU_EVENT_F_PERMISSION, kDmaStream, kSrc + 0x100);

    irqs = p.event_interrupts;
    response = p.dma.transfer(Command::Read, kUnmapped, 64, delay);
    check(response == Response::GenericError, std::string("read of an unmapped IOVA: ") + to_string(response));
    check(p.smmu.last_fault() == ARMSMMU_EVENT_F_TRANSLATION, "  fault F_TRANSLATION");
    expect_event(p, irqs, ARMSMMU_EVENT_F_TRANSLATION, kDmaStream, kUnmapped);

    DmaEngine stranger(p.smmu, kUnattachedStream, 64);
    irqs = p.event_interrupts;
    response = stranger.transfer(Command::Read, kSrc, 64, delay);
    check(response == Response::GenericError, std::string("device without an STE: ") + to_string(response));
    check(p.smmu.last_fault() == ARMSMMU_EVENT_C_BAD_STE, "  fault C_BAD_STE");
    expect_event(p, irqs, ARMSMMU_EVENT_C_BAD_STE, kUnattachedStream, 0);
}

void unmap_mid_copy(Platform &p)
{
    // Unmap the middle destination page (PTE clear, TLBI_NH_VA, CMD_SYNC) after the copy has used it: its
    // translation sits in the TLB, which only the invalidation command removes.
    armsmmu_statistics_t before{}, after{};
    before.size = after.size = sizeof(armsmmu_statistics_t);
    armsmmu_get_statistics(p.smmu.handle(), &before);
    p.driver.unmap(kDst + 4096);
    armsmmu_get_statistics(p.smmu.handle(), &after);
    check(after.tlb_invalidated > before.tlb_invalidated, "unmap: TLBI_NH_VA removed the cached translation");
    Time delay{};
    int irqs = p.event_interrupts;
    Response response = p.dma.copy(kSrc + 0x10, kDst + 0x234, kCopy, delay);
    check(response == Response::GenericError, std::string("copy into an unmapped page: ") + to_string(response));
    check(p.dma.failed_address() >= kDst + 4096 - 255 && p.dma.failed_address() < kDst + 2 * 4096,
          "  the failing burst touches the unmapped page: " + hex(p.dma.failed_address()));
    // The failing burst is split by the bridge at the page end; the fault is on the first byte in that page.
    uint64_t fault_address = std::max<uint64_t>(p.dma.failed_address(), kDst + 4096);
    expect_event(p, irqs, ARMSMMU_EVENT_F_TRANSLATION, kDmaStream, fault_address);
}

void mmio_decode_error(Platform &p)
{
    uint16_t half = 0;
    Payload payload{Command::Read, ARMSMMU_REG_CR0, reinterpret_cast<uint8_t *>(&half), 2, 0, Response::Incomplete};
    Time delay{};
    p.smmu.registers().b_transport(payload, delay);
    check(payload.response == Response::AddressError, "2-byte register access: address error, no crash");
    check(p.global_error_interrupts == 0, "no global error during the run");
}
} // namespace

int main()
{
    try
    {
        Platform platform;
        platform.driver.bring_up();
        platform.driver.attach(kDmaStream);
        copy_through_smmu(platform);
        faults(platform);
        unmap_mid_copy(platform);
        mmio_decode_error(platform);
    }
    catch (const std::exception &error)
    {
        std::printf("FAIL %s\n", error.what());
        failed++;
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
