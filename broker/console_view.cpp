#include "broker/console_view.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "protocol/common/units.hpp"

namespace grid::broker {
namespace {

std::string fmt_ms(uint64_t us) {
  return us >= 1'000'000 ? fmt::format("{:.2f}s", us / 1e6) : fmt::format("{:.2f}ms", us / 1e3);
}

std::string failure_breakdown(const wire::RequestStats& s) {
  std::string out;
  for (size_t k = 0; k < wire::kFailureKindCount; ++k) {
    if (s.failures.by_kind[k] == 0) continue;
    if (!out.empty()) out += ' ';
    out += std::string(wire::kFailureKindNames[k]) + "=" + std::to_string(s.failures.by_kind[k]);
  }
  return out.empty() ? "-" : out;
}

// The pass/fail table under the report; nothing when the campaign has no thresholds.
std::string thresholds_table(const RunInfo& info) {
  if (info.thresholds.empty()) return "";
  size_t failed = 0, metric_width = 6, condition_width = 9;  // the headers' widths
  for (const auto& r : info.thresholds) {
    failed += r.pass ? 0 : 1;
    metric_width = std::max(metric_width, r.metric.size());
    condition_width = std::max(condition_width, r.condition.size());
  }
  std::string out = failed == 0 ? fmt::format("\nthresholds: all {} passed\n", info.thresholds.size())
                                : fmt::format("\nthresholds: {} of {} FAILED\n", failed, info.thresholds.size());
  if (!info.aborted_by.empty()) out += "the run was stopped early by: " + info.aborted_by + "\n";
  out += fmt::format("  {:<6} {:<{}} {:<{}} {}\n", "result", "metric", metric_width, "condition", condition_width,
                     "observed");
  for (const auto& r : info.thresholds) {
    out += fmt::format("  {:<6} {:<{}} {:<{}} {}\n", r.pass ? "pass" : "FAIL", r.metric, metric_width, r.condition,
                       condition_width, format_observed(r.unit, r.value));
  }
  return out;
}

// The open model's figures (service time beside the corrected latency, dropped
// iterations) and the problems the workload met, each message once. Empty when none.
std::string workload_lines(const RunAggregator& run) {
  std::string out;
  const auto& total = run.total();
  if (total.service_us.count() > 0 || total.dropped_iterations > 0) {
    out += "\nopen model: latency above is from each iteration's intended start; service time:\n";
    for (const auto& [name, s] : run.by_name()) {
      const auto& h = s.service_us;
      out += fmt::format("  {:<20} p50={} p95={} p99={} max={} dropped_iterations={}\n", name, fmt_ms(h.percentile(50)),
                         fmt_ms(h.percentile(95)), fmt_ms(h.percentile(99)), fmt_ms(h.max()), s.dropped_iterations);
    }
  }
  if (!run.problems().empty()) {
    out += "\nproblems:\n";
    for (const auto& [text, n] : run.problems()) out += fmt::format("  {} ({} times)\n", text, n);
  }
  return out;
}

}  // namespace

std::string progress_line(const RunInfo& info, const wire::StatsWindow& w, bool tty) {
  const wire::RequestStats t = w.total();
  const double interval_s = w.interval_ms / 1000.0;
  const double elapsed = std::min(info.elapsed_s, info.duration_ms / 1000.0);
  std::string bar;
  if (tty) {
    constexpr int kWidth = 20;
    const double done = info.duration_ms ? elapsed * 1000.0 / info.duration_ms : 1.0;
    const int filled = std::clamp(static_cast<int>(done * kWidth + 0.5), 0, kWidth);
    bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] ";
  }
  return fmt::format(
      "{}{}/{} users={} req/s={:.0f} failures={} p50={} p95={} p99={}", bar,
      common::format_duration(std::chrono::milliseconds(static_cast<int64_t>(elapsed * 1000) / 1000 * 1000)),
      common::format_duration(std::chrono::milliseconds(info.duration_ms)), w.active_users, t.requests / interval_s,
      t.failed(), fmt_ms(t.latency_us.percentile(50)), fmt_ms(t.latency_us.percentile(95)),
      fmt_ms(t.latency_us.percentile(99)));
}

