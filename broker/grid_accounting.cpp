#include "broker/grid_accounting.hpp"

#include <algorithm>

namespace grid::broker {

bool GridAccounting::accept(const wire::StatsWindow& window) {
  // No sources, no pairs: exactly-once cannot hold for it, so it is never counted.
  if (window.sources.empty()) {
    ++unattributed_;
    return false;
  }
  // A pair listed twice in one window is a repeat too: its traffic is in the stats twice.
  std::set<std::string> listed;
  for (const auto& s : window.sources) {
    if (counted_[s.agent_id].contains(window.index) || !listed.insert(s.agent_id).second) {
      ++duplicates_;
      return false;
    }
  }
  for (const auto& s : window.sources) {
    counted_[s.agent_id].insert(window.index);
    ++pairs_;
    AgentFigures& a = agents_[s.agent_id];
    a.id = s.agent_id;
    a.region = s.region;
    a.requests += s.requests;
    a.failures += s.failures;
    a.users = std::max(a.users, s.active_users);
    a.clock_offset_us = s.clock_offset_us;
    if (s.first_request_unix_us > 0) a.first_request_unix_us = s.first_request_unix_us;
    if (s.final) a.final = true;
    last_completion_unix_us_ = std::max(last_completion_unix_us_, s.last_completion_unix_us);
  }
  return true;
}

void GridAccounting::mark_lost(const std::string& agent_id) {
  AgentFigures& a = agents_[agent_id];
  a.id = agent_id;
  a.lost = true;
}

void GridAccounting::know(const std::string& agent_id, const std::string& region) {
  AgentFigures& a = agents_[agent_id];
  a.id = agent_id;
  if (a.region.empty()) a.region = region;
}

double GridAccounting::first_request_spread_ms() const {
  int64_t lo = 0, hi = 0;
  int n = 0;
  for (const auto& [id, a] : agents_) {
    if (a.first_request_unix_us <= 0) continue;
    lo = n ? std::min(lo, a.first_request_unix_us) : a.first_request_unix_us;
    hi = n ? std::max(hi, a.first_request_unix_us) : a.first_request_unix_us;
    ++n;
  }
  return n < 2 ? 0.0 : static_cast<double>(hi - lo) / 1000.0;
}

bool GridAccounting::all_final() const {
  return std::all_of(agents_.begin(), agents_.end(), [](const auto& kv) {
    const AgentFigures& a = kv.second;
    return a.final || a.lost || (a.requests == 0 && a.first_request_unix_us == 0 && a.users == 0);
  });
}

}  // namespace grid::broker
