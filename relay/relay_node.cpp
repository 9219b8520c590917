#include "relay/relay_node.hpp"

#include <algorithm>
#include <cstdio>

#include "protocol/common/budget_split.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/common/node_identity.hpp"

namespace grid::relay {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::string resolved_id(const RelayOptions& o) { return o.id.empty() ? common::default_node_id("relay") : o.id; }

}  // namespace

RelayNode::RelayNode(zmq::context_t& context, RelayOptions options)
    : options_(std::move(options)),
      parent_(context, options_.parent, resolved_id(options_)),
      children_(context, options_.listen, options_.heartbeat, [this] { return parent_.broker_now_us(); },
                resolved_id(options_)),
      merger_(static_cast<uint64_t>(options_.merge_grace.count())),
      // Epochs must grow across restarts too: children ignore anything not newer.
      epoch_(common::unix_now_ms()) {
  options_.id = resolved_id(options_);
}

void RelayNode::on_stats(const std::string&, wire::StatsReport report) {
  if (report.campaign_id != campaign_id_) {
    // A new campaign: what is pending belongs to the old one, and the new one's indexes
    // (another interval) are unrelated to what was released before.
    flush_windows(true);
    merger_ = common::WindowMerger(static_cast<uint64_t>(options_.merge_grace.count()));
    campaign_id_ = report.campaign_id;
  }
  wire::StatsReport late;
  late.campaign_id = report.campaign_id;
  for (auto& w : report.windows) {
    if (auto passed = merger_.add(std::move(w))) late.windows.push_back(std::move(*passed));
  }
  if (!late.windows.empty()) parent_.send(late);
}

void RelayNode::on_log(const std::string&, const wire::LogRecord&, const std::string& frame) {
  parent_.send_frame(frame);  // unchanged: the original sender stays named
}

void RelayNode::on_child_lost(const common::ChildInfo& child) {
  std::fprintf(stderr, "relay %s: child %s lost (silent for 3 heartbeats)\n", options_.id.c_str(), child.id.c_str());
  if (child.kind == wire::NodeKind::agent) lost_agents_.push_back(child.id);
  wire::LogRecord record;
  record.level = 1;
  record.text = "relay " + options_.id + ": child " + child.id + " lost; its users go to its siblings";
  parent_.send(record);
}

void RelayNode::flush_windows(bool all) {
  const uint64_t now_ms = static_cast<uint64_t>(parent_.broker_now_us() / 1000);
  auto windows = all ? merger_.release_all() : merger_.release(now_ms, busy_agents_);
  if (windows.empty()) return;
  wire::StatsReport report;
  report.campaign_id = campaign_id_;
  report.windows = std::move(windows);
  parent_.send(report);
}

void RelayNode::publish_plan() {
  wire::Plan out;
  if (parent_plan_) out = *parent_plan_;
  out.epoch = ++epoch_;
  out.budgets.clear();
  const auto live = children_.registry().live();
  const auto mine = parent_plan_ ? parent_plan_->budget_of(options_.id) : std::nullopt;
  if (mine && !live.empty()) {
    std::vector<common::ChildCapacity> capacities;
    for (const auto* c : live) capacities.push_back({c->region, c->capacity, c->max_users});
    const auto shares = common::split_budget(mine->users, {}, capacities);
    for (size_t i = 0; i < live.size(); ++i) {
      const double rate = mine->users ? mine->spawn_rate * static_cast<double>(shares[i]) / mine->users : 0;
      out.budgets.push_back({live[i]->id, static_cast<uint32_t>(shares[i]), rate});
    }
  }
  children_.publish(out, options_.id);
  republish_ = false;
  last_budgets_ = out.budgets;
  busy_agents_ = children_.registry().busy_agents(last_budgets_);
}

void RelayNode::send_heartbeat() {
  const auto u = usage_.sample();
  wire::Heartbeat hb;
  hb.cpu_percent = u.cpu_percent;
  hb.rss_bytes = u.rss_bytes;
  hb.plan_epoch = parent_plan_ ? parent_plan_->epoch : 0;
  hb.sent_unix_us = common::ParentLink::unix_now_us();
  hb.kind = static_cast<uint8_t>(wire::NodeKind::relay);
  hb.region = options_.region;
  hb.clock_offset_us = parent_.clock().offset_us().value_or(0);
  hb.rejected_frames = children_.rejected_frames();
  hb.lost_agents = lost_agents_;
  hb.busy_agents = busy_agents_;
  bool capped = true;
  for (const auto* c : children_.registry().live()) {
    hb.capacity += c->capacity;
    hb.active_users += c->active_users;
    hb.agents += c->agents;
    if (c->max_users == 0) capped = false;
    hb.max_users += c->max_users;
  }
  for (const auto& [id, c] : children_.registry().children()) {
    hb.rejected_frames += c.rejected_frames;  // cumulative counts of the subtree
    for (const auto& a : c.lost_agents) hb.lost_agents.push_back(a);
  }
  if (!capped) hb.max_users = 0;
  parent_.send(hb);
}

void RelayNode::run() {
  if (children_.bound_address().rfind("tcp://", 0) == 0) {  // the bound ports, for `--listen tcp://HOST:0`
    std::fprintf(stderr, "loadgrid relay %s: listening on %s\n", options_.id.c_str(), children_.bound_address().c_str());
  }
  wire::Hello hello;
  hello.kind = static_cast<uint8_t>(wire::NodeKind::relay);
  hello.region = options_.region;
  hello.hostname = common::host_name();
  hello.cores = common::machine_cores();
  hello.memory_bytes = common::machine_memory_bytes();
  hello.software_version = common::kSoftwareVersion;
  parent_.send(hello);
  send_heartbeat();
  const int64_t heartbeat_ns = std::chrono::nanoseconds(options_.heartbeat).count();
  int64_t next_heartbeat = common::steady_now_ns() + heartbeat_ns;
  int64_t last_publish = 0;

  while (!stop_.load(std::memory_order_relaxed)) {
    zmq::pollitem_t items[] = {{parent_.plans().handle(), 0, ZMQ_POLLIN, 0},
                               {children_.reports().handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 2, kPollInterval);
    if (auto plan = parent_.receive(parent_plan_ ? parent_plan_->epoch : 0)) {
      if (!parent_plan_ || plan->campaign_id != parent_plan_->campaign_id) lost_agents_.clear();
      parent_plan_ = std::move(*plan);
      republish_ = true;
    }
    children_.drain(*this);
    flush_windows(false);
    const int64_t now = common::steady_now_ns();
    if (now >= next_heartbeat) {
      children_.expire(*this);
      if (parent_plan_) busy_agents_ = children_.registry().busy_agents(last_budgets_);
      send_heartbeat();
      next_heartbeat = std::max(next_heartbeat + heartbeat_ns, now);
    }
    // Snapshots go out on a change (at most ten a second: thousands of children joining
    // must not mean thousands of snapshots) and every second regardless (late joiners).
    if ((republish_ && now >= last_publish + 100'000'000) || now >= last_publish + 1'000'000'000) {
      publish_plan();
      last_publish = now;
    }
  }
  flush_windows(true);
  wire::Bye bye;
  bye.reason = "stopped";
  parent_.send(bye);
}

}  // namespace grid::relay
