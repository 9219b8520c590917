#include "broker/console_view.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "protocol/common/units.hpp"

namespace grid::broker {
namespace {

std::string fmt_ms(uint64_t us) {
  char buf[32];
  if (us >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2fs", us / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fms", us / 1e3);
  }
  return buf;
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
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s%s/%s users=%u req/s=%.0f failures=%llu p50=%s p95=%s p99=%s",
                bar.c_str(),
                common::format_duration(std::chrono::milliseconds(static_cast<int64_t>(elapsed * 1000) / 1000 * 1000)).c_str(),
                common::format_duration(std::chrono::milliseconds(info.duration_ms)).c_str(),
                w.active_users, t.requests / interval_s, static_cast<unsigned long long>(t.failed()),
                fmt_ms(t.latency_us.percentile(50)).c_str(), fmt_ms(t.latency_us.percentile(95)).c_str(),
                fmt_ms(t.latency_us.percentile(99)).c_str());
  return buf;
}

std::string grid_lines(const GridReport& grid, const wire::StatsWindow& w) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> by_region;  // requests, failures
  for (const auto& s : w.sources) {
    by_region[s.region].first += s.requests;
    by_region[s.region].second += s.failures;
  }
  for (const auto& [name, r] : grid.regions) by_region.try_emplace(name);
  std::string out;
  char buf[256];
  const double interval_s = w.interval_ms / 1000.0;
  for (const auto& [name, counts] : by_region) {
    const auto it = grid.regions.find(name);
    std::snprintf(buf, sizeof buf, "  region %-12s users=%u req/s=%.0f failures=%llu\n", name.c_str(),
                  it == grid.regions.end() ? 0u : it->second.users, counts.first / interval_s,
                  static_cast<unsigned long long>(counts.second));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "  agents: %u live, %u lost; relays: %u\n", grid.live_agents, grid.lost_agents,
                grid.relays);
  return out + buf;
}

std::string final_report(const RunInfo& info, const RunAggregator& run, const GridReport* grid) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof buf, "campaign %s: %s, %.1fs elapsed, %u users, %u engine threads\n\n",
                info.campaign.c_str(), info.state.c_str(), info.elapsed_s, info.users, info.threads);
  out += buf;
  std::snprintf(buf, sizeof buf, "%-20s %10s %9s %10s %9s %9s %9s %9s %9s %9s %9s %9s\n", "name",
                "requests", "failures", "req/s", "min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max");
  out += buf;
  auto row = [&](const std::string& name, const wire::RequestStats& s) {
    const auto& h = s.latency_us;
    std::snprintf(buf, sizeof buf, "%-20s %10llu %9llu %10.1f %9s %9s %9s %9s %9s %9s %9s %9s\n",
                  name.substr(0, 20).c_str(), static_cast<unsigned long long>(s.requests),
                  static_cast<unsigned long long>(s.failed()),
                  info.elapsed_s > 0 ? s.requests / info.elapsed_s : 0.0, fmt_ms(h.min()).c_str(),
                  fmt_ms(static_cast<uint64_t>(h.mean())).c_str(), fmt_ms(h.percentile(50)).c_str(),
                  fmt_ms(h.percentile(90)).c_str(), fmt_ms(h.percentile(95)).c_str(),
                  fmt_ms(h.percentile(99)).c_str(), fmt_ms(h.percentile(99.9)).c_str(),
                  fmt_ms(h.max()).c_str());
    out += buf;
  };
  for (const auto& [name, stats] : run.by_name()) row(name, stats);
  row("TOTAL", run.total());
  out += "\nfailures by kind:\n";
  for (const auto& [name, stats] : run.by_name()) {
    out += "  " + name + ": " + failure_breakdown(stats) + "\n";
  }
  out += "  TOTAL: " + failure_breakdown(run.total()) + "\n";
  if (!grid) return out;
  out += "\nregions:\n";
  for (const auto& [name, r] : grid->regions) {
    std::snprintf(buf, sizeof buf, "  %-20s users=%u requests=%llu failures=%llu\n", name.c_str(), r.users,
                  static_cast<unsigned long long>(r.requests), static_cast<unsigned long long>(r.failures));
    out += buf;
  }
  out += "agents:\n";
  for (const auto& a : grid->agents) {
    std::snprintf(buf, sizeof buf, "  %-28s %-10s users=%u requests=%llu clock_offset=%.1fms %s\n", a.id.c_str(),
                  a.region.c_str(), a.users, static_cast<unsigned long long>(a.requests), a.clock_offset_us / 1000.0,
                  a.lost ? "LOST" : a.final ? "finished" : "running");
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "first-request spread across agents: %.1f ms; rejected frames: %llu\n",
                grid->first_request_spread_ms, static_cast<unsigned long long>(grid->rejected_frames));
  out += buf;
  for (const auto& l : grid->lost) out += "lost: " + l + "\n";
  for (const auto& w : grid->warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace grid::broker
