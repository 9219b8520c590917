#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/compiled_workload.hpp"
#include "agent/curl_transport.hpp"
#include "agent/fast_rng.hpp"
#include "agent/target_allowlist.hpp"
#include "agent/timer_queue.hpp"
#include "agent/transport.hpp"
#include "agent/virtual_user.hpp"
#include "agent/window_mailbox.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_rate_limit.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/request_stats.hpp"

namespace grid::agent {

/// What one engine thread runs: its share of the node's load and the shared workload.
struct EngineConfig {
  uint32_t engine_id = 0;
  uint32_t engines = 1;                        // engine threads of the node (arrival phases)
  std::shared_ptr<CompiledWorkload> workload;  // shared by the node's engines
  uint32_t users = 0;                          // this engine's budget at the start: closed, its
                                               // users (the peak when staged); open, its user cap
  double spawn_rate = 0;                       // closed, not staged: users/s; 0 = all at once
  std::chrono::milliseconds duration{0};       // from start until no new request starts
  std::chrono::milliseconds interval{1000};    // stats window length
  std::optional<common::SteadyTime> start;     // when to start; none = immediately
  std::optional<common::SteadyTime> origin;    // the campaign's start (stage time 0); none = start
  std::chrono::microseconds clock_offset{0};   // broker time minus ours: windows align to broker time
  uint32_t users_per_multi = 32;               // users per curl multi handle (keeps each
                                               // connection cache small; see docs/adr/0002)
  uint64_t seed = 0;                           // random choices (scenarios, think times, rows)
  uint64_t start_ceiling = UINT64_MAX;         // requests it may start until set_start_ceiling()
  // Where connections may go (checked on every socket opened); null = loopback only.
  std::shared_ptr<const TargetAllowlist> allowed_targets;
};

/// One engine thread's event loop: one epoll instance and one TimerQueue shared by its
/// transports (transport.hpp: libcurl, and the native HTTP/1.1 client for plain
/// requests), the users, and the per-request statistics. Everything here is owned by the thread that calls run();
/// the only cross-thread entry points are request_stop(), set_users() and the mailbox.
///
/// Closed model: users spawn at the configured rate (or follow the stages) from the start
/// instant; each walks a scenario picked by weight per iteration, looping until
/// `duration` has passed or a stop is requested. The budget can change while running (a
/// parent rebalanced): new users ramp in, surplus users finish their current request and
/// leave. Open model: iterations arrive on a schedule (the engine's share of the grid's
/// rate, evenly spaced, phase-shifted per engine); each takes an idle user, or a new one
/// below the cap, or is counted as dropped. When the run ends no new request starts,
/// in-flight requests finish (each bounded by its timeout), the final window is posted
/// and run() returns. Every started request is counted exactly once, as a success or as
/// one failure kind.
class Engine final : private TransferSink {
public:
  /// Throws std::runtime_error when the engine's epoll set or wake-up fd cannot be made.
  Engine(EngineConfig config, WindowMailbox& mailbox, common::Logger log);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs the loop until the campaign is over and every in-flight request has finished.
  void run();

  /// Thread-safe, async-signal-safe: asks the loop to stop starting requests and drain.
  void request_stop();

  /// Thread-safe: changes this engine's budget (users, or the open model's user cap; the
  /// engine's share of the grid's rate follows it).
  void set_users(uint32_t users);

  /// Thread-safe: requests started so far (handed to the transport).
  uint64_t started() const { return started_published_.load(std::memory_order_relaxed); }
  /// Thread-safe: the engine starts no request beyond `ceiling` in all (a user due past
  /// it waits, retrying every few ms). The agent announces each ceiling upstream before
  /// it applies it, so the root knows how much a lost agent can have sent. Unlimited
  /// until set.
  void set_start_ceiling(uint64_t ceiling) { start_ceiling_.store(ceiling, std::memory_order_relaxed); }

private:
  static constexpr int64_t kNsPerMs = 1'000'000;
  enum TimerKind : uint32_t { kCurlTimer = 0, kUserTimer = 1, kSpawnTimer = 2, kArrivalTimer = 3, kNativeTimer = 4 };

