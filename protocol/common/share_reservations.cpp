#include "protocol/common/share_reservations.hpp"

#include <algorithm>

#include "protocol/common/child_budgets.hpp"

namespace grid::common {

void ShareReservations::hold(const wire::ChildBudget& budget, SteadyTime until, std::vector<std::string> agents) {
  if (budget.users == 0 && budget.spawn_rate <= 0) return;
  held_[budget.child_id] = Held{budget, until, std::move(agents)};
}

bool ShareReservations::release(const std::string& child_id) { return held_.erase(child_id) > 0; }

std::vector<std::string> ShareReservations::expire(SteadyTime now) {
  std::vector<std::string> ended;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.until <= now) {
      ended.push_back(it->first);
      it = held_.erase(it);
    } else {
      ++it;
    }
  }
  return ended;
}

std::vector<wire::ChildBudget> ShareReservations::split(uint32_t users, double spawn_rate,
                                                        const std::map<std::string, double>& region_weights,
                                                        const std::vector<const ChildInfo*>& live) const {
  uint32_t held_users = 0;
  double held_rate = 0;
  for (const auto& [id, h] : held_) {
    held_users += h.budget.users;
    held_rate += h.budget.spawn_rate;
  }
  auto budgets = child_budgets(users > held_users ? users - held_users : 0, std::max(0.0, spawn_rate - held_rate),
                               region_weights, live);
  for (const auto& [id, h] : held_) budgets.push_back(h.budget);
  return budgets;
}

SteadyTime reservation_end(const ChildInfo& child, std::chrono::milliseconds margin) {
  return child.last_seen + std::chrono::milliseconds(child.deadman_ms) + margin;
}

std::vector<std::string> reported_agents(const ChildInfo& child) {
  std::vector<std::string> ids;
  if (child.kind == wire::NodeKind::agent) ids.push_back(child.id);
  for (const auto& a : child.agent_loads) {
    if (a.lost) continue;
    if (std::find(ids.begin(), ids.end(), a.agent_id) == ids.end()) ids.push_back(a.agent_id);
  }
  return ids;
}

}  // namespace grid::common
