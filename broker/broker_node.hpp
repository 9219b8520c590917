#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "broker/campaign.hpp"
#include "broker/grid_accounting.hpp"
#include "broker/grid_report.hpp"
#include "broker/results_writer.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "protocol/common/children_link.hpp"
#include "protocol/common/window_merger.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::broker {

/// Settings of the broker (command line or INI, see `loadgrid broker --help`).
struct BrokerOptions {
  std::string id = "broker";
  std::string listen = "tcp://127.0.0.1:5557";  // PORT plans (PUB), PORT+1 reports (PULL)
  uint32_t expect_agents = 0;                    // start when this many agents are ready (0: the first)
  std::chrono::milliseconds expect_timeout{60'000};
  std::chrono::milliseconds lead_time{1'500};    // start instant = ready + lead time
  std::chrono::milliseconds heartbeat{1'000};
  std::chrono::milliseconds merge_grace{1'000};  // wait for late windows before showing one
  std::string results_dir;
  bool quiet = false;                            // no live progress
};

/// The root of the grid: plans the campaign, publishes plan snapshots (every second and
/// on every change), splits the user budget over regions and its children by capacity,
/// reallocates when a child is lost, counts every (agent, window) pair exactly once,
/// and keeps the console and the results directory current. run() returns when the
/// campaign is over (or could not start), with the process exit code.
class BrokerNode : private common::ChildrenLink::Handler {
public:
  BrokerNode(zmq::context_t& context, Campaign campaign, BrokerOptions options);

  /// Runs the campaign to its end. Returns 0, or 3 when no agent joined in time.
  int run();
  /// Thread-safe, async-signal-safe: ends the running phase now (graceful drain).
  void stop() { stop_.store(true, std::memory_order_relaxed); }

private:
  void on_stats(const std::string& sender, wire::StatsReport report) override;
  void on_log(const std::string& sender, const wire::LogRecord& record, const std::string& frame) override;
  void on_membership_changed() override { changed_ = true; }
  void on_child_lost(const common::ChildInfo& child) override;

  void begin_running();
  void rebalance();
  void publish();
  void refresh_report();
  void show_windows(std::vector<wire::StatsWindow> windows);
  void warn(const std::string& text);
  double elapsed_s() const;

  Campaign campaign_;
  BrokerOptions options_;
  common::ChildrenLink children_;
  std::atomic<bool> stop_{false};

  wire::Plan plan_;
  bool changed_ = true;
  int64_t expect_deadline_ns_ = 0;
  int64_t drain_deadline_ns_ = 0;

  ResultsWriter writer_;
  RunInfo info_;
  RunAggregator run_;
  GridAccounting accounting_;
  GridReport report_;
  common::WindowMerger merger_;
  uint32_t busy_agents_ = 0;   // agents with users below us: whose windows we wait for
  bool busy_stale_ = true;     // budgets or heartbeats changed since busy_agents_ was computed
  uint64_t stale_windows_ = 0;  // windows of another campaign, ignored
  bool tty_ = false;
  std::string last_health_;             // health line last shown
  std::set<std::string> clock_warned_;  // children whose clock offset was warned about
};

}  // namespace grid::broker
