#include "broker/api_snapshot.hpp"

#include "broker/timeseries_csv.hpp"

namespace grid::broker {

SeriesPoint series_point(const wire::StatsWindow& w, uint64_t started_unix_ms, uint64_t ended_unix_ms) {
  const wire::RequestStats t = w.total();
  const uint64_t covered_ms = window_coverage_ms(w, started_unix_ms, ended_unix_ms);
  const double interval_s = static_cast<double>(covered_ms ? covered_ms : w.interval_ms) / 1000.0;
  SeriesPoint p;
  p.start_unix_ms = w.start_ms();
  p.elapsed_s = w.end_ms() > started_unix_ms ? static_cast<double>(w.end_ms() - started_unix_ms) / 1000.0 : 0.0;
  p.rps = interval_s > 0 ? static_cast<double>(t.requests) / interval_s : 0.0;
  p.failures_per_s = interval_s > 0 ? static_cast<double>(t.failed()) / interval_s : 0.0;
  p.p50_ms = static_cast<double>(t.latency_us.percentile(50)) / 1000.0;
  p.p95_ms = static_cast<double>(t.latency_us.percentile(95)) / 1000.0;
  p.p99_ms = static_cast<double>(t.latency_us.percentile(99)) / 1000.0;
  p.active_users = w.active_users;
  return p;
}

void RegionCounters::add(const wire::StatsWindow& window) {
  const std::string region = window.sources.empty() ? std::string() : window.sources.front().region;
  for (const auto& [name, stats] : window.requests) {
    auto& c = counts_[{region, name}];
    c.requests += stats.requests;
    for (size_t k = 0; k < wire::kFailureKindCount; ++k) c.failures[k] += stats.failures.by_kind[k];
  }
}

void SeriesLog::append(const SeriesPoint& point) {
  auto next = std::make_shared<std::deque<SeriesPoint>>(*points_);
  next->push_back(point);
  while (next->size() > kMaxPoints) next->pop_front();
  points_ = std::move(next);
}

}  // namespace grid::broker
