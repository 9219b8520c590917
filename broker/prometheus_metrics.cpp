#include "broker/prometheus_metrics.hpp"

#include <map>

#include <fmt/format.h>

namespace grid::broker {
namespace {

// Seconds with microsecond precision, no trailing zeros ("0.0025", "1", "0.999935").
std::string seconds(uint64_t us) {
  std::string s = fmt::format("{}.{:06d}", us / 1'000'000, us % 1'000'000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

const std::vector<uint64_t>& nominal_bucket_bounds_us() {
  static const std::vector<uint64_t> bounds = {1'000,     2'500,     5'000,      10'000,     25'000,
                                               50'000,    100'000,   250'000,    500'000,    1'000'000,
                                               2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};
  return bounds;
}

uint64_t exact_bucket_bound_us(uint64_t nominal_us) {
  const uint32_t index = wire::LatencyHistogram::index_of(nominal_us);
  if (wire::LatencyHistogram::highest_value_of(index) == nominal_us) return nominal_us;
  return wire::LatencyHistogram::lowest_value_of(index) - 1;  // the top of the bucket below
}

std::vector<PromBucket> cumulative_buckets(const wire::LatencyHistogram& histogram,
                                           const std::vector<uint64_t>& bounds_us) {
  const wire::HistogramWire w = histogram.to_wire();
  std::vector<PromBucket> out;
  out.reserve(bounds_us.size());
  size_t i = 0;
  uint64_t cumulative = 0;
  for (const uint64_t le : bounds_us) {
    while (i < w.indexes.size() && wire::LatencyHistogram::highest_value_of(w.indexes[i]) <= le) {
      cumulative += w.counts[i++];
    }
    out.push_back({le, cumulative});
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string prometheus_metrics(const ApiSnapshot& s) {
  std::string out;
  header(out, "loadgrid_requests_total", "counter",
         "Requests completed (successes and failures), by request name and region.");
  for (const auto& [key, c] : s.regions.counts()) {
    out += fmt::format("loadgrid_requests_total{{request=\"{}\",region=\"{}\"}} {}\n", escape_label_value(key.second),
                       escape_label_value(key.first), c.requests);
  }
  header(out, "loadgrid_failures_total", "counter", "Failed requests, by request name, region and failure kind.");
  for (const auto& [key, c] : s.regions.counts()) {
    for (size_t k = 0; k < wire::kFailureKindCount; ++k) {
      out += fmt::format("loadgrid_failures_total{{request=\"{}\",region=\"{}\",kind=\"{}\"}} {}\n",
                         escape_label_value(key.second), escape_label_value(key.first), wire::kFailureKindNames[k],
                         c.failures[k]);
    }
  }
  header(out, "loadgrid_request_duration_seconds", "histogram",
         "Request latency by request name; bucket bounds are edges of loadgrid's exact histogram.");
  std::vector<uint64_t> bounds;
  for (const uint64_t nominal : nominal_bucket_bounds_us()) bounds.push_back(exact_bucket_bound_us(nominal));
  for (const auto& [name, stats] : s.run.by_name()) {
    const std::string label = escape_label_value(name);
    const auto& h = stats.latency_us;
    for (const auto& b : cumulative_buckets(h, bounds)) {
      out += fmt::format("loadgrid_request_duration_seconds_bucket{{request=\"{}\",le=\"{}\"}} {}\n", label,
                         seconds(b.le_us), b.count);
    }
    out += fmt::format("loadgrid_request_duration_seconds_bucket{{request=\"{}\",le=\"+Inf\"}} {}\n", label, h.count());
    out += fmt::format("loadgrid_request_duration_seconds_sum{{request=\"{}\"}} {}\n", label, seconds(h.sum()));
    out += fmt::format("loadgrid_request_duration_seconds_count{{request=\"{}\"}} {}\n", label, h.count());
  }
  header(out, "loadgrid_active_users", "gauge", "Users running at the cut of the latest window, over the grid.");
  out += fmt::format("loadgrid_active_users {}\n", s.active_users);
  header(out, "loadgrid_agents", "gauge", "Agents known to the broker, by state.");
  std::map<std::string, uint32_t> by_state = {{"running", 0}, {"finished", 0}, {"lost", 0}};
  for (const auto& a : s.grid.agents) ++by_state[a.lost ? "lost" : a.final ? "finished" : "running"];
  for (const auto& [state, n] : by_state) out += fmt::format("loadgrid_agents{{state=\"{}\"}} {}\n", state, n);
  header(out, "loadgrid_broker_cpu_seconds_total", "counter", "CPU time (user and system) the broker process used.");
  out += fmt::format("loadgrid_broker_cpu_seconds_total {:.6f}\n", s.broker_cpu_seconds);
  header(out, "loadgrid_broker_loop_cpu_seconds_total", "counter",
         "CPU time (user and system) the broker's loop thread used: what the broker CPU warning watches.");
  out += fmt::format("loadgrid_broker_loop_cpu_seconds_total {:.6f}\n", s.broker_loop_cpu_seconds);
  return out;
}

}  // namespace grid::broker
