#pragma once

#include <atomic>
#include <chrono>
#include <limits>

namespace grid::target {

// The instant until which every request is held (/__stall/<ms>), shared by all workers of a
// TargetServer. The worker that serves /__stall stores it; every worker reads it once per
// request (a plain atomic load, no read-modify-write, so the request path stays as cheap as
// before) and only reads the clock when the stored instant lies ahead of its cached time.
//
// Release/acquire: a client that got the /__stall answer and then sends a request to any
// worker finds that worker's load ordered after the store (the bytes it reads were sent
// after the store), so the request is held.
class StallDeadline {
public:
  using Clock = std::chrono::steady_clock;

  // Holds every request that arrives from now on until `until` (an earlier `until`, such
  // as now, ends a stall for later requests; requests already held keep their deadline).
  void hold_until(Clock::time_point until) noexcept {
    until_.store(until.time_since_epoch().count(), std::memory_order_release);
  }

  // The current stall's end; a time long past when no stall was ever set.
  Clock::time_point until() const noexcept {
    return Clock::time_point(Clock::duration(until_.load(std::memory_order_acquire)));
  }

private:
  static_assert(std::atomic<Clock::rep>::is_always_lock_free);
  std::atomic<Clock::rep> until_{std::numeric_limits<Clock::rep>::min()};
};

}  // namespace grid::target
