#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/children_link.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/health_file.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_uplink.hpp"
#include "protocol/common/node_loop.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/common/resource_usage.hpp"
#include "protocol/common/row_ledger.hpp"
#include "protocol/common/share_reservations.hpp"
#include "protocol/common/ticker.hpp"
#include "protocol/common/window_merger.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::relay {

/// Settings of a relay node (command line or INI, see `loadgrid relay --help`).
struct RelayOptions {
  std::string id;
  std::string region = "default";
  std::string parent;  // tcp://HOST:PORT or inproc://NAME
  std::string listen;  // tcp://HOST:PORT (PORT plans, PORT+1 reports) or inproc://NAME
  std::chrono::milliseconds heartbeat{1000};
  std::chrono::milliseconds merge_grace{500};  // wait for stragglers after a window ends
  std::chrono::milliseconds deadman{15'000};   // no parent answering this long: children are told to stop
  common::LinkSecurity security;               // CURVE on both sides (docs/adr/0014)
  // Agents' CPU cuts their share (CpuPressure). Off where the children share our process
  // (loadgrid run): the CPU each reports is the process's, not its own.
  bool cpu_pressure = true;
  std::string health_file;  // rewritten every second for `loadgrid healthcheck` (docs/adr/0024); "" none
};

/// A relay: a broker to its children and one big agent to its parent. It republishes
/// its parent's plan with the budget split among its own live children (by capacity,
/// capped), merges its children's on-time stats windows into one window per index
/// (listing every (agent, window) pair inside), passes late windows through unmerged,
/// forwards its children's warnings and errors and sends its own (LogUplink: rate-limited
/// per originating node, drops counted in `dropped_logs`), and reports its subtree's capacity, agents and losses in its
/// own heartbeats. Keeps running across campaigns until stop(). With --health-file, its loop
/// rewrites that file every second and removes it when it leaves (docs/adr/0024).
///
/// Faults: windows its children resent (or coalesced) pass through unmerged, so the root
/// can refuse exactly the pairs it already has. While its own parent is silent it stops
/// answering its children's heartbeats, so they fail over to their next parent; after
/// `deadman` it tells them to stop. A lost child's share is held back from its siblings
/// until that child's agents must have stopped (ShareReservations).
///
/// run() is start(), then step() on the NodeLoop's cadence until stop(), then finish().
/// Tests drive those three themselves with a manual clock.
class RelayNode : private common::ChildrenLink::Handler {
public:
  RelayNode(zmq::context_t& context, RelayOptions options,
            const common::Clock& clock = common::SystemClock::instance());

  void run();
  /// Says hello and sends the first heartbeat.
  void start();
  /// One pass: plans from the parent, reports from the children, windows due, the
  /// heartbeat and liveness tick, the snapshot if due. False once stop() was called.
  bool step();
  /// Flushes pending windows and leaves (bye; kept frames get a bounded wait).
  void finish();
  /// Thread-safe and async-signal-safe.
  void stop() { loop_.stop(); }

  const std::string& id() const { return options_.id; }

private:
  void on_stats(const std::string& sender, wire::StatsReport report) override;
  void on_log(const std::string& sender, const wire::LogRecord& record, const std::string& frame) override;
  void on_membership_changed() override {}
  void on_child_lost(const common::ChildInfo& child) override;
  void on_child_left(const common::ChildInfo& child) override;
  void on_child_cpu_share(const common::ChildInfo& child, double before) override;
  void hold_share(const common::ChildInfo& child);
  std::chrono::milliseconds drain_margin() const;

  void publish_plan();
  void send_heartbeat();
  void flush_windows(bool all);
  common::HealthRecord health_record() const;

  RelayOptions options_;
  const common::Clock& clock_;
  common::Logger log_;
  common::NodeLoop loop_;
  common::ParentLink parent_;
  common::LogUplink uplink_;
  common::ChildrenLink children_;
  common::WindowMerger merger_;
  common::ResourceUsage usage_;
  common::Ticker tick_;  // heartbeats up, liveness of the children below

  std::optional<wire::Plan> parent_plan_;
  uint64_t epoch_;                               // our own counter for what we publish; starts at wall-clock ms
  std::string campaign_id_;                      // campaign of the windows being merged
  std::vector<std::string> lost_agents_;         // agents of our subtree declared lost
  std::vector<wire::ChildBudget> last_budgets_;  // budgets we published last
  common::RowLedger rows_;                       // unique data rows handed to children
  uint32_t busy_agents_ = 0;                     // agents below with users: whose windows we wait for
  uint64_t parent_epoch_floor_ = 0;              // parent plans at or below this are old (reset on failover)
  common::ShareReservations held_;               // shares of lost children, not yet given to siblings
  bool deadman_fired_ = false;                   // the parent has been silent past the dead-man timeout
  common::HealthFile health_;                    // --health-file, refreshed by step()
};

}  // namespace grid::relay
