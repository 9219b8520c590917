#pragma once

#include <atomic>
#include <chrono>

#include "protocol/common/clock.hpp"

namespace grid::test {

/// A clock that moves only when a test says so: both the steady and the wall clock
/// advance together. Starts at an arbitrary steady point and at 2026-01-01 00:00:00 UTC.
class ManualClock final : public common::Clock {
public:
  common::SteadyTime steady_now() const override {
    return common::SteadyTime(std::chrono::nanoseconds(steady_ns_.load()));
  }
  common::WallTime wall_now() const override { return common::WallTime(std::chrono::microseconds(wall_us_.load())); }

  void advance(std::chrono::nanoseconds d) {
    steady_ns_ += d.count();
    wall_us_ += std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  }
  /// Moves the wall clock alone (a clock step, or a machine whose clock is off).
  void shift_wall(std::chrono::microseconds d) { wall_us_ += d.count(); }

private:
  std::atomic<int64_t> steady_ns_{1'000'000'000'000};
  std::atomic<int64_t> wall_us_{1'767'225'600'000'000};
};

}  // namespace grid::test
