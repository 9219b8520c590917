#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/fast_rng.hpp"
#include "protocol/wire/workload.hpp"

namespace grid::agent {

/// Picks a scenario index with probability weight / sum of weights, in O(log n) over
/// cumulative weights, with no allocation per pick. A zero weight is never picked.
/// Built once per plan; pick() is const (one FastRng per engine thread).
class ScenarioPicker {
public:
  /// Throws std::invalid_argument when there is no weight, a weight is negative or not
  /// finite, or none is positive (Plan::validate and the broker reject those earlier).
  explicit ScenarioPicker(const std::vector<double>& weights) {
    double sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      const double w = weights[i];
      if (!(w >= 0) || !std::isfinite(w)) {
        throw std::invalid_argument("scenario " + std::to_string(i) + " has a weight that is negative or not finite");
      }
      sum += w;
      cumulative_.push_back(sum);
      if (w > 0) last_positive_ = i;
    }
    if (!(sum > 0)) throw std::invalid_argument("no scenario has a positive weight");
  }
  explicit ScenarioPicker(const std::vector<wire::Scenario>& scenarios) : ScenarioPicker(weights_of(scenarios)) {}

  /// An index in [0, size()) whose weight is positive.
  size_t pick(FastRng& rng) const {
    const double u = rng.uniform01() * cumulative_.back();
    // The first cumulative weight above u: its own weight is positive, since a zero
    // weight repeats the cumulative value before it.
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    const auto i = static_cast<size_t>(it - cumulative_.begin());
    return std::min(i, last_positive_);  // u rounded up to the sum: the last positive one
  }

  size_t size() const { return cumulative_.size(); }

private:
  static std::vector<double> weights_of(const std::vector<wire::Scenario>& scenarios) {
    std::vector<double> w;
    w.reserve(scenarios.size());
    for (const auto& s : scenarios) w.push_back(s.weight);
    return w;
  }

  std::vector<double> cumulative_;
  size_t last_positive_ = 0;
};

}  // namespace grid::agent
