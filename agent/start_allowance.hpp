#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace grid::agent {

/// How many requests each engine may start, announced upstream before it applies, so that
/// the root always knows a bound on what an agent can have sent: when the agent is lost,
/// `announced - counted` is the most the target can have seen from it uncounted.
///
/// At every tick the agent passes what each engine has started: a new ceiling is announced
/// (the heartbeat sent at that tick carries announced()) and the one announced at the
/// previous tick is applied, so an engine only ever runs under a ceiling that left the
/// process a tick before (parents keep a lost child's last report). Ticks are the
/// heartbeats, plus an early one whenever an engine has used half of its headroom
/// (running_low()), so a fast ramp waits for at most a few ms. Each ceiling is what the
/// engine has started plus three times its growth since the last tick, and at least
/// `floor`. Monotonic: ceilings never go down. Pure.
class StartAllowance {
public:
  static constexpr unsigned kApplyLag = 1;

  /// `engines` engines; `floor`: the least allowance per engine and tick; `initial`: what
  /// each engine may start before the first tick (nothing is known of its rate yet).
  StartAllowance(size_t engines, uint64_t floor, uint64_t initial);

  /// The ceilings the engines start with; already counted in announced().
  const std::vector<uint64_t>& initial() const { return applied_; }

  /// One tick: `started` per engine. Returns the ceilings to apply now.
  const std::vector<uint64_t>& tick(const std::vector<uint64_t>& started);

  /// Sum of the newest announced ceilings: the most this agent may ever have started
  /// until its next announcement.
  uint64_t announced() const;

  /// True when an engine has used half of the headroom it was given at the last tick:
  /// time for an early tick.
  bool running_low(const std::vector<uint64_t>& started) const;

private:
  uint64_t floor_;
  std::vector<uint64_t> started_at_apply_;
  std::vector<uint64_t> previous_started_;
  std::deque<std::vector<uint64_t>> pending_;  // announced, not yet applied (oldest first)
  std::vector<uint64_t> applied_;
};

}  // namespace grid::agent
