#include "broker/latency_percentiles.hpp"

#include <fmt/format.h>

#include "broker/timeseries_csv.hpp"

namespace grid::broker {
namespace {

void append_rows(std::string& out, const char* scope, const std::string& name, const wire::LatencyHistogram& h) {
  if (h.count() == 0) return;
  for (const double p : kReportPercentiles) {
    const uint64_t us = p <= 0 ? h.min() : p >= 100 ? h.max() : h.percentile(p);
    out += fmt::format("{},{},{},{:.3f}\n", scope, csv_field(name), p, static_cast<double>(us) / 1000.0);
  }
}

}  // namespace

std::string latency_percentiles_csv(const RunAggregator& run) {
  std::string out = "scope,name,percentile,latency_ms\n";
  append_rows(out, "total", "", run.total().latency_us);
  for (const auto& [name, stats] : run.by_name()) append_rows(out, "request", name, stats.latency_us);
  return out;
}

}  // namespace grid::broker
