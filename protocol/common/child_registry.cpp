#include "protocol/common/child_registry.hpp"

namespace grid::common {

ChildInfo& ChildRegistry::touch(const std::string& id, SteadyTime now, bool& changed) {
  auto [it, inserted] = children_.try_emplace(id);
  ChildInfo& c = it->second;
  if (inserted) {
    c.id = id;
    changed = true;
  }
  if (c.lost || c.left) {
    c.lost = false;
    c.left = false;
    c.cpu_pressure = {};
    changed = true;
  }
  c.last_seen = now;
  return c;
}

bool ChildRegistry::on_hello(const std::string& id, const wire::Hello& hello, SteadyTime now) {
  bool changed = false;
  ChildInfo& c = touch(id, now, changed);
  c.kind = hello.kind;
  c.region = hello.region;
  c.hostname = hello.hostname;
  c.software_version = hello.software_version;
  c.cores = hello.cores;
  c.max_users = hello.max_users;
  if (c.capacity <= 0) c.capacity = hello.cores;
  if (c.kind == wire::NodeKind::agent && c.agents == 0) c.agents = 1;
  return changed;
}

bool ChildRegistry::on_heartbeat(const std::string& id, const wire::Heartbeat& hb, SteadyTime now) {
  bool changed = false;
  ChildInfo& c = touch(id, now, changed);
  // Capacity and caps decide budgets: a change there is a change of the split too.
  if (c.capacity != hb.capacity || c.max_users != hb.max_users || c.region != hb.region) changed = true;
  c.kind = hb.kind;
  c.region = hb.region;
  c.capacity = hb.capacity;
  c.max_users = hb.max_users;
  c.cpu_percent = hb.cpu_percent;
  c.rss_bytes = hb.rss_bytes;
  c.active_users = hb.active_users;
  c.agents = hb.agents;
  c.busy_agents = hb.busy_agents;
  c.clock_offset_us = hb.clock_offset_us;
  c.rejected_frames = hb.rejected_frames;
  c.dropped_frames = hb.dropped_frames;
  c.retained_frames = hb.retained_frames;
  c.lost_agents = hb.lost_agents;
  c.agent_loads = hb.agent_loads;
  c.failovers = hb.failovers;
  c.deadman_ms = hb.deadman_ms;
  c.resent_windows = hb.resent_windows;
  c.coalesced_windows = hb.coalesced_windows;
  c.dropped_logs = hb.dropped_logs;
  // An agent's engines are what generate load: their cores are the measure (docs/adr/0012).
  if (cpu_pressure_ && c.kind == wire::NodeKind::agent && c.cores > 0 &&
      c.cpu_pressure.observe(hb.cpu_percent / (100.0 * c.cores), now)) {
    changed = true;
  }
  return changed;
}

bool ChildRegistry::on_message(const std::string& id, SteadyTime now) {
  auto it = children_.find(id);
  // A lost or departed child rejoins only through hello or heartbeat, which report the
  // change; reviving it here would put it back in live() with no one told to rebalance.
  if (it == children_.end() || it->second.lost || it->second.left) return false;
  it->second.last_seen = now;
  return true;
}

bool ChildRegistry::on_bye(const std::string& id) {
  auto it = children_.find(id);
  if (it == children_.end() || it->second.left || it->second.lost) return false;
  it->second.left = true;
  return true;
}

std::vector<std::string> ChildRegistry::expire(SteadyTime now) {
  std::vector<std::string> lost;
  for (auto& [id, c] : children_) {
    if (!c.lost && !c.left && now - c.last_seen >= timeout_) {
      c.lost = true;
      lost.push_back(id);
    }
  }
  return lost;
}

std::vector<const ChildInfo*> ChildRegistry::live() const {
  std::vector<const ChildInfo*> out;
  for (const auto& [id, c] : children_) {
    if (!c.lost && !c.left) out.push_back(&c);
  }
  return out;
}

uint32_t ChildRegistry::live_agents() const {
  uint32_t n = 0;
  for (const auto* c : live()) n += c->agents;
  return n;
}

}  // namespace grid::common

namespace grid::common {

uint32_t ChildRegistry::busy_agents(const std::vector<wire::ChildBudget>& budgets) const {
  uint32_t n = 0;
  for (const auto& b : budgets) {
    if (b.users == 0) continue;
    const auto it = children_.find(b.child_id);
    if (it == children_.end() || it->second.lost || it->second.left) continue;
    n += it->second.kind == wire::NodeKind::agent ? 1 : it->second.busy_agents;
  }
  return n;
}

}  // namespace grid::common
