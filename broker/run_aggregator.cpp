#include "broker/run_aggregator.hpp"

namespace grid::broker {

void RunAggregator::add(const wire::StatsWindow& window) {
  for (const auto& [name, stats] : window.requests) by_name_[name].merge(stats);
  for (const auto& [text, n] : window.problems) {
    // Bounded like a window's list: messages come from a finite campaign, but a broken
    // peer must not grow the run's memory.
    if (problems_.size() >= wire::kMaxProblems && !problems_.count(text)) {
      problems_["other problems"] += n;
    } else {
      problems_[text] += n;
    }
  }
  total_stale_ = true;
  ++windows_;
}

const wire::RequestStats& RunAggregator::total() const {
  if (total_stale_) {
    total_ = wire::RequestStats{};
    for (const auto& [name, stats] : by_name_) total_.merge(stats);
    total_stale_ = false;
  }
  return total_;
}

}  // namespace grid::broker
