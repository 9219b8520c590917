#include "protocol/common/budget_split.hpp"

#include <algorithm>

#include "protocol/common/allocation.hpp"

namespace grid::common {
namespace {

// Splits `total` over the children listed in `members` by capacity, capped.
void split_within(uint64_t total, const std::vector<size_t>& members, const std::vector<ChildCapacity>& children,
                  std::vector<uint64_t>& shares) {
  if (members.empty() || total == 0) return;
  std::vector<double> weights;
  std::vector<uint64_t> caps;
  for (size_t i : members) {
    weights.push_back(std::max(0.0, children[i].capacity));
    caps.push_back(children[i].max_users);
  }
  if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0; })) return;
  const auto split = split_weighted(total, weights, caps);
  for (size_t k = 0; k < members.size(); ++k) shares[members[k]] = split[k];
}

// Sum of the caps of `members`, or 0 (no cap) when any member is uncapped.
uint64_t cap_of(const std::vector<size_t>& members, const std::vector<ChildCapacity>& children) {
  uint64_t sum = 0;
  for (size_t i : members) {
    if (children[i].max_users == 0 || children[i].capacity <= 0) {
      if (children[i].capacity > 0) return 0;
      continue;
    }
    sum += children[i].max_users;
  }
  return sum == 0 ? 1 : sum;  // every member has zero capacity: let nothing through
}

}  // namespace

std::vector<uint64_t> split_budget(uint64_t total, const std::map<std::string, double>& region_weights,
                                   const std::vector<ChildCapacity>& children) {
  std::vector<uint64_t> shares(children.size(), 0);
  if (children.empty() || total == 0) return shares;
  if (region_weights.empty()) {
    std::vector<size_t> all(children.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    split_within(total, all, children, shares);
    return shares;
  }
  std::vector<std::string> regions;
  std::vector<std::vector<size_t>> members;
  for (const auto& [region, weight] : region_weights) {
    std::vector<size_t> in_region;
    for (size_t i = 0; i < children.size(); ++i) {
      if (children[i].region == region && children[i].capacity > 0) in_region.push_back(i);
    }
    if (weight > 0 && !in_region.empty()) {
      regions.push_back(region);
      members.push_back(std::move(in_region));
    }
  }
  if (regions.empty()) return shares;
  std::vector<double> weights;
  std::vector<uint64_t> caps;
  for (size_t r = 0; r < regions.size(); ++r) {
    weights.push_back(region_weights.at(regions[r]));
    caps.push_back(cap_of(members[r], children));
  }
  const auto per_region = split_weighted(total, weights, caps);
  for (size_t r = 0; r < regions.size(); ++r) split_within(per_region[r], members[r], children, shares);
  return shares;
}

}  // namespace grid::common
