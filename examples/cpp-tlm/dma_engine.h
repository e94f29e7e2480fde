// DmaEngine: a bus master that copies memory the way a simple DMA controller does: read a burst from the source
// into its FIFO, write it to the destination, repeat. It knows only IOVAs and its own StreamID; every burst goes
// through whatever Target it is wired to (here the SMMU bridge).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "transaction.h"

namespace vp
{

class DmaEngine
{
  public:
    DmaEngine(Target &bus, uint32_t stream_id, size_t burst_bytes)
        : bus_(bus), stream_id_(stream_id), fifo_(burst_bytes)
    {
    }

    /// Copies length bytes from src to dst. Returns Ok, or the first error response (the copy stops there, as a
    /// controller reports a failed descriptor); failed_address() then names the burst that failed.
    Response copy(uint64_t src, uint64_t dst, size_t length, Time &delay)
    {
        for (size_t done = 0; done < length;)
        {
            size_t burst = std::min(fifo_.size(), length - done);
            Response response = transfer(Command::Read, src + done, burst, delay);
            if (response == Response::Ok)
                response = transfer(Command::Write, dst + done, burst, delay);
            if (response != Response::Ok)
                return response;
            done += burst;
        }
        return Response::Ok;
    }

    /// A single transaction of length bytes (at most the FIFO size), for directed tests.
    Response transfer(Command command, uint64_t address, size_t length, Time &delay)
    {
        if (length > fifo_.size())
            throw std::length_error("DmaEngine::transfer: longer than the FIFO");
        Payload payload;
        payload.command = command;
        payload.address = address;
        payload.data = fifo_.data();
        payload.length = length;
        payload.stream_id = stream_id_;
        bus_.b_transport(payload, delay);
        transactions_++;
        if (payload.response != Response::Ok)
            failed_address_ = address;
        return payload.response;
    }

    uint64_t failed_address() const { return failed_address_; }
    size_t transactions() const { return transactions_; }

  private:
    Target &bus_;
    uint32_t stream_id_;
    std::vector<uint8_t> fifo_;
    size_t transactions_ = 0;
    uint64_t failed_address_ = 0;
};

} // namespace vp
