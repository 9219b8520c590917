#pragma once

#include <chrono>

#include "agent/fast_rng.hpp"
#include "protocol/wire/workload.hpp"

namespace grid::agent {

/// Exponential think times are cut at this many times their mean: the distribution's tail
/// is unbounded, and one user asleep for an hour in a ten-minute campaign helps nobody.
/// The cut moves the mean down by e^-100 of itself, i.e. not at all.
inline constexpr double kExponentialThinkCap = 100;

/// A think time for `step` (only its think fields are read), drawn with `rng`:
/// - fixed:       exactly min_ms;
/// - uniform:     uniform in [min_ms, max_ms] at nanosecond resolution (min_ms when
///                max_ms < min_ms, which Plan::validate rejects);
/// - exponential: exponential with mean min_ms, at most kExponentialThinkCap * min_ms.
/// No allocation; a few nanoseconds.
std::chrono::nanoseconds sample_think(const wire::Step& step, FastRng& rng);

}  // namespace grid::agent
