#include "protocol/common/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace grid::common {

std::vector<uint64_t> split_evenly(uint64_t total, size_t parts) {
  if (parts == 0) throw std::invalid_argument("split_evenly: cannot split into zero parts");
  std::vector<uint64_t> shares(parts, total / parts);
  const uint64_t extra = total % parts;
  for (uint64_t i = 0; i < extra; ++i) ++shares[i];
  return shares;
}

std::vector<uint64_t> split_weighted(uint64_t total, const std::vector<double>& weights,
                                     const std::vector<uint64_t>& caps) {
  const size_t n = weights.size();
  if (n == 0) throw std::invalid_argument("split_weighted: no weights");
  if (!caps.empty() && caps.size() != n) throw std::invalid_argument("split_weighted: caps and weights differ in size");
  for (double w : weights) {
    if (!(w >= 0) || std::isinf(w)) throw std::invalid_argument("split_weighted: weights must be finite and >= 0");
  }
  // Only the ratios of the weights matter; scaling them to at most 1 keeps their sum
  // finite even for weights near DBL_MAX.
  const double max_weight = *std::max_element(weights.begin(), weights.end());
  std::vector<double> scaled(weights);
  if (max_weight > 0) {
    for (double& w : scaled) w /= max_weight;
  }
  std::vector<uint64_t> shares(n, 0);
  auto cap_of = [&](size_t i) { return caps.empty() || caps[i] == 0 ? UINT64_MAX : caps[i]; };
  std::vector<bool> open(n);
  for (size_t i = 0; i < n; ++i) open[i] = weights[i] > 0 && cap_of(i) > 0;
  uint64_t left = total;
  // Each round splits what is left among the open children; a child that would pass its
  // cap is filled to it and closed, and the rest is split again among the others.
  while (left > 0) {
    double weight_sum = 0;
    for (size_t i = 0; i < n; ++i) weight_sum += open[i] ? scaled[i] : 0;
    if (weight_sum <= 0) {
      if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0; })) {
        throw std::invalid_argument("split_weighted: every weight is zero");
      }
      break;  // every child is at its cap: the budget cannot be placed in full
    }
    std::vector<uint64_t> add(n, 0);
    std::vector<std::pair<double, size_t>> remainders;
    uint64_t given = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!open[i]) continue;
      const double exact = static_cast<double>(left) * scaled[i] / weight_sum;
      add[i] = static_cast<uint64_t>(std::floor(exact));
      given += add[i];
      remainders.emplace_back(exact - std::floor(exact), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t r = 0; given < left && r < remainders.size(); ++r, ++given) ++add[remainders[r].second];
    bool capped = false;
    for (size_t i = 0; i < n; ++i) {
      if (!open[i]) continue;
      const uint64_t room = cap_of(i) - shares[i];
      if (add[i] >= room) {
        add[i] = room;
        open[i] = false;
        capped = true;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      shares[i] += add[i];
      left -= add[i];
    }
    if (!capped) break;
  }
  return shares;
}

double rate_share(double rate, uint64_t share, uint64_t total) {
  return total == 0 ? 0.0 : rate * static_cast<double>(share) / static_cast<double>(total);
}

}  // namespace grid::common
