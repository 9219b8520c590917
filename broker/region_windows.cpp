#include "broker/region_windows.hpp"

namespace grid::broker {

void RegionWindows::add(const wire::StatsWindow& counted) {
  if (shown_through_ && counted.index <= *shown_through_) return;
  const std::string region = counted.sources.empty() ? std::string() : counted.sources.front().region;
  auto& by_region = pending_[counted.index];
  if (const auto it = by_region.find(region); it != by_region.end()) {
    it->second.merge(counted);
  } else {
    by_region.emplace(region, counted);
  }
}

std::map<std::string, wire::StatsWindow> RegionWindows::take(uint64_t index) {
  std::map<std::string, wire::StatsWindow> out;
  if (const auto it = pending_.find(index); it != pending_.end()) out = std::move(it->second);
  pending_.erase(pending_.begin(), pending_.upper_bound(index));
  if (!shown_through_ || index > *shown_through_) shown_through_ = index;
  return out;
}

}  // namespace grid::broker
