#include "agent/retained_windows.hpp"

#include <algorithm>

namespace grid::agent {

bool coalesce(wire::StatsWindow& earlier, const wire::StatsWindow& later) {
  if (earlier.sources.size() != 1 || later.sources.size() != 1) return false;
  auto& a = earlier.sources.front();
  const auto& b = later.sources.front();
  if (a.agent_id != b.agent_id || later.index <= a.through(earlier.index) || later.interval_ms != earlier.interval_ms) {
    return false;
  }
  // StatsWindow::merge adds everything but insists on one index: merge a copy relabelled.
  wire::StatsWindow tail = later;
  tail.index = earlier.index;
  tail.sources.clear();
  const uint32_t users = later.active_users;
  earlier.active_users = 0;
  earlier.merge(tail);
  earlier.active_users = users;
  a.requests += b.requests;
  a.failures += b.failures;
  a.active_users = b.active_users;
  a.clock_offset_us = b.clock_offset_us;
  if (a.first_request_unix_us == 0) a.first_request_unix_us = b.first_request_unix_us;
  a.final = a.final || b.final;
  a.last_completion_unix_us = std::max(a.last_completion_unix_us, b.last_completion_unix_us);
  a.last_index = b.through(later.index);
  return true;
}

void RetainedWindows::keep(wire::StatsWindow window, common::SteadyTime now) {
  const uint64_t index = window.index;
  kept_[index] = Kept{std::move(window), now};
  while (kept_.size() > limit_) coalesce_oldest();
}

void RetainedWindows::coalesce_oldest() {
  auto first = kept_.begin();
  auto second = std::next(first);
  if (!coalesce(first->second.window, second->second.window)) {
    // Not coalescable (cannot happen with this agent's own windows): keep the limit by
    // dropping nothing; the next keep tries again.
    return;
  }
  first->second.sent = std::min(first->second.sent, second->second.sent);
  kept_.erase(second);
  ++coalesced_;
}

size_t RetainedWindows::acknowledge(const wire::WindowAck& ack) {
  size_t dropped = 0;
  for (auto it = kept_.begin(); it != kept_.end();) {
    const auto& w = it->second.window;
    const uint64_t last = w.sources.empty() ? w.index : w.sources.front().through(w.index);
    bool all = true;
    for (uint64_t i = w.index; i <= last && all; ++i) all = ack.contains(i);
    if (all) {
      it = kept_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

std::vector<wire::StatsWindow> RetainedWindows::take_all(common::SteadyTime now) {
  std::vector<wire::StatsWindow> out;
  out.reserve(kept_.size());
  for (auto& [index, k] : kept_) {
    k.sent = now;
    out.push_back(k.window);
  }
  return out;
}

std::vector<wire::StatsWindow> RetainedWindows::take_due(common::SteadyTime now, std::chrono::milliseconds after) {
  std::vector<wire::StatsWindow> out;
  for (auto& [index, k] : kept_) {
    if (now - k.sent < after) continue;
    k.sent = now;
    out.push_back(k.window);
  }
  return out;
}

size_t RetainedWindows::clear() {
  const size_t n = kept_.size();
  kept_.clear();
  return n;
}

}  // namespace grid::agent
