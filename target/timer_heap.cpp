#include "target/timer_heap.hpp"

#include <algorithm>
#include <limits>

namespace grid::target {
namespace {

// std heap functions build a max-heap; ordering by "later" puts the earliest on top.
bool later(const TimerEntry& a, const TimerEntry& b) { return a.deadline > b.deadline; }

}  // namespace

void TimerHeap::push(const TimerEntry& entry) {
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

int TimerHeap::timeout_ms(TimePoint now) const {
  if (heap_.empty()) return -1;
  const auto remaining = heap_.front().deadline - now;
  if (remaining <= TimePoint::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(remaining).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, std::numeric_limits<int>::max()));
}

std::optional<std::chrono::nanoseconds> TimerHeap::timeout(TimePoint now) const {
  if (heap_.empty()) return std::nullopt;
  return std::max(std::chrono::nanoseconds::zero(),
                  std::chrono::duration_cast<std::chrono::nanoseconds>(heap_.front().deadline - now));
}

std::optional<TimerEntry> TimerHeap::pop_due(TimePoint now) {
  if (heap_.empty() || heap_.front().deadline > now) return std::nullopt;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  const TimerEntry entry = heap_.back();
  heap_.pop_back();
  return entry;
}

}  // namespace grid::target
