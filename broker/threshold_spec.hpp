#pragma once

#include <string>

namespace grid::broker {

/// One `[thresholds]` entry as the campaign states it: `p99 = < 500ms`,
/// `request.checkout.p95 = < 800ms`, `error_rate = < 1%`, `rps = > 1000`,
/// `dropped_iterations = < 10`. Evaluated on the grid-wide merged data (broker/thresholds.hpp).
struct ThresholdSpec {
  std::string key;        // as written: "p99", "request.checkout.p95"
  std::string request;    // the request name of a "request.NAME.metric" key; empty = all requests
  std::string metric;     // p50 p75 p90 p95 p99 p99.9 max mean (ms), error_rate (fraction 0..1),
                          // rps, requests, failures, dropped_iterations
  std::string op;         // <, <=, >, >=, ==
  double value = 0;       // ms for latency metrics, a fraction for error_rate, else plain
  std::string condition;  // the value as written: "< 500ms"
  bool operator==(const ThresholdSpec&) const = default;
};

}  // namespace grid::broker
