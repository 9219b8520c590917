#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/common/child_registry.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// The budgets a parent publishes for its live children: `users` split over regions by
/// `region_weights` (none: one pool) and then by capacity (ChildInfo::split_capacity: less
/// for an agent whose CPU stayed saturated), capped (split_budget), and
/// `spawn_rate` shared in proportion to the users each gets (rate_share). The one place
/// budgets are made: the broker with the campaign's figures, a relay with its own share.
std::vector<wire::ChildBudget> child_budgets(uint32_t users, double spawn_rate,
                                             const std::map<std::string, double>& region_weights,
                                             const std::vector<const ChildInfo*>& live);

}  // namespace grid::common
