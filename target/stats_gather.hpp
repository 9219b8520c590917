#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "target/request_counters.hpp"

namespace grid::target {

class WorkerLoop;

// One /__stats (or /__reset) request being answered from every worker's counters.
// The requesting worker creates it and posts it to every worker; each worker copies its
// counters into its own slot (and zeroes them for a reset) and decrements `pending`. The
// worker that brings `pending` to zero posts the gather back to the requester, which merges
// the slots and answers the connection identified by fd and generation.
//
// Because a worker counts a request before writing its response, and copies its counters
// only between events, every response a client has received before asking is included.
struct StatsGather {
  WorkerLoop* requester = nullptr;
  int fd = -1;
  std::uint32_t generation = 0;
  bool reset = false;
  // One slot per worker index, written only by that worker.
  std::vector<RequestCounters> slots;
  // Workers that have not filled their slot yet.
  std::atomic<std::size_t> pending{0};
};

// A message between workers. These only travel for /__stats and /__reset, never per request.
struct ControlMessage {
  enum class Kind {
    collect,   // fill your slot of `gather`
    complete,  // every slot of `gather` is filled: answer the client
  };
  Kind kind = Kind::collect;
  std::shared_ptr<StatsGather> gather;
};

}  // namespace grid::target
