#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace grid::common {

/// What a parent knows of one child when it splits a user budget.
struct ChildCapacity {
  std::string region;
  double capacity = 1;     // relative weight: cores by default
  uint64_t max_users = 0;  // cap, 0 = none
};

/// Splits `total` users over children. Pure.
///
/// With `region_weights` empty, all children share in proportion to capacity. Otherwise
/// the budget is first split over the regions that have at least one child, by their
/// weights (a region without children, or a child whose region has no weight, gets
/// nothing), then within each region by capacity. Every split is largest-remainder, so
/// shares are integers summing exactly to `total` unless the caps cannot hold it all;
/// no child ever exceeds its cap. Children with zero capacity get nothing.
std::vector<uint64_t> split_budget(uint64_t total, const std::map<std::string, double>& region_weights,
                                   const std::vector<ChildCapacity>& children);

}  // namespace grid::common
