#include "protocol/common/cpu_pressure.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace grid::common {

namespace {

// The next step of a streak: one period after the last, so that regular samples do not
// drift; after a gap longer than a period, one period from now (one step per sample).
SteadyTime next_after(SteadyTime step, SteadyTime now) {
  const SteadyTime next = step + CpuPressure::kPeriod;
  return next > now ? next : now + CpuPressure::kPeriod;
}

}  // namespace

bool CpuPressure::observe(double load, SteadyTime now) {
  const double before = share_;
  last_ = now;
  if (load > kHot) {
    cool_ = false;
    if (!hot_) {
      hot_ = true;
      since_ = now;
      next_step_ = now + kPeriod;
    }
    if (now >= next_step_) {
      share_ = std::max(kFloor, share_ - kStep);
      next_step_ = next_after(next_step_, now);
    }
  } else if (load < kCool) {
    hot_ = false;
    if (share_ >= 1.0) {
      cool_ = false;  // nothing to give back
    } else {
      if (!cool_) {
        cool_ = true;
        since_ = now;
        next_step_ = now + kPeriod;
      }
      if (now >= next_step_) {
        share_ = std::min(1.0, share_ + kStep);
        next_step_ = next_after(next_step_, now);
      }
    }
  } else {
    hot_ = false;  // the band between: both streaks end, the share stays
    cool_ = false;
  }
  return share_ != before;
}

std::string cpu_share_change(const std::string& id, const CpuPressure& pressure, double before) {
  const bool down = pressure.share() < before;
  const auto streak =
      std::chrono::duration_cast<std::chrono::seconds>(down ? pressure.hot_for() : pressure.cool_for()).count();
  const double percent = pressure.share() * 100;
  if (down) {
    return fmt::format("agent {} CPU above {:.0f}% for {} s: its share goes down to {:.0f}% of its capacity", id,
                       CpuPressure::kHot * 100, streak, percent);
  }
  return fmt::format("agent {} CPU below {:.0f}% for {} s: its share goes back up to {:.0f}% of its capacity", id,
                     CpuPressure::kCool * 100, streak, percent);
}

}  // namespace grid::common
