#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace grid::common {

/// Splits `total` into `parts` integer shares that differ by at most one and sum to
/// `total`; the first `total % parts` shares get the extra one. Pure.
/// Throws std::invalid_argument when parts == 0.
std::vector<uint64_t> split_evenly(uint64_t total, size_t parts);

/// Splits `total` in proportion to `weights` by the largest-remainder method: shares sum
/// exactly to `total` (as long as the caps allow) and none exceeds its cap (0 = no cap).
/// What a capped share cannot take goes to the others in proportion to their weights.
/// Ties in remainders go to the lower index. Pure.
/// Throws std::invalid_argument when weights is empty, sizes differ, or every weight is 0
/// while total > 0.
std::vector<uint64_t> split_weighted(uint64_t total, const std::vector<double>& weights,
                                     const std::vector<uint64_t>& caps = {});

/// The part of `rate` that goes with `share` of `total` (users, say): rate * share / total,
/// 0 when total is 0. The one place a spawn rate follows a user split: the broker's and a
/// relay's budgets and an agent's engines. Pure.
double rate_share(double rate, uint64_t share, uint64_t total);

}  // namespace grid::common
