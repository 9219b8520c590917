#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "protocol/wire/stats_window.hpp"

namespace grid::agent {

/// A stats window cut by one engine thread.
struct EngineWindow {
  uint32_t engine = 0;
  wire::StatsWindow window;
  bool final = false;                   // the engine's last window: it has stopped
  int64_t first_request_unix_us = 0;    // broker time of the engine's first request, 0 = none
  int64_t last_completion_unix_us = 0;  // broker time of its latest completed request, 0 = none
};

/// Where engine threads hand over the windows they cut. This is the only place engine
/// threads meet, once per window per thread, never per request, so a mutex is fine here.
class WindowMailbox {
public:
  void post(EngineWindow w) {
    {
      std::lock_guard lock(mutex_);
      pending_.push_back(std::move(w));
    }
    ready_.notify_one();
  }

  /// Takes everything posted, waiting up to `wait` for something to arrive.
  std::vector<EngineWindow> take(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, wait, [&] { return !pending_.empty(); });
    std::vector<EngineWindow> out;
    out.swap(pending_);
    return out;
  }

private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<EngineWindow> pending_;
};

}  // namespace grid::agent
