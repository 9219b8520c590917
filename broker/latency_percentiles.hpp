#pragma once

#include <array>
#include <string>

#include "broker/run_aggregator.hpp"

namespace grid::broker {

/// The percentiles latency_percentiles.csv lists: the distribution the report draws.
inline constexpr std::array<double, 19> kReportPercentiles = {0,  10, 20, 30, 40,   50,   60,    70,    80, 90,
                                                              95, 97, 98, 99, 99.5, 99.9, 99.95, 99.99, 100};

/// latency_percentiles.csv: `scope,name,percentile,latency_ms`, the run's latency at each
/// of kReportPercentiles from the exact merged histograms, for the whole run (scope
/// `total`, name empty) and each request name (scope `request`). Percentile 0 is the
/// minimum and 100 the maximum; a name without samples has no rows. Pure.
std::string latency_percentiles_csv(const RunAggregator& run);

}  // namespace grid::broker
