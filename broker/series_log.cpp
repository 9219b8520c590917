#include "broker/series_log.hpp"

#include "broker/timeseries_csv.hpp"

namespace grid::broker {

SeriesPoint series_point(const wire::RequestStats& t, const wire::StatsWindow& w, uint64_t started_unix_ms,
                         uint64_t ended_unix_ms) {
  const uint64_t covered_ms = window_coverage_ms(w, started_unix_ms, ended_unix_ms);
  const double interval_s = static_cast<double>(covered_ms ? covered_ms : w.interval_ms) / 1000.0;
  SeriesPoint p;
  p.start_unix_ms = w.start_ms();
  p.elapsed_s = w.end_ms() > started_unix_ms ? static_cast<double>(w.end_ms() - started_unix_ms) / 1000.0 : 0.0;
  p.requests = t.requests;
  p.failures = t.failed();
  p.rps = interval_s > 0 ? static_cast<double>(t.requests) / interval_s : 0.0;
  p.failures_per_s = interval_s > 0 ? static_cast<double>(t.failed()) / interval_s : 0.0;
  p.p50_ms = static_cast<double>(t.latency_us.percentile(50)) / 1000.0;
  p.p95_ms = static_cast<double>(t.latency_us.percentile(95)) / 1000.0;
  p.p99_ms = static_cast<double>(t.latency_us.percentile(99)) / 1000.0;
  return p;
}

SeriesPoint series_point(const wire::StatsWindow& w, uint64_t started_unix_ms, uint64_t ended_unix_ms) {
  SeriesPoint p = series_point(w.total(), w, started_unix_ms, ended_unix_ms);
  p.active_users = w.active_users;
  return p;
}

void SeriesLog::append(const SeriesPoint& point) {
  if (chunks_.empty() || chunks_.back()->size() == kChunk) {
    chunks_.push_back(std::make_shared<const std::vector<SeriesPoint>>(1, point));
  } else {
    auto last = std::make_shared<std::vector<SeriesPoint>>(*chunks_.back());
    last->push_back(point);
    chunks_.back() = std::move(last);
  }
  ++size_;
  if (size_ - skip_ > kMaxPoints) ++skip_;
  if (skip_ >= kChunk) {  // a whole chunk is past the bound: let it go
    chunks_.erase(chunks_.begin());
    size_ -= kChunk;
    skip_ -= kChunk;
  }
}

}  // namespace grid::broker
