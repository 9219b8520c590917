#pragma once

#include <chrono>
#include <cstdint>

namespace grid::common {

/// A point on the monotonic clock: cadence, deadlines, liveness.
using SteadyTime = std::chrono::steady_clock::time_point;
/// A point on the wall clock (Unix time): start instants, window alignment, clock probes.
using WallTime = std::chrono::system_clock::time_point;

/// Where nodes read the time. The one seam between a node's loop and real time, so that
/// tests step time (ManualClock in tests/support) instead of sleeping. Implementations
/// must be safe to read from several threads.
class Clock {
public:
  virtual ~Clock() = default;
  virtual SteadyTime steady_now() const = 0;
  virtual WallTime wall_now() const = 0;
};

/// The real clocks.
class SystemClock final : public Clock {
public:
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  /// One shared instance: it has no state.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

/// Microseconds since the Unix epoch: the wire's representation of a wall-clock instant.
inline int64_t to_unix_us(WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
inline WallTime from_unix_us(int64_t us) { return WallTime(std::chrono::microseconds(us)); }

/// Steady clock in nanoseconds, read directly: for the engines' hot path only (an engine
/// thread reads it per request; nodes read time through a Clock).
inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Wall clock in milliseconds since the Unix epoch, read directly: for the engines'
/// window alignment.
inline uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace grid::common