std::string grid_lines(const GridReport& grid, const wire::StatsWindow& w) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_region;  // requests, failures
  for (const auto& s : w.sources) {
    by_region[s.region].first += s.requests;
    by_region[s.region].second += s.failures;
  }
  for (const auto& [name, r] : grid.regions) by_region.try_emplace(name);
  std::string out;
  const double interval_s = w.interval_ms / 1000.0;
  for (const auto& [name, counts] : by_region) {
    const auto it = grid.regions.find(name);
    out += fmt::format("  region {:<12} users={} req/s={:.0f} failures={}\n", name,
                       it == grid.regions.end() ? 0u : it->second.users, counts.first / interval_s, counts.second);
  }
  return out + fmt::format("  agents: {} live, {} lost; relays: {}\n", grid.live_agents, grid.lost_agents, grid.relays);
}

std::string final_report(const RunInfo& info, const RunAggregator& run, const GridReport* grid) {
  std::string out = fmt::format("campaign {}: {}, {:.1f}s elapsed, {} users, {} engine threads\n\n", info.campaign,
                                info.state, info.elapsed_s, info.users, info.threads);
  out += fmt::format("{:<20} {:>10} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "name", "requests",
                     "failures", "req/s", "min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max");
  // A name longer than its column widens its row: never cut.
  auto row = [&](const std::string& name, const wire::RequestStats& s) {
    const auto& h = s.latency_us;
    out += fmt::format("{:<20} {:>10} {:>9} {:>10.1f} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}\n", name,
                       s.requests, s.failed(), info.elapsed_s > 0 ? s.requests / info.elapsed_s : 0.0, fmt_ms(h.min()),
                       fmt_ms(static_cast<uint64_t>(h.mean())), fmt_ms(h.percentile(50)), fmt_ms(h.percentile(90)),
                       fmt_ms(h.percentile(95)), fmt_ms(h.percentile(99)), fmt_ms(h.percentile(99.9)), fmt_ms(h.max()));
  };
  for (const auto& [name, stats] : run.by_name()) row(name, stats);
  row("TOTAL", run.total());
  out += "\nfailures by kind:\n";
  for (const auto& [name, stats] : run.by_name()) {
    out += "  " + name + ": " + failure_breakdown(stats) + "\n";
  }
  out += "  TOTAL: " + failure_breakdown(run.total()) + "\n";
  // Which transport served each request name (peers before issue 9 do not say).
  if (run.total().transports != 0) {
    out += "transports:";
    for (const auto& [name, stats] : run.by_name()) {
      const std::string by = wire::served_by(stats.transports);
      out += " " + name + "=" + (by.empty() ? "-" : by);
    }
    out += "\n";
  }
  out += workload_lines(run);
  if (!grid) return out + thresholds_table(info);
  out += "\nregions:\n";
  for (const auto& [name, r] : grid->regions) {
    out += fmt::format("  {:<20} users={} requests={} failures={}\n", name, r.users, r.requests, r.failures);
  }
  out += "agents:\n";
  for (const auto& a : grid->agents) {
    out += fmt::format("  {:<28} {:<10} users={} requests={} clock_offset={:.1f}ms {}\n", a.id, a.region, a.users,
                       a.requests, a.clock_offset_us / 1000.0,
                       a.lost    ? "LOST"
                       : a.final ? "finished"
                                 : "running");
  }
  out += fmt::format("first-request spread across agents: {:.1f} ms; rejected frames: {}\n",
                     grid->first_request_spread_ms, grid->rejected_frames);
  if (grid->dropped_frames > 0 || grid->retained_frames > 0) {
    out += fmt::format("frames given up: {}; kept for retry: {}\n", grid->dropped_frames, grid->retained_frames);
  }
  if (grid->failovers > 0 || grid->resent_windows > 0 || grid->coalesced_windows > 0) {
    out += fmt::format("failovers: {}; windows resent: {}; coalesced: {}\n", grid->failovers, grid->resent_windows,
                       grid->coalesced_windows);
  }
  if (grid->unaccounted_requests > 0) {
    out += fmt::format("unaccounted: up to {} requests of lost agents may have reached the target uncounted\n",
                       grid->unaccounted_requests);
  }
  for (const auto& l : grid->lost) out += "lost: " + l + "\n";
  for (const auto& w : grid->warnings) out += "warning: " + w + "\n";
  return out + thresholds_table(info);
}

}  // namespace grid::broker
