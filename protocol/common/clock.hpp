#pragma once

#include <chrono>
#include <cstdint>

namespace grid::common {

/// Steady (monotonic) clock in nanoseconds: for latencies, timers and deadlines.
inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Wall clock in milliseconds since the Unix epoch: for aligning stats windows.
inline uint64_t unix_now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace grid::common
