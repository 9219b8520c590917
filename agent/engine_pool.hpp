#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "agent/engine.hpp"
#include "agent/load_plan.hpp"
#include "agent/window_mailbox.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/stats_window.hpp"

namespace grid::agent {

/// Runs one node's load on N engine threads and merges the windows they cut into one
/// window per index. A window index is released once every engine has moved past it (or
/// stopped), so each released window is complete and released exactly once, in order;
/// indexes no engine reported (a stalled machine) are released as empty windows.
class EnginePool {
public:
  /// Starts `threads` engines (0 = one per core), users split evenly among them.
  /// `log`: the node's logger (engines report setup and curl errors through it).
  EnginePool(const LoadPlan& plan, unsigned threads, common::Logger log = nullptr);
  ~EnginePool();  // stops and joins

  /// Asks every engine to stop starting requests and drain. Async-signal-safe.
  void request_stop();

  /// Changes the node's number of users (split evenly over the engines).
  void set_users(uint32_t users);

  /// Requests each engine has started so far (thread-safe reads).
  std::vector<uint64_t> started() const;
  /// Per engine (the order of started()), the most requests it may start in all.
  void set_start_ceilings(const std::vector<uint64_t>& ceilings);

  /// Broker time of the node's first request (µs), 0 before it.
  int64_t first_request_unix_us() const { return first_request_unix_us_; }
  /// Broker time of the node's latest completed request (µs), 0 before the first.
  int64_t last_completion_unix_us() const { return last_completion_unix_us_; }

  /// Complete windows released since the last call, waiting up to `wait` for one.
  std::vector<wire::StatsWindow> poll(std::chrono::milliseconds wait);

  /// True once every engine has stopped and every window has been released by poll().
  bool finished() const { return finished_; }

  unsigned threads() const { return static_cast<unsigned>(engines_.size()); }

private:
  WindowMailbox mailbox_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::vector<std::thread> threads_;
  std::vector<uint64_t> next_unposted_;  // per engine: newest index it posted, + 1
  std::vector<bool> final_;              // per engine: posted its final window
  std::map<uint64_t, wire::StatsWindow> pending_;
  bool have_released_ = false;
  uint64_t next_release_ = 0;
  uint32_t interval_ms_ = 0;
  bool finished_ = false;
  int64_t first_request_unix_us_ = 0;
  int64_t last_completion_unix_us_ = 0;
};

}  // namespace grid::agent
