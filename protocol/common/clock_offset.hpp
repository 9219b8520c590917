#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace grid::common {

/// NTP-style estimate of how far the broker's clock is ahead of ours, from heartbeat
/// echoes. One probe: we send at t0 (our clock), the parent receives at t1 and answers at
/// t2 (both in broker time), we receive at t3 (our clock). Then
///   offset = ((t1 - t0) + (t2 - t3)) / 2,  round trip = (t3 - t0) - (t2 - t1).
/// The estimate is the offset of the probe with the smallest round trip among the last
/// `window` probes (the least queued one is the most accurate). Pure, no clock inside.
class ClockOffset {
public:
  explicit ClockOffset(size_t window = 16) : window_(window) {}

  /// Adds one probe (microseconds). Probes with a negative round trip are ignored.
  void add_probe(int64_t t0, int64_t t1, int64_t t2, int64_t t3);

  /// Broker time minus our time, in µs; std::nullopt before the first probe.
  std::optional<int64_t> offset_us() const;
  /// Round trip of the probe the estimate comes from, in µs.
  std::optional<int64_t> round_trip_us() const;

private:
  struct Probe {
    int64_t offset;
    int64_t round_trip;
  };
  const Probe* best() const;
  size_t window_;
  std::deque<Probe> probes_;
};

}  // namespace grid::common
