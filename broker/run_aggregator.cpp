#include "broker/run_aggregator.hpp"

namespace grid::broker {

void RunAggregator::add(const wire::StatsWindow& window) {
  for (const auto& [name, stats] : window.requests) {
    by_name_[name].merge(stats);
    total_.merge(stats);
  }
  last_ = window;
  ++windows_;
}

}  // namespace grid::broker
