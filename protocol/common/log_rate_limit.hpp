#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// At most one log line per `every` for one kind of event: a flood of bad frames or a
/// stuck parent must not become a flood of lines. Events in between are counted so the
/// next line can say how many there were. Pure: the caller passes time.
class LogRateLimit {
public:
  explicit LogRateLimit(std::chrono::nanoseconds every = std::chrono::seconds(1)) : every_(every) {}

  /// Records one event. Returns how many events the line now due stands for (this one
  /// and the ones suppressed since the last line), or std::nullopt when no line is due.
  std::optional<uint64_t> admit(SteadyTime now) {
    ++pending_;
    if (last_ && now < *last_ + every_) return std::nullopt;
    last_ = now;
    const uint64_t n = pending_;
    pending_ = 0;
    return n;
  }

  /// For events that may stop coming: once a line is due again, returns how many events
  /// were suppressed since the last line (and resets), so the last of a burst is not
  /// left unsaid; std::nullopt when none are pending or no line is due yet. Call it on a
  /// timer.
  std::optional<uint64_t> flush(SteadyTime now) {
    if (pending_ == 0 || (last_ && now < *last_ + every_)) return std::nullopt;
    last_ = now;
    const uint64_t n = pending_;
    pending_ = 0;
    return n;
  }

private:
  std::chrono::nanoseconds every_;
  std::optional<SteadyTime> last_;
  uint64_t pending_ = 0;
};

}  // namespace grid::common
