#include "broker/summary_json.hpp"

#include <cmath>

#include "protocol/common/atomic_file.hpp"

namespace grid::broker {
namespace {

double ms(uint64_t us) { return static_cast<double>(us) / 1000.0; }
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

nlohmann::ordered_json latency_json(const wire::LatencyHistogram& h) {
  return {{"samples", h.count()},
          {"min", ms(h.min())},
          {"mean", round3(h.mean() / 1000.0)},
          {"p50", ms(h.percentile(50))},
          {"p90", ms(h.percentile(90))},
          {"p95", ms(h.percentile(95))},
          {"p99", ms(h.percentile(99))},
          {"p999", ms(h.percentile(99.9))},
          {"max", ms(h.max())}};
}

std::string protocol_name(uint16_t code) {
  switch (code) {
    case 10:
      return "HTTP/1.0";
    case 11:
      return "HTTP/1.1";
    case 20:
      return "HTTP/2";
    case 30:
      return "HTTP/3";
    default:
      return "HTTP/" + std::to_string(code / 10) + "." + std::to_string(code % 10);
  }
}

}  // namespace

nlohmann::ordered_json stats_json(const wire::RequestStats& s, double elapsed_s) {
  nlohmann::ordered_json by_kind = nlohmann::ordered_json::object();
  for (size_t k = 0; k < wire::kFailureKindCount; ++k) {
    by_kind[std::string(wire::kFailureKindNames[k])] = s.failures.by_kind[k];
  }
  nlohmann::ordered_json codes = nlohmann::ordered_json::object();
  for (const auto& sc : s.status_codes) codes[std::to_string(sc.code)] = sc.count;
  nlohmann::ordered_json protocols = nlohmann::ordered_json::object();
  for (const auto& v : s.http_versions) protocols[protocol_name(v.code)] = v.count;
  nlohmann::ordered_json out = {
      {"requests", s.requests},
      {"failures", s.failed()},
      {"failures_by_kind", by_kind},
      {"status_codes", codes},
      {"rps", elapsed_s > 0 ? round3(static_cast<double>(s.requests) / elapsed_s) : 0.0},
      {"bytes_sent", s.bytes_sent},
      {"bytes_received", s.bytes_received},
      {"latency_ms", latency_json(s.latency_us)},
      {"dropped_iterations", s.dropped_iterations},
      {"protocols", protocols},
      {"transport", wire::served_by(s.transports)},
  };
  // Open model: latency_ms is from the intended start; the service time sits beside it.
  if (s.service_us.count() > 0) out["service_ms"] = latency_json(s.service_us);
  return out;
}

namespace {

nlohmann::ordered_json grid_json(const GridReport& g) {
  nlohmann::ordered_json regions = nlohmann::ordered_json::object();
  for (const auto& [name, r] : g.regions) {
    regions[name] = {{"users", r.users}, {"requests", r.requests}, {"failures", r.failures}};
  }
  nlohmann::ordered_json agents = nlohmann::ordered_json::array();
  for (const auto& a : g.agents) {
    agents.push_back({{"id", a.id},
                      {"region", a.region},
                      {"users", a.users},
                      {"requests", a.requests},
                      {"failures", a.failures},
                      {"clock_offset_ms", round3(static_cast<double>(a.clock_offset_us) / 1000.0)},
                      {"state", a.lost    ? "lost"
                                : a.final ? "finished"
                                          : "running"}});
  }
  return {{"regions", regions},
          {"agents", agents},
          {"health",
           {{"live_agents", g.live_agents},
            {"lost_agents", g.lost_agents},
            {"relays", g.relays},
            {"lost", g.lost},
            {"rejected_frames", g.rejected_frames},
            {"dropped_frames", g.dropped_frames},
            {"retained_frames", g.retained_frames},
            {"duplicate_windows", g.duplicate_windows},
            {"unattributed_windows", g.unattributed_windows},
            {"counted_windows", g.counted_pairs},
            {"unaccounted_requests", g.unaccounted_requests},
            {"resent_windows", g.resent_windows},
            {"failovers", g.failovers},
            {"coalesced_windows", g.coalesced_windows},
            {"peak_users", g.peak_users},
            {"dropped_log_records", g.dropped_log_records},
            {"first_request_spread_ms", round3(g.first_request_spread_ms)},
            {"freshness_ms",
             {{"p50", ms(g.freshness_us.percentile(50))},
              {"p99", ms(g.freshness_us.percentile(99))},
              {"max", ms(g.freshness_us.max())}}}}},
          {"warnings", g.warnings},
          {"suppressed_warnings", g.suppressed_warnings}};
}

// `thresholds`: one object per threshold, in campaign order. `value` is the observed value
// the decision was made on, unrounded (counts as integers), or null without data.
nlohmann::ordered_json thresholds_json(const std::vector<ThresholdResult>& results) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    nlohmann::ordered_json value = nullptr;
    if (r.value) {
      value = r.unit == ThresholdUnit::count ? nlohmann::ordered_json(static_cast<uint64_t>(*r.value))
                                             : nlohmann::ordered_json(*r.value);
    }
    out.push_back({{"metric", r.metric}, {"condition", r.condition}, {"value", value}, {"pass", r.pass}});
  }
  return out;
}

}  // namespace

namespace {

nlohmann::ordered_json problems_json(const std::map<std::string, uint64_t>& problems) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [text, n] : problems) out.push_back({{"message", text}, {"count", n}});
  return out;
}

}  // namespace

nlohmann::ordered_json summary_json(const RunInfo& info, const RunAggregator& run, const GridReport* grid) {
  nlohmann::ordered_json requests = nlohmann::ordered_json::array();
  for (const auto& [name, stats] : run.by_name()) {
    nlohmann::ordered_json r = stats_json(stats, info.elapsed_s);
    r["name"] = name;
    requests.push_back(std::move(r));
  }
  nlohmann::ordered_json doc = {
      {"schema", "loadgrid.summary/1"},
      {"loadgrid_version", info.version},
      {"campaign", info.campaign},
      {"state", info.state},
      {"started_unix_ms", info.started_unix_ms},
      {"duration_s", static_cast<double>(info.duration_ms) / 1000.0},
      {"elapsed_s", round3(info.elapsed_s)},
      {"users", info.users},
      {"threads", info.threads},
      {"interval_ms", info.interval_ms},
      {"windows", run.windows()},
      {"total", stats_json(run.total(), info.elapsed_s)},
      {"requests", requests},
      {"problems", problems_json(run.problems())},
      {"thresholds_passed", all_passed(info.thresholds) && info.aborted_by.empty()},
      {"aborted_by",
       info.aborted_by.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(info.aborted_by)},
      {"thresholds", thresholds_json(info.thresholds)},
  };
  if (grid) {
    const nlohmann::ordered_json extra = grid_json(*grid);
    for (auto it = extra.begin(); it != extra.end(); ++it) doc[it.key()] = it.value();
  }
  return doc;
}

void write_json_atomically(const std::string& path, const nlohmann::ordered_json& doc) {
  common::write_file_atomically(path, doc.dump(2) + "\n");
}

}  // namespace grid::broker
