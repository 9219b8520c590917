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

}  // namespace grid::common
