#pragma once

#include <cstdint>
#include <string>

#include "broker/series_log.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// The header line of timeseries.csv (without newline). Pure.
std::string timeseries_header();

/// One timeseries.csv row (without newline) for a complete window: the grid-wide total
/// of that interval. Its req/s divides by the part of the window the load covered (the
/// first and last windows of a run are partial; `ended_unix_ms` 0 = still running). Pure.
std::string timeseries_row(const wire::StatsWindow& window, uint64_t started_unix_ms, uint64_t ended_unix_ms = 0);

/// Milliseconds of [window start, window end) inside [run start, run end); run end 0 =
/// open. Pure.
uint64_t window_coverage_ms(const wire::StatsWindow& window, uint64_t started_unix_ms, uint64_t ended_unix_ms);

/// The header line of timeseries_by_name.csv (without newline): one row per window and
/// request name, and per window and region. Pure.
std::string timeseries_by_name_header();

/// One timeseries_by_name.csv row (without newline). The name is quoted as RFC 4180
/// says when it holds a comma, a quote or a line end. Pure.
std::string timeseries_by_name_row(const NamedPoint& point);

/// `field` as one RFC 4180 CSV field: as it is, or quoted with '"' doubled. Pure.
std::string csv_field(std::string_view field);

}  // namespace grid::broker
