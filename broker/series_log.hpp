#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/wire/request_stats.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// One point of a time series: one complete window, for the grid, one request name or
/// one region (the figures of timeseries.csv and timeseries_by_name.csv).
struct SeriesPoint {
  uint64_t start_unix_ms = 0;
  double elapsed_s = 0;  // window end since the start instant
  uint64_t requests = 0;
  uint64_t failures = 0;
  double rps = 0;             // requests / s over the part of the window the load covered
  double failures_per_s = 0;  // failed requests / s, same span
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
  uint32_t active_users = 0;  // at the window's cut, summed over its agents (0 for a request name)
};

/// The point of `stats` (all of a window's requests, or one name's) in window `window`:
/// rates over the part of the window the load covered, from the run's start instant to
/// its end (`ended_unix_ms` 0 = still running). Pure.
SeriesPoint series_point(const wire::RequestStats& stats, const wire::StatsWindow& window, uint64_t started_unix_ms,
                         uint64_t ended_unix_ms);

/// The grid-wide point of a complete window (the same figures as timeseries.csv). Pure.
SeriesPoint series_point(const wire::StatsWindow& window, uint64_t started_unix_ms, uint64_t ended_unix_ms);

/// A bounded time series that snapshots share cheaply: points live in immutable chunks,
/// so copying the log copies a few dozen pointers, and appending copies at most one
/// chunk. Keeps the last kMaxPoints points (an hour of 1 s windows).
class SeriesLog {
public:
  static constexpr size_t kMaxPoints = 3600;
  static constexpr size_t kChunk = 64;

  void append(const SeriesPoint& point);
  size_t size() const { return size_ - skip_; }
  bool empty() const { return size() == 0; }
  const SeriesPoint& back() const { return chunks_.back()->back(); }

  /// Calls f(point) for each kept point, oldest first.
  template <typename F>
  void for_each(F&& f) const {
    size_t skip = skip_;
    for (const auto& chunk : chunks_) {
      for (const auto& p : *chunk) {
        if (skip > 0) {
          --skip;
          continue;
        }
        f(p);
      }
    }
  }

private:
  std::vector<std::shared_ptr<const std::vector<SeriesPoint>>> chunks_;
  size_t size_ = 0;  // points in chunks_
  size_t skip_ = 0;  // oldest points in chunks_ past the bound
};

/// Series per request name and per region, each bounded like SeriesLog. Names are as
/// many as the campaign's requests and regions.
struct NamedSeries {
  std::map<std::string, SeriesLog> requests;
  std::map<std::string, SeriesLog> regions;
};

/// One window's point of one request name or region, as timeseries_by_name.csv has it.
struct NamedPoint {
  const char* scope;  // "request" or "region"
  std::string name;
  SeriesPoint point;
};

}  // namespace grid::broker
