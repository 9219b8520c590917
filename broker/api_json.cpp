#include "broker/api_json.hpp"

#include <cmath>

#include "broker/summary_json.hpp"

namespace grid::broker {
namespace {

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

nlohmann::ordered_json node_json(const NodeView& n) {
  nlohmann::ordered_json out = {{"id", n.id},
                                {"kind", n.kind},
                                {"region", n.region},
                                {"state", n.state},
                                {"version", n.version},
                                {"users", n.users},
                                {"requests", n.requests},
                                {"failures", n.failures},
                                {"cpu_percent", round3(n.cpu_percent)},
                                {"rss_bytes", n.rss_bytes},
                                {"clock_offset_ms", round3(n.clock_offset_ms)},
                                {"warnings", n.warnings}};
  if (n.kind == "relay") {
    nlohmann::ordered_json agents = nlohmann::ordered_json::array();
    for (const auto& a : n.agents) agents.push_back(node_json(a));
    out["agents"] = agents;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json series_json(const SeriesLog& log, bool with_users) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  log.for_each([&](const SeriesPoint& p) {
    nlohmann::ordered_json point = {{"start_unix_ms", p.start_unix_ms},
                                    {"elapsed_s", round3(p.elapsed_s)},
                                    {"requests", p.requests},
                                    {"failures", p.failures},
                                    {"rps", round3(p.rps)},
                                    {"failures_per_s", round3(p.failures_per_s)},
                                    {"p50_ms", p.p50_ms},
                                    {"p95_ms", p.p95_ms},
                                    {"p99_ms", p.p99_ms}};
    if (with_users) point["active_users"] = p.active_users;
    out.push_back(std::move(point));
  });
  return out;
}

nlohmann::ordered_json api_status_json(const ApiSnapshot& s) {
  return {{"campaign", s.info.campaign},
          {"state", s.state},
          {"final", s.final},
          {"elapsed_s", round3(s.info.elapsed_s)},
          {"duration_s", static_cast<double>(s.info.duration_ms) / 1000.0},
          {"users", s.info.users},
          {"active_users", s.active_users},
          {"agents", {{"live", s.grid.live_agents}, {"lost", s.grid.lost_agents}}},
          {"relays", s.grid.relays},
          {"version", s.info.version}};
}

nlohmann::ordered_json api_stats_json(const ApiSnapshot& s) {
  nlohmann::ordered_json requests = nlohmann::ordered_json::array();
  for (const auto& [name, stats] : s.run.by_name()) {
    nlohmann::ordered_json r = stats_json(stats, s.info.elapsed_s);
    r["name"] = name;
    requests.push_back(std::move(r));
  }
  nlohmann::ordered_json by_request = nlohmann::ordered_json::object();
  for (const auto& [name, log] : s.named.requests) by_request[name] = series_json(log, false);
  nlohmann::ordered_json by_region = nlohmann::ordered_json::object();
  for (const auto& [name, log] : s.named.regions) by_region[name] = series_json(log, true);
  return {{"state", s.state},
          {"final", s.final},
          {"elapsed_s", round3(s.info.elapsed_s)},
          {"windows", s.run.windows()},
          {"total", stats_json(s.run.total(), s.info.elapsed_s)},
          {"requests", requests},
          {"series", series_json(s.series, true)},
          {"series_by_request", by_request},
          {"series_by_region", by_region}};
}

nlohmann::ordered_json api_nodes_json(const ApiSnapshot& s) {
  nlohmann::ordered_json children = nlohmann::ordered_json::array();
  for (const auto& n : s.nodes) children.push_back(node_json(n));
  return {{"id", "broker"}, {"kind", "broker"}, {"children", children}};
}

nlohmann::ordered_json api_logs_json(const ApiSnapshot& s, uint64_t since) {
  nlohmann::ordered_json logs = nlohmann::ordered_json::array();
  for (const LogEntry* e : s.logs.after(since, RecentLogs::kKeep)) logs.push_back(log_entry_json(*e, true));
  return {{"logs", logs}, {"dropped", s.logs.dropped}, {"total", s.logs.total}};
}

nlohmann::ordered_json api_warnings_json(const ApiSnapshot& s) {
  return {{"warnings", s.grid.warnings}, {"suppressed", s.grid.suppressed_warnings}};
}

}  // namespace grid::broker
