#include "agent/engine_pool.hpp"

#include <algorithm>
#include <mutex>
#include <random>

#include <curl/curl.h>

#include "protocol/common/allocation.hpp"
#include "protocol/common/clock.hpp"

namespace grid::agent {

EnginePool::EnginePool(const LoadPlan& plan, unsigned threads, common::Logger log)
    : interval_ms_(static_cast<uint32_t>(plan.interval.count())) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const auto shares = common::split_evenly(plan.users, threads);
  // Engines start together (a moment from now by default), so thread start-up skew does
  // not skew the ramp.
  const common::SteadyTime start =
      plan.start ? *plan.start : std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  auto workload = CompiledWorkload::compile(plan.workload, plan.rows, plan.agent_id);
  const auto allowed = std::make_shared<const TargetAllowlist>(plan.allowed_targets);
  const uint64_t seed = plan.seed ? plan.seed : std::random_device{}() * 0x9e3779b97f4a7c15ull + std::random_device{}();
  for (unsigned t = 0; t < threads; ++t) {
    EngineConfig c;
    c.engine_id = t;
    c.engines = threads;
    c.workload = workload;
    c.users = static_cast<uint32_t>(shares[t]);
    c.spawn_rate = common::rate_share(plan.spawn_rate, shares[t], plan.users);
    c.duration = plan.duration;
    c.interval = plan.interval;
    c.start = start;
    c.origin = plan.origin ? *plan.origin : start;
    c.users_per_multi = plan.users_per_multi;
    c.start_ceiling = plan.start_ceiling;
    c.clock_offset = plan.clock_offset;
    c.seed = seed + t * 0x9e3779b97f4a7c15ull;
    c.allowed_targets = allowed;
    engines_.push_back(std::make_unique<Engine>(std::move(c), mailbox_, log));
  }
  next_unposted_.assign(threads, 0);
  final_.assign(threads, false);
  for (auto& e : engines_) threads_.emplace_back([engine = e.get()] { engine->run(); });
}

EnginePool::~EnginePool() {
  request_stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void EnginePool::request_stop() {
  for (auto& e : engines_) e->request_stop();
}

void EnginePool::set_users(uint32_t users) {
  const auto shares = common::split_evenly(users, engines_.size());
  for (size_t i = 0; i < engines_.size(); ++i) engines_[i]->set_users(static_cast<uint32_t>(shares[i]));
}

std::vector<uint64_t> EnginePool::started() const {
  std::vector<uint64_t> out;
  out.reserve(engines_.size());
  for (const auto& e : engines_) out.push_back(e->started());
  return out;
}

void EnginePool::set_start_ceilings(const std::vector<uint64_t>& ceilings) {
  for (size_t i = 0; i < engines_.size() && i < ceilings.size(); ++i) engines_[i]->set_start_ceiling(ceilings[i]);
}

std::vector<wire::StatsWindow> EnginePool::poll(std::chrono::milliseconds wait) {
  std::vector<wire::StatsWindow> released;
  if (finished_) return released;
  for (auto& ew : mailbox_.take(wait)) {
    next_unposted_[ew.engine] = std::max(next_unposted_[ew.engine], ew.window.index + 1);
    if (ew.final) final_[ew.engine] = true;
    if (ew.first_request_unix_us > 0 &&
        (first_request_unix_us_ == 0 || ew.first_request_unix_us < first_request_unix_us_)) {
      first_request_unix_us_ = ew.first_request_unix_us;
    }
    last_completion_unix_us_ = std::max(last_completion_unix_us_, ew.last_completion_unix_us);
    auto [it, inserted] = pending_.try_emplace(ew.window.index, ew.window);
    if (!inserted) it->second.merge(ew.window);
  }
  // Windows below the lowest index a running engine has not posted yet are complete;
  // a stopped engine holds nothing back.
  const bool all_final = std::all_of(final_.begin(), final_.end(), [](bool f) { return f; });
  uint64_t complete_below = UINT64_MAX;
  for (size_t e = 0; e < engines_.size(); ++e) {
    if (!final_[e]) complete_below = std::min(complete_below, next_unposted_[e]);
  }
  while (!pending_.empty() && (all_final || pending_.begin()->first < complete_below)) {
    auto node = pending_.extract(pending_.begin());
    if (have_released_) {
      for (uint64_t gap = next_release_; gap < node.key(); ++gap) {
        wire::StatsWindow empty;
        empty.index = gap;
        empty.interval_ms = interval_ms_;
        released.push_back(std::move(empty));
      }
    }
    have_released_ = true;
    next_release_ = node.key() + 1;
    released.push_back(std::move(node.mapped()));
  }
  if (all_final && pending_.empty()) {
    finished_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  return released;
}

}  // namespace grid::agent
