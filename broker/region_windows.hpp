#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// The counted windows of each region, held per window index until the broker shows
/// that index, so each region gets its own point of the time series. A window the
/// broker counts comes from one direct child, so its sources share one region (the
/// relay's, or the agent's own); the first source names it. Parts that arrive after
/// their window was shown are in the totals but not in the region series (the grid-wide
/// series shows a window once too).
class RegionWindows {
public:
  void add(const wire::StatsWindow& counted);

  /// The windows of `index`, by region; forgets every index up to it.
  std::map<std::string, wire::StatsWindow> take(uint64_t index);

  size_t pending() const { return pending_.size(); }

private:
  std::map<uint64_t, std::map<std::string, wire::StatsWindow>> pending_;
  std::optional<uint64_t> shown_through_;
};

}  // namespace grid::broker
