#include "broker/grid_accounting.hpp"

#include <algorithm>

namespace grid::broker {

Acceptance GridAccounting::accept(const wire::StatsWindow& window, bool resent) {
  // No sources, no pairs: exactly-once cannot hold for it, so it is never counted.
  if (window.sources.empty()) {
    ++unattributed_;
    return Acceptance::unattributed;
  }
  // A pair listed twice in one window is a repeat too: its traffic is in the stats twice.
  std::set<std::string> listed;
  for (const auto& s : window.sources) {
    if (!listed.insert(s.agent_id).second) {
      ++duplicates_;
      return Acceptance::duplicate;
    }
    const auto it = counted_.find(s.agent_id);
    if (it == counted_.end()) continue;
    for (uint64_t i = window.index; i <= s.through(window.index); ++i) {
      if (it->second.contains(i)) {
        if (!resent) ++duplicates_;
        return Acceptance::duplicate;
      }
    }
  }
  for (const auto& s : window.sources) {
    auto& set = counted_[s.agent_id];
    const uint64_t last = s.through(window.index);
    for (uint64_t i = window.index; i <= last; ++i) set.insert(i);
    pairs_ += last - window.index + 1;
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
    // Users at the cut of the (last) window it covers, summed over the grid per index.
    const uint64_t sum = users_by_index_[last] += s.active_users;
    peak_users_ = std::max(peak_users_, sum);
  }
  // Bounded over a soak test: windows older than an hour's worth are not revisited.
  constexpr size_t kUserIndexes = 3600;
  while (users_by_index_.size() > kUserIndexes) users_by_index_.erase(users_by_index_.begin());
  return Acceptance::counted;
}

void GridAccounting::mark_alive(const std::string& agent_id) {
  if (auto it = agents_.find(agent_id); it != agents_.end()) it->second.lost = false;
}

void GridAccounting::note_start_ceiling(const std::string& agent_id, uint64_t ceiling) {
  AgentFigures& a = agents_[agent_id];
  a.id = agent_id;
  a.start_ceiling = std::max(a.start_ceiling, ceiling);
}

std::vector<wire::WindowAck> GridAccounting::acks() const {
  std::vector<wire::WindowAck> out;
  out.reserve(counted_.size());
  for (const auto& [id, set] : counted_) {
    wire::WindowAck a;
    a.agent_id = id;
    a.low = set.low();
    a.high = set.high();
    a.detached.assign(set.detached().begin(), set.detached().end());
    out.push_back(std::move(a));
  }
  return out;
}

uint64_t GridAccounting::unaccounted() const {
  uint64_t n = 0;
  for (const auto& [id, a] : agents_) {
    if (!a.final && a.start_ceiling > a.requests) n += a.start_ceiling - a.requests;
  }
  return n;
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
