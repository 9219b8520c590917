#include "agent/agent_node.hpp"

#include <algorithm>
#include <iterator>

#include "agent/load_plan.hpp"
#include "agent/target_guard.hpp"
#include "protocol/common/node_hello.hpp"
#include "protocol/common/node_identity.hpp"

namespace grid::agent {
namespace {

common::ParentLinkOptions link_options(const AgentOptions& o) {
  common::ParentLinkOptions l;
  l.heartbeat = o.heartbeat;
  l.security = o.security;
  return l;
}

// The least start allowance of an engine per tick once its rate is known (early
// announcements cover a rate that grows faster than that), and what it may start before
// the first tick: a fraction of a second of a fast engine on loopback, after which early
// announcements take over (a start seldom waits).
uint64_t allowance_floor(uint32_t users, unsigned engines) {
  const uint64_t per_engine = (uint64_t{users} + engines - 1) / std::max(1u, engines);
  return 500 + 50 * per_engine;
}
constexpr uint64_t kInitialAllowance = 10'000;

}  // namespace

AgentNode::AgentNode(zmq::context_t& context, AgentOptions options, const common::Clock& clock)
    : options_(common::with_node_id(std::move(options), "agent")),
      clock_(clock),
      log_(common::make_logger(options_.id)),
      parent_(context, options_.parent, options_.id, clock_, log_, link_options(options_)),
      uplink_(log_, options_.id),
      tick_(options_.heartbeat, clock_.steady_now() + options_.heartbeat),
      nic_(options_.net_sysfs),
      retained_(options_.retained_limit),
      capacity_threads_(options_.threads ? options_.threads : common::machine_cores()),
      health_(options_.health_file, log_, clock_.steady_now()) {
  loop_.watch(parent_.plans());
}

AgentNode::~AgentNode() = default;

// `regular`: the heartbeat tick (CPU and memory sampled over the interval). Others go
// out early, to announce a start allowance; they reuse the last sample.
void AgentNode::send_heartbeat(bool regular) {
  if (regular) last_usage_ = usage_.sample();
  const auto u = last_usage_;
  wire::Heartbeat hb;
  hb.cpu_percent = u.cpu_percent;
  hb.rss_bytes = u.rss_bytes;
  hb.active_users = pool_ ? last_active_users_ : 0;
  hb.plan_epoch = plan_ ? plan_->epoch : 0;
  hb.kind = wire::NodeKind::agent;
  hb.region = options_.region;
  hb.capacity = options_.capacity > 0 ? options_.capacity : capacity_threads_;
  hb.max_users = options_.max_users;
  hb.agents = 1;
  hb.busy_agents = pool_ && running_users_ > 0 ? 1 : 0;
  wire::AgentLoad load;
  load.agent_id = options_.id;
  load.campaign_id = pool_ ? running_campaign_ : std::string();
  load.users = hb.active_users;
  load.cpu_percent = u.cpu_percent;
  load.rss_bytes = u.rss_bytes;
  if (pool_ && allowance_) {
    // Announce the next ceiling now; apply the one announced ticks ago (StartAllowance).
    const auto& apply = allowance_->tick(pool_->started());
    load.start_ceiling = allowance_->announced();
    pool_->set_start_ceilings(apply);
  }
  hb.agent_loads = {load};
  hb.deadman_ms = static_cast<uint32_t>(options_.deadman.count());
  hb.resent_windows = resent_windows_;
  hb.coalesced_windows = retained_.coalesced();
  hb.dropped_logs = uplink_.dropped();
  parent_.send_heartbeat(std::move(hb));
  // CPU above 90% of the engine threads' cores: numbers may be the generator's, not the target's.
  if (regular && pool_ && u.cpu_percent > 90.0 * capacity_threads_ && cpu_warnings_.admit(clock_.steady_now())) {
    log_->warn("agent CPU at {:.0f}% of {} cores: results may be limited by the generator",
               u.cpu_percent / capacity_threads_, capacity_threads_);
  }
}

void AgentNode::start_campaign(const wire::Plan& plan, const wire::ChildBudget& budget) {
  if (auto why = refuse_targets(plan, options_.allowed_targets)) {
    finished_campaign_ = plan.campaign_id;      // refused once, not again at every snapshot
    log_->error("campaign refused: {}", *why);  // upstream too (LogUplink): the summary's warnings say it
    return;
  }
  const auto offset = std::chrono::microseconds(parent_.clock_offset().offset_us().value_or(0));
  auto load = load_plan_for(plan, budget, parent_.broker_now(), clock_.steady_now(), offset, options_.users_per_multi);
  const unsigned engines = options_.threads ? options_.threads : common::machine_cores();
  allowance_.emplace(engines, allowance_floor(std::max(budget.users, plan.users), engines), kInitialAllowance);
  load.start_ceiling = allowance_->initial().front();
  if (retained_campaign_ != plan.campaign_id) {
    if (const size_t n = retained_.clear()) {
      log_->warn("{} stats window(s) of campaign {} were never acknowledged; a new campaign starts", n,
                 retained_campaign_);
    }
    retained_campaign_ = plan.campaign_id;
  }
  load.allowed_targets = options_.allowed_targets;
  try {
    pool_ = std::make_unique<EnginePool>(load, options_.threads, log_);
  } catch (const std::exception& e) {
    // The node stays up for the next campaign; this one is given up, once, and said so.
    finished_campaign_ = plan.campaign_id;
    allowance_.reset();
    log_->error("cannot start the engines: {} (campaign {})", e.what(), plan.campaign_id);
    return;
  }
  running_campaign_ = plan.campaign_id;
  running_users_ = budget.users;
  log_->log(options_.announce ? spdlog::level::info : spdlog::level::debug,
            "campaign {}: {} users on {} engine threads", plan.campaign_id, budget.users, pool_->threads());
  send_heartbeat(false);  // announces the start ceiling (and the users) at once
}

void AgentNode::apply_acks(const wire::Plan& plan) {
  if (plan.campaign_id != retained_campaign_ || retained_.empty()) return;
  if (const auto* ack = plan.ack_of(options_.id)) retained_.acknowledge(*ack);
}

void AgentNode::on_plan(const wire::Plan& plan) {
  plan_ = plan;
  epoch_floor_ = plan.epoch;
  apply_acks(plan);
  const auto state = plan.state;
  const auto budget = plan.budget_of(options_.id);
  if (pool_ && (plan.campaign_id != running_campaign_ || state != wire::CampaignState::running)) {
    pool_->request_stop();  // drains; forward_windows() retires the pool when it is done
    return;
  }
  if (state != wire::CampaignState::running) return;
  if (!pool_) {
    if (!budget || loop_.stop_requested()) return;  // leaving: no new campaign starts
    if (budget->users > 0 && plan.campaign_id != finished_campaign_ && plan.campaign_id != deadman_campaign_ &&
        parent_.broker_now() < common::from_unix_us(plan.end_unix_us())) {
      start_campaign(plan, *budget);
    }
    return;
  }
  // A parent that gives us no budget has not placed us yet (we just failed over to it):
  // no users until it does, so that the grid never runs more than planned.
  if (!budget && !unbudgeted_) {
    log_->warn("parent {} gives this agent no budget yet: its users pause", parent_.current_parent());
  }
  unbudgeted_ = !budget;
  const uint32_t users = budget ? budget->users : 0;
  if (users != running_users_) {
    pool_->set_users(users);
    running_users_ = users;
  }
}

wire::SourceTotals AgentNode::source_totals(const wire::StatsWindow& w, bool final) const {
  const auto total = w.total();
  wire::SourceTotals source;
  source.agent_id = options_.id;
  source.region = options_.region;
  source.requests = total.requests;
  source.failures = total.failed();
  source.active_users = w.active_users;
  source.clock_offset_us = parent_.clock_offset().offset_us().value_or(0);
  source.first_request_unix_us = pool_->first_request_unix_us();
  source.last_completion_unix_us = pool_->last_completion_unix_us();
  source.final = final;
  return source;
}

void AgentNode::forward_windows(std::chrono::milliseconds wait) {
  if (!pool_) return;
  auto windows = pool_->poll(wait);
  const bool done = pool_->finished();
  if (!windows.empty()) {
    wire::StatsReport report;
    report.campaign_id = running_campaign_;
    const auto now = clock_.steady_now();
    for (size_t i = 0; i < windows.size(); ++i) {
      auto& w = windows[i];
      w.sources = {source_totals(w, done && i + 1 == windows.size())};
      last_active_users_ = w.active_users;
      retained_.keep(w, now);  // until the root acknowledges it
      report.windows.push_back(std::move(w));
    }
    parent_.send(report);  // kept and retried if the parent cannot take it now
  }
  if (done) {
    pool_.reset();
    allowance_.reset();
    finished_campaign_ = running_campaign_;  // ran to its end: never start it twice
    running_campaign_.clear();
    running_users_ = 0;
    last_active_users_ = 0;
    unbudgeted_ = false;
    // A newer campaign may already be planned: apply it now that the old one drained.
    if (plan_) {
      auto plan = *plan_;
      on_plan(plan);
    }
  }
}

void AgentNode::resend(std::vector<wire::StatsWindow> windows) {
  // In reports of bounded size: a long backlog must not become one huge frame.
  constexpr size_t kPerReport = 32;
  for (size_t i = 0; i < windows.size(); i += kPerReport) {
    wire::StatsReport report;
    report.campaign_id = retained_campaign_;
    report.resent = true;
    const auto first = windows.begin() + static_cast<std::ptrdiff_t>(i);
    const auto last = windows.begin() + static_cast<std::ptrdiff_t>(std::min(windows.size(), i + kPerReport));
    report.windows.assign(std::make_move_iterator(first), std::make_move_iterator(last));
    resent_windows_ += report.windows.size();
    parent_.send(report);
  }
}

void AgentNode::on_failover() {
  // Epochs are per parent: the new one's may be lower than the old one's.
  epoch_floor_ = 0;
  parent_.send(common::make_hello(wire::NodeKind::agent, options_.region, capacity_threads_, options_.max_users));
  send_heartbeat();
}

void AgentNode::check_deadman() {
  if (!pool_ || running_campaign_ == deadman_campaign_) return;
  if (parent_.silent_for() < options_.deadman) return;
  deadman_campaign_ = running_campaign_;
  log_->error("dead-man switch: no parent has answered for {} s; stopping all load of campaign {}",
              parent_.silent_for().count() / 1000, running_campaign_);
  pool_->request_stop();
}

void AgentNode::start() {
  log_->log(options_.announce ? spdlog::level::info : spdlog::level::debug, "parent {}", options_.parent);
  parent_.send(common::make_hello(wire::NodeKind::agent, options_.region, capacity_threads_, options_.max_users));
  send_heartbeat();
}

// Everything a step does; `wait` for the engines' windows (0 in the normal loop).
void AgentNode::pump(std::chrono::milliseconds wait) {
  parent_.flush();
  if (parent_.check_liveness()) on_failover();
  auto plan = parent_.receive(epoch_floor_);
  // Heard again after a silence (or a new parent): what it may have lost goes again.
  if (parent_.recovered()) resend(retained_.take_all(clock_.steady_now()));
  if (plan) on_plan(*plan);
  forward_windows(wait);
  // Engines that used half their start allowance get the next one early (announced now,
  // applied at the next tick), so a fast ramp is not held back by the heartbeat cadence.
  constexpr auto kEarlyGap = std::chrono::milliseconds(20);
  if (pool_ && allowance_ && clock_.steady_now() - last_early_ >= kEarlyGap &&
      allowance_->running_low(pool_->started())) {
    last_early_ = clock_.steady_now();
    send_heartbeat(false);
  }
  resend(retained_.take_due(clock_.steady_now(), options_.resend_after));
  check_deadman();
  watch_network();
  if (tick_.due(clock_.steady_now())) send_heartbeat();
  uplink_.pump(parent_, clock_.steady_now());
  health_.update(clock_.steady_now(), [this] { return health_record(); });
}

common::HealthRecord AgentNode::health_record() const {
  return common::make_health_record(options_.id, "agent",
                                    draining_ ? "draining"
                                    : pool_   ? "running"
                                              : "idle",
                                    parent_.parent_alive(), clock_.wall_now());
}

// Interfaces near their speed matter while the engines run; the one line about
// interfaces without a speed is said at the first sample.
void AgentNode::watch_network() {
  auto findings = nic_.poll(clock_.steady_now(), pool_ != nullptr);
  if (findings.info) log_->log(options_.announce ? spdlog::level::info : spdlog::level::debug, "{}", *findings.info);
  for (const auto& w : findings.warnings) log_->warn("{}", w);
}

bool AgentNode::step() {
  pump(std::chrono::milliseconds(0));
  return !loop_.stop_requested();
}

void AgentNode::finish() {
  // Drain: users finish their requests, the final windows go up, and we wait (bounded)
  // for the root to acknowledge them, still heartbeating and failing over, so nothing
  // counted is left behind.
  draining_ = true;
  if (pool_) pool_->request_stop();
  const auto drain_deadline = std::chrono::steady_clock::now() + options_.drain_limit;
  while (pool_ && std::chrono::steady_clock::now() < drain_deadline) pump(std::chrono::milliseconds(100));
  if (pool_) {
    log_->error("engines still draining after {} s; leaving without their final window", options_.drain_limit.count());
  }
  const auto ack_deadline = std::chrono::steady_clock::now() + options_.ack_wait;
  while (!retained_.empty() && std::chrono::steady_clock::now() < ack_deadline) {
    loop_.wait();
    pump(std::chrono::milliseconds(0));
  }
  if (!retained_.empty()) {
    log_->warn("leaving with {} stats window(s) the root has not acknowledged (sent, perhaps not counted)",
               retained_.size());
  }
  uplink_.pump(parent_, clock_.steady_now());
  parent_.leave("stopped");
}

void AgentNode::run() {
  start();
  loop_.run([this] { return step(); });
  finish();
  health_.remove();
}

}  // namespace grid::agent
