#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/stats_frame.hpp"

namespace grid::bench {

/// A small library of realistic, pre-encoded request maps for simulated stats windows.
///
/// For each of 11 window fractions (0, 0.1, ..., 1: the share of the window an agent
/// ran, so first and final windows are partial) it holds `variants` request maps. Each
/// map has every request name with ~ requests_per_window / names requests (±5% noise),
/// about 0.5% 404 and 0.2% 503 responses counted as http_4xx/http_5xx failures, status
/// codes, bytes, and a latency histogram of all those requests: a few hundred lognormal
/// samples around 20 ms (sigma 0.6) recorded with record_n, so buckets spread the way
/// real latencies do. Every map is built once, encoded once and checked with the real
/// codec (StatsFrameWriter::check_round_trip); sending a window only picks one.
class WindowTemplates {
public:
  static constexpr unsigned kFractionSteps = 10;

  /// Throws std::logic_error when a built window fails the codec round trip.
  WindowTemplates(std::vector<std::string> names, double requests_per_window, unsigned variants, uint64_t seed);

  /// The map for a window of which the agent ran `fraction` (clamped to [0, 1], rounded
  /// to tenths); `variant` is any number, taken modulo the variant count.
  const EncodedRequests& pick(double fraction, uint64_t variant) const;

  const std::vector<std::string>& names() const { return names_; }

private:
  std::vector<std::string> names_;
  unsigned variants_;
  std::vector<EncodedRequests> maps_;  // [step * variants_ + variant]
};

}  // namespace grid::bench
