#pragma once

#include <chrono>
#include <string>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// Whether an agent's CPU has stayed saturated long enough to lose part of its share of
/// the budget to its siblings, and when it gets it back (docs/adr/0012, "CPU pressure").
/// Pure: the caller passes each sample with its time.
///
/// A sample is a `load`: the agent's process CPU over the cores its engine threads may
/// use (heartbeat `cpu_percent` / (100 × hello `cores`); 1.0 = every engine core busy).
/// Engines are what generate load, so their cores are the measure, not the machine's.
///
/// - Above kHot (strictly) in every sample for kPeriod: the agent is hot and its share
///   drops by kStep, then by kStep again at each further kPeriod it stays above, down to
///   kFloor. With 1 s heartbeats: 75% after 10 s, 50% after 20 s, 25% after 30 s.
/// - Below kCool (strictly) in every sample for kPeriod: the share goes back up by kStep,
///   then again at each further kPeriod, up to 1.
/// - A sample in between (the hysteresis band) ends both streaks and keeps the share: an
///   agent that runs at 80% after losing a quarter of its users is where it should be.
///
/// A streak starts at its first sample, so "for 10 s" means samples spanning 10 s. At most
/// one step per sample, so a long gap between samples never jumps several steps.
class CpuPressure {
public:
  static constexpr double kHot = 0.90;
  static constexpr double kCool = 0.75;
  static constexpr std::chrono::seconds kPeriod{10};
  static constexpr double kStep = 0.25;
  static constexpr double kFloor = 0.25;

  /// Takes one sample of `load` at `now` (times must not go back). Returns true when
  /// share() changed.
  bool observe(double load, SteadyTime now);

  /// The fraction of its capacity the agent's budget splits use: 1, 0.75, 0.5 or 0.25.
  double share() const { return share_; }
  /// True while the share is below 1 (it lost part of its share and has not got it all back).
  bool derated() const { return share_ < 1.0; }
  /// How long the current streak above kHot (or below kCool) has lasted at the last
  /// sample; zero when there is none.
  std::chrono::nanoseconds hot_for() const { return hot_ ? last_ - since_ : std::chrono::nanoseconds{0}; }
  std::chrono::nanoseconds cool_for() const { return cool_ ? last_ - since_ : std::chrono::nanoseconds{0}; }

private:
  double share_ = 1.0;
  bool hot_ = false;   // a streak above kHot is on
  bool cool_ = false;  // a streak below kCool is on (only while derated)
  SteadyTime since_{};
  SteadyTime next_step_{};
  SteadyTime last_{};
};

/// What a parent reports when `id`'s share changed from `before` to `pressure.share()`:
/// "agent ID CPU above 90% for 10 s: its share goes down to 75% of its capacity", or
/// "agent ID CPU below 75% for 10 s: its share goes back up to 100% of its capacity".
std::string cpu_share_change(const std::string& id, const CpuPressure& pressure, double before);

}  // namespace grid::common
