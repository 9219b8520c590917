#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "protocol/wire/request_stats.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// Folds complete stats windows into the cumulative statistics of a run. Percentiles are
/// computed from the merged histograms here, at the root, never averaged.
class RunAggregator {
public:
  /// Adds one complete window (already merged across threads and nodes).
  void add(const wire::StatsWindow& window);

  /// Cumulative stats per request name, and over every name.
  const std::map<std::string, wire::RequestStats>& by_name() const { return by_name_; }
  const wire::RequestStats& total() const { return total_; }

  /// The newest window added (empty before the first).
  const wire::StatsWindow& last_window() const { return last_; }
  uint64_t windows() const { return windows_; }

private:
  std::map<std::string, wire::RequestStats> by_name_;
  wire::RequestStats total_;
  wire::StatsWindow last_;
  uint64_t windows_ = 0;
};

}  // namespace grid::broker
