#include "relay/relay_node.hpp"

#include <algorithm>

#include "protocol/common/child_budgets.hpp"
#include "protocol/common/cpu_pressure.hpp"
#include "protocol/common/node_hello.hpp"
#include "protocol/common/node_identity.hpp"

namespace grid::relay {

namespace {

common::ParentLinkOptions link_options(const RelayOptions& o) {
  common::ParentLinkOptions l;
  l.heartbeat = o.heartbeat;
  l.security = o.security;
  return l;
}

}  // namespace

RelayNode::RelayNode(zmq::context_t& context, RelayOptions options, const common::Clock& clock)
    : options_(common::with_node_id(std::move(options), "relay")),
      clock_(clock),
      log_(common::make_logger(options_.id)),
      parent_(context, options_.parent, options_.id, clock_, log_, link_options(options_)),
      uplink_(log_, options_.id),
      children_(
          context, options_.listen, options_.heartbeat, clock_, [this] { return parent_.broker_now(); }, options_.id,
          log_, options_.security),
      merger_(options_.merge_grace),
      tick_(options_.heartbeat, clock_.steady_now() + options_.heartbeat),
      // Epochs must grow across restarts too: children ignore anything not newer.
      epoch_(static_cast<uint64_t>(common::to_unix_us(clock_.wall_now()) / 1000)),
      health_(options_.health_file, log_, clock_.steady_now()) {
  loop_.watch(parent_.plans());
  loop_.watch(children_.reports());
  children_.set_cpu_pressure(options_.cpu_pressure);
}

void RelayNode::on_stats(const std::string&, wire::StatsReport report) {
  if (report.campaign_id != campaign_id_) {
    // A new campaign: what is pending belongs to the old one, and the new one's indexes
    // (another interval) are unrelated to what was released before.
    flush_windows(true);
    merger_ = common::WindowMerger(options_.merge_grace);
    campaign_id_ = report.campaign_id;
  }
  // What we still hold for merging goes up first: it may hold the originals of what is
  // being resent (a parent that was silent for a while), and the root must see those
  // first, or it would count the resent copy and then refuse the merged original whole.
  if (report.resent) flush_windows(true);
  wire::StatsReport late;
  late.campaign_id = report.campaign_id;
  late.resent = report.resent;
  for (auto& w : report.windows) {
    // Resent and coalesced windows go up as they are: merged with others, a pair the root
    // already counted would make it refuse the others' pairs too.
    const bool whole = report.resent || std::any_of(w.sources.begin(), w.sources.end(),
                                                    [&](const auto& s) { return s.through(w.index) != w.index; });
    if (whole) {
      late.windows.push_back(std::move(w));
      continue;
    }
    if (auto passed = merger_.add(std::move(w))) late.windows.push_back(std::move(*passed));
  }
  if (!late.windows.empty()) parent_.send(late);
}

void RelayNode::on_log(const std::string& sender, const wire::LogRecord& record, const std::string& frame) {
  uplink_.forward(parent_, sender, record, frame, clock_.steady_now());
}

std::chrono::milliseconds RelayNode::drain_margin() const {
  uint32_t longest = 0;
  if (parent_plan_) {
    for (const auto& r : parent_plan_->requests) longest = std::max(longest, r.timeout_ms);
  }
  return std::chrono::milliseconds(longest) + 2 * options_.heartbeat;
}

void RelayNode::hold_share(const common::ChildInfo& child) {
  for (const auto& b : last_budgets_) {
    if (b.child_id == child.id) held_.hold(b, common::reservation_end(child, drain_margin()), {});
  }
}

void RelayNode::on_child_left(const common::ChildInfo& child) {
  // An agent that said bye has drained its users; a relay's agents may still run.
  if (child.kind == wire::NodeKind::relay) hold_share(child);
}

void RelayNode::on_child_lost(const common::ChildInfo& child) {
  log_->warn("child {} lost ({}); its users go to its siblings", child.id, children_.loss_rule());
  hold_share(child);
  if (child.kind == wire::NodeKind::agent) lost_agents_.push_back(child.id);
}

// An agent's CPU share stepped (CpuPressure): our next snapshot splits with it, and the
// root hears of it (and of our capacity, which counts it, at our next heartbeat).
void RelayNode::on_child_cpu_share(const common::ChildInfo& child, double before) {
  log_->warn("{}", common::cpu_share_change(child.id, child.cpu_pressure, before));  // upstream too (LogUplink)
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
  // The parent silent past the dead-man timeout: the children are told to stop. Their
  // own dead-man switches would stop them about then anyway (we stopped answering them);
  // this makes it explicit and leaves no doubt for children still hearing our snapshots.
  if (deadman_fired_ && out.state == wire::CampaignState::running) out.state = wire::CampaignState::stopping;
  const auto live = children_.registry().live();
  for (const auto* c : live) held_.release(c->id);  // came back: its share is its own again
  if (mine) {
    out.budgets = held_.split(mine->users, mine->spawn_rate, {}, live);
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
  hb.dropped_logs = uplink_.dropped();
  hb.busy_agents = busy_agents_;
  bool capped = true;
  for (const auto* c : children_.registry().live()) {
    hb.capacity += c->split_capacity();  // less what saturated agents gave up
    hb.active_users += c->active_users;
    hb.agents += c->agents;
    if (c->max_users == 0) capped = false;
    hb.max_users += c->max_users;
  }
  // How long our agents may fire once we are cut off: we stop answering them after our
  // own parent's silence is noticed, and they stop at their dead-man timeout from then;
  // or sooner, when our own dead-man switch tells them to.
  uint32_t children_deadman = 0;
  for (const auto* c : children_.registry().live()) {
    hb.agent_loads.insert(hb.agent_loads.end(), c->agent_loads.begin(), c->agent_loads.end());
    children_deadman = std::max(children_deadman, c->deadman_ms);
  }
  const auto noticed = options_.heartbeat * common::ChildRegistry::kLiveness;
  hb.deadman_ms =
      static_cast<uint32_t>(std::min<int64_t>(options_.deadman.count(), noticed.count() + int64_t{children_deadman}));
  for (const auto& [id, c] : children_.registry().children()) {
    // A lost child's last report goes on up (marked lost): the root's bound on what it
    // may have sent needs its newest announcement.
    if (c.lost && parent_plan_) {
      for (auto a : c.agent_loads) {
        if (a.campaign_id != parent_plan_->campaign_id) continue;
        a.lost = true;
        a.users = 0;
        hb.agent_loads.push_back(std::move(a));
      }
    }
    // Cumulative counts of the subtree, lost and departed children included.
    hb.failovers += c.failovers;
    hb.resent_windows += c.resent_windows;
    hb.coalesced_windows += c.coalesced_windows;
    hb.rejected_frames += c.rejected_frames;
    hb.dropped_frames += c.dropped_frames;
    hb.retained_frames += c.retained_frames;
    hb.dropped_logs += c.dropped_logs;
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
  if (parent_.check_liveness()) {
    parent_epoch_floor_ = 0;  // epochs are per parent
    parent_.send(common::make_hello(wire::NodeKind::relay, options_.region, common::machine_cores()));
    send_heartbeat();
  }
  if (auto plan = parent_.receive(parent_epoch_floor_)) {
    if (!parent_plan_ || plan->campaign_id != parent_plan_->campaign_id) lost_agents_.clear();
    parent_plan_ = std::move(*plan);
    parent_epoch_floor_ = parent_plan_->epoch;
    children_.plan_changed();
  }
  if (parent_.recovered() && deadman_fired_) {
    log_->info("parent {} answers again", parent_.current_parent());
    deadman_fired_ = false;
    children_.plan_changed();
  }
  // Children hear from us only while our parent hears from us: otherwise they fail over.
  children_.set_answering(parent_.parent_alive());
  if (!deadman_fired_ && parent_plan_ && parent_.silent_for() >= options_.deadman) {
    log_->error("dead-man switch: no parent has answered for {} s; telling the children to stop",
                parent_.silent_for().count() / 1000);
    deadman_fired_ = true;
    children_.plan_changed();
  }
  children_.drain(*this);
  flush_windows(false);
  if (tick_.due(clock_.steady_now())) {
    if (!held_.expire(clock_.steady_now()).empty()) children_.plan_changed();
    children_.expire(*this);
    if (parent_plan_) busy_agents_ = children_.registry().busy_agents(last_budgets_);
    send_heartbeat();
  }
  if (children_.snapshot_due()) publish_plan();
  uplink_.pump(parent_, clock_.steady_now());
  health_.update(clock_.steady_now(), [this] { return health_record(); });
  return !loop_.stop_requested();
}

// The state of the campaign our parent plans ("idle" before any plan). finish() is short
// (a bounded leave): no "draining" state.
common::HealthRecord RelayNode::health_record() const {
  const std::string_view state = parent_plan_ ? common::health_state_name(parent_plan_->state) : "idle";
  return common::make_health_record(options_.id, "relay", state, parent_.parent_alive(), clock_.wall_now());
}

void RelayNode::finish() {
  flush_windows(true);
  uplink_.pump(parent_, clock_.steady_now());
  parent_.leave("stopped");
}

void RelayNode::run() {
  start();
  loop_.run([this] { return step(); });
  finish();
  health_.remove();
}

}  // namespace grid::relay
