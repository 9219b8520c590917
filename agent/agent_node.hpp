#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "agent/engine_pool.hpp"
#include "agent/nic_throughput.hpp"
#include "agent/retained_windows.hpp"
#include "agent/start_allowance.hpp"
#include "agent/target_allowlist.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/health_file.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_rate_limit.hpp"
#include "protocol/common/log_uplink.hpp"
#include "protocol/common/node_loop.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/common/resource_usage.hpp"
#include "protocol/common/ticker.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::agent {

/// Settings of an agent node (command line or INI, see `loadgrid agent --help`).
struct AgentOptions {
  std::string id;  // unique among the parent's children
  std::string region = "default";
  std::string parent;      // tcp://HOST:PORT (PORT plans, PORT+1 reports) or inproc://NAME
  unsigned threads = 0;    // engine threads, 0 = one per core
  uint32_t max_users = 0;  // 0 = no cap
  double capacity = 0;     // weight for budget splits, 0 = engine threads
  uint32_t users_per_multi = 32;
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::seconds drain_limit{60};  // longest wait for the engines at stop
  bool announce = true;                  // start and campaign lines at info (else debug: `loadgrid run`'s local agents)
  std::chrono::milliseconds deadman{15'000};               // no parent answering this long: all load stops
  std::chrono::milliseconds resend_after{10'000};          // a window unacknowledged this long is sent again
  std::chrono::milliseconds ack_wait{5'000};               // at stop, longest wait for the last acknowledgements
  size_t retained_limit = RetainedWindows::kDefaultLimit;  // windows kept before coalescing
  TargetAllowlist allowed_targets;                         // --allow-target: hosts it may load (default: loopback only)
  common::LinkSecurity security;                           // CURVE to the parent (docs/adr/0014)
  std::string net_sysfs = "/sys/class/net";                // where interface counters and speeds are read (NicMonitor)
  std::string health_file;  // rewritten every second for `loadgrid healthcheck` (docs/adr/0024); "" none
};

/// An agent: subscribes to its parent's plan snapshots, runs its budget of users on an
/// EnginePool, and pushes hello, heartbeats, stats windows, warnings and bye upstream.
/// Every warning and error its logger writes (engines' included) goes upstream too,
/// rate-limited (LogUplink, docs/adr/0018); it warns when its CPU is above 90 % of its
/// engine threads' cores and when a network interface runs near its speed (NicMonitor).
/// With --health-file, its loop rewrites that file every second (idle, running or
/// draining; parent connected or not) and removes it when it leaves (docs/adr/0024).
/// Keeps running across campaigns until stop().
///
/// Faults: every window is kept until the root acknowledges it (RetainedWindows) and is
/// resent after a failover to another parent or when unacknowledged for `resend_after`.
/// Heartbeats announce a ceiling on the requests the engines may start
/// (StartAllowance), so the root can bound what a lost agent sent. A parent that gives
/// no budget (a new parent that has not placed us yet) gets no users from us. When no
/// parent has answered for `deadman`, all load stops and the campaign is given up. Owns its sockets and runs on the
/// thread that calls run(): start(), then step() on the NodeLoop's cadence until stop(), then finish(). Tests drive
/// those three themselves.
class AgentNode {
public:
  AgentNode(zmq::context_t& context, AgentOptions options,
            const common::Clock& clock = common::SystemClock::instance());
  ~AgentNode();

  void run();
  /// Says hello and sends the first heartbeat (an early clock probe, so that a plan's
  /// start instant can be honoured).
  void start();
  /// One pass: newest plan, windows the engines released, heartbeat if due. False once
  /// stop() was called.
  bool step();
  /// Drains the running campaign (in-flight requests finish, the final window goes up,
  /// bounded by drain_limit) and leaves.
  void finish();
  /// Thread-safe and async-signal-safe.
  void stop() { loop_.stop(); }

  const std::string& id() const { return options_.id; }
  /// True while engines run a campaign.
  bool running() const { return pool_ != nullptr; }

private:
  void on_plan(const wire::Plan& plan);
  void start_campaign(const wire::Plan& plan, const wire::ChildBudget& budget);
  void forward_windows(std::chrono::milliseconds wait);
  void send_heartbeat(bool regular = true);
  void on_failover();
  void resend(std::vector<wire::StatsWindow> windows);
  void check_deadman();
  void watch_network();
  void apply_acks(const wire::Plan& plan);
  wire::SourceTotals source_totals(const wire::StatsWindow& w, bool final) const;
  void pump(std::chrono::milliseconds wait);
  common::HealthRecord health_record() const;

  AgentOptions options_;
  const common::Clock& clock_;
  common::Logger log_;
  common::NodeLoop loop_;
  common::ParentLink parent_;
  common::LogUplink uplink_;  // before the pool: engines log through log_ until they are joined
  common::Ticker tick_;       // heartbeats
  common::LogRateLimit cpu_warnings_{std::chrono::seconds(10)};
  NicMonitor nic_;

  std::unique_ptr<EnginePool> pool_;
  std::string running_campaign_;   // campaign id the pool runs, "" none
  std::string finished_campaign_;  // campaign id the last pool ran to its end
  uint32_t running_users_ = 0;
  uint32_t last_active_users_ = 0;
  std::optional<wire::Plan> plan_;  // newest plan applied
  uint64_t epoch_floor_ = 0;        // plans at or below this epoch are old (reset on a failover)
  RetainedWindows retained_;
  std::string retained_campaign_;  // campaign of the windows retained
  std::optional<StartAllowance> allowance_;
  uint64_t resent_windows_ = 0;   // cumulative
  bool unbudgeted_ = false;       // running with no budget from the current parent
  std::string deadman_campaign_;  // campaign stopped by the dead-man switch
  common::ResourceUsage usage_;
  common::ResourceUsage::Sample last_usage_{};  // for heartbeats between regular ones
  common::SteadyTime last_early_{};             // last heartbeat sent early for the start allowance
  unsigned capacity_threads_ = 0;
  bool draining_ = false;      // finish() has begun
  common::HealthFile health_;  // --health-file, refreshed by pump()
};

}  // namespace grid::agent
