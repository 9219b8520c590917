#include "bench/swarm.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "protocol/common/clock.hpp"
#include "protocol/common/endpoints.hpp"
#include "protocol/common/node_hello.hpp"
#include "protocol/common/node_loop.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"

namespace grid::bench {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

// Picks a request-map variant per (agent, window) so neighbours and consecutive windows
// differ (splitmix64 finaliser).
uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ULL + b + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The request names windows carry: the plan's own names when it has enough distinct
// ones (what a real agent reports), otherwise synthetic ones.
std::vector<std::string> request_names(const wire::Plan& plan, uint32_t wanted) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& r : plan.requests) {
    if (names.size() < wanted && seen.insert(r.name).second) names.push_back(r.name);
  }
  if (names.size() == wanted) return names;
  names.clear();
  for (uint32_t i = 0; i < wanted; ++i) names.push_back("swarm-req-" + std::to_string(i));
  return names;
}

}  // namespace

Swarm::Swarm(zmq::context_t& context, SwarmOptions options)
    : options_(std::move(options)), plans_(context, zmq::socket_type::sub), reports_(context, zmq::socket_type::push) {
  const auto endpoints = common::parent_endpoints(options_.parent);
  if (!endpoints) throw std::invalid_argument("--parent: " + endpoints.error());
  if (options_.agents == 0) throw std::invalid_argument("--agents must be at least 1");
  if (options_.names == 0) throw std::invalid_argument("--names must be at least 1");
  common::configure_socket(plans_);
  common::configure_socket(reports_);
  // One queue stands in for N agents' queues: make it as deep as they would be together
  // (bounded), so the swarm does not drop what N real agents would have held.
  reports_.set(zmq::sockopt::sndhwm, options_.send_hwm);
  plans_.set(zmq::sockopt::subscribe, common::kPlanTopic);
  plans_.connect(endpoints.value().plans);
  reports_.connect(endpoints.value().reports);
  agents_.resize(options_.agents);
  by_id_.reserve(options_.agents);
  for (uint32_t i = 0; i < options_.agents; ++i) {
    agents_[i].id = options_.prefix + std::to_string(i);
    agents_[i].phase_offset_ns = static_cast<int64_t>(i) * kSecondNs / options_.agents;
    if (!by_id_.emplace(agents_[i].id, i).second) throw std::invalid_argument("duplicate agent id " + agents_[i].id);
  }
}

bool Swarm::send(std::string_view frame) {
  if (!common::send_upstream(reports_, frame)) {
    ++stats_.send_blocked;
    return false;
  }
  ++stats_.frames;
  stats_.bytes += frame.size();
  return true;
}

void Swarm::send_hello(SimulatedAgent& agent) {
  // cores 1: the parent weighs it by this until its first heartbeat (capacity 1 either way).
  if (send(wire::encode(common::make_hello(wire::NodeKind::agent, options_.region, 1), agent.id))) ++stats_.hellos;
  agent.hello_sent = true;
}

void Swarm::send_heartbeat(SimulatedAgent& agent) {
  wire::Heartbeat hb;
  hb.cpu_percent = last_usage_.cpu_percent / options_.agents;  // the swarm's, shared out
  hb.rss_bytes = last_usage_.rss_bytes / options_.agents;
  hb.active_users = agent.phase == SimulatedAgent::Phase::running ? agent.users : 0;
  hb.plan_epoch = epoch_;
  hb.sent_unix_us = common::to_unix_us(common::SystemClock::instance().wall_now());
  hb.kind = wire::NodeKind::agent;
  hb.region = options_.region;
  hb.capacity = 1;
  hb.max_users = 0;
  hb.agents = 1;
  hb.clock_offset_us = 0;
  if (send(wire::encode(hb, agent.id))) ++stats_.heartbeats;
}

void Swarm::send_due_heartbeats(int64_t now_ns) {
  for (;;) {
    if (round_cursor_ == agents_.size()) {
      // Next round; after a stall, resume in the current second rather than bursting.
      round_start_ns_ = std::max(round_start_ns_ + kSecondNs, now_ns - kSecondNs + 1);
      round_cursor_ = 0;
      last_usage_ = usage_.sample();
    }
    SimulatedAgent& agent = agents_[round_cursor_];
    if (round_start_ns_ + agent.phase_offset_ns > now_ns) return;
    if (!agent.hello_sent) send_hello(agent);
    send_heartbeat(agent);
    ++round_cursor_;
  }
}

void Swarm::drain_plans() {
  std::optional<wire::Plan> newest;
  while (auto msg = common::receive_downstream(plans_)) {
    if (!msg->well_formed) {
      ++stats_.rejected_plans;
      continue;
    }
    auto env = wire::decode_envelope(msg->body);
    if (!env || env.value().type != wire::MessageType::plan) {
      if (!env) ++stats_.rejected_plans;
      continue;
    }
    auto plan = wire::decode_body<wire::Plan>(env.value());
    if (!plan) {
      if (stats_.rejected_plans++ == 0) fmt::print(stderr, "swarm: rejected a plan: {}\n", plan.error());
      continue;
    }
    if (plan.value().epoch > (newest ? newest->epoch : epoch_)) newest = std::move(plan.value());
  }
  if (newest) apply(*newest);
}

