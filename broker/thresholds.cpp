#include "broker/thresholds.hpp"

#include <array>
#include <cmath>
#include <utility>

#include <fmt/format.h>

namespace grid::broker {
namespace {

struct MetricInfo {
  std::string_view name;
  ThresholdUnit unit;
  double percentile;  // latency percentiles only; -1 otherwise
};

constexpr std::array<MetricInfo, 13> kMetrics = {{
    {"p50", ThresholdUnit::ms, 50},
    {"p75", ThresholdUnit::ms, 75},
    {"p90", ThresholdUnit::ms, 90},
    {"p95", ThresholdUnit::ms, 95},
    {"p99", ThresholdUnit::ms, 99},
    {"p99.9", ThresholdUnit::ms, 99.9},
    {"max", ThresholdUnit::ms, -1},
    {"mean", ThresholdUnit::ms, -1},
    {"error_rate", ThresholdUnit::fraction, -1},
    {"rps", ThresholdUnit::per_second, -1},
    {"requests", ThresholdUnit::count, -1},
    {"failures", ThresholdUnit::count, -1},
    {"dropped_iterations", ThresholdUnit::count, -1},
}};

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& m : kMetrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// The metric's value over `s`, in its unit; nullopt when `s` holds nothing to compute it from.
std::optional<double> observe(const MetricInfo& m, const wire::RequestStats& s, double elapsed_s) {
  const auto& h = s.latency_us;
  if (m.unit == ThresholdUnit::ms) {
    if (h.count() == 0) return std::nullopt;
    if (m.percentile >= 0) return static_cast<double>(h.percentile(m.percentile)) / 1000.0;
    if (m.name == "max") return static_cast<double>(h.max()) / 1000.0;
    return h.mean() / 1000.0;
  }
  if (m.name == "error_rate") {
    if (s.requests == 0) return std::nullopt;
    return static_cast<double>(s.failed()) / static_cast<double>(s.requests);
  }
  if (m.name == "rps") {
    if (!(elapsed_s > 0)) return std::nullopt;
    return static_cast<double>(s.requests) / elapsed_s;
  }
  if (m.name == "requests") return static_cast<double>(s.requests);
  if (m.name == "failures") return static_cast<double>(s.failed());
  return static_cast<double>(s.dropped_iterations);
}

// `observed OP bound`; an unknown operator is false (never a silent pass).
bool holds(double observed, const std::string& op, double bound) {
  if (op == "<") return observed < bound;
  if (op == "<=") return observed <= bound;
  if (op == ">") return observed > bound;
  if (op == ">=") return observed >= bound;
  if (op == "==") return observed == bound;
  return false;
}

double rounded(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const double r = std::round(v * scale) / scale;
  return r == 0 ? 0.0 : r;  // never "-0"
}

}  // namespace

std::optional<ThresholdUnit> threshold_unit(std::string_view metric) {
  const MetricInfo* m = find_metric(metric);
  if (!m) return std::nullopt;
  return m->unit;
}

std::vector<ThresholdResult> evaluate_thresholds(const std::vector<ThresholdSpec>& specs,
                                                 const wire::RequestStats& total,
                                                 const std::map<std::string, wire::RequestStats>& by_name,
                                                 double elapsed_s) {
  std::vector<ThresholdResult> results;
  results.reserve(specs.size());
  for (const auto& spec : specs) {
    ThresholdResult r;
    r.metric = spec.key;
    r.condition = spec.condition;
    const MetricInfo* m = find_metric(spec.metric);
    if (m) r.unit = m->unit;
    const wire::RequestStats* stats = &total;
    if (!spec.request.empty()) {
      const auto it = by_name.find(spec.request);
      stats = it == by_name.end() ? nullptr : &it->second;
    }
    if (m && stats) r.value = observe(*m, *stats, elapsed_s);
    r.pass = r.value.has_value() && holds(*r.value, spec.op, spec.value);
    results.push_back(std::move(r));
  }
  return results;
}

bool all_passed(const std::vector<ThresholdResult>& results) {
  for (const auto& r : results) {
    if (!r.pass) return false;
  }
  return true;
}

std::optional<size_t> first_observed_failure(const std::vector<ThresholdResult>& results) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].pass && results[i].value) return i;
  }
  return std::nullopt;
}

std::string format_observed(ThresholdUnit unit, const std::optional<double>& value) {
  if (!value) return "no data";
  switch (unit) {
    case ThresholdUnit::ms:
      return fmt::format("{}ms", rounded(*value, 3));
    case ThresholdUnit::fraction:
      return fmt::format("{}%", rounded(*value * 100.0, 4));
    case ThresholdUnit::per_second:
      return fmt::format("{}/s", rounded(*value, 3));
    case ThresholdUnit::count:
      break;
  }
  return fmt::format("{:.0f}", *value);
}

}  // namespace grid::broker
