#pragma once

#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace grid::agent {

/// A min-heap of one-shot timers for one engine thread. Timers are keyed by (owner, id);
/// re-arming or cancelling an owner's timer bumps its generation, and stale heap entries
/// are skipped when they surface (lazy deletion), so both are O(log n) without a search.
/// Single-threaded; times are steady-clock nanoseconds.
class TimerQueue {
public:
  struct Due {
    uint32_t kind;  // caller-defined (e.g. curl multi timeout, user wake-up)
    uint32_t id;    // caller-defined index within the kind
  };

  /// `slots` timers per kind are addressable as (kind, id) with id < slots[kind].
  explicit TimerQueue(std::vector<uint32_t> slots_per_kind) {
    for (uint32_t n : slots_per_kind) generations_.emplace_back(n, 0);
  }

  /// Makes ids below `slots` addressable for `kind` (never shrinks).
  void reserve(uint32_t kind, uint32_t slots) {
    if (generations_[kind].size() < slots) generations_[kind].resize(slots, 0);
  }

  /// Arms (or re-arms) timer (kind, id) to fire at `at_ns`.
  void arm(uint32_t kind, uint32_t id, int64_t at_ns) {
    const uint32_t gen = ++generations_[kind][id];
    heap_.push(Entry{at_ns, kind, id, gen});
  }

  /// Cancels timer (kind, id) if armed.
  void cancel(uint32_t kind, uint32_t id) { ++generations_[kind][id]; }

  /// Earliest live deadline, or std::nullopt when nothing is armed.
  std::optional<int64_t> next_deadline() {
    drop_stale();
    if (heap_.empty()) return std::nullopt;
    return heap_.top().at_ns;
  }

  /// Pops one timer due at or before `now_ns`; the timer is disarmed.
  std::optional<Due> pop_due(int64_t now_ns) {
    drop_stale();
    if (heap_.empty() || heap_.top().at_ns > now_ns) return std::nullopt;
    const Entry e = heap_.top();
    heap_.pop();
    ++generations_[e.kind][e.id];
    return Due{e.kind, e.id};
  }

private:
  struct Entry {
    int64_t at_ns;
    uint32_t kind;
    uint32_t id;
    uint32_t generation;
    bool operator>(const Entry& o) const { return at_ns > o.at_ns; }
  };

  void drop_stale() {
    while (!heap_.empty() && heap_.top().generation != generations_[heap_.top().kind][heap_.top().id]) {
      heap_.pop();
    }
  }

  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::vector<std::vector<uint32_t>> generations_;
};

}  // namespace grid::agent
