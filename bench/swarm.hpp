#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <zmq.hpp>

#include "bench/simulated_agent.hpp"
#include "bench/stats_frame.hpp"
#include "bench/window_templates.hpp"
#include "protocol/common/resource_usage.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::bench {

/// Settings of `loadgrid-swarm` (see --help).
struct SwarmOptions {
  std::string parent;  // tcp://HOST:PORT of a broker or relay
  uint32_t agents = 1000;
  uint32_t names = 10;            // request names per window
  std::string prefix = "swarm-";  // agent ids are PREFIX0 .. PREFIX(N-1)
  std::string region = "default";
  std::chrono::milliseconds duration{120'000};  // safety bound on the whole process
  double rps_per_agent = 500;                   // sizes the fake request counts
  std::chrono::milliseconds linger{5'000};      // all agents finished: exit after this long
  unsigned variants = 32;                       // request maps per window fraction
  int send_hwm = 1'000'000;                     // shared PUSH queue, in messages
  uint64_t seed = 1;
  bool log_plans = false;  // one stderr line per plan applied
};

/// What a swarm did, for the `--stats` line. Counts are over the whole process.
struct SwarmStats {
  uint64_t hellos = 0;
  uint64_t heartbeats = 0;
  uint64_t byes = 0;
  uint64_t windows = 0;            // stats windows sent, final ones included
  uint64_t final_windows = 0;      // subset of windows
  uint64_t requests = 0;           // sum of requests over the windows sent
  uint64_t failures = 0;           // subset of requests
  uint64_t frames = 0;             // upstream frames handed to ZeroMQ
  uint64_t bytes = 0;              // bytes of those frames
  uint64_t send_blocked = 0;       // frames dropped because the PUSH queue was full
  uint64_t plans = 0;              // newer plan snapshots applied
  uint64_t rejected_plans = 0;     // downstream frames that did not decode
  uint32_t agents_ran = 0;         // agents that sent at least one window
  uint64_t min_agent_windows = 0;  // over the agents that ran
  uint64_t max_agent_windows = 0;
  double cpu_seconds = 0;   // process CPU (user + system) at the end
  std::string campaign_id;  // last campaign run
};

/// N simulated agents in one thread, speaking the real protocol to one parent over one
/// shared SUB socket and one shared PUSH socket (an fd per agent would not scale).
///
/// Each agent says hello (staggered over the first second), heartbeats every second in
/// its own slot, follows the plan snapshots (budget from the plan's budgets) and, while
/// running, sends one StatsReport with one window at every wall-clock window end (broker
/// time = our wall clock), then a final window when the campaign ends (its end instant,
/// like a real agent's engines) or the plan moves on (stopping/finished/another
/// campaign). run() returns when a finished plan arrives after a campaign ran, `linger`
/// after every agent finished, at the `duration` bound, or after stop().
class Swarm {
public:
  /// Throws std::invalid_argument when the parent address is malformed.
  Swarm(zmq::context_t& context, SwarmOptions options);

  void run();
  /// Thread-safe and async-signal-safe.
  void stop() { stop_.store(true, std::memory_order_relaxed); }

  SwarmStats stats() const;

private:
  struct Campaign {
    std::string id;
    uint32_t interval_ms = 1000;
    uint64_t start_unix_ms = 0;
    uint64_t end_unix_ms = 0;
    uint64_t next_boundary_ms = 0;  // next window end to send windows for
    uint64_t plan_epoch = 0;
  };

  /// Hands one frame to the PUSH socket; false (counted) when its queue is full.
  bool send(std::string_view frame);
  void drain_plans();
  void apply(const wire::Plan& plan);
  void start_campaign(const wire::Plan& plan, uint64_t now_ms);
  void send_due_heartbeats(int64_t now_ns);
  void send_hello(SimulatedAgent& agent);
  void send_heartbeat(SimulatedAgent& agent);
  /// Sends every window that ended at or before `until_ms` (and the campaign's end).
  void send_due_windows(uint64_t until_ms);
  /// Final windows of every running agent, cut at `stop_ms`.
  void finish_running(uint64_t stop_ms);
  void send_window(SimulatedAgent& agent, size_t agent_index, uint64_t index, uint64_t cut_ms, bool final);
  bool any_running() const;
  int64_t next_wake_ns(int64_t now_ns) const;

  SwarmOptions options_;
  zmq::socket_t plans_;    // SUB, plan topic only (clock echoes are not needed: offset 0)
  zmq::socket_t reports_;  // PUSH, shared by every agent
  std::atomic<bool> stop_{false};

  std::vector<SimulatedAgent> agents_;
  std::unordered_map<std::string, size_t> by_id_;
  uint64_t epoch_ = 0;  // newest plan epoch applied
  std::optional<Campaign> campaign_;
  std::string finished_campaign_;
  bool ran_any_ = false;
  size_t running_ = 0;  // agents in Phase::running
  bool exit_ = false;
  int64_t all_finished_ns_ = 0;  // steady time every agent had finished, 0 = not yet

  // Heartbeats go round in one-second rounds; agent i's slot is its phase offset.
  int64_t round_start_ns_ = 0;
  size_t round_cursor_ = 0;

  std::unique_ptr<WindowTemplates> templates_;
  double templates_per_window_ = 0;  // requests per full window the templates were built for
  StatsFrameWriter writer_;
  common::ResourceUsage usage_;
  common::ResourceUsage::Sample last_usage_;
  SwarmStats stats_;
};

}  // namespace grid::bench
