#include "protocol/common/row_ledger.hpp"

#include <algorithm>

#include "protocol/common/allocation.hpp"

namespace grid::common {

void RowLedger::set_pool(const std::vector<wire::RowRange>& pool) {
  if (pool == pool_) return;
  pool_ = pool;
  next_.clear();
  for (const auto& r : pool_) next_.push_back(r.begin);
  given_.clear();
}

void RowLedger::assign(std::vector<wire::ChildBudget>& budgets) {
  const bool any_rows = std::any_of(pool_.begin(), pool_.end(), [](const auto& r) { return r.size() > 0; });
  if (!any_rows) return;
  std::vector<size_t> fresh;  // budgets of children that hold no rows yet and have users
  uint64_t fresh_users = 0;
  for (size_t i = 0; i < budgets.size(); ++i) {
    auto& b = budgets[i];
    if (const auto it = given_.find(b.child_id); it != given_.end()) {
      b.rows = it->second;
    } else if (b.users > 0) {
      fresh.push_back(i);
      fresh_users += b.users;
    } else {
      b.rows.assign(pool_.size(), wire::RowRange{});
    }
  }
  if (fresh.empty()) return;
  std::vector<double> weights;
  for (size_t i : fresh) weights.push_back(static_cast<double>(budgets[i].users));
  for (size_t i : fresh) budgets[i].rows.assign(pool_.size(), wire::RowRange{});
  for (size_t f = 0; f < pool_.size(); ++f) {
    const uint64_t left = pool_[f].end > next_[f] ? pool_[f].end - next_[f] : 0;
    const auto shares = split_weighted(left, weights);
    for (size_t k = 0; k < fresh.size(); ++k) {
      budgets[fresh[k]].rows[f] = wire::RowRange{next_[f], next_[f] + shares[k]};
      next_[f] += shares[k];
    }
  }
  for (size_t i : fresh) given_[budgets[i].child_id] = budgets[i].rows;
}

}  // namespace grid::common
