#pragma once

#include <string>

#include "broker/grid_report.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// One live progress line for a complete window: elapsed/duration, active users, req/s,
/// failures and the window's p50/p95/p99. With `tty` a progress bar leads (the caller
/// redraws it in place); without, it is a plain log line. Pure.
std::string progress_line(const RunInfo& info, const wire::StatsWindow& window, bool tty);

/// Lines under a progress line in a grid: one per region (users, req/s and failures of
/// the window) and one of grid health (live/lost agents, relays). Pure.
std::string grid_lines(const GridReport& grid, const wire::StatsWindow& window);

/// The final report: one table row per request name and the total, with requests,
/// failures by kind, req/s and latency min/mean/p50/p90/p95/p99/p99.9/max; last, when the
/// campaign has thresholds, their pass/fail table. Pure.
std::string final_report(const RunInfo& info, const RunAggregator& run, const GridReport* grid = nullptr);

}  // namespace grid::broker
