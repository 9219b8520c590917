#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "broker/api_snapshot.hpp"
#include "broker/campaign.hpp"
#include "broker/central_log.hpp"
#include "broker/grid_accounting.hpp"
#include "broker/grid_report.hpp"
#include "broker/grid_warnings.hpp"
#include "broker/region_windows.hpp"
#include "broker/results_writer.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "protocol/common/children_link.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/health_file.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_capture.hpp"
#include "protocol/common/node_loop.hpp"
#include "protocol/common/row_ledger.hpp"
#include "protocol/common/share_reservations.hpp"
#include "protocol/common/ticker.hpp"
#include "protocol/common/token_bucket.hpp"
#include "protocol/common/window_merger.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::broker {

/// Settings of the broker (command line or INI, see `loadgrid broker --help`).
struct BrokerOptions {
  std::string id = "broker";
  std::string listen = "tcp://127.0.0.1:5557";  // PORT plans (PUB), PORT+1 reports (PULL)
  uint32_t expect_agents = 0;                   // start when this many agents are ready (0: the first)
  std::chrono::milliseconds expect_timeout{60'000};
  std::chrono::milliseconds lead_time{1'500};  // start instant = ready + lead time
  std::chrono::milliseconds heartbeat{1'000};
  std::chrono::milliseconds merge_grace{1'000};  // wait for late windows before showing one
  std::string results_dir;
  bool quiet = false;             // no live progress
  common::LinkSecurity security;  // CURVE towards the children (docs/adr/0014)
  // The HTTP API (docs/http-api.md): off when empty; HOST:PORT, validated by the caller.
  std::string http_listen;
  std::string http_token;                                // every request needs `Authorization: Bearer` it; "" none
  std::chrono::milliseconds http_linger{0};              // keep serving the final figures this long after the end
  std::chrono::milliseconds max_clock_offset{50};        // a node's clock further off than this is warned about
  uint64_t max_log_lines = ResultsWriter::kMaxLogLines;  // logs.jsonl keeps this many lines (then counts)
  std::string health_file;  // rewritten every second for `loadgrid healthcheck` (docs/adr/0024); "" none
};

class ApiRouter;
class HttpServer;

/// The root of the grid: plans the campaign, publishes plan snapshots (every second and
/// on every change), splits the user budget over regions and its children by capacity,
/// reallocates when a child is lost, counts every (agent, window) pair exactly once,
/// and keeps the console and the results directory current.
///
/// The central log (docs/adr/0018): every warning and error of every node (its own, and
/// the records children send, rate-limited per originating node) goes to logs.jsonl,
/// summary.json's `warnings` and GET /api/v1/logs. It warns about its own loop thread's
/// CPU (above 80 % for 10 s) and about clocks further off than `max_clock_offset`.
///
/// With `[thresholds] abort_on_fail`, the thresholds are evaluated on the merged data at
/// every window shown, and the first one failing after `abort_grace` ends the running
/// phase the way the campaign's end does.
///
/// With --health-file, the loop rewrites that file every second (the campaign's state; also
/// while the HTTP API lingers) and removes it at the end (docs/adr/0024).
///
/// The campaign moves waiting -> running -> stopping -> finished. run() is start(), then
/// step() on the NodeLoop's cadence until the campaign is over, then finish(), which
/// returns the process exit code. Tests drive those three with a manual clock.
class BrokerNode : private common::ChildrenLink::Handler {
public:
  /// Throws ConfigError-free setup errors (cannot bind, cannot create the results
  /// directory) as std::runtime_error.
  BrokerNode(zmq::context_t& context, Campaign campaign, BrokerOptions options,
             const common::Clock& clock = common::SystemClock::instance());
  ~BrokerNode() override;

  /// Runs the campaign to its end, then keeps the HTTP API up for `http_linger` (or until
  /// the next stop); returns the exit code (see finish()).
  int run();
  void start();
  /// One pass; false when the campaign is over, or could not start.
  bool step();
  /// Final snapshots are out: shows the last windows, evaluates the thresholds on the final
  /// data, writes the final summary (and junit.xml), prints the report. Returns kExitOk;
  /// kExitCannotStart when no agent joined in time or a stop came before the start;
  /// kExitFailure when the results could not be written; else kExitThresholdsFailed when a
  /// threshold failed or stopped the run.
  int finish();
  /// Thread-safe, async-signal-safe: before the start, gives up waiting; while running,
  /// ends the running phase now (graceful drain).
  void stop() {
    stops_.fetch_add(1, std::memory_order_relaxed);
    loop_.stop();
  }
  /// Thread-safe, async-signal-safe: ends at once (a second signal): no drain; finish()
  /// writes the results as they stand and returns kExitFailure.
  void abort() {
    stops_.fetch_add(1, std::memory_order_relaxed);
    aborted_.store(true, std::memory_order_relaxed);
    loop_.stop();
  }

  const wire::Plan& plan() const { return plan_; }
  const GridReport& report() const { return report_; }

private:
  void on_stats(const std::string& sender, wire::StatsReport report) override;
  void on_log(const std::string& sender, const wire::LogRecord& record, const std::string& frame) override;
  void on_membership_changed() override {}
  void on_child_lost(const common::ChildInfo& child) override;
  void on_child_left(const common::ChildInfo& child) override;
  void on_child_cpu_share(const common::ChildInfo& child, double before) override;
  void hold_share(const common::ChildInfo& child);
  void review_holds(common::SteadyTime now);
  void note_agents();

  bool wait_for_agents(common::SteadyTime now);
  void set_state(wire::CampaignState state);
  void begin_running();
  void begin_stopping(common::SteadyTime now);
  void rebalance();
  void publish();
  void refresh_report();
  void show_windows(std::vector<wire::StatsWindow> windows);
  std::vector<NamedPoint> append_series(const wire::StatsWindow& shown);
  void update_thresholds(double elapsed_s);
  void check_thresholds_live(const std::vector<wire::StatsWindow>& windows);
  // The central log (broker_node_logs.cpp).
  void warn(const std::string& text);
  void take_own_logs();
  void add_log(const std::string& node, wire::LogLevel level, std::string message, int64_t time_unix_ms, bool own,
               bool past_limit = false);
  void close_logs();
  void check_loop_cpu(common::SteadyTime now);
  void check_clocks();
  common::WallTime broker_now() const { return clock_.wall_now(); }
  double elapsed_s() const;
  // The HTTP API (broker_node_api.cpp): snapshots for the server thread, the linger.
  void start_http();
  void publish_api(bool now, bool final = false);
  std::vector<NodeView> node_views() const;
  void linger_http();
  void update_health();

  Campaign campaign_;
  BrokerOptions options_;
  const common::Clock& clock_;
  common::Logger log_;
  common::LogCapture own_logs_;  // the broker's own warnings and errors, for the central log
  common::Logger echo_log_;      // prints children's records on stderr (not captured)
  common::NodeLoop loop_;
  common::ChildrenLink children_;
  common::Ticker tick_;  // liveness of the children, health refresh

  wire::Plan plan_;
  common::SteadyTime expect_deadline_;
  common::SteadyTime drain_deadline_;
  unsigned finished_snapshots_ = 0;  // snapshots sent in the finished state
  int exit_code_ = 0;
  std::optional<size_t> aborted_by_;  // the threshold (index) that stopped the run live

  ResultsWriter writer_;
  bool results_failed_ = false;       // a results write failed: the campaign stops, exit 1
  bool interrupted_ = false;          // stopped by a signal before the campaign's end
  std::atomic<bool> aborted_{false};  // a second signal: no drain
  RunInfo info_;
  RunAggregator run_;
  GridAccounting accounting_;
  common::RowLedger rows_;          // unique data rows handed to children
  common::ShareReservations held_;  // shares of lost children not yet given to their siblings
  uint64_t resent_windows_ = 0;     // windows received in resent reports
  GridReport report_;
  common::WindowMerger merger_;
  uint32_t busy_agents_ = 0;    // agents with users below us: whose windows we wait for
  bool busy_stale_ = true;      // budgets or heartbeats changed since busy_agents_ was computed
  uint64_t stale_windows_ = 0;  // windows of another campaign, ignored
  bool tty_ = false;
  std::string last_health_;               // health line last shown
  std::set<std::string> clock_warned_;    // nodes whose clock offset was warned about
  common::KeyedTokenBuckets log_limits_;  // per originating node: a safety net (LogLimits)
  uint64_t dropped_logs_ = 0;             // records log_limits_ refused
  RecentLogs recent_logs_;                // the last records, for the API
  SustainedLoad loop_cpu_alarm_ = broker_cpu_rule();
  double loop_cpu_seconds_ = 0;  // CPU of the loop thread, cumulative (at the last tick)
  common::SteadyTime loop_cpu_at_{};
  std::atomic<uint32_t> stops_{0};  // stop() and abort() calls: the linger ends at the next
  SnapshotBox api_box_;             // the latest snapshot, for the HTTP server's thread
  common::HealthFile health_;       // --health-file, refreshed by step() and the linger
  SeriesLog series_;                // windows shown, for the API's time series
  NamedSeries named_series_;        // the same per request name and per region
  RegionWindows region_windows_;    // counted windows per region until shown
  RegionCounters region_counts_;    // counts per (region, request name), for /metrics
  common::SteadyTime next_api_publish_{};
  std::unique_ptr<ApiRouter> api_router_;
  std::unique_ptr<HttpServer> http_;  // last: stops (and joins its thread) first
};

}  // namespace grid::broker
