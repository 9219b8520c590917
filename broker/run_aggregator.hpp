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

  /// Cumulative stats per request name, and over every name (merged when asked for, so
  /// adding a window costs one merge per name, not two).
  const std::map<std::string, wire::RequestStats>& by_name() const { return by_name_; }
  const wire::RequestStats& total() const;

  /// Window messages added (a relay's merged window is one).
  uint64_t windows() const { return windows_; }

  /// Problems the workload met (a missing variable, a failed check, unique rows run out),
  /// each message once with how often, over the run.
  const std::map<std::string, uint64_t>& problems() const { return problems_; }

private:
  std::map<std::string, wire::RequestStats> by_name_;
  mutable wire::RequestStats total_;
  mutable bool total_stale_ = false;
  uint64_t windows_ = 0;
  std::map<std::string, uint64_t> problems_;
};

}  // namespace grid::broker
