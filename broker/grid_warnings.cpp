#include "broker/grid_warnings.hpp"

#include <time.h>

#include <cstdlib>

#include <fmt/format.h>

namespace grid::broker {

bool SustainedLoad::observe(double load, common::SteadyTime now) {
  if (!(load > threshold_)) {
    hot_ = false;
    return false;
  }
  if (!hot_) {
    hot_ = true;
    since_ = now;
  }
  last_ = now;
  if (now - since_ < period_) return false;
  if (warned_ && now - *warned_ < repeat_) return false;
  warned_ = now;
  return true;
}

SustainedLoad broker_cpu_rule() { return SustainedLoad(0.80, std::chrono::seconds(10), std::chrono::minutes(1)); }

std::string broker_cpu_warning(double load, std::chrono::nanoseconds streak) {
  return fmt::format(
      "broker loop thread CPU at {:.0f}% of a core for {:.0f} s (above 80%): windows may be shown late and the broker "
      "may limit the grid; fewer direct children (relays) would help",
      load * 100, std::chrono::duration<double>(streak).count());
}

std::optional<std::string> clock_offset_warning(const std::string& id, int64_t offset_us,
                                                std::chrono::milliseconds bound) {
  if (std::llabs(offset_us) <= std::chrono::duration_cast<std::chrono::microseconds>(bound).count()) {
    return std::nullopt;
  }
  return fmt::format("clock of {} is {} ms off the broker's (bound {} ms, --max-clock-offset)", id, offset_us / 1000,
                     bound.count());
}

double thread_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace grid::broker
