#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "broker/central_log.hpp"
#include "broker/grid_report.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/run_info.hpp"
#include "broker/series_log.hpp"
#include "protocol/wire/failure_kind.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::broker {

/// Requests and failures (by kind) of one request name in one region.
struct RegionRequestCounts {
  uint64_t requests = 0;
  std::array<uint64_t, wire::kFailureKindCount> failures{};  // subset of requests
};

/// Counts per (region, request name), cumulative over the run: what /metrics labels
/// with `region`. A window the broker counts comes from one direct child, so its sources
/// share one region (the relay's, or the agent's own); the first source names it.
class RegionCounters {
public:
  void add(const wire::StatsWindow& window);
  const std::map<std::pair<std::string, std::string>, RegionRequestCounts>& counts() const { return counts_; }

private:
  std::map<std::pair<std::string, std::string>, RegionRequestCounts> counts_;  // (region, name)
};

/// A direct child of the broker, or an agent below a relay, as /api/v1/nodes shows it.
struct NodeView {
  std::string id;
  std::string kind;  // "relay" or "agent"
  std::string region;
  std::string state;    // running, finished, lost, left
  std::string version;  // the loadgrid release a direct child announced, "" unknown (agents below relays)
  uint32_t users = 0;   // active users now (heartbeat), or the agent's reported users
  uint64_t requests = 0;
  uint64_t failures = 0;
  double cpu_percent = 0;  // heartbeats (agents below a relay: as the relay forwards them)
  uint64_t rss_bytes = 0;
  double clock_offset_ms = 0;
  std::vector<NodeView> agents;       // a relay's agents
  std::vector<std::string> warnings;  // warnings that name this node
};

/// Everything the HTTP API shows, as the broker's loop last published it. Immutable once
/// published: handlers on the server thread read it without locks while the loop builds
/// the next one.
struct ApiSnapshot {
  std::string state = "waiting";  // plan state: waiting, running, stopping, finished
  RunInfo info;                   // info.elapsed_s is the one summary.json uses
  RunAggregator run;
  GridReport grid;
  RegionCounters regions;
  SeriesLog series;   // grid-wide, one point per window shown, oldest first
  NamedSeries named;  // per request name and per region
  std::vector<NodeView> nodes;
  uint32_t active_users = 0;           // of the latest window shown
  double broker_cpu_seconds = 0;       // the whole process
  double broker_loop_cpu_seconds = 0;  // the broker's loop thread only
  LogView logs;                        // the central log's recent records
  bool final = false;                  // the results are written: these are the final figures
};

/// Where the broker's loop publishes snapshots and handlers take the latest. publish()
/// and latest() are thread-safe; they swap or copy one pointer under a mutex, so neither
/// side ever waits for the other's work.
class SnapshotBox {
public:
  void publish(std::shared_ptr<const ApiSnapshot> snapshot) {
    std::lock_guard lock(mutex_);
    latest_ = std::move(snapshot);
  }
  std::shared_ptr<const ApiSnapshot> latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ApiSnapshot> latest_ = std::make_shared<const ApiSnapshot>();
};

}  // namespace grid::broker
