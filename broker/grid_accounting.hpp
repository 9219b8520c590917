#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/window_index_set.hpp"
#include "protocol/wire/plan.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// The root's per-agent figures, built from the sources listed in stats windows.
struct AgentFigures {
  std::string id;
  std::string region;
  uint32_t users = 0;  // most users it ran at once (at window cuts)
  uint64_t requests = 0;
  uint64_t failures = 0;
  int64_t clock_offset_us = 0;        // its latest estimate of broker time minus its own
  int64_t first_request_unix_us = 0;  // broker time, 0 = none reported
  bool final = false;                 // sent its last window of the campaign
  bool lost = false;                  // declared lost by its parent, and not seen live since
  uint64_t start_ceiling = 0;         // the most requests it announced it may start (0 = unknown)
};

/// What accept() did with a window.
enum class Acceptance { counted, duplicate, unattributed };

/// Exactly-once accounting at the root: every (agent, window index) pair is counted at
/// most once, whatever path or how many times it arrives. A window that repeats any pair
/// already counted is refused whole (a merged window cannot be split), and counted as a
/// duplicate; relays never merge resent windows, so this refuses only true repeats. A
/// window that names no pair at all is refused too (counted as unattributed). A
/// coalesced source names a range of indexes: each pair in it counts.
///
/// It also knows what the grid must acknowledge (acks(): per agent, the indexes counted),
/// the most users the grid ran at once (per window index, the sum over the agents that
/// reported it), and how much lost agents may have sent uncounted (unaccounted()).
class GridAccounting {
public:
  /// Counts the window when its pairs are all new. A `resent` window the root already has
  /// is expected (its acknowledgement was in transit) and is not counted as a duplicate.
  Acceptance accept(const wire::StatsWindow& window, bool resent = false);

  void mark_lost(const std::string& agent_id);
  /// An agent seen running again (under another parent) is no longer lost.
  void mark_alive(const std::string& agent_id);
  /// The latest start ceiling an agent announced for this campaign.
  void note_start_ceiling(const std::string& agent_id, uint64_t ceiling);
  /// Per agent, the window indexes counted: what the plan acknowledges.
  std::vector<wire::WindowAck> acks() const;
  /// Requests agents that never sent their final window may have sent without them being
  /// counted: per such agent, its announced start ceiling minus its counted requests.
  /// `total requests + unaccounted` bounds what the target can have seen.
  uint64_t unaccounted() const;
  /// The most users running at once across the grid, over the windows counted.
  uint64_t peak_users() const { return peak_users_; }
  /// Registers an agent that has sent nothing yet (so it is listed).
  void know(const std::string& agent_id, const std::string& region);

  const std::map<std::string, AgentFigures>& agents() const { return agents_; }
  uint64_t duplicates() const { return duplicates_; }
  /// Windows refused because they named no (agent, window) pair.
  uint64_t unattributed() const { return unattributed_; }
  uint64_t pairs() const { return pairs_; }

  /// Spread of first-request times across agents that made one, in ms (0 with < 2).
  double first_request_spread_ms() const;
  /// Broker time of the latest request completed anywhere (µs), 0 before any.
  int64_t last_completion_unix_us() const { return last_completion_unix_us_; }
  /// True when every agent that reported anything has sent its final window or is lost.
  bool all_final() const;

private:
  std::map<std::string, AgentFigures> agents_;
  std::map<std::string, WindowIndexSet> counted_;  // per agent: indexes counted
  std::map<uint64_t, uint64_t> users_by_index_;    // recent window indexes: users summed over agents
  uint64_t peak_users_ = 0;
  uint64_t pairs_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t unattributed_ = 0;
  int64_t last_completion_unix_us_ = 0;
};

}  // namespace grid::broker
