#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/user_variables.hpp"

namespace grid::agent {

/// A response body is kept up to this size for checks and extraction; the rest is counted
/// in bytes_received but not kept (a check then sees the first 8 MiB).
inline constexpr size_t kMaxKeptBody = 8u << 20;
/// Response header text kept for header extraction.
inline constexpr size_t kMaxKeptHeaders = 65536;

/// One virtual user: a small state machine that walks a scenario, one iteration at a
/// time. In the closed model a user loops over iterations until it retires; in the open
/// model it runs the one iteration an arrival gave it and goes back to the idle pool.
///
///   idle --iteration--> in_flight --done--> (next step) --think--> thinking --wake--> ...
///     ^                     |                                           |
///     +--- end of iteration (open model) ----+   campaign stopping / retired --> finished
///
/// Its connection (keep-alive) belongs to the transport serving its requests
/// (transport.hpp), which keeps it between them.
struct VirtualUser {
  enum class State : uint8_t {
    idle,       // not started, or (open model) waiting for an arrival
    in_flight,  // a request is running
    thinking,   // a think step, or a step due at once, waits on its timer
    finished,   // retired or stopped
  };

  uint32_t id = 0;                // index within its engine
  uint32_t scenario = 0;          // scenario of the current iteration
  uint32_t step = 0;              // index of the step it runs next (or now)
  uint32_t request = 0;           // request of the step in flight
  uint64_t iterations = 0;        // iterations begun
  uint8_t fresh_connections = 0;  // transports (1 << TransportId) whose next request opens a new connection
  int64_t started_ns = 0;         // steady clock when the current request started
  int64_t intended_ns = 0;        // when it was due (open model latency is measured from here)
  State state = State::idle;
  UserVariables vars;  // extracted variables, data row, iteration
  // Rendered request parts (templated requests only); the transport reads them during
  // the transfer.
  std::string url;
  std::string body;
  std::vector<std::string> header_lines;  // "Name: value", rendered
  // The response, kept only when a check or extraction needs it.
  bool capture_body = false;
  bool capture_headers = false;
  std::string response_body;
  std::string response_headers;
};

}  // namespace grid::agent
