#include "protocol/wire/stats_window.hpp"

namespace grid::wire {
namespace {

// Counts in a window come from the wire: sum them without wrapping around, so that huge
// counts cannot add up to a small total and pass as consistent.
uint64_t saturating_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

}  // namespace

RequestStats StatsWindow::total() const {
  RequestStats sum;
  for (const auto& [name, stats] : requests) sum.merge(stats);
  return sum;
}

bool StatsWindow::merge(const StatsWindow& other) {
  // Merging a window into itself: `other` would change under us (and inserting a vector's
  // own range into it is undefined behaviour), so merge a copy.
  if (&other == this) return merge(StatsWindow(other));
  if (other.index != index || other.interval_ms != interval_ms) return false;
  active_users += other.active_users;
  for (const auto& [name, stats] : other.requests) requests[name].merge(stats);
  sources.insert(sources.end(), other.sources.begin(), other.sources.end());
  for (const auto& [text, n] : other.problems) {
    // Past the cap, new messages fold into one line so the count is never lost.
    auto it = problems.find(text);
    if (it == problems.end() && problems.size() >= kMaxProblems) it = problems.try_emplace("other problems").first;
    if (it == problems.end()) it = problems.try_emplace(text).first;
    it->second = saturating_add(it->second, n);
  }
  return true;
}

std::optional<std::string> StatsWindow::validate() const {
  if (interval_ms == 0) return "stats window has a zero interval";
  if (problems.size() > kMaxProblems + 1)
    return "stats window has more than " + std::to_string(kMaxProblems) + " problems";
  for (const auto& [text, n] : problems) {
    if (text.size() > kMaxProblemBytes) return "stats window has a problem message longer than 512 bytes";
  }
  for (const auto& s : sources) {
    // A coalesced source spans its pairs; bounded so a receiver's bookkeeping is too.
    if (s.last_index != 0 && (s.last_index < index || s.last_index - index > kMaxCoalescedSpan)) {
      return "stats window " + std::to_string(index) + " of agent '" + s.agent_id + "' spans an implausible range to " +
             std::to_string(s.last_index);
    }
  }
  for (const auto& [name, s] : requests) {
    const std::string where = "request '" + name + "' in window " + std::to_string(index);
    uint64_t failed = 0;
    for (uint64_t n : s.failures.by_kind) failed = saturating_add(failed, n);
    if (failed > s.requests) {
      return where + ": " + std::to_string(failed) + " failures exceed " + std::to_string(s.requests) + " requests";
    }
    uint64_t responses = 0;
    for (size_t i = 0; i < s.status_codes.size(); ++i) {
      const auto& sc = s.status_codes[i];
      if (sc.count == 0) return where + ": status " + std::to_string(sc.code) + " has a zero count";
      if (i > 0 && sc.code <= s.status_codes[i - 1].code) {
        return where + ": status codes are not strictly ascending";
      }
      responses = saturating_add(responses, sc.count);
    }
    if (responses > s.requests) {
      return where + ": " + std::to_string(responses) + " responses exceed " + std::to_string(s.requests) + " requests";
    }
    if (s.latency_us.count() > s.requests) {
      return where + ": more latency samples than requests";
    }
    if (s.service_us.count() > s.requests) {
      return where + ": more service-time samples than requests";
    }
  }
  return std::nullopt;
}

}  // namespace grid::wire
