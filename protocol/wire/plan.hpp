#pragma once

// Downstream messages (parent -> children over PUB/SUB). PUB/SUB drops messages for late
// joiners and slow subscribers, so downstream state travels as whole snapshots (the Clone
// pattern's idea): a parent republishes its current Plan every second and on every
// change, and a child applies a snapshot only when its epoch is newer than the one it
// holds. Control (stop) is state in the snapshot, never a one-shot message.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/messages.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/workload.hpp"

namespace grid::wire {

enum class CampaignState : uint8_t {
  idle = 0,      // no campaign: children wait
  waiting = 1,   // campaign planned, waiting for agents; nothing runs yet
  running = 2,   // users run from start_unix_us until the end instant
  stopping = 3,  // no new requests; in-flight requests finish, final windows go up
  finished = 4,  // over
};
template <>
inline constexpr bool kWireEnum<CampaignState> = true;

/// The state's name (health files, logs; GET /api/v1/nodes shows `idle` as `waiting`).
constexpr std::string_view to_string(CampaignState state) {
  switch (state) {
    case CampaignState::idle:
      return "idle";
    case CampaignState::waiting:
      return "waiting";
    case CampaignState::running:
      return "running";
    case CampaignState::stopping:
      return "stopping";
    case CampaignState::finished:
      return "finished";
  }
  return "unknown";
}

/// One child's share of its parent's budget.
struct ChildBudget {
  std::string child_id;
  uint32_t users = 0;
  double spawn_rate = 0;  // users/s for the child's subtree
  // Appended in 0.3: per data feed (Plan::data order), the rows of a `unique` feed this
  // subtree may use; an empty range for other modes.
  std::vector<RowRange> rows;
  bool operator==(const ChildBudget&) const = default;
  MSGPACK_DEFINE(child_id, users, spawn_rate, rows)
};

/// The root's acknowledgement of one agent's stats windows: the indexes it has counted,
/// as a contiguous range [low, high) plus the few counted apart from it (the shape
/// WindowIndexSet keeps). An agent drops a retained window once all its indexes are
/// acknowledged. Relays pass acknowledgements down unchanged.
struct WindowAck {
  std::string agent_id;
  uint64_t low = 0;
  uint64_t high = 0;               // empty range when high <= low
  std::vector<uint64_t> detached;  // counted outside [low, high)
  bool operator==(const WindowAck&) const = default;
  MSGPACK_DEFINE(agent_id, low, high, detached)
  bool contains(uint64_t index) const {
    if (index >= low && index < high) return true;
    for (const uint64_t d : detached) {
      if (d == index) return true;
    }
    return false;
  }
};

/// The full downstream state. Each relay rewrites `budgets` for its own children (its
/// share split among them) and republishes under its own epoch counter.
struct Plan {
  static constexpr MessageType kType = MessageType::plan;
  uint64_t epoch = 0;  // the publisher's counter; newer replaces older
  CampaignState state = CampaignState::idle;
  std::string campaign_id;  // unique per campaign run
  std::string campaign_name;
  std::vector<RequestSpec> requests;  // with no scenarios: looped in order
  uint32_t users = 0;                 // whole grid: closed, the (peak) users; open, the cap on users
  double spawn_rate = 0;              // whole grid, users/s (closed model)
  uint32_t think_time_ms = 0;         // with no scenarios: pause after each request
  uint64_t duration_ms = 0;
  uint32_t interval_ms = 1000;       // stats window
  int64_t start_unix_us = 0;         // start instant in broker time
  std::vector<ChildBudget> budgets;  // this hop's children
  // Appended in 0.3: the workload language (protocol/wire/workload.hpp).
  LoadModel model = LoadModel::closed;
  double rate = 0;                  // open model: whole grid, iterations/s (the peak when staged)
  std::vector<Stage> stages;        // targets over time; empty = constant users or rate
  std::vector<Scenario> scenarios;  // empty: one scenario over `requests` with think_time_ms
  std::vector<DataFeed> data;
  ConnectionReuse connections = ConnectionReuse::per_user;
  // Appended in 0.4: the root's acknowledgements of stats windows, per agent.
  std::vector<WindowAck> acks;
  MSGPACK_DEFINE(epoch, state, campaign_id, campaign_name, requests, users, spawn_rate, think_time_ms, duration_ms,
                 interval_ms, start_unix_us, budgets, model, rate, stages, scenarios, data, connections, acks)
  /// The acknowledgement for `agent_id`, if the plan carries one.
  const WindowAck* ack_of(const std::string& agent_id) const {
    for (const auto& a : acks) {
      if (a.agent_id == agent_id) return &a;
    }
    return nullptr;
  }

