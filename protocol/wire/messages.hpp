#pragma once

// Message bodies. Upstream (child -> parent, PUSH/PULL): hello, heartbeat, stats, log,
// bye. Downstream (parent -> children, PUB/SUB): plan snapshots and clock echoes (see
// plan.hpp). Plain structs with positional msgpack encoding: append-only, never reorder
// or remove a field (STYLE.md 8). Each names its MessageType; the codec wraps it in the
// versioned envelope.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/stats_window.hpp"
#include "protocol/wire/wire_enum.hpp"

namespace grid::wire {

enum class MessageType : uint8_t {
  hello = 1,
  heartbeat = 2,
  stats = 3,
  log = 4,
  bye = 5,
  plan = 16,
  clock_echo = 17,
};

/// True for every MessageType this build knows.
constexpr bool is_known(MessageType t) {
  return (t >= MessageType::hello && t <= MessageType::bye) || t == MessageType::plan || t == MessageType::clock_echo;
}

enum class NodeKind : uint8_t { agent = 0, relay = 1, broker = 2 };
template <>
inline constexpr bool kWireEnum<NodeKind> = true;

/// True for every NodeKind this build knows.
constexpr bool is_known(NodeKind k) { return k <= NodeKind::broker; }

/// Severity of a forwarded log record.
enum class LogLevel : uint8_t { info = 0, warning = 1, error = 2 };
template <>
inline constexpr bool kWireEnum<LogLevel> = true;

/// First message a child sends its parent, and again after reconnecting.
struct Hello {
  static constexpr MessageType kType = MessageType::hello;
  NodeKind kind = NodeKind::agent;
  std::string region;
  std::string hostname;
  uint32_t cores = 0;
  uint64_t memory_bytes = 0;
  uint32_t max_users = 0;  // 0 = no cap
  std::string software_version;
  MSGPACK_DEFINE(kind, region, hostname, cores, memory_bytes, max_users, software_version)
  std::optional<std::string> validate() const {
    if (!is_known(kind)) return "hello has unknown node kind " + std::to_string(static_cast<int>(kind));
    return std::nullopt;
  }
};

/// What one agent reports of itself through every hop (relays forward the list of their
/// subtree in their heartbeats), so the root knows, per agent, how many requests it may
/// have started and under which parent it runs.
struct AgentLoad {
  std::string agent_id;
  std::string campaign_id;     // the campaign its engines run, "" none
  uint64_t start_ceiling = 0;  // requests its engines may start in that campaign, at most
                               // (announced before the engines may use it): a bound on what
                               // it can have sent, for the unaccounted count when it is lost
  uint32_t users = 0;          // users it runs now
  bool lost = false;           // its parent lost it: the last report it had, kept for the bound
  // Appended in 0.5 (issue 10): so the root shows agents below relays too.
  double cpu_percent = 0;  // the agent's process CPU over its last heartbeat interval, 100 = one core
  uint64_t rss_bytes = 0;  // the agent's resident memory
  bool operator==(const AgentLoad&) const = default;
  MSGPACK_DEFINE(agent_id, campaign_id, start_ceiling, users, lost, cpu_percent, rss_bytes)
};

/// Liveness and load of a child, sent every second.
struct Heartbeat {
  static constexpr MessageType kType = MessageType::heartbeat;
  double cpu_percent = 0;  // process CPU over the last second, 100 = one core
  uint64_t rss_bytes = 0;
  uint32_t active_users = 0;
  uint64_t plan_epoch = 0;   // epoch of the plan the child runs
  int64_t sent_unix_us = 0;  // sender's wall clock at send, for clock-offset probes
  // Appended for the grid: what a parent needs to (re)register and weigh a child even
  // when it missed the hello (a restarted parent).
  NodeKind kind = NodeKind::agent;
  std::string region;
  double capacity = 0;                   // relative weight for budget splits: cores of the subtree
  uint32_t max_users = 0;                // cap of the subtree, 0 = none
  uint32_t agents = 0;                   // live agents in the subtree (1 for an agent)
  int64_t clock_offset_us = 0;           // sender's estimate of broker time minus its own
  uint64_t rejected_frames = 0;          // malformed frames rejected in the subtree, cumulative
  std::vector<std::string> lost_agents;  // agents the subtree declared lost
  uint32_t busy_agents = 0;              // agents in the subtree with a budget above 0: the ones
                                         // whose stats windows a parent waits for
  // Appended by the node runtime: nothing is lost without a trace.
  uint64_t dropped_frames = 0;   // frames the subtree could neither send nor keep, cumulative
  uint64_t retained_frames = 0;  // upstream frames the subtree keeps for retry, now
  // Appended in 0.4 (faults): nothing lost across a lost node.
  std::vector<AgentLoad> agent_loads;  // every live agent of the subtree (an agent: itself)
  uint64_t failovers = 0;              // parent switches in the subtree, cumulative
  uint32_t deadman_ms = 0;             // longest dead-man timeout in the subtree: how long its
                                       // agents may keep firing after losing their parents
  uint64_t resent_windows = 0;         // stats windows the subtree's agents resent, cumulative
  uint64_t coalesced_windows = 0;      // retained windows merged into others to bound memory
  // Appended in 0.5 (issue 10, central logs).
  uint64_t dropped_logs = 0;  // warning and error records the subtree's rate limits dropped, cumulative
  MSGPACK_DEFINE(cpu_percent, rss_bytes, active_users, plan_epoch, sent_unix_us, kind, region, capacity, max_users,
                 agents, clock_offset_us, rejected_frames, lost_agents, busy_agents, dropped_frames, retained_frames,
                 agent_loads, failovers, deadman_ms, resent_windows, coalesced_windows, dropped_logs)
  std::optional<std::string> validate() const {
    // Also keeps re-encoding safe: msgpack-c's pack_double has undefined behaviour at 2^64.
    if (!(cpu_percent >= 0 && cpu_percent <= 1e6)) {
      return "heartbeat has an implausible cpu_percent " + std::to_string(cpu_percent);
    }
    if (!(capacity >= 0 && capacity <= 1e9)) return "heartbeat has an implausible capacity";
    for (const auto& a : agent_loads) {
      if (!(a.cpu_percent >= 0 && a.cpu_percent <= 1e6))
        return "heartbeat has an agent with an implausible cpu_percent";
    }
    if (!is_known(kind)) return "heartbeat has unknown node kind " + std::to_string(static_cast<int>(kind));
    return std::nullopt;
  }
};

/// Stats windows a node has cut and not yet had acknowledged.
struct StatsReport {
  static constexpr MessageType kType = MessageType::stats;
  std::vector<StatsWindow> windows;
  std::string campaign_id;  // the campaign the windows belong to
  // Appended in 0.4: windows sent again (after a failover, or unacknowledged for long).
  // Relays forward them unmerged, so that the root can refuse exactly the pairs it has.
  bool resent = false;
  MSGPACK_DEFINE(windows, campaign_id, resent)
  std::optional<std::string> validate() const {
    for (const auto& w : windows) {
      if (auto e = w.validate()) return e;
    }
    return std::nullopt;
  }
};

/// A warning or error forwarded upstream for central logging (docs/adr/0018). Relays
/// forward their children's records unchanged, so `node` names where it was logged.
struct LogRecord {
  static constexpr MessageType kType = MessageType::log;
  LogLevel level = LogLevel::info;
  std::string text;
  // Appended in 0.5 (issue 10). A record of an older peer has neither: its receiver
  // takes the sender's id and the arrival time.
  std::string node;          // the node that logged it, "" unknown
  int64_t time_unix_ms = 0;  // when it was logged, on the broker's clock as its node estimated it; 0 unknown
  MSGPACK_DEFINE(level, text, node, time_unix_ms)
  std::optional<std::string> validate() const {
    if (level > LogLevel::error) return "log record has unknown level " + std::to_string(static_cast<int>(level));
    return std::nullopt;
  }
};

/// Last message of a child that leaves on purpose.
struct Bye {
  static constexpr MessageType kType = MessageType::bye;
  std::string reason;
  MSGPACK_DEFINE(reason)
  std::optional<std::string> validate() const { return std::nullopt; }
};

}  // namespace grid::wire
