#pragma once

#include <cstdint>
#include <string>

namespace grid::bench {

/// One simulated agent of a swarm: its identity and where it is in the campaign. It owns
/// no socket and no thread; the Swarm drives every agent from one loop and sends on
/// their behalf (the node id in each envelope is all a parent uses to tell them apart).
struct SimulatedAgent {
  enum class Phase : uint8_t {
    idle,      // no budget for the current campaign yet
    running,   // has a budget: a window goes up at every window end
    finished,  // sent its final window of the current campaign
  };

  std::string id;               // node id, unique among the parent's children
  int64_t phase_offset_ns = 0;  // its slot in each second, for hello and heartbeats
  bool hello_sent = false;
  Phase phase = Phase::idle;
  uint32_t users = 0;                 // budget from the plan (reported as active users)
  uint64_t start_unix_ms = 0;         // broker time it started running
  int64_t first_request_unix_us = 0;  // broker time of its first (simulated) request, 0 = none
  uint64_t windows_sent = 0;          // in the current campaign, final included
};

}  // namespace grid::bench
