#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "protocol/wire/workload.hpp"

namespace grid::workload {

/// The target of a load model over time: users (closed model) or iterations/s (open
/// model), from the plan's stages or a constant. Pure and immutable; every method is O(log
/// stages) and safe to call from several threads.
///
/// Shape. Stage i moves linearly from the previous stage's target (the first stage starts
/// at 0) to its own target over its duration; a stage of duration 0 jumps. After the last
/// stage the last target holds. With no stages the target is the constant throughout.
/// Negative or non-finite targets count as 0 (Plan::validate rejects them earlier).
///
/// Arrivals (open model). The rate integrates to a cumulative count of iterations,
/// arrivals_by(t), counted over [0, duration) only: nothing arrives at or after the end of
/// the campaign. time_of_arrival(k) inverts it exactly, piece by piece (linear where the
/// rate is constant, the root of a quadratic where it ramps), so arrival times never drift
/// however long the campaign runs.
///
/// Sharing the grid's arrivals. Build the schedule from the grid-wide targets (Plan::rate
/// or Plan::stages) everywhere. A node (agent, engine) that owns a fraction `s` (0 < s <= 1)
/// of the grid rate and has a phase `p` in [0, 1) fires its n-th arrival (n = 0, 1, ...) at
///
///     time_of_arrival((n + p) / s)
///
/// i.e. when the grid has seen (n + p) / s arrivals, its share s of them has reached n + p.
/// Its arrivals are therefore spaced evenly in the grid's time (1 / (s * rate) apart at a
/// constant rate), and nodes with different phases interleave instead of all firing at
/// t = 0; the n-th arrival exists only while (n + p) / s <= arrivals_by(end). When the
/// share changes at time `now` (a relay re-split the budget), continue from
/// n = next_arrival_index(s_new, p, now): no arrival is repeated or lost beyond rounding.
class StageSchedule {
public:
  /// `stages` as the plan carries them; `constant` is the target when `stages` is empty;
  /// `duration` is the length of the campaign (arrivals happen in [0, duration) only).
  StageSchedule(std::vector<wire::Stage> stages, double constant, std::chrono::milliseconds duration);

  /// The target at `since_start` (users, or iterations/s). Before 0: the start value;
  /// the campaign's duration does not cut it (after the last stage the last target holds).
  double target_at(std::chrono::nanoseconds since_start) const;

  /// The highest target the schedule reaches (over every stage, or the constant).
  double peak() const;

  /// Open model: iterations that arrive in [0, t), the integral of the rate; t is clamped
  /// to [0, duration], so arrivals_by(t >= duration) is the campaign's total.
  double arrivals_by(std::chrono::nanoseconds t) const;

  /// Open model: the earliest time at which arrivals_by reaches `k` (k <= 0 counts as 0)
  /// while the rate is positive, rounded to the nearest nanosecond; a stretch of zero rate
  /// that starts exactly at level k is skipped, so no arrival falls inside a zero-rate
  /// stage. std::nullopt when that time is not before the end of the campaign (or k is
  /// NaN). Exact for a constant rate r: time_of_arrival(k) = k / r.
  std::optional<std::chrono::nanoseconds> time_of_arrival(double k) const;

  /// Open model: the smallest n >= 0 whose arrival (see the class comment) is not before
  /// `now`, for a node with share `share` (> 0) and phase `phase`.
  uint64_t next_arrival_index(double share, double phase, std::chrono::nanoseconds now) const;

  /// Iterations over the whole campaign: arrivals_by(duration()).
  double total_arrivals() const;
  std::chrono::nanoseconds duration() const { return duration_; }

private:
  // One linear piece of the rate, [start, end), from rate0 to rate1, with the arrivals
  // accumulated before it. Pieces cover [0, duration) without gaps.
  struct Piece {
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    double rate0 = 0;
    double rate1 = 0;
    double before = 0;  // arrivals_by(start)
    double total() const;
    double slope() const;  // per second per second
  };

  std::vector<wire::Stage> stages_;
  double constant_ = 0;
  std::chrono::nanoseconds duration_{0};
  double peak_ = 0;
  std::vector<Piece> pieces_;
};

}  // namespace grid::workload
