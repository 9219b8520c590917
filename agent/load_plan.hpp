#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/target_allowlist.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::agent {

/// What a pool of engines runs: the load of one node, split across its threads.
struct LoadPlan {
  wire::Plan workload;                       // the campaign as planned: requests, scenarios, data, model,
                                             // stages, grid-wide users and rate (budgets are not used)
  std::vector<wire::RowRange> rows;          // per data feed: the unique rows this node may use
  std::string agent_id;                      // for ${agent}
  uint32_t users = 0;                        // this node's budget: closed, users (peak when staged); open, user cap
  double spawn_rate = 0;                     // closed, not staged: users/s for the whole node; 0 = all at once
  std::chrono::milliseconds duration{0};     // from the start until no new request starts
  std::chrono::milliseconds interval{1000};  // stats window
  uint32_t users_per_multi = 32;
  std::optional<common::SteadyTime> start;    // synchronized start; none = a moment from now
  std::optional<common::SteadyTime> origin;   // the campaign's start (stage time 0); none = start
  std::chrono::microseconds clock_offset{0};  // broker time minus ours, for window alignment
  uint64_t seed = 0;                          // random choices; 0 = from the clock
  uint64_t start_ceiling = UINT64_MAX;        // per engine, requests it may start until told more
  TargetAllowlist allowed_targets;            // where connections may go (default: loopback only)
};

/// The load an agent runs for `budget` of `plan`, given the time now in broker time and
/// on our steady clock and our clock-offset estimate. It starts at the plan's start
/// instant, or at once for a late joiner, and runs until the campaign's end instant
/// (so a late joiner runs for what is left, at the point of the stages the campaign is
/// at). Pure.
LoadPlan load_plan_for(const wire::Plan& plan, const wire::ChildBudget& budget, common::WallTime broker_now,
                       common::SteadyTime steady_now, std::chrono::microseconds clock_offset, uint32_t users_per_multi);

}  // namespace grid::agent
