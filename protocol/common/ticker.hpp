#pragma once

#include <chrono>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// A fixed cadence (heartbeats, liveness checks) over the caller's clock. due() is true
/// once per interval; after a stall (a suspended process, a long step) it fires once and
/// resumes from now instead of firing a burst to catch up. Pure: the caller passes time.
class Ticker {
public:
  /// First due at `first`.
  Ticker(std::chrono::nanoseconds interval, SteadyTime first) : interval_(interval), next_(first) {}

  /// True when a tick is due at `now`; the next one is then one interval later.
  bool due(SteadyTime now) {
    if (now < next_) return false;
    next_ += interval_;
    if (next_ <= now) next_ = now + interval_;  // stalled: resume from now, no burst
    return true;
  }
  /// When the next tick is due.
  SteadyTime next() const { return next_; }
  std::chrono::nanoseconds interval() const { return interval_; }

private:
  std::chrono::nanoseconds interval_;
  SteadyTime next_;
};

}  // namespace grid::common