void Swarm::apply(const wire::Plan& plan) {
  epoch_ = plan.epoch;
  ++stats_.plans;
  const auto state = plan.state;
  const uint64_t now_ms = common::unix_now_ms();
  if (options_.log_plans) {
    fmt::print(stderr, "swarm {}: plan epoch {} state {} budgets {} at {} ms\n", options_.prefix, plan.epoch,
               static_cast<unsigned>(plan.state), plan.budgets.size(), now_ms);
  }
  if (campaign_ && (plan.campaign_id != campaign_->id || state != wire::CampaignState::running)) {
    // The campaign moved on: windows that ended go first, then the final ones, now.
    send_due_windows(now_ms);
    finish_running(now_ms);
    finished_campaign_ = campaign_->id;
    campaign_.reset();
  }
  if (state == wire::CampaignState::finished && ran_any_) exit_ = true;
  if (state != wire::CampaignState::running) return;
  if (!campaign_) {
    // Never start a campaign twice, nor one whose end has passed (like a real agent).
    if (plan.campaign_id == finished_campaign_ || static_cast<int64_t>(now_ms) * 1000 >= plan.end_unix_us()) return;
    start_campaign(plan, now_ms);
  }
  // One pass over the budgets with a hash lookup: budget_of() per agent would be
  // quadratic in the number of agents of a plan (10,000 x 10,000 string compares).
  for (const auto& b : plan.budgets) {
    const auto it = by_id_.find(b.child_id);
    if (it == by_id_.end()) continue;
    SimulatedAgent& a = agents_[it->second];
    if (a.phase == SimulatedAgent::Phase::idle && b.users > 0) {
      a.phase = SimulatedAgent::Phase::running;
      a.start_unix_ms = std::max(campaign_->start_unix_ms, now_ms);
      a.first_request_unix_us = 0;
      a.windows_sent = 0;
      ++running_;
      all_finished_ns_ = 0;
    }
    if (a.phase == SimulatedAgent::Phase::running) a.users = b.users;
  }
}

void Swarm::start_campaign(const wire::Plan& plan, uint64_t now_ms) {
  Campaign c;
  c.id = plan.campaign_id;
  c.interval_ms = plan.interval_ms;
  c.start_unix_ms = static_cast<uint64_t>(plan.start_unix_us / 1000);
  c.end_unix_ms = static_cast<uint64_t>(plan.end_unix_us() / 1000);
  c.next_boundary_ms = (now_ms / c.interval_ms + 1) * c.interval_ms;
  const auto names = request_names(plan, options_.names);
  const double per_window = options_.rps_per_agent * c.interval_ms / 1000.0;
  if (!templates_ || templates_->names() != names || per_window != templates_per_window_) {
    templates_ = std::make_unique<WindowTemplates>(names, per_window, options_.variants, options_.seed);
    templates_per_window_ = per_window;
  }
  for (auto& a : agents_) {
    a.phase = SimulatedAgent::Phase::idle;
    a.windows_sent = 0;
  }
  running_ = 0;
  campaign_ = std::move(c);
  stats_.campaign_id = plan.campaign_id;
  fmt::print(stderr, "swarm {}: campaign {} running: start {} ms, end {} ms, interval {} ms, {} names\n",
             options_.prefix, plan.campaign_id, campaign_->start_unix_ms, campaign_->end_unix_ms,
             campaign_->interval_ms, names.size());
}

void Swarm::send_window(SimulatedAgent& agent, size_t agent_index, uint64_t index, uint64_t cut_ms, bool final) {
  const Campaign& c = *campaign_;
  // The share of [window start, cut) the agent was running: partial first and last windows.
  const uint64_t from = std::max(index * c.interval_ms, agent.start_unix_ms);
  const double fraction = cut_ms > from ? static_cast<double>(cut_ms - from) / c.interval_ms : 0.0;
  const EncodedRequests& requests = templates_->pick(fraction, mix(agent_index, index));
  if (agent.first_request_unix_us == 0 && requests.requests > 0) {
    agent.first_request_unix_us = static_cast<int64_t>(from) * 1000;
  }
  StatsFrameFields f;
  f.agent_id = agent.id;
  f.region = options_.region;
  f.campaign_id = c.id;
  f.index = index;
  f.interval_ms = c.interval_ms;
  f.active_users = agent.users;
  f.first_request_unix_us = agent.first_request_unix_us;
  f.final = final;
  if (!send(writer_.write(f, requests))) return;  // counted in send_blocked: lost at the source
  ++agent.windows_sent;
  ++stats_.windows;
  if (final) ++stats_.final_windows;
  stats_.requests += requests.requests;
  stats_.failures += requests.failures;
}

