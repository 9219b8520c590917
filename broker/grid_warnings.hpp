#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/common/clock.hpp"

namespace grid::broker {

/// Whether a load (a fraction: CPU seconds per second, 1.0 = one core) has stayed above
/// a threshold long enough to warn about, and when to warn again. Pure: the caller
/// passes each sample with its time.
///
/// A streak starts at the first sample above `threshold` (strictly) and ends at the
/// first sample at or below it. A warning is due once the streak's samples span
/// `period`, then again each `repeat` while it lasts; a new streak after a pause is
/// warned about no sooner than `repeat` after the last warning.
class SustainedLoad {
public:
  SustainedLoad(double threshold, std::chrono::nanoseconds period, std::chrono::nanoseconds repeat)
      : threshold_(threshold), period_(period), repeat_(repeat) {}

  /// Takes one sample (times must not go back); true when a warning is due now.
  bool observe(double load, common::SteadyTime now);
  /// How long the current streak has lasted at the last sample (zero when none).
  std::chrono::nanoseconds streak() const { return hot_ ? last_ - since_ : std::chrono::nanoseconds{0}; }

private:
  double threshold_;
  std::chrono::nanoseconds period_;
  std::chrono::nanoseconds repeat_;
  bool hot_ = false;
  common::SteadyTime since_{};
  common::SteadyTime last_{};
  std::optional<common::SteadyTime> warned_;
};

/// The broker's loop thread CPU rule: above 80 % of a core for 10 s, said again at most
/// once a minute while it lasts.
SustainedLoad broker_cpu_rule();

/// "broker loop thread CPU at 93% of a core for 10 s: windows may be shown late; ...".
std::string broker_cpu_warning(double load, std::chrono::nanoseconds streak);

/// Pure: the warning for node `id` whose clock is `offset_us` off the broker's (its
/// estimate of broker time minus its own), when that is above `bound` either way:
/// "clock of a1 is 75 ms off the broker's (bound 50 ms, --max-clock-offset)".
std::optional<std::string> clock_offset_warning(const std::string& id, int64_t offset_us,
                                                std::chrono::milliseconds bound);

/// CPU seconds the calling thread has used (CLOCK_THREAD_CPUTIME_ID); 0 when unknown.
double thread_cpu_seconds();

}  // namespace grid::broker
