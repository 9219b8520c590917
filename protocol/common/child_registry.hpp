#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/common/cpu_pressure.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// What a parent knows of one direct child, from its hello and latest heartbeat.
struct ChildInfo {
  std::string id;
  wire::NodeKind kind = wire::NodeKind::agent;
  std::string region;
  std::string hostname;
  std::string software_version;  // the loadgrid release its hello announced, "" before one
  uint32_t cores = 0;
  uint32_t max_users = 0;  // 0 = no cap
  double capacity = 0;     // relative weight for budget splits (subtree cores)
  double cpu_percent = 0;
  uint64_t rss_bytes = 0;
  uint32_t active_users = 0;
  uint32_t agents = 0;                       // live agents in the child's subtree (1 for an agent)
  uint32_t busy_agents = 0;                  // of those, agents with a budget above 0 (a relay's report)
  int64_t clock_offset_us = 0;               // the child's estimate of broker time minus its own
  uint64_t rejected_frames = 0;              // malformed frames the child's subtree rejected
  uint64_t dropped_frames = 0;               // frames the child's subtree could neither send nor keep
  uint64_t retained_frames = 0;              // upstream frames the child's subtree keeps for retry, now
  std::vector<std::string> lost_agents;      // agents its subtree declared lost
  std::vector<wire::AgentLoad> agent_loads;  // the live agents of its subtree, as last reported
  uint64_t failovers = 0;                    // parent switches in its subtree, cumulative
  uint32_t deadman_ms = 0;                   // how long its agents may fire without a parent
  uint64_t resent_windows = 0;               // windows its subtree's agents resent, cumulative
  uint64_t coalesced_windows = 0;            // windows its subtree's agents coalesced, cumulative
  uint64_t dropped_logs = 0;                 // log records its subtree's rate limits dropped, cumulative
  SteadyTime last_seen{};                    // last message from it
  bool lost = false;                         // missed `liveness` heartbeats; no budget
  bool left = false;                         // said bye
  CpuPressure cpu_pressure;                  // agents: how long their engines' CPU stayed saturated

  /// The weight budget splits use: `capacity`, less the part an agent whose CPU stayed
  /// saturated gave up (CpuPressure; always all of it for a relay).
  double split_capacity() const { return capacity * cpu_pressure.share(); }
};

/// The direct children of a broker or relay and their liveness (Paranoid Pirate's idea,
/// as a pure class: the caller passes the time). Any message from a live child counts as
/// a sign of life; a child silent for `liveness` heartbeat intervals is lost, and comes
/// back (as a change) when it says hello or heartbeats again.
class ChildRegistry {
public:
  static constexpr unsigned kLiveness = 3;

  explicit ChildRegistry(std::chrono::milliseconds heartbeat_interval, unsigned liveness = kLiveness)
      : timeout_(heartbeat_interval * liveness), liveness_(liveness) {}

  /// Each returns true when the set of live children changed (joined, came back); a
  /// heartbeat also when what splits use changed: capacity, cap, region, or the CPU
  /// share of an agent (its CPU / (100 x its hello's cores) fed to its CpuPressure). A
  /// child coming back starts with its whole share.
  bool on_hello(const std::string& id, const wire::Hello& hello, SteadyTime now);
  bool on_heartbeat(const std::string& id, const wire::Heartbeat& heartbeat, SteadyTime now);
  /// Any other message: a sign of life from a live child. False for an unknown, lost or
  /// departed child, which it leaves as it is (it must say hello or heartbeat to (re)join,
  /// so that its return is reported as a change).
  bool on_message(const std::string& id, SteadyTime now);
  /// A child leaving on purpose; true when it was live.
  bool on_bye(const std::string& id);

  /// Whether agents' CPU cuts their share (the default). Off where the children share the
  /// parent's process (`loadgrid run`): each then reports the whole process's CPU.
  void set_cpu_pressure(bool on) { cpu_pressure_ = on; }

  /// How many heartbeat intervals of silence make a child lost.
  unsigned liveness() const { return liveness_; }

  /// Declares children silent for `liveness` intervals or longer lost; returns their ids.
  std::vector<std::string> expire(SteadyTime now);

  const std::map<std::string, ChildInfo>& children() const { return children_; }
  /// Live children (not lost, not left), in id order.
  std::vector<const ChildInfo*> live() const;
  /// Sum over live children of their live agents.
  uint32_t live_agents() const;
  /// Agents below whose stats windows a parent should wait for, given the budgets it
  /// publishes: a live agent child counts when its budget is above 0, a live relay child
  /// with the busy agents it reports.
  uint32_t busy_agents(const std::vector<wire::ChildBudget>& budgets) const;

private:
  ChildInfo& touch(const std::string& id, SteadyTime now, bool& changed);
  std::chrono::milliseconds timeout_;
  unsigned liveness_;
  bool cpu_pressure_ = true;
  std::map<std::string, ChildInfo> children_;
};

}  // namespace grid::common