  void wake();
  Transport& transport_for(const CompiledRequest& req);
  /// Lets every transport complete what finished (see Transport::flush).
  void flush_transports();
  void transfer_done(VirtualUser& user, const TransferOutcome& outcome, int64_t now_ns) override;
  // The walk: an iteration is a scenario's steps in order.
  bool begin_iteration(VirtualUser& user, int64_t now_ns, int64_t intended_ns);
  void run_steps(VirtualUser& user, int64_t now_ns, int64_t intended_ns);
  void end_iteration(VirtualUser& user, int64_t now_ns);
  bool start_request(VirtualUser& user, uint32_t request, int64_t now_ns, int64_t intended_ns);
  bool prepare(VirtualUser& user, const CompiledRequest& req);
  void check_response(VirtualUser& user, const CompiledRequest& req, wire::RequestStats& s);
  void problem(const std::string& text, uint64_t n = 1);
  bool take_rows(VirtualUser& user);
  VirtualUser& user_slot(uint32_t id);
  uint32_t budget_target(int64_t now_ns) const;
  void apply_user_target(int64_t now_ns);
  void spawn_due(int64_t now_ns);
  void retire(VirtualUser& user);
  // Open model.
  double rate_share() const;
  void restart_arrivals(int64_t from_ns);
  void schedule_arrival();
  void arrivals_due(int64_t now_ns);
  void arrive(int64_t intended_ns, int64_t now_ns);
  void begin_stopping();
  void run_due_timers(int64_t now_ns);
  uint64_t broker_unix_ms() const;
  void maybe_cut_window(uint64_t unix_ms);
  void cut_window(bool final);

  EngineConfig config_;
  std::shared_ptr<const TargetAllowlist> allowed_;  // config_.allowed_targets, or loopback only
  WindowMailbox& mailbox_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_requested_{false};

  common::Logger log_;
  std::vector<std::unique_ptr<VirtualUser>> users_;  // stable addresses for the transports
  TimerQueue timers_;
  CompiledWorkload& work_;
  // Declared after the users: destroyed before them.
  std::unique_ptr<CurlTransport> curl_;
  std::unique_ptr<Transport> native_;  // made when a request is served natively
  FastRng rng_;

  std::vector<wire::RequestStats> stats_;     // current window, one per request spec
  std::map<std::string, uint64_t> problems_;  // current window: problem messages
  std::vector<uint64_t> sequential_next_;     // per data feed: next row (sequential mode)
  std::atomic<uint32_t> budget_{0};           // set_users(); read by the engine thread
  uint32_t budget_seen_ = 0;                  // the budget the engine last acted on
  // Open model: the next arrival, in grid arrivals (see StageSchedule::time_of_arrival).
  double next_arrival_ = 0;
  std::vector<uint32_t> idle_;  // users waiting for an arrival
  uint32_t created_ = 0;        // users made so far (ids below are in use or idle)
  uint64_t window_index_ = 0;
  uint32_t interval_ms_ = 0;   // config_.interval, as the wire counts it
  uint32_t wanted_ = 0;        // users this engine should run now
  uint32_t ramp_cursor_ = 0;   // lowest id below wanted_ that may still need a spawn
  int64_t next_spawn_ns_ = 0;  // earliest time the next user may spawn
  uint32_t active_ = 0;        // users in flight or thinking
  uint32_t in_flight_ = 0;
  uint64_t started_ = 0;                             // requests handed to a transport (engine thread)
  std::atomic<uint64_t> started_published_{0};       // its copy for started()
  std::atomic<uint64_t> start_ceiling_{UINT64_MAX};  // set_start_ceiling()
  uint64_t start_ceiling_seen_ = UINT64_MAX;         // last value read (engine thread)
  bool stopping_ = false;
  int64_t start_ns_ = 0;
  int64_t origin_ns_ = 0;  // stage time 0
  int64_t stop_at_ns_ = 0;
  int64_t first_request_unix_us_ = 0;  // broker time of this engine's first request
  int64_t last_completion_ns_ = 0;     // steady clock of the latest completed request
};

}  // namespace grid::agent
