#include "agent/think_time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace grid::agent {

std::chrono::nanoseconds sample_think(const wire::Step& step, FastRng& rng) {
  constexpr int64_t kNsPerMs = 1'000'000;
  const int64_t min_ns = static_cast<int64_t>(step.min_ms) * kNsPerMs;
  switch (step.think) {
    case wire::ThinkKind::fixed:
      return std::chrono::nanoseconds(min_ns);
    case wire::ThinkKind::uniform: {
      const int64_t max_ns = static_cast<int64_t>(step.max_ms) * kNsPerMs;
      if (max_ns <= min_ns) return std::chrono::nanoseconds(min_ns);
      return std::chrono::nanoseconds(rng.between(min_ns, max_ns));
    }
    case wire::ThinkKind::exponential: {
      // Inverse transform: -mean * ln(U), U in (0, 1] so the log is finite.
      const double u = 1.0 - rng.uniform01();
      const double mean = static_cast<double>(min_ns);
      const double ns = std::min(-mean * std::log(u), mean * kExponentialThinkCap);
      return std::chrono::nanoseconds(std::llround(ns));
    }
  }
  return std::chrono::nanoseconds(min_ns);  // an unknown kind (a newer peer): treat as fixed
}

}  // namespace grid::agent
