#include "agent/agent_node.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "protocol/common/clock.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/common/node_identity.hpp"
#include "protocol/wire/codec.hpp"

namespace grid::agent {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kCpuWarningEveryNs = 10'000'000'000;

std::string resolved_id(const AgentOptions& o) { return o.id.empty() ? common::default_node_id("agent") : o.id; }

}  // namespace

AgentNode::AgentNode(zmq::context_t& context, AgentOptions options)
    : options_(std::move(options)), parent_(context, options_.parent, resolved_id(options_)) {
  options_.id = resolved_id(options_);
  capacity_threads_ = options_.threads ? options_.threads : common::machine_cores();
}

AgentNode::~AgentNode() = default;

void AgentNode::warn(const std::string& text) {
  std::fprintf(stderr, "agent %s: warning: %s\n", options_.id.c_str(), text.c_str());
  wire::LogRecord record;
  record.level = 1;
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
  hb.sent_unix_us = common::ParentLink::unix_now_us();
  hb.kind = static_cast<uint8_t>(wire::NodeKind::agent);
  hb.region = options_.region;
  hb.capacity = options_.capacity > 0 ? options_.capacity : capacity_threads_;
  hb.max_users = options_.max_users;
  hb.agents = 1;
  hb.busy_agents = pool_ && running_users_ > 0 ? 1 : 0;
  hb.clock_offset_us = parent_.clock().offset_us().value_or(0);
  parent_.send(hb);
  // CPU above 90% of the engine threads' cores: numbers may be the generator's, not the target's.
  const int64_t now = common::steady_now_ns();
  if (pool_ && u.cpu_percent > 90.0 * capacity_threads_ && now - last_cpu_warning_ns_ > kCpuWarningEveryNs) {
    last_cpu_warning_ns_ = now;
    char text[160];
    std::snprintf(text, sizeof text, "agent CPU at %.0f%% of %u cores: results may be limited by the generator",
                  u.cpu_percent / capacity_threads_, capacity_threads_);
    warn(text);
  }
}

void AgentNode::start_campaign(const wire::Plan& plan, const wire::ChildBudget& budget) {
  LoadPlan load;
  load.requests = plan.requests;
  load.users = budget.users;
  load.spawn_rate = budget.spawn_rate;
  load.think_time = std::chrono::milliseconds(plan.think_time_ms);
  load.interval_ms = plan.interval_ms;
  load.users_per_multi = options_.users_per_multi;
  const int64_t offset_us = parent_.clock().offset_us().value_or(0);
  load.clock_offset_ms = offset_us / 1000;
  // Start at the plan's instant in broker time; a late joiner starts now and runs until
  // the campaign's end instant.
  const int64_t now_broker = parent_.broker_now_us();
  const int64_t start_in_us = std::max<int64_t>(0, plan.start_unix_us - now_broker);
  load.start_steady_ns = common::steady_now_ns() + start_in_us * 1000;
  const int64_t run_us = plan.end_unix_us() - std::max(now_broker, plan.start_unix_us);
  load.duration = std::chrono::milliseconds(std::max<int64_t>(0, run_us / 1000));
  pool_ = std::make_unique<EnginePool>(load, options_.threads);
  running_campaign_ = plan.campaign_id;
  running_users_ = budget.users;
}

void AgentNode::on_plan(const wire::Plan& plan) {
  plan_ = plan;
  const auto state = plan.campaign_state();
  const auto budget = plan.budget_of(options_.id);
  if (pool_ && (plan.campaign_id != running_campaign_ || state != wire::CampaignState::running)) {
    pool_->request_stop();  // drains; forward_windows() retires the pool when it is done
    return;
  }
  if (state != wire::CampaignState::running || !budget) return;
  if (!pool_) {
    if (budget->users > 0 && plan.campaign_id != finished_campaign_ && parent_.broker_now_us() < plan.end_unix_us()) {
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
    const int64_t offset = parent_.clock().offset_us().value_or(0);
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
    parent_.send(report);
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

void AgentNode::run() {
  wire::Hello hello;
  hello.kind = static_cast<uint8_t>(wire::NodeKind::agent);
  hello.region = options_.region;
  hello.hostname = common::host_name();
  hello.cores = capacity_threads_;
  hello.memory_bytes = common::machine_memory_bytes();
  hello.max_users = options_.max_users;
  hello.software_version = common::kSoftwareVersion;
  parent_.send(hello);
  send_heartbeat();  // an early clock probe, so a plan's start instant can be honoured
  next_heartbeat_ns_ = common::steady_now_ns() + std::chrono::nanoseconds(options_.heartbeat).count();

  while (!stop_.load(std::memory_order_relaxed)) {
    zmq::pollitem_t items[] = {{parent_.plans().handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 1, kPollInterval);
    if (auto plan = parent_.receive(plan_ ? plan_->epoch : 0)) on_plan(*plan);
    forward_windows(std::chrono::milliseconds(0));
    if (common::steady_now_ns() >= next_heartbeat_ns_) {
      send_heartbeat();
      next_heartbeat_ns_ += std::chrono::nanoseconds(options_.heartbeat).count();
      next_heartbeat_ns_ = std::max(next_heartbeat_ns_, common::steady_now_ns());
    }
  }
  // Drain the running campaign: in-flight requests finish, the final window goes up.
  if (pool_) {
    pool_->request_stop();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (pool_ && std::chrono::steady_clock::now() < deadline) forward_windows(std::chrono::milliseconds(100));
  }
  wire::Bye bye;
  bye.reason = "stopped";
  parent_.send(bye);
}

}  // namespace grid::agent
