#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "broker/grid_report.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "broker/series_log.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// Keeps a run's results directory current as the run goes: one timeseries.csv row per
/// window and its timeseries_by_name.csv rows, flushed at once, and summary.json rewritten atomically after each
/// window, so a crash loses at most the interval in progress. At the end, junit.xml when the campaign has thresholds
/// (an earlier run's junit.xml in the directory is removed at the start).
class ResultsWriter {
public:
  /// Creates `dir` (and parents) and starts timeseries.csv. Throws std::runtime_error
  /// naming the path when it cannot.
  explicit ResultsWriter(std::string dir);

  /// Keeps the campaign file as it ran (campaign.ini).
  void write_campaign(const std::string& text);

  /// Records a complete window (`run` already includes it) and its points per request
  /// name and region (timeseries_by_name.csv).
  void on_window(const RunInfo& info, const wire::StatsWindow& window, const RunAggregator& run,
                 const GridReport* grid = nullptr, const std::vector<NamedPoint>* named = nullptr);

  /// Writes the final summary.json and latency_percentiles.csv, and junit.xml when
  /// `info` has thresholds.
  void on_finish(const RunInfo& info, const RunAggregator& run, const GridReport* grid = nullptr);

  const std::string& dir() const { return dir_; }

private:
  std::string dir_;
  std::ofstream timeseries_;
  std::ofstream by_name_;
};

}  // namespace grid::broker
