// The same platform in SystemC TLM-2.0 (Debian's libsystemc-dev): every DMA burst and every register access now
// travels as a tlm_generic_payload through real sockets, DMA -> SMMU module -> memory module, with the StreamID in
// a payload extension and the SMMU's event-queue interrupt as an sc_event. The SMMU module is the plain C++
// SmmuBridge inside an sc_module; the driver and the DMA engine are those of the plain example.
#include <cstdio>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "dma_engine.h"
#include "smmu_bridge.h"
#include "smmu_driver.h"

namespace
{
using sc_core::sc_time;

/// The StreamID of the device that issued a transaction: the sideband an SMMU needs, as a TLM-2.0 extension.
struct StreamId : tlm::tlm_extension<StreamId>
{
    uint32_t value = 0;
    tlm::tlm_extension_base *clone() const override
    {
        auto *copy = new StreamId;
        copy->value = value;
        return copy;
    }
    void copy_from(const tlm::tlm_extension_base &other) override { value = static_cast<const StreamId &>(other).value; }
};

sc_time to_sc(vp::Time time) { return sc_time(static_cast<double>(time.count()), sc_core::SC_NS); }
vp::Time to_vp(const sc_time &time) { return vp::Time(static_cast<long long>(time.to_seconds() * 1e9 + 0.5)); }

tlm::tlm_response_status to_tlm(vp::Response response)
{
    switch (response)
    {
    case vp::Response::Ok:
        return tlm::TLM_OK_RESPONSE;
    case vp::Response::AddressError:
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    case vp::Response::GenericError:
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
    case vp::Response::Incomplete:
        break;
    }
    return tlm::TLM_INCOMPLETE_RESPONSE;
}

vp::Response to_vp(tlm::tlm_response_status status)
{
    switch (status)
    {
    case tlm::TLM_OK_RESPONSE:
        return vp::Response::Ok;
    case tlm::TLM_ADDRESS_ERROR_RESPONSE:
        return vp::Response::AddressError;
    case tlm::TLM_INCOMPLETE_RESPONSE:
        return vp::Response::Incomplete;
    default:
        return vp::Response::GenericError;
    }
}

vp::Payload to_vp(tlm::tlm_generic_payload &gp)
{
    vp::Payload payload;
    payload.command = gp.is_write() ? vp::Command::Write : vp::Command::Read;
    payload.address = gp.get_address();
    payload.data = gp.get_data_ptr();
    payload.length = gp.get_data_length();
    if (auto *stream = gp.get_extension<StreamId>())
        payload.stream_id = stream->value;
    return payload;
}

/// A TLM-2.0 b_transport served by a vp::Target (the plain-C++ component inside a module).
void serve(vp::Target &target, tlm::tlm_generic_payload &gp, sc_time &delay)
{
    vp::Payload payload = to_vp(gp);
    vp::Time time{};
    target.b_transport(payload, time);
    gp.set_response_status(to_tlm(payload.response));
    delay += to_sc(time);
}

/// A vp::Target that sends each payload as a tlm_generic_payload through an initiator socket.
class SocketTarget final : public vp::Target
{
  public:
    explicit SocketTarget(tlm::tlm_initiator_socket<> &socket) : socket_(socket) {}

    void b_transport(vp::Payload &payload, vp::Time &delay) override
    {
        tlm::tlm_generic_payload gp;
        StreamId stream;
        stream.value = payload.stream_id;
        gp.set_command(payload.command == vp::Command::Write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp.set_address(payload.address);
        gp.set_data_ptr(payload.data);
        gp.set_data_length(static_cast<unsigned>(payload.length));
        gp.set_streaming_width(static_cast<unsigned>(payload.length));
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        gp.set_extension(&stream);
        sc_time time = sc_core::SC_ZERO_TIME;
        socket_->b_transport(gp, time);
        gp.clear_extension(&stream); // it lives on this stack frame
        payload.response = to_vp(gp.get_response_status());
        delay += to_vp(time);
    }

  private:
    tlm::tlm_initiator_socket<> &socket_;
};

/// Platform memory: a TLM-2.0 target around vp::Ram. The SMMU walks the same vp::Ram directly (as through DMI).
struct Memory : sc_core::sc_module
{
    tlm_utils::simple_target_socket<Memory> socket{"socket"};
    vp::Ram ram;

    Memory(sc_core::sc_module_name name, uint64_t base, size_t size) : sc_module(name), ram(base, size, vp::Time(20))
    {
        socket.register_b_transport(this, &Memory::b_transport);
    }

    void b_transport(tlm::tlm_generic_payload &gp, sc_time &delay) { serve(ram, gp, delay); }
};

/// The SMMU: device traffic in on `upstream` (IOVA + StreamId), translated traffic out on `downstream`,
/// registers on `mmio`, the event-queue interrupt as `eventq_irq`.
struct Smmu : sc_core::sc_module
{
    tlm_utils::simple_target_socket<Smmu> upstream{"upstream"};
    tlm_utils::simple_target_socket<Smmu> mmio{"mmio"};
    tlm_utils::simple_initiator_socket<Smmu> downstream{"downstream"};
    sc_core::sc_event eventq_irq;

