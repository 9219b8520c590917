#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::common {

/// Gathers the windows of many agents by index and releases each index once: when as
/// many distinct agents as expected have reported it, or when its deadline has passed.
/// A window arriving for an index already released is "late" and is handed back at once
/// to pass through unmerged. Relays use it to pre-aggregate; the broker to know when a
/// window is complete enough to show. Pure: the caller passes broker time.
class WindowMerger {
public:
  /// `grace`: how long after a window's end the merger waits for stragglers.
  explicit WindowMerger(std::chrono::milliseconds grace) : grace_(grace) {}

  /// Adds a (possibly already merged) window. Returns it back when it is late.
  std::optional<wire::StatsWindow> add(wire::StatsWindow window);

  /// Releases, in index order, every pending window that `expected_agents` distinct
  /// agents have reported or whose end + grace is at or before `broker_now`.
  std::vector<wire::StatsWindow> release(WallTime broker_now, size_t expected_agents);

  /// Releases everything pending (at shutdown).
  std::vector<wire::StatsWindow> release_all();

  size_t pending() const { return pending_.size(); }

private:
  struct Pending {
    wire::StatsWindow window;
    std::set<std::string> agents;
  };
  std::chrono::milliseconds grace_;
  std::map<uint64_t, Pending> pending_;
  bool released_any_ = false;
  uint64_t released_below_ = 0;  // every index below this has been released
};

}  // namespace grid::common
