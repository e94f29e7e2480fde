// The transaction-level vocabulary of this example: a plain C++17 cut-down of SystemC TLM-2.0's generic payload
// and blocking transport, so the example builds with nothing but g++. Each name maps one-to-one onto TLM-2.0
// (see README.md), which is how the SmmuBridge drops into a SystemC platform.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace vp
{

/// Simulated time a blocking call adds to its caller's local time (the loosely-timed "delay" argument).
using Time = std::chrono::nanoseconds;

/// tlm::tlm_command.
enum class Command
{
    Read,
    Write,
};

/// tlm::tlm_response_status (the values this platform uses).
enum class Response
{
    Incomplete,   // not yet handled by a target
    Ok,           // completed
    AddressError, // no target at that address (a decode error)
    GenericError, // the target refused it; the SMMU answers an aborted translation with this (a slave error)
};

/// tlm::tlm_generic_payload: command, address, data pointer and length, response status. stream_id is the
/// StreamID of the issuing device, carried by an extension in TLM-2.0 (the sideband an SMMU needs).
struct Payload
{
    Command command = Command::Read;
    uint64_t address = 0;
    uint8_t *data = nullptr;
    size_t length = 0;
    uint32_t stream_id = 0;
    Response response = Response::Incomplete;
};

/// tlm::tlm_fw_transport_if::b_transport: a target completes the transaction before returning.
class Target
{
  public:
    virtual ~Target() = default;
    virtual void b_transport(Payload &payload, Time &delay) = 0;
};

inline const char *to_string(Response response)
{
    switch (response)
    {
    case Response::Incomplete:
        return "incomplete";
    case Response::Ok:
        return "ok";
    case Response::AddressError:
        return "address error";
    case Response::GenericError:
        return "generic error";
    }
    return "?";
}

} // namespace vp
