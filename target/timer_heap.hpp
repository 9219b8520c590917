#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace grid::target {

// One pending wake-up of a worker: the connection (fd plus the slot generation it had when
// the timer was set, so a timer outliving its connection is recognised as stale).
struct TimerEntry {
  std::chrono::steady_clock::time_point deadline;
  int fd = -1;
  std::uint32_t generation = 0;
};

// Min-heap of deadlines owned by one worker thread. The worker turns the earliest deadline
// into epoll_wait's timeout instead of sleeping. Time is passed in, so tests need no clock.
class TimerHeap {
public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Allocates only when the heap grows beyond its previous high-water mark.
  void push(const TimerEntry& entry);

  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }

  // @return milliseconds until the earliest deadline, rounded up so a wake-up is never early
  //         by less than a millisecond; 0 if one is due; -1 if the heap is empty.
  int timeout_ms(TimePoint now) const;

  // @return the exact time until the earliest deadline (zero if one is due), for a
  //         nanosecond sleep (epoll_pwait2); std::nullopt if the heap is empty.
  std::optional<std::chrono::nanoseconds> timeout(TimePoint now) const;

  // Removes and returns the earliest entry if its deadline is at or before `now`.
  std::optional<TimerEntry> pop_due(TimePoint now);

private:
  std::vector<TimerEntry> heap_;
};

}  // namespace grid::target
