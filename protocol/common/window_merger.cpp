#include "protocol/common/window_merger.hpp"

#include <algorithm>

namespace grid::common {

std::optional<wire::StatsWindow> WindowMerger::add(wire::StatsWindow window) {
  if (released_any_ && window.index < released_below_) return window;
  auto [it, inserted] = pending_.try_emplace(window.index);
  Pending& p = it->second;
  if (!inserted && !p.window.merge(window)) {
    // Same index, another interval: a misconfigured peer. Never merge it, never drop it,
    // and do not count its agents as having reported the pending window.
    return window;
  }
  for (const auto& s : window.sources) p.agents.insert(s.agent_id);
  if (inserted) p.window = std::move(window);
  return std::nullopt;
}

std::vector<wire::StatsWindow> WindowMerger::release(WallTime broker_now, size_t expected_agents) {
  const auto now_ms = static_cast<uint64_t>(std::max<int64_t>(0, to_unix_us(broker_now) / 1000));
  std::vector<wire::StatsWindow> out;
  // In index order: a later index is not released before an earlier one still waiting,
  // unless the earlier one's deadline has passed too (deadlines grow with the index).
  while (!pending_.empty()) {
    auto it = pending_.begin();
    const bool complete = expected_agents > 0 && it->second.agents.size() >= expected_agents;
    const bool overdue = it->second.window.end_ms() + static_cast<uint64_t>(grace_.count()) <= now_ms;
    if (!complete && !overdue) break;
    released_any_ = true;
    released_below_ = std::max(released_below_, it->first + 1);
    out.push_back(std::move(it->second.window));
    pending_.erase(it);
  }
  return out;
}

std::vector<wire::StatsWindow> WindowMerger::release_all() {
  std::vector<wire::StatsWindow> out;
  for (auto& [index, p] : pending_) {
    released_any_ = true;
    released_below_ = std::max(released_below_, index + 1);
    out.push_back(std::move(p.window));
  }
  pending_.clear();
  return out;
}

}  // namespace grid::common
