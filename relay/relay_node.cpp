#include "relay/relay_node.hpp"

#include "protocol/common/child_budgets.hpp"
#include "protocol/common/node_hello.hpp"
#include "protocol/common/node_identity.hpp"

namespace grid::relay {

RelayNode::RelayNode(zmq::context_t& context, RelayOptions options, const common::Clock& clock)
    : options_(common::with_node_id(std::move(options), "relay")),
      clock_(clock),
      log_(common::make_logger(options_.id)),
      parent_(context, options_.parent, options_.id, clock_, log_, {.security = options_.security}),
      children_(
          context, options_.listen, options_.heartbeat, clock_, [this] { return parent_.broker_now(); }, options_.id,
          log_, options_.security),
      merger_(options_.merge_grace),
      tick_(options_.heartbeat, clock_.steady_now() + options_.heartbeat),
      // Epochs must grow across restarts too: children ignore anything not newer.
      epoch_(static_cast<uint64_t>(common::to_unix_us(clock_.wall_now()) / 1000)) {
  loop_.watch(parent_.plans());
  loop_.watch(children_.reports());
}

void RelayNode::on_stats(const std::string&, wire::StatsReport report) {
  if (report.campaign_id != campaign_id_) {
    // A new campaign: what is pending belongs to the old one, and the new one's indexes
    // (another interval) are unrelated to what was released before.
    flush_windows(true);
    merger_ = common::WindowMerger(options_.merge_grace);
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
  log_->warn("child {} lost ({})", child.id, children_.loss_rule());
  if (child.kind == wire::NodeKind::agent) lost_agents_.push_back(child.id);
  wire::LogRecord record;
  record.level = wire::LogLevel::warning;
  record.text = "relay " + options_.id + ": child " + child.id + " lost; its users go to its siblings";
  parent_.send(record);
}

void RelayNode::flush_windows(bool all) {
  auto windows = all ? merger_.release_all() : merger_.release(parent_.broker_now(), busy_agents_);
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
  const auto mine = parent_plan_ ? parent_plan_->budget_of(options_.id) : std::nullopt;
  if (mine) {
    out.budgets = common::child_budgets(mine->users, mine->spawn_rate, {}, children_.registry().live());
    if (mine->rows.size() == out.data.size()) {
      rows_.set_pool(mine->rows);
      rows_.assign(out.budgets);
    }
  }
  children_.publish(out);
  last_budgets_ = out.budgets;
  busy_agents_ = children_.registry().busy_agents(last_budgets_);
}

void RelayNode::send_heartbeat() {
  const auto u = usage_.sample();
  wire::Heartbeat hb;
  hb.cpu_percent = u.cpu_percent;
  hb.rss_bytes = u.rss_bytes;
  hb.plan_epoch = parent_plan_ ? parent_plan_->epoch : 0;
  hb.kind = wire::NodeKind::relay;
  hb.region = options_.region;
  hb.rejected_frames = children_.rejected_frames();
  hb.dropped_frames = children_.unsent_frames();
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
    // Cumulative counts of the subtree, lost and departed children included.
    hb.rejected_frames += c.rejected_frames;
    hb.dropped_frames += c.dropped_frames;
    hb.retained_frames += c.retained_frames;
    for (const auto& a : c.lost_agents) hb.lost_agents.push_back(a);
  }
  if (!capped) hb.max_users = 0;
  parent_.send_heartbeat(std::move(hb));
}

void RelayNode::start() {
  log_->info("parent {}, listening on {}", options_.parent, children_.bound_address());
  parent_.send(common::make_hello(wire::NodeKind::relay, options_.region, common::machine_cores()));
  send_heartbeat();
}

bool RelayNode::step() {
  parent_.flush();
  if (auto plan = parent_.receive(parent_plan_ ? parent_plan_->epoch : 0)) {
    if (!parent_plan_ || plan->campaign_id != parent_plan_->campaign_id) lost_agents_.clear();
    parent_plan_ = std::move(*plan);
    children_.plan_changed();
  }
  children_.drain(*this);
  flush_windows(false);
  if (tick_.due(clock_.steady_now())) {
    children_.expire(*this);
    if (parent_plan_) busy_agents_ = children_.registry().busy_agents(last_budgets_);
    send_heartbeat();
  }
  if (children_.snapshot_due()) publish_plan();
  return !loop_.stop_requested();
}

void RelayNode::finish() {
  flush_windows(true);
  parent_.leave("stopped");
}

void RelayNode::run() {
  start();
  loop_.run([this] { return step(); });
  finish();
}

}  // namespace grid::relay
