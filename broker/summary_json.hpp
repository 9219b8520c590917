#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "broker/grid_report.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "protocol/wire/request_stats.hpp"

namespace grid::broker {

/// The figures of one RequestStats as summary.json holds them (docs/summary-json.md);
/// `elapsed_s` turns counts into rates. Pure.
nlohmann::ordered_json stats_json(const wire::RequestStats& stats, double elapsed_s);

/// The whole summary.json document; `grid` adds regions, agents and grid health. Pure.
nlohmann::ordered_json summary_json(const RunInfo& info, const RunAggregator& run, const GridReport* grid = nullptr);

/// Writes `doc` to `path` atomically (temporary file + rename), so a reader or a crash
/// never sees half a file. Throws std::runtime_error naming the path on failure.
void write_json_atomically(const std::string& path, const nlohmann::ordered_json& doc);

}  // namespace grid::broker
