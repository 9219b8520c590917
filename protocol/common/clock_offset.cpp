#include "protocol/common/clock_offset.hpp"

namespace grid::common {

void ClockOffset::add_probe(int64_t t0, int64_t t1, int64_t t2, int64_t t3) {
  const int64_t round_trip = (t3 - t0) - (t2 - t1);
  if (round_trip < 0) return;
  probes_.push_back(Probe{((t1 - t0) + (t2 - t3)) / 2, round_trip});
  while (probes_.size() > window_) probes_.pop_front();
}

const ClockOffset::Probe* ClockOffset::best() const {
  const Probe* best = nullptr;
  for (const auto& p : probes_) {
    if (!best || p.round_trip < best->round_trip) best = &p;
  }
  return best;
}

std::optional<int64_t> ClockOffset::offset_us() const {
  const Probe* b = best();
  return b ? std::optional<int64_t>(b->offset) : std::nullopt;
}

std::optional<int64_t> ClockOffset::round_trip_us() const {
  const Probe* b = best();
  return b ? std::optional<int64_t>(b->round_trip) : std::nullopt;
}

}  // namespace grid::common
