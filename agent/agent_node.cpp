#include "agent/agent_node.hpp"

#include <algorithm>

#include "agent/load_plan.hpp"
#include "protocol/common/node_hello.hpp"
#include "protocol/common/node_identity.hpp"

namespace grid::agent {

AgentNode::AgentNode(zmq::context_t& context, AgentOptions options, const common::Clock& clock)
    : options_(common::with_node_id(std::move(options), "agent")),
      clock_(clock),
      log_(common::make_logger(options_.id)),
      parent_(context, options_.parent, options_.id, clock_, log_, {.security = options_.security}),
      tick_(options_.heartbeat, clock_.steady_now() + options_.heartbeat),
      capacity_threads_(options_.threads ? options_.threads : common::machine_cores()) {
  loop_.watch(parent_.plans());
}

AgentNode::~AgentNode() = default;

void AgentNode::warn(const std::string& text) {
  log_->warn("{}", text);
  wire::LogRecord record;
  record.level = wire::LogLevel::warning;
  record.text = text;
  parent_.send(record);
}

void AgentNode::send_heartbeat() {
  const auto u = usage_.sample();
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
  parent_.send_heartbeat(std::move(hb));
  // CPU above 90% of the engine threads' cores: numbers may be the generator's, not the target's.
  if (pool_ && u.cpu_percent > 90.0 * capacity_threads_ && cpu_warnings_.admit(clock_.steady_now())) {
    warn(fmt::format("agent CPU at {:.0f}% of {} cores: results may be limited by the generator",
                     u.cpu_percent / capacity_threads_, capacity_threads_));
  }
}

void AgentNode::start_campaign(const wire::Plan& plan, const wire::ChildBudget& budget) {
  const auto offset = std::chrono::microseconds(parent_.clock_offset().offset_us().value_or(0));
  const auto load =
      load_plan_for(plan, budget, parent_.broker_now(), clock_.steady_now(), offset, options_.users_per_multi);
  try {
    pool_ = std::make_unique<EnginePool>(load, options_.threads, log_);
  } catch (const std::exception& e) {
    // The node stays up for the next campaign; this one is given up, once, and said so.
    finished_campaign_ = plan.campaign_id;
    log_->error("campaign {}: cannot start the engines: {}", plan.campaign_id, e.what());
    wire::LogRecord record;
    record.level = wire::LogLevel::error;
    record.text = "cannot start the engines: " + std::string(e.what());
    parent_.send(record);
    return;
  }
  running_campaign_ = plan.campaign_id;
  running_users_ = budget.users;
  log_->log(options_.announce ? spdlog::level::info : spdlog::level::debug,
            "campaign {}: {} users on {} engine threads", plan.campaign_id, budget.users, pool_->threads());
}

void AgentNode::on_plan(const wire::Plan& plan) {
  plan_ = plan;
  const auto state = plan.state;
  const auto budget = plan.budget_of(options_.id);
  if (pool_ && (plan.campaign_id != running_campaign_ || state != wire::CampaignState::running)) {
    pool_->request_stop();  // drains; forward_windows() retires the pool when it is done
    return;
  }
  if (state != wire::CampaignState::running || !budget) return;
  if (!pool_) {
    if (loop_.stop_requested()) return;  // leaving: no new campaign starts
    if (budget->users > 0 && plan.campaign_id != finished_campaign_ &&
        parent_.broker_now() < common::from_unix_us(plan.end_unix_us())) {
      start_campaign(plan, *budget);
    }
    return;
  }
  if (budget->users != running_users_) {
    pool_->set_users(budget->users);
    running_users_ = budget->users;
  }
}

void AgentNode::forward_windows(std::chrono::milliseconds wait) {
  if (!pool_) return;
  auto windows = pool_->poll(wait);
  const bool done = pool_->finished();
  if (!windows.empty()) {
    wire::StatsReport report;
    report.campaign_id = running_campaign_;
    const int64_t offset = parent_.clock_offset().offset_us().value_or(0);
    for (size_t i = 0; i < windows.size(); ++i) {
      auto& w = windows[i];
      const auto total = w.total();
      wire::SourceTotals source;
      source.agent_id = options_.id;
      source.region = options_.region;
      source.requests = total.requests;
      source.failures = total.failed();
      source.active_users = w.active_users;
      source.clock_offset_us = offset;
      source.first_request_unix_us = pool_->first_request_unix_us();
      source.last_completion_unix_us = pool_->last_completion_unix_us();
      source.final = done && i + 1 == windows.size();
      w.sources = {source};
      last_active_users_ = w.active_users;
      report.windows.push_back(std::move(w));
    }
    parent_.send(report);  // kept and retried if the parent cannot take it now
  }
  if (done) {
    pool_.reset();
    finished_campaign_ = running_campaign_;  // ran to its end: never start it twice
    running_campaign_.clear();
    running_users_ = 0;
    last_active_users_ = 0;
    // A newer campaign may already be planned: apply it now that the old one drained.
    if (plan_) {
      auto plan = *plan_;
      on_plan(plan);
    }
  }
}

void AgentNode::start() {
  log_->log(options_.announce ? spdlog::level::info : spdlog::level::debug, "parent {}", options_.parent);
  parent_.send(common::make_hello(wire::NodeKind::agent, options_.region, capacity_threads_, options_.max_users));
  send_heartbeat();
}

bool AgentNode::step() {
  parent_.flush();
  if (auto plan = parent_.receive(plan_ ? plan_->epoch : 0)) on_plan(*plan);
  forward_windows(std::chrono::milliseconds(0));
  if (tick_.due(clock_.steady_now())) send_heartbeat();
  return !loop_.stop_requested();
}

void AgentNode::finish() {
  if (pool_) {
    pool_->request_stop();
    // Bounded by real time (the engines drain in real time): each poll returns when a
    // window comes or after 100 ms.
    const auto deadline = std::chrono::steady_clock::now() + options_.drain_limit;
    while (pool_ && std::chrono::steady_clock::now() < deadline) {
      forward_windows(std::chrono::milliseconds(100));
      parent_.flush();
    }
    if (pool_) {
      log_->error("engines still draining after {} s; leaving without their final window",
                  options_.drain_limit.count());
    }
  }
  parent_.leave("stopped");
}

void AgentNode::run() {
  start();
  loop_.run([this] { return step(); });
  finish();
}

}  // namespace grid::agent
