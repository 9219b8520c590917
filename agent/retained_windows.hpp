#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/wire/plan.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::agent {

/// The stats windows an agent has sent and the root has not acknowledged yet: kept so
/// that nothing counted is lost when a parent dies with them (they are resent after a
/// failover, or when unacknowledged for long), dropped once the root's acknowledgement
/// (WindowAck, in every plan snapshot) covers them.
///
/// Bounded: past `limit` windows the two oldest are coalesced into one (requests,
/// failures and histograms added exactly; the coalesced window names the range of indexes
/// it covers, so the root still counts each (agent, index) pair once). Memory then stays
/// at `limit` windows however long the parent is gone. Pure: the caller passes the time.
class RetainedWindows {
public:
  static constexpr size_t kDefaultLimit = 600;

  explicit RetainedWindows(size_t limit = kDefaultLimit) : limit_(limit < 2 ? 2 : limit) {}

  /// Keeps a window just sent (one source: this agent's), sent at `now`.
  void keep(wire::StatsWindow window, common::SteadyTime now);
  /// Drops every window whose indexes `ack` all covers; returns how many.
  size_t acknowledge(const wire::WindowAck& ack);
  /// Every window kept, marked sent at `now` (after a failover: all of them go again).
  std::vector<wire::StatsWindow> take_all(common::SteadyTime now);
  /// Windows last sent `after` or longer before `now`, marked sent at `now`.
  std::vector<wire::StatsWindow> take_due(common::SteadyTime now, std::chrono::milliseconds after);
  /// Forgets everything (the campaign changed); returns how many were kept.
  size_t clear();

  size_t size() const { return kept_.size(); }
  bool empty() const { return kept_.empty(); }
  /// Windows merged into an older one to stay within the limit, cumulative.
  uint64_t coalesced() const { return coalesced_; }

private:
  struct Kept {
    wire::StatsWindow window;
    common::SteadyTime sent;
  };
  void coalesce_oldest();

  size_t limit_;
  std::map<uint64_t, Kept> kept_;  // by window index (the first, for a coalesced one)
  uint64_t coalesced_ = 0;
};

/// Adds `later` (one source, same agent, later indexes) into `earlier`, which then covers
/// both ranges: exact counts and histograms, the later cut's users, the union of problems.
/// False, changing nothing, when they are not one agent's single-source windows in order.
bool coalesce(wire::StatsWindow& earlier, const wire::StatsWindow& later);

}  // namespace grid::agent
