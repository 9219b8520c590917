#pragma once

#include <string>

#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// One live progress line for a complete window: elapsed/duration, active users, req/s,
/// failures and the window's p50/p95/p99. With `tty` a progress bar leads (the caller
/// redraws it in place); without, it is a plain log line. Pure.
std::string progress_line(const RunInfo& info, const wire::StatsWindow& window, bool tty);

/// The final report: one table row per request name and the total, with requests,
/// failures by kind, req/s and latency min/mean/p50/p90/p95/p99/p99.9/max. Pure.
std::string final_report(const RunInfo& info, const RunAggregator& run);

}  // namespace grid::broker
