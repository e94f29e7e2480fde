#include "smmu_bridge.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace vp
{

SmmuBridge::SmmuBridge(Ram &memory, Target &downstream, Time translation_latency)
    : memory_(memory), downstream_(downstream), translation_latency_(translation_latency),
      smmu_(armsmmu_create_with_memory(read_memory, write_memory, &memory), armsmmu_destroy)
{
    if (!smmu_)
        throw std::runtime_error(std::string("armsmmu_create_with_memory: ") + armsmmu_last_error());
    if (armsmmu_set_interrupt_handler(smmu_.get(), interrupt, this) != ARMSMMU_OK)
        throw std::runtime_error(std::string("armsmmu_set_interrupt_handler: ") + armsmmu_last_error());
}

int SmmuBridge::read_memory(void *context, uint64_t address, void *buffer, size_t length)
{
    return static_cast<Ram *>(context)->read(address, buffer, length) ? 0 : -1; // nonzero: external abort
}

int SmmuBridge::write_memory(void *context, uint64_t address, const void *buffer, size_t length)
{
    return static_cast<Ram *>(context)->write(address, buffer, length) ? 0 : -1;
}

void SmmuBridge::interrupt(void *context, uint32_t line)
{
    auto *bridge = static_cast<SmmuBridge *>(context);
    if (bridge->interrupt_)
        bridge->interrupt_(static_cast<armsmmu_interrupt_t>(line));
}

void SmmuBridge::b_transport(Payload &payload, Time &delay)
{
    size_t done = 0;
    while (done < payload.length)
    {
        armsmmu_request_t request{};
        request.stream_id = payload.stream_id;
        request.address = payload.address + done;
        request.access = payload.command == Command::Write ? ARMSMMU_ACCESS_WRITE : ARMSMMU_ACCESS_READ;
        armsmmu_result_t result{};
        if (armsmmu_translate(smmu_.get(), &request, &result) != ARMSMMU_OK)
            throw std::logic_error(std::string("armsmmu_translate: ") + armsmmu_last_error()); // our bug, not the guest's
        delay += translation_latency_;
        if (result.outcome != ARMSMMU_OUTCOME_TRANSLATED && result.outcome != ARMSMMU_OUTCOME_BYPASSED)
        {
            // Aborted (or stalled, which a blocking bridge cannot hold): the device sees an error response.
            last_fault_ = result.fault;
            payload.response = Response::GenericError;
            return;
        }
        // The part of the transaction inside the translated page (or block); the rest is translated separately.
        size_t part = payload.length - done;
        if (result.page_shift < 64)
        {
            uint64_t page_left = (uint64_t{1} << result.page_shift) - (request.address & ((uint64_t{1} << result.page_shift) - 1));
            if (page_left < part)
                part = static_cast<size_t>(page_left);
        }
        Payload forwarded = payload;
        forwarded.address = result.physical_address;
        forwarded.data = payload.data + done;
        forwarded.length = part;
        forwarded.response = Response::Incomplete;
        downstream_.b_transport(forwarded, delay);
        if (forwarded.response != Response::Ok)
        {
            payload.response = forwarded.response;
            return;
        }
        done += part;
    }
    payload.response = Response::Ok;
}

void SmmuBridge::Registers::b_transport(Payload &payload, Time &delay)
{
    armsmmu_t *smmu = owner_.smmu_.get();
    uint64_t value = 0;
    int status = ARMSMMU_ERROR_INVALID_ARGUMENT;
    if (payload.length == 4 || payload.length == 8)
    {
        auto width = static_cast<unsigned>(payload.length);
        if (payload.command == Command::Read)
        {
            status = armsmmu_register_read(smmu, payload.address, width, &value);
            std::memcpy(payload.data, &value, payload.length); // little-endian host
        }
        else
        {
            std::memcpy(&value, payload.data, payload.length);
            status = armsmmu_register_write(smmu, payload.address, width, value);
        }
    }
    // A bad offset or width is a decode error on this bus, never a crash.
    payload.response = status == ARMSMMU_OK ? Response::Ok : Response::AddressError;
    delay += Time(1);
}

} // namespace vp
