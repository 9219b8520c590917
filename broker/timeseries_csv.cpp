#include "broker/timeseries_csv.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace grid::broker {

namespace {

// Columns are append-only: the failure kinds that existed when dropped_iterations was
// added sit before the byte counts; kinds added later go at the end of the row.
constexpr size_t kKindsBeforeBytes = 7;

}  // namespace

std::string timeseries_header() {
  std::string h = "window_start_unix_ms,elapsed_s,users,requests,rps,failures";
  for (size_t k = 0; k < kKindsBeforeBytes; ++k) h += ",failures_" + std::string(wire::kFailureKindNames[k]);
  h += ",bytes_sent,bytes_received,latency_mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,dropped_iterations";
  for (size_t k = kKindsBeforeBytes; k < wire::kFailureKindCount; ++k) {
    h += ",failures_" + std::string(wire::kFailureKindNames[k]);
  }
  return h;
}

uint64_t window_coverage_ms(const wire::StatsWindow& w, uint64_t started_unix_ms, uint64_t ended_unix_ms) {
  const uint64_t from = std::max(w.start_ms(), started_unix_ms);
  const uint64_t to = ended_unix_ms ? std::min(w.end_ms(), ended_unix_ms) : w.end_ms();
  return to > from ? to - from : 0;
}

std::string timeseries_row(const wire::StatsWindow& w, uint64_t started_unix_ms, uint64_t ended_unix_ms) {
  const wire::RequestStats t = w.total();
  const uint64_t covered_ms = window_coverage_ms(w, started_unix_ms, ended_unix_ms);
  const double interval_s = (covered_ms ? covered_ms : w.interval_ms) / 1000.0;
  const double elapsed = w.end_ms() > started_unix_ms ? (w.end_ms() - started_unix_ms) / 1000.0 : 0.0;
  std::string row = fmt::format("{},{:.3f},{},{},{:.1f},{}", w.start_ms(), elapsed, w.active_users, t.requests,
                                t.requests / interval_s, t.failed());
  for (size_t k = 0; k < kKindsBeforeBytes; ++k) row += fmt::format(",{}", t.failures.by_kind[k]);
  const auto& h = t.latency_us;
  row += fmt::format(",{},{},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{}", t.bytes_sent, t.bytes_received,
                     h.mean() / 1000.0, h.percentile(50) / 1000.0, h.percentile(90) / 1000.0, h.percentile(95) / 1000.0,
                     h.percentile(99) / 1000.0, h.max() / 1000.0, t.dropped_iterations);
  for (size_t k = kKindsBeforeBytes; k < wire::kFailureKindCount; ++k) row += fmt::format(",{}", t.failures.by_kind[k]);
  return row;
}

std::string timeseries_by_name_header() {
  return "window_start_unix_ms,elapsed_s,scope,name,users,requests,rps,failures,failures_per_s,p50_ms,p95_ms,p99_ms";
}

std::string timeseries_by_name_row(const NamedPoint& n) {
  const SeriesPoint& p = n.point;
  return fmt::format("{},{:.3f},{},{},{},{},{:.3f},{},{:.3f},{:.3f},{:.3f},{:.3f}", p.start_unix_ms, p.elapsed_s,
                     n.scope, csv_field(n.name), p.active_users, p.requests, p.rps, p.failures, p.failures_per_s,
                     p.p50_ms, p.p95_ms, p.p99_ms);
}

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace grid::broker
