#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/threshold_spec.hpp"
#include "protocol/wire/request_stats.hpp"

namespace grid::broker {

/// The unit of a threshold metric's values, in the spec and in the result.
enum class ThresholdUnit {
  ms,          // latency: p50 p75 p90 p95 p99 p99.9 max mean, from latency_us
  fraction,    // error_rate: failed / requests, 0..1 ("1%" is 0.01)
  per_second,  // rps: requests / seconds the load ran
  count,       // requests, failures, dropped_iterations
};

/// The unit of `metric` (the bare metric, "p99", not "request.home.p99"); nullopt for a
/// name that is not a threshold metric. The campaign parser validates names with it.
std::optional<ThresholdUnit> threshold_unit(std::string_view metric);

/// One threshold evaluated: what the outputs show (summary.json `thresholds`, the
/// console table, junit.xml).
struct ThresholdResult {
  std::string metric;     // the key as written: "p99", "request.checkout.p95"
  std::string condition;  // as written: "< 500ms"
  ThresholdUnit unit = ThresholdUnit::count;
  std::optional<double> value;  // observed, in `unit`; nullopt: no data to evaluate (then !pass)
  bool pass = false;

  /// "p99 < 500ms": how warnings, junit.xml and summary.json `aborted_by` name it.
  std::string label() const { return metric + " " + condition; }
  bool operator==(const ThresholdResult&) const = default;
};

/// Evaluates every threshold, in order, on a run's merged statistics: `total` over every
/// request name, `by_name` per name (request.NAME.metric keys), `elapsed_s` the seconds
/// the load ran (rps = requests / elapsed_s). Pure.
///
/// A threshold never passes without data. Its value is nullopt and it fails when:
/// - a latency metric has no latency sample (no request got a response or timed out);
/// - error_rate has no request (0 / 0);
/// - rps has elapsed_s <= 0 (the load has not started);
/// - it names a request (`request.NAME.`) that has no statistics at all, whatever the
///   metric: a request never made is not evidence that it was fast or never failed;
/// - its metric or operator is unknown (the parser rejects those; this is a backstop).
/// Counts over every request (requests, failures, dropped_iterations) always have a
/// value, possibly 0. Comparisons are exact: `p99 < 500ms` fails at exactly 500 ms.
std::vector<ThresholdResult> evaluate_thresholds(const std::vector<ThresholdSpec>& specs,
                                                 const wire::RequestStats& total,
                                                 const std::map<std::string, wire::RequestStats>& by_name,
                                                 double elapsed_s);

/// True when every result passes (also when there are none).
bool all_passed(const std::vector<ThresholdResult>& results);

/// The index of the first result that fails with an observed value: what stops a run
/// live (abort_on_fail). A threshold without data yet is not a reason to stop; it still
/// fails at the end if the data never come. nullopt when none.
std::optional<size_t> first_observed_failure(const std::vector<ThresholdResult>& results);

/// The observed value for people: "512.345ms", "2.5%", "1234.5/s", "42"; "no data" for
/// nullopt. Latency and rates are rounded to 3 decimals, percentages to 4.
std::string format_observed(ThresholdUnit unit, const std::optional<double>& value);

}  // namespace grid::broker
