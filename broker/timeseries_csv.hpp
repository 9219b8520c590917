#pragma once

#include <cstdint>
#include <string>

#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// The header line of timeseries.csv (without newline). Pure.
std::string timeseries_header();

/// One timeseries.csv row (without newline) for a complete window: the grid-wide total
/// of that interval. Pure.
std::string timeseries_row(const wire::StatsWindow& window, uint64_t started_unix_ms);

}  // namespace grid::broker