void Swarm::send_due_windows(uint64_t until_ms) {
  if (!campaign_ || running_ == 0) return;
  Campaign& c = *campaign_;
  // Windows end at the boundaries, never past the campaign's end (a real agent's engines
  // stop at the end instant and cut the final window there).
  while (c.next_boundary_ms <= until_ms && c.next_boundary_ms <= c.end_unix_ms) {
    const uint64_t index = c.next_boundary_ms / c.interval_ms - 1;
    for (size_t i = 0; i < agents_.size(); ++i) {
      SimulatedAgent& a = agents_[i];
      if (a.phase == SimulatedAgent::Phase::running && a.start_unix_ms < c.next_boundary_ms) {
        send_window(a, i, index, c.next_boundary_ms, false);
      }
    }
    c.next_boundary_ms += c.interval_ms;
  }
  if (until_ms >= c.end_unix_ms) finish_running(c.end_unix_ms);
}

void Swarm::finish_running(uint64_t stop_ms) {
  if (!campaign_ || running_ == 0) return;
  const uint64_t index = stop_ms / campaign_->interval_ms;
  for (size_t i = 0; i < agents_.size(); ++i) {
    SimulatedAgent& a = agents_[i];
    if (a.phase != SimulatedAgent::Phase::running) continue;
    send_window(a, i, index, stop_ms, true);
    a.phase = SimulatedAgent::Phase::finished;
    ran_any_ = true;
  }
  running_ = 0;
  all_finished_ns_ = common::steady_now_ns();
  fmt::print(stderr, "swarm {}: campaign {}: final windows sent ({} windows so far)\n", options_.prefix, campaign_->id,
             stats_.windows);
}

int64_t Swarm::next_wake_ns(int64_t now_ns) const {
  const size_t cursor = round_cursor_ % agents_.size();
  const int64_t round = round_cursor_ == agents_.size() ? round_start_ns_ + kSecondNs : round_start_ns_;
  int64_t wake = round + agents_[cursor].phase_offset_ns;
  if (campaign_ && running_ > 0) {
    const uint64_t due_ms = std::min(campaign_->next_boundary_ms, campaign_->end_unix_ms);
    const auto now_ms = static_cast<int64_t>(common::unix_now_ms());
    wake = std::min(wake, now_ns + (static_cast<int64_t>(due_ms) - now_ms) * 1'000'000);
  }
  if (all_finished_ns_ > 0) {
    wake = std::min(wake, all_finished_ns_ + std::chrono::nanoseconds(options_.linger).count());
  }
  return wake;
}

void Swarm::run() {
  const int64_t begin = common::steady_now_ns();
  const int64_t deadline = begin + std::chrono::nanoseconds(options_.duration).count();
  round_start_ns_ = begin;
  round_cursor_ = 0;
  last_usage_ = usage_.sample();
  fmt::print(stderr, "swarm {}: {} agents -> {}\n", options_.prefix, options_.agents, options_.parent);
  while (!stop_.load(std::memory_order_relaxed) && !exit_) {
    const int64_t now = common::steady_now_ns();
    if (now >= deadline) {
      fmt::print(stderr, "swarm {}: --duration bound reached\n", options_.prefix);
      break;
    }
    if (all_finished_ns_ > 0 && now - all_finished_ns_ >= std::chrono::nanoseconds(options_.linger).count()) {
      fmt::print(stderr, "swarm {}: no finished plan {} ms after the last final window; exiting\n", options_.prefix,
                 options_.linger.count());
      break;
    }
    const int64_t wake = std::min(next_wake_ns(now), deadline);
    const int64_t timeout_ms =
        std::clamp<int64_t>((wake - now + 999'999) / 1'000'000, 0, common::NodeLoop::kPollInterval.count());
    zmq::pollitem_t items[] = {{plans_.handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 1, std::chrono::milliseconds(timeout_ms));
    drain_plans();
    send_due_windows(common::unix_now_ms());
    send_due_heartbeats(common::steady_now_ns());
  }
  // Leave on purpose, like a stopping agent.
  if (campaign_) finish_running(common::unix_now_ms());
  wire::Bye bye;
  bye.reason = "stopped";
  for (const auto& a : agents_) {
    if (a.hello_sent && send(wire::encode(bye, a.id))) ++stats_.byes;
  }
}

SwarmStats Swarm::stats() const {
  SwarmStats s = stats_;
  bool first = true;
  for (const auto& a : agents_) {
    if (a.windows_sent == 0) continue;
    ++s.agents_ran;
    s.min_agent_windows = first ? a.windows_sent : std::min(s.min_agent_windows, a.windows_sent);
    s.max_agent_windows = std::max(s.max_agent_windows, a.windows_sent);
    first = false;
  }
  s.cpu_seconds = cpu_seconds();
  return s;
}

}  // namespace grid::bench
