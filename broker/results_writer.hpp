#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "broker/central_log.hpp"
#include "broker/grid_report.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "broker/series_log.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// Keeps a run's results directory current as the run goes: one timeseries.csv row per
/// window and its timeseries_by_name.csv rows, flushed at once, and summary.json rewritten
/// atomically after each window, so a crash loses at most the interval in progress;
/// logs.jsonl gets one line per central log record, flushed at once. At the end, junit.xml when the campaign has
/// thresholds (an earlier run's junit.xml in the directory is removed at the start).
class ResultsWriter {
public:
  static constexpr uint64_t kMaxLogLines = 100'000;

  /// Creates `dir` (and parents) and starts timeseries.csv and logs.jsonl (empty).
  /// Throws std::runtime_error naming the path when it cannot.
  explicit ResultsWriter(std::string dir, uint64_t max_log_lines = kMaxLogLines);

  /// Appends `entry` to logs.jsonl and flushes; past `max_log_lines` lines it is only
  /// counted (unwritten_logs), unless `past_limit` (the closing line that says how many
  /// were not written). Throws std::runtime_error naming the file when a write fails.
  void append_log(const LogEntry& entry, bool past_limit = false);
  /// Entries not written to logs.jsonl because it was full.
  uint64_t unwritten_logs() const { return unwritten_logs_; }

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
  std::ofstream logs_;
  uint64_t max_log_lines_;
  uint64_t log_lines_ = 0;
  uint64_t unwritten_logs_ = 0;
};

}  // namespace grid::broker
