// SmmuBridge: the SMMU as a TLM-style interconnect component. Device transactions arrive on its b_transport with
// an IOVA and a StreamID, are translated by ArmSmmu (libarmsmmu), and leave towards the downstream target with the
// physical address; an aborted translation comes back as an error response. The SMMU's own memory accesses
// (table walks, queue reads, event writes) go to the platform RAM through armsmmu_create_with_memory callbacks.
#pragma once

#include <functional>
#include <memory>

#include "armsmmu.h"
#include "ram.h"
#include "transaction.h"

namespace vp
{

class SmmuBridge final : public Target
{
  public:
    /// line is an armsmmu_interrupt_t. Called inside the device with its lock held: record the pulse, do the
    /// work (drain queues, write registers) after the call that caused it returns, as an interrupt handler would.
    using InterruptHandler = std::function<void(armsmmu_interrupt_t line)>;

    /// The SMMU masters `memory` (tables and queues live in platform RAM); translated traffic goes to downstream.
    SmmuBridge(Ram &memory, Target &downstream, Time translation_latency);
    SmmuBridge(const SmmuBridge &) = delete;
    SmmuBridge &operator=(const SmmuBridge &) = delete;

    /// Device side: translate payload.address (an IOVA) for payload.stream_id and forward it. A transaction that
    /// crosses the end of the page it was translated with is split there and each part translated on its own.
    void b_transport(Payload &payload, Time &delay) override;

    /// Programming side: the register file as a target, address = offset from the SMMU base, 4- or 8-byte accesses.
    Target &registers() { return registers_; }

    void on_interrupt(InterruptHandler handler) { interrupt_ = std::move(handler); }

    /// The last fault a device transaction met (armsmmu_result_t.fault, an IHI0070 §7.3 event number), 0 if none.
    uint32_t last_fault() const { return last_fault_; }

    armsmmu_t *handle() const { return smmu_.get(); }

  private:
    class Registers final : public Target
    {
      public:
        explicit Registers(SmmuBridge &owner) : owner_(owner) {}
        void b_transport(Payload &payload, Time &delay) override;

      private:
        SmmuBridge &owner_;
    };

    static int read_memory(void *context, uint64_t address, void *buffer, size_t length);
    static int write_memory(void *context, uint64_t address, const void *buffer, size_t length);
    static void interrupt(void *context, uint32_t line);

    Ram &memory_;
    Target &downstream_;
    Time translation_latency_;
    std::unique_ptr<armsmmu_t, void (*)(armsmmu_t *)> smmu_;
    Registers registers_{*this};
    InterruptHandler interrupt_;
    uint32_t last_fault_ = 0;
};

} // namespace vp
