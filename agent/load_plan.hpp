#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/wire/plan.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::agent {

/// What a pool of engines runs: the load of one node, split across its threads.
struct LoadPlan {
  std::vector<wire::RequestSpec> requests;
  uint32_t users = 0;
  double spawn_rate = 0;  // users/s for the whole node; 0 = all at once
  std::chrono::milliseconds think_time{0};
  std::chrono::milliseconds duration{0};     // from the start until no new request starts
  std::chrono::milliseconds interval{1000};  // stats window
  uint32_t users_per_multi = 32;
  std::optional<common::SteadyTime> start;    // synchronized start; none = a moment from now
  std::chrono::microseconds clock_offset{0};  // broker time minus ours, for window alignment
};

/// The load an agent runs for `budget` of `plan`, given the time now in broker time and
/// on our steady clock and our clock-offset estimate. It starts at the plan's start
/// instant, or at once for a late joiner, and runs until the campaign's end instant
/// (so a late joiner runs for what is left). Pure.
LoadPlan load_plan_for(const wire::Plan& plan, const wire::ChildBudget& budget, common::WallTime broker_now,
                       common::SteadyTime steady_now, std::chrono::microseconds clock_offset, uint32_t users_per_multi);

}  // namespace grid::agent
