// Ram: the platform's memory. It is a bus target for DMA traffic and, at the same time, the memory the SMMU
// reads its stream table, context descriptors, page tables and command queue from and writes event records to.
#pragma once

#include <cstring>
#include <vector>

#include "transaction.h"

namespace vp
{

class Ram final : public Target
{
  public:
    Ram(uint64_t base, size_t size, Time latency) : base_(base), bytes_(size, 0), latency_(latency) {}

    void b_transport(Payload &payload, Time &delay) override
    {
        bool ok = payload.command == Command::Read ? read(payload.address, payload.data, payload.length)
                                                   : write(payload.address, payload.data, payload.length);
        payload.response = ok ? Response::Ok : Response::AddressError;
        delay += latency_;
    }

    /// Direct access (TLM's DMI or a debug transport): the SMMU's table walks and the CPU's stores use it.
    bool read(uint64_t address, void *buffer, size_t length) const
    {
        if (!contains(address, length))
            return false;
        std::memcpy(buffer, bytes_.data() + (address - base_), length);
        return true;
    }

    bool write(uint64_t address, const void *buffer, size_t length)
    {
        if (!contains(address, length))
            return false;
        std::memcpy(bytes_.data() + (address - base_), buffer, length);
        return true;
    }

    uint64_t base() const { return base_; }
    size_t size() const { return bytes_.size(); }

  private:
    bool contains(uint64_t address, size_t length) const
    {
        return address >= base_ && length <= bytes_.size() && address - base_ <= bytes_.size() - length;
    }

    uint64_t base_;
    std::vector<uint8_t> bytes_;
    Time latency_;
};

} // namespace vp