  /// The budget of `child_id`, or std::nullopt when the plan gives it none.
  std::optional<ChildBudget> budget_of(const std::string& child_id) const {
    for (const auto& b : budgets) {
      if (b.child_id == child_id) return b;
    }
    return std::nullopt;
  }
  /// End of the running phase in broker time.
  int64_t end_unix_us() const { return start_unix_us + static_cast<int64_t>(duration_ms) * 1000; }

  std::optional<std::string> validate() const {
    if (state > CampaignState::finished) return "plan has unknown state " + std::to_string(static_cast<int>(state));
    if (state == CampaignState::running || state == CampaignState::stopping) {
      if (requests.empty()) return "running plan has no requests";
      if (interval_ms == 0) return "plan has a zero stats interval";
      if (campaign_id.empty()) return "running plan has no campaign id";
    }
    if (!(spawn_rate >= 0 && spawn_rate <= 1e9)) return "plan has an implausible spawn rate";
    if (!(rate >= 0 && rate <= 1e9)) return "plan has an implausible arrival rate";
    for (const auto& st : stages) {
      if (!(st.target >= 0 && st.target <= 1e9)) return "plan has a stage with an implausible target";
    }
    for (const auto& sc : scenarios) {
      if (!(sc.weight >= 0 && sc.weight <= 1e9)) return "scenario '" + sc.name + "' has an implausible weight";
      for (const auto& step : sc.steps) {
        if (step.kind == StepKind::request && step.request >= requests.size())
          return "scenario '" + sc.name + "' names request " + std::to_string(step.request) + " of " +
                 std::to_string(requests.size());
        if (step.kind == StepKind::think && step.think == ThinkKind::uniform && step.max_ms < step.min_ms)
          return "scenario '" + sc.name + "' has an empty think range";
      }
    }
    for (const auto& feed : data) {
      for (const auto& row : feed.rows) {
        if (row.size() != feed.columns.size())
          return "data feed '" + feed.name + "' has a row of " + std::to_string(row.size()) + " cells for " +
                 std::to_string(feed.columns.size()) + " columns";
      }
    }
    for (const auto& b : budgets) {
      if (!(b.spawn_rate >= 0 && b.spawn_rate <= 1e9))
        return "plan budget of '" + b.child_id + "' has an implausible spawn rate";
      if (!b.rows.empty() && b.rows.size() != data.size())
        return "plan budget of '" + b.child_id + "' has row ranges for " + std::to_string(b.rows.size()) + " of " +
               std::to_string(data.size()) + " data feeds";
    }
    return std::nullopt;
  }
};

/// A parent's answer to one heartbeat, for the child's clock-offset estimate (sent on
/// the child's own topic). Times are broker time in µs (a relay answers with its own
/// clock corrected by its estimate), t0 is the child's own send time echoed back.
struct ClockEcho {
  static constexpr MessageType kType = MessageType::clock_echo;
  int64_t child_sent_unix_us = 0;   // t0
  int64_t parent_recv_unix_us = 0;  // t1
  int64_t parent_sent_unix_us = 0;  // t2
  MSGPACK_DEFINE(child_sent_unix_us, parent_recv_unix_us, parent_sent_unix_us)
  std::optional<std::string> validate() const { return std::nullopt; }
};

}  // namespace grid::wire