    Smmu(sc_core::sc_module_name name, vp::Ram &memory)
        : sc_module(name), forward_(downstream), bridge_(memory, forward_, vp::Time(5))
    {
        upstream.register_b_transport(this, &Smmu::translate);
        mmio.register_b_transport(this, &Smmu::registers);
        // Called inside the device: only notify; processes sensitive to eventq_irq do the work.
        bridge_.on_interrupt([this](armsmmu_interrupt_t line) {
            if (line == ARMSMMU_INTERRUPT_EVENTQ)
                eventq_irq.notify(sc_core::SC_ZERO_TIME);
        });
    }

    uint32_t last_fault() const { return bridge_.last_fault(); }

  private:
    void translate(tlm::tlm_generic_payload &gp, sc_time &delay) { serve(bridge_, gp, delay); }
    void registers(tlm::tlm_generic_payload &gp, sc_time &delay) { serve(bridge_.registers(), gp, delay); }

    SocketTarget forward_;
    vp::SmmuBridge bridge_;
};

constexpr uint64_t kRamBase = 0x8000'0000;
constexpr uint64_t kDataPages = kRamBase + 0x40'0000;
constexpr uint32_t kDmaStream = 0x21;
constexpr uint64_t kSrc = 0x7000'0000, kDst = 0x7100'0000;
constexpr size_t kCopy = 6000;

/// CPU and DMA engine in one thread: bring-up, a copy, a faulting write, each checked.
struct Testbench : sc_core::sc_module
{
    tlm_utils::simple_initiator_socket<Testbench> cpu{"cpu"};
    tlm_utils::simple_initiator_socket<Testbench> dma{"dma"};
    int passed = 0, failed = 0, interrupts = 0;

    Testbench(sc_core::sc_module_name name, Memory &memory, Smmu &smmu)
        : sc_module(name), memory_(memory), smmu_(smmu), cpu_bus_(cpu), dma_bus_(dma)
    {
        SC_HAS_PROCESS(Testbench);
        SC_THREAD(run);
        SC_METHOD(count_interrupt);
        sensitive << smmu.eventq_irq;
        dont_initialize();
    }

  private:
    void check(bool ok, const std::string &what)
    {
        (ok ? passed : failed)++;
        std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    }

    void count_interrupt() { interrupts++; }

    void run()
    {
        vp::SmmuDriver driver(cpu_bus_, memory_.ram, /*asid=*/7);
        vp::DmaEngine engine(dma_bus_, kDmaStream, 256);
        driver.bring_up();
        driver.attach(kDmaStream);
        const uint64_t src_frames[2] = {5, 2}, dst_frames[2] = {0, 6};
        for (size_t i = 0; i < 2; i++)
        {
            driver.map(kSrc + i * 4096, kDataPages + src_frames[i] * 4096, false);
            driver.map(kDst + i * 4096, kDataPages + dst_frames[i] * 4096, true);
        }
        uint64_t pa = 0;
        for (size_t i = 0; i < kCopy; i++)
        {
            uint8_t value = static_cast<uint8_t>(i * 7 + 3);
            driver.lookup(kSrc + 0x10 + i, pa);
            memory_.ram.write(pa, &value, 1);
        }

        vp::Time delay{};
        check(engine.copy(kSrc + 0x10, kDst + 0x80, kCopy, delay) == vp::Response::Ok, "DMA copy through TLM-2.0 sockets");
        wait(to_sc(delay)); // loosely timed: synchronise once after the whole copy
        size_t wrong = 0;
        for (size_t i = 0; i < kCopy; i++)
        {
            uint8_t value = 0;
            driver.lookup(kDst + 0x80 + i, pa);
            memory_.ram.read(pa, &value, 1);
            wrong += value != static_cast<uint8_t>(i * 7 + 3);
        }
        check(wrong == 0, "every byte at its translated PA (" + std::to_string(wrong) + " wrong)");
        check(sc_core::sc_time_stamp() > sc_core::SC_ZERO_TIME, "simulated time advanced: " + sc_core::sc_time_stamp().to_string());

        vp::Response response = engine.transfer(vp::Command::Write, kSrc, 64, delay);
        check(response == vp::Response::GenericError, "write to a read-only page: TLM_GENERIC_ERROR_RESPONSE");
        check(smmu_.last_fault() == ARMSMMU_EVENT_F_PERMISSION, "  fault F_PERMISSION");
        wait(sc_core::SC_ZERO_TIME); // let the interrupt process run
        check(interrupts == 1, "  one event-queue interrupt as an sc_event (" + std::to_string(interrupts) + ")");
        auto events = driver.drain_events();
        check(events.size() == 1 && events[0].number() == ARMSMMU_EVENT_F_PERMISSION && events[0].input_address() == kSrc,
              "  F_PERMISSION record with InputAddr");
        sc_core::sc_stop();
    }

    Memory &memory_;
    Smmu &smmu_;
    SocketTarget cpu_bus_, dma_bus_;
};
} // namespace

int sc_main(int, char *[])
{
    Memory memory("memory", kRamBase, 8 << 20);
    Smmu smmu("smmu", memory.ram);
    Testbench testbench("testbench", memory, smmu);
    testbench.cpu.bind(smmu.mmio);
    testbench.dma.bind(smmu.upstream);
    smmu.downstream.bind(memory.socket);
    try
    {
        sc_core::sc_start();
    }
    catch (const std::exception &error)
    {
        std::printf("FAIL %s\n", error.what());
        testbench.failed++;
    }
    std::printf("%d passed, %d failed\n", testbench.passed, testbench.failed);
    return testbench.failed == 0 ? 0 : 1;
}
