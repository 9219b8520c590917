// BrokerNode's side of the HTTP API: it publishes immutable snapshots from its loop
// (at most every 250 ms, and at every window shown); the server's thread only reads the
// latest one (docs/adr/0017).

#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "broker/api_router.hpp"
#include "broker/broker_node.hpp"
#include "broker/http_server.hpp"
#include "broker/web_assets.hpp"

namespace grid::broker {
namespace {

constexpr std::chrono::milliseconds kApiPublishEvery{250};

// GET /api/v1/nodes says `waiting` until a campaign runs, whether or not one is planned.
std::string state_name(wire::CampaignState state) {
  return std::string(wire::to_string(state == wire::CampaignState::idle ? wire::CampaignState::waiting : state));
}

double process_cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

}  // namespace

void BrokerNode::start_http() {
  if (options_.http_listen.empty()) return;
  std::string error;
  const auto listen = parse_http_listen(options_.http_listen, error);
  if (!listen) throw std::runtime_error("--http: " + error);
  api_router_ = std::make_unique<ApiRouter>(api_box_, options_.http_token, [this] { stop(); });
  http_ = std::make_unique<HttpServer>(*listen,
                                       [router = api_router_.get()](const ApiRequest& r) { return router->handle(r); });
  publish_api(true);
  log_->info("http listening {}", http_->bound_address());
  if (!read_chart_js()) {
    log_->warn(
        "chart.js not installed ({}): the dashboard shows its tables without charts (Debian package "
        "libjs-chart.js)",
        chart_js_path());
  }
}

std::vector<NodeView> BrokerNode::node_views() const {
  const auto& figures = accounting_.agents();
  auto agent_view = [&](const std::string& id, const std::string& region, uint32_t users, bool lost) {
    NodeView v;
    v.id = id;
    v.kind = "agent";
    v.region = region;
    v.state = lost ? "lost" : "running";
    v.users = users;
    if (const auto it = figures.find(id); it != figures.end()) {
      v.requests = it->second.requests;
      v.failures = it->second.failures;
      v.clock_offset_ms = static_cast<double>(it->second.clock_offset_us) / 1000.0;
      if (it->second.lost)
        v.state = "lost";
      else if (it->second.final)
        v.state = "finished";
    }
    return v;
  };
  std::vector<NodeView> out;
  for (const auto& [id, c] : children_.registry().children()) {
    const bool relay = c.kind == wire::NodeKind::relay;
    NodeView v = agent_view(id, c.region, c.active_users, c.lost);
    if (relay) v.kind = "relay";
    if (c.lost)
      v.state = "lost";
    else if (c.left)
      v.state = "left";
    v.users = c.active_users;
    v.version = c.software_version;
    v.cpu_percent = c.cpu_percent;
    v.rss_bytes = c.rss_bytes;
    v.clock_offset_ms = static_cast<double>(c.clock_offset_us) / 1000.0;
    if (relay) {
      for (const auto& a : c.agent_loads) {
        NodeView agent = agent_view(a.agent_id, c.region, a.users, a.lost);
        agent.cpu_percent = a.cpu_percent;  // 0 from relays older than 0.5
        agent.rss_bytes = a.rss_bytes;
        v.requests += agent.requests;
        v.failures += agent.failures;
        v.agents.push_back(std::move(agent));
      }
      // A relay whose agents have all sent their final window has nothing left to relay.
      const bool all_finished =
          !v.agents.empty() &&
          std::all_of(v.agents.begin(), v.agents.end(), [](const NodeView& a) { return a.state == "finished"; });
      if (v.state == "running" && all_finished) v.state = "finished";
    }
    for (const auto& w : report_.warnings) {
      if (w.find(id) != std::string::npos) v.warnings.push_back(w);
    }
    out.push_back(std::move(v));
  }
  return out;
}

// Copies what the API shows (the loop's only cost: a few map copies, no JSON), at most
// every kApiPublishEvery unless `now`.
void BrokerNode::publish_api(bool now, bool final) {
  if (!http_) return;
  const common::SteadyTime t = clock_.steady_now();
  if (!now && t < next_api_publish_) return;
  next_api_publish_ = t + kApiPublishEvery;
  auto s = std::make_shared<ApiSnapshot>();
  s->state = state_name(plan_.state);
  s->info = info_;
  if (!final) s->info.elapsed_s = elapsed_s();
  s->run = run_;
  s->grid = report_;
  s->regions = region_counts_;
  s->series = series_;
  s->named = named_series_;
  s->nodes = node_views();
  s->active_users = series_.empty() ? 0 : series_.back().active_users;
  s->broker_cpu_seconds = process_cpu_seconds();
  s->broker_loop_cpu_seconds = thread_cpu_seconds();  // publish_api runs on the loop thread
  s->logs = recent_logs_.view();
  s->logs.dropped = report_.dropped_log_records;
  s->final = final;
  api_box_.publish(std::move(s));
}

void BrokerNode::linger_http() {
  if (!http_ || options_.http_linger.count() <= 0) return;
  const uint32_t stops = stops_.load(std::memory_order_relaxed);
  log_->info("http api stays up with the final figures for {} ms (POST /api/v1/stop or a signal ends it)",
             options_.http_linger.count());
  const auto deadline = std::chrono::steady_clock::now() + options_.http_linger;
  while (std::chrono::steady_clock::now() < deadline && stops_.load(std::memory_order_relaxed) == stops) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    update_health();  // the loop's thread is alive, serving the final figures
  }
}

// The broker has no parent: no parent_connected.
void BrokerNode::update_health() {
  health_.update(clock_.steady_now(), [this] {
    return common::make_health_record(options_.id, "broker", common::health_state_name(plan_.state), std::nullopt,
                                      clock_.wall_now());
  });
}

}  // namespace grid::broker
