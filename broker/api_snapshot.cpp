#include "broker/api_snapshot.hpp"

namespace grid::broker {

void RegionCounters::add(const wire::StatsWindow& window) {
  const std::string region = window.sources.empty() ? std::string() : window.sources.front().region;
  for (const auto& [name, stats] : window.requests) {
    auto& c = counts_[{region, name}];
    c.requests += stats.requests;
    for (size_t k = 0; k < wire::kFailureKindCount; ++k) c.failures[k] += stats.failures.by_kind[k];
  }
}

}  // namespace grid::broker
