#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include <curl/curl.h>

#include "agent/timer_queue.hpp"
#include "agent/virtual_user.hpp"
#include "agent/window_mailbox.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/request_stats.hpp"

namespace grid::agent {

/// What one engine thread runs: its share of the users and the shared scenario.
struct EngineConfig {
  uint32_t engine_id = 0;
  std::vector<wire::RequestSpec> requests;  // the scenario: looped in order
  uint32_t users = 0;                       // this engine's share
  double spawn_rate = 0;                    // users/s for this engine; 0 = all at once
  std::chrono::milliseconds think_time{0};  // pause after each request
  std::chrono::milliseconds duration{0};    // from start until no new request starts
  uint32_t interval_ms = 1000;              // stats window length
  int64_t start_steady_ns = 0;              // when to start; 0 = immediately
  uint32_t users_per_multi = 32;            // users per curl multi handle (keeps each
                                            // connection cache small; see docs/adr/0002)
};

/// One engine thread's event loop: a set of curl multi handles driven by
/// curl_multi_socket_action over one epoll instance and one TimerQueue, the users, and
/// the per-request statistics. Everything here is owned by the thread that calls run();
/// the only cross-thread entry points are request_stop() and the WindowMailbox.
///
/// Lifecycle: users spawn at the configured rate from the start instant; each loops
/// over the requests until `duration` has passed or a stop is requested. Then no new
/// request starts, in-flight requests finish (each is bounded by its timeout), the
/// final window is posted and run() returns. Every started request is counted exactly
/// once, as a success or as one failure kind.
class Engine {
public:
  Engine(EngineConfig config, WindowMailbox& mailbox);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs the loop until the campaign is over and every in-flight request has finished.
  void run();

  /// Thread-safe, async-signal-safe: asks the loop to stop starting requests and drain.
  void request_stop();

private:
  enum TimerKind : uint32_t { kMultiTimer = 0, kUserTimer = 1, kSpawnTimer = 2 };
  struct MultiContext {
    Engine* engine;
    uint32_t index;
  };
  struct FdState {
    uint32_t multi = 0;
    uint32_t events = 0;      // epoll events registered
    bool registered = false;  // in the epoll set
    bool wanted = false;      // curl currently watches it
  };

  static int on_socket(CURL* easy, curl_socket_t fd, int what, void* userp, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* userp);
  static curl_socket_t on_open_socket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address);

  void watch(curl_socket_t fd, uint32_t multi, int what);
  void unwatch_stray(int fd);
  void socket_action(uint32_t multi, curl_socket_t fd, int ev_bitmask);
  void drain_completions();
  void finish_transfer(CURL* easy, CURLcode result, int64_t now_ns);
  void start_request(VirtualUser& user, int64_t now_ns);
  void configure(VirtualUser& user, const wire::RequestSpec& spec);
  void spawn_due(int64_t now_ns);
  void begin_stopping();
  void run_due_timers(int64_t now_ns);
  void maybe_cut_window(uint64_t unix_ms);
  void cut_window(bool final);

  EngineConfig config_;
  WindowMailbox& mailbox_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stop_requested_{false};

  std::vector<CURLM*> multis_;
  std::vector<MultiContext> contexts_;
  std::vector<uint8_t> multi_dirty_;
  std::vector<uint32_t> dirty_list_;
  std::vector<FdState> fds_;
  std::vector<VirtualUser> users_;
  std::vector<curl_slist*> header_lists_;  // one per request spec
  TimerQueue timers_;

  std::vector<wire::RequestStats> stats_;  // current window, one per request spec
  uint64_t window_index_ = 0;
  uint32_t spawned_ = 0;
  uint32_t active_ = 0;     // spawned and not finished
  uint32_t in_flight_ = 0;
  bool stopping_ = false;
  int64_t start_ns_ = 0;
  int64_t stop_at_ns_ = 0;
};

}  // namespace grid::agent
