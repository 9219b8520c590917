#include "agent/load_plan.hpp"

#include <algorithm>

namespace grid::agent {

LoadPlan load_plan_for(const wire::Plan& plan, const wire::ChildBudget& budget, common::WallTime broker_now,
                       common::SteadyTime steady_now, std::chrono::microseconds clock_offset,
                       uint32_t users_per_multi) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  LoadPlan load;
  load.workload = plan;
  load.workload.budgets.clear();
  load.rows = budget.rows;
  load.agent_id = budget.child_id;
  load.users = budget.users;
  load.spawn_rate = budget.spawn_rate;
  load.interval = milliseconds(plan.interval_ms);
  load.users_per_multi = users_per_multi;
  load.clock_offset = clock_offset;
  const auto start = common::from_unix_us(plan.start_unix_us);
  const auto end = common::from_unix_us(plan.end_unix_us());
  load.start = steady_now + duration_cast<microseconds>(std::max(start - broker_now, common::WallTime::duration(0)));
  load.origin = steady_now + duration_cast<microseconds>(start - broker_now);  // may be in the past
  load.duration =
      duration_cast<milliseconds>(std::max(end - std::max(broker_now, start), common::WallTime::duration(0)));
  return load;
}

}  // namespace grid::agent
