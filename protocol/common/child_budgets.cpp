#include "protocol/common/child_budgets.hpp"

#include "protocol/common/allocation.hpp"
#include "protocol/common/budget_split.hpp"

namespace grid::common {

std::vector<wire::ChildBudget> child_budgets(uint32_t users, double spawn_rate,
                                             const std::map<std::string, double>& region_weights,
                                             const std::vector<const ChildInfo*>& live) {
  std::vector<ChildCapacity> capacities;
  capacities.reserve(live.size());
  for (const auto* c : live) capacities.push_back({c->region, c->split_capacity(), c->max_users});
  const auto shares = split_budget(users, region_weights, capacities);
  std::vector<wire::ChildBudget> budgets;
  budgets.reserve(live.size());
  for (size_t i = 0; i < live.size(); ++i) {
    budgets.push_back({live[i]->id, static_cast<uint32_t>(shares[i]), rate_share(spawn_rate, shares[i], users)});
  }
  return budgets;
}

}  // namespace grid::common
