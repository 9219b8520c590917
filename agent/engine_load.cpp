// How much load an engine makes: the closed model's user target (the budget, or its
// share of the stage curve) with spawning and retiring, and the open model's arrivals
// (its share of the grid's rate, evenly spaced), each taking an idle user or dropped.

#include <algorithm>
#include <cmath>

#include "agent/engine.hpp"

namespace grid::agent {

// The closed model's user target now: the budget, or with stages the budget's share of
// the stage target (floored, so the grid never runs more than the stage asks).
uint32_t Engine::budget_target(int64_t now_ns) const {
  const uint32_t budget = budget_.load(std::memory_order_relaxed);
  if (!work_.staged || work_.grid_users == 0) return budget;
  const double stage = work_.schedule.target_at(std::chrono::milliseconds((now_ns - origin_ns_) / kNsPerMs));
  const double mine = stage * static_cast<double>(budget) / static_cast<double>(work_.grid_users);
  return static_cast<uint32_t>(std::min<double>(budget, std::floor(mine + 1e-9)));
}

// Follows a change of the user target: surplus users leave (a thinking one at once,
// one in flight after its request), missing ones spawn from the ramp.
void Engine::apply_user_target(int64_t now_ns) {
  if (stopping_) return;
  if (work_.model == wire::LoadModel::open) {
    const uint32_t cap = budget_.load(std::memory_order_relaxed);
    if (cap == budget_seen_) return;
    if (cap > budget_seen_) {
      // Users retired by a lower cap may serve again.
      for (uint32_t id = budget_seen_; id < std::min(cap, created_); ++id) {
        if (users_[id]->state == VirtualUser::State::finished) {
          users_[id]->state = VirtualUser::State::idle;
          idle_.push_back(id);
        }
      }
    } else {
      std::erase_if(idle_, [&](uint32_t id) {
        if (id < cap) return false;
        users_[id]->state = VirtualUser::State::finished;
        return true;
      });
      for (uint32_t id = cap; id < created_; ++id) retire(*users_[id]);
    }
    budget_seen_ = cap;
    return;
  }
  const uint32_t target = budget_target(now_ns);
  if (target == wanted_) return;
  if (target < wanted_) {
    for (uint32_t id = target; id < wanted_ && id < users_.size(); ++id) retire(*users_[id]);
    ramp_cursor_ = std::min(ramp_cursor_, target);
  }
  wanted_ = target;
  spawn_due(now_ns);
}

void Engine::retire(VirtualUser& user) {
  if (user.state == VirtualUser::State::thinking) {
    timers_.cancel(kUserTimer, user.id);
    user.state = VirtualUser::State::finished;
    --active_;
  }
}

// Spawns users below `wanted_` that are not running, one per 1/spawn_rate seconds
// (staged campaigns ramp by their stages: users start as soon as the target allows).
void Engine::spawn_due(int64_t now_ns) {
  if (stopping_) return;
  const double rate = work_.staged ? 0 : config_.spawn_rate;
  while (ramp_cursor_ < wanted_) {
    if (rate > 0 && next_spawn_ns_ > now_ns) {
      timers_.arm(kSpawnTimer, 0, next_spawn_ns_);
      return;
    }
    VirtualUser& u = user_slot(ramp_cursor_++);
    if (u.state == VirtualUser::State::idle || u.state == VirtualUser::State::finished) {
      ++active_;
      u.state = VirtualUser::State::thinking;  // busy until its first step settles
      if (!begin_iteration(u, now_ns, now_ns)) {
        u.state = VirtualUser::State::finished;
        --active_;
      }
      if (rate > 0)
        next_spawn_ns_ =
            std::max(next_spawn_ns_, now_ns - static_cast<int64_t>(1e9 / rate)) + static_cast<int64_t>(1e9 / rate);
    }
  }
}

// This engine's share of the grid's arrivals: its user budget over the grid's users.
double Engine::rate_share() const {
  if (work_.grid_users == 0) return 0;
  return static_cast<double>(budget_seen_) / static_cast<double>(work_.grid_users);
}

// Sets the next arrival to the first one of this engine due at or after `from_ns`.
// Engines of a node interleave: engine e's arrivals are shifted by (e + 0.5)/engines of
// its own spacing, so the node's arrivals are evenly spaced (StageSchedule's comment).
void Engine::restart_arrivals(int64_t from_ns) {
  const double share = rate_share();
  if (share <= 0) {
    timers_.cancel(kArrivalTimer, 0);
    return;
  }
  // Nodes are shifted too, by a fraction of an engine's spacing taken from the agent's
  // id, so that agents with the same share do not all fire at the same instants.
  const double engines = static_cast<double>(std::max(1u, config_.engines));
  const double phase = std::fmod((static_cast<double>(config_.engine_id) + 0.5 + work_.node_phase) / engines, 1.0);
  const uint64_t n = work_.schedule.next_arrival_index(
      share, phase, std::chrono::nanoseconds(std::max<int64_t>(0, from_ns - origin_ns_)));
  next_arrival_ = (static_cast<double>(n) + phase) / share;
  schedule_arrival();
}

// Arms the arrival timer for the next arrival, or notes that none will come.
void Engine::schedule_arrival() {
  const double share = rate_share();
  if (share <= 0) {
    timers_.cancel(kArrivalTimer, 0);
    return;
  }
  const auto at = work_.schedule.time_of_arrival(next_arrival_);
  if (!at) return;  // no more arrivals in this campaign
  timers_.arm(kArrivalTimer, 0, origin_ns_ + at->count());
}

void Engine::arrivals_due(int64_t now_ns) {
  for (;;) {
    const double share = rate_share();
    if (share <= 0 || stopping_) return;
    const auto at = work_.schedule.time_of_arrival(next_arrival_);
    if (!at) {
      return;
    }
    const int64_t due = origin_ns_ + at->count();
    if (due > now_ns) {
      timers_.arm(kArrivalTimer, 0, due);
      return;
    }
    next_arrival_ += 1.0 / share;
    if (due >= start_ns_) arrive(due, now_ns);  // a late joiner skips what was before it
  }
}

// One open-model arrival: an idle user takes the iteration, or a new one below the cap,
// or it is dropped and counted (never queued: that would hide the overload).
void Engine::arrive(int64_t intended_ns, int64_t now_ns) {
  uint32_t id = UINT32_MAX;
  if (!idle_.empty()) {
    id = idle_.back();
    idle_.pop_back();
  } else if (created_ < budget_seen_) {
    id = created_++;
    user_slot(id);
  }
  if (id == UINT32_MAX) {
    const auto scenario = work_.picker->pick(rng_);
    ++stats_[work_.first_request[scenario]].dropped_iterations;
    return;
  }
  VirtualUser& u = *users_[id];
  ++active_;
  u.state = VirtualUser::State::thinking;
  if (!begin_iteration(u, now_ns, intended_ns)) {
    u.state = VirtualUser::State::finished;  // its unique rows ran out
    --active_;
  }
}

}  // namespace grid::agent
