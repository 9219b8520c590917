#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/common/child_registry.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// The shares of lost children, held back from their siblings for as long as the lost
/// child's agents may still be firing: a child lost to its parent is not necessarily
/// stopped (a cut link, a relay that died under running agents). Its budget stays
/// reserved until its agents' dead-man timeout has passed (they stop by then), until it
/// comes back, or until its agents have reappeared under another parent (the root sees
/// them there). So a parent never hands out more users than planned. Pure: the caller
/// passes the time.
class ShareReservations {
public:
  struct Held {
    wire::ChildBudget budget;
    SteadyTime until{};
    std::vector<std::string> agents;  // the agents that ran its share (from its reports)
  };

  /// Holds `budget` of a lost or departed child until `until`. A zero budget holds nothing.
  void hold(const wire::ChildBudget& budget, SteadyTime until, std::vector<std::string> agents);
  /// Gives a held share back (the child returned, or its agents run elsewhere). True when
  /// something was held.
  bool release(const std::string& child_id);
  /// Releases every hold that has expired at `now`; returns their child ids.
  std::vector<std::string> expire(SteadyTime now);

  /// `users` and `spawn_rate` split over the live children (child_budgets) after the held
  /// shares are taken out, followed by the held budgets themselves (so that their rows
  /// and figures stay theirs).
  std::vector<wire::ChildBudget> split(uint32_t users, double spawn_rate,
                                       const std::map<std::string, double>& region_weights,
                                       const std::vector<const ChildInfo*>& live) const;

  const std::map<std::string, Held>& held() const { return held_; }
  bool empty() const { return held_.empty(); }

private:
  std::map<std::string, Held> held_;
};

/// When a lost child's agents stop firing at the latest: its last sign of life plus the
/// dead-man timeout it reported, plus the request timeout's worth of draining (`margin`).
SteadyTime reservation_end(const ChildInfo& child, std::chrono::milliseconds margin);

/// The agent ids a child reported running in its subtree (not those it reports lost).
std::vector<std::string> reported_agents(const ChildInfo& child);

}  // namespace grid::common
