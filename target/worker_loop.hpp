#pragma once

#include <sys/epoll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>
#include <vector>

#include "target/connection.hpp"
#include "target/file_descriptor.hpp"
#include "target/http_request_parser.hpp"
#include "target/request_counters.hpp"
#include "target/stall_deadline.hpp"
#include "target/stats_gather.hpp"
#include "target/target_options.hpp"
#include "target/timer_heap.hpp"

namespace grid::target {

// One worker thread's share of a TargetServer: an edge-triggered epoll loop over its own
// SO_REUSEPORT listening socket and the connections it accepted, a timer heap for delayed
// responses, and its own RequestCounters. On the request path, other threads share only the
// stall deadline (one atomic load per request); workers talk to each other only through
// post() for /__stats and /__reset.
class WorkerLoop {
public:
  // `stopping` is the server's flag; run() returns soon after it becomes true and wake()
  // is called. `stall` is the server's /__stall deadline, shared by all workers. Creates
  // the epoll instance and wake eventfd.
  // @throws std::system_error if either cannot be created.
  WorkerLoop(unsigned index, FileDescriptor listener, const TargetOptions& options, const std::atomic<bool>& stopping,
             StallDeadline& stall);

  WorkerLoop(const WorkerLoop&) = delete;
  WorkerLoop& operator=(const WorkerLoop&) = delete;

  // All workers of the server, indexed by worker index (including this one). Must be set
  // before run().
  void set_peers(std::vector<WorkerLoop*> peers) { peers_ = std::move(peers); }

  // Serves until the stopping flag is seen, then closes every connection.
  // @throws std::system_error if epoll fails for a reason other than EINTR.
  void run();

  // Interrupts epoll_wait. Only writes to an eventfd: safe from a signal handler.
  void wake() noexcept;

  // Queues a message for this worker's thread and wakes it. Callable from any thread; takes
  // a mutex, so it is for the rare /__stats path only.
  void post(ControlMessage message);

  // Requests this worker has served since start (not reset by /__reset). Updated with a
  // relaxed store by the owning thread only; readable from any thread.
  std::uint64_t requests_served() const noexcept { return served_.load(std::memory_order_relaxed); }

private:
  using Clock = std::chrono::steady_clock;

  void accept_connections();
  void drain_inbox();
  void on_connection_event(int fd, std::uint32_t generation, std::uint32_t events);
  void fire_due_timers();

  // Runs the connection's state machine as far as it can go without blocking: serve
  // buffered requests, write output, read more input, and close when finished. Every path
  // that changes a connection's state ends by calling this.
  void drive(Connection& connection);
  // Parses and answers buffered requests in order until one must wait (delay, stats,
  // output back-pressure), the input holds no complete head, or the connection is closing.
  void serve_buffered(Connection& connection);
  void dispatch(Connection& connection, const HttpRequestHead& head);
  // Answers connection.pending now, or arms a timer when a delay or a stall holds it.
  // `path` is the request path (it may be connection.pending.path itself).
  void schedule(Connection& connection, std::string_view path);
  // Queues the response for connection.pending (or a fresh route) and counts it.
  void respond(Connection& connection, const PendingResponse& response, std::string_view path);
  // Queues an error response for a request that could not be parsed, then closes.
  void reject(Connection& connection, int status, std::string_view reason);
  void start_lingering_close(Connection& connection);
  void close_connection(Connection& connection);

  void begin_gather(Connection& connection, bool reset);
  // Fills this worker's slot; returns true if it was the last one.
  bool collect(StatsGather& gather);
  // Queues the merged answer on the requesting connection, if it is still waiting.
  // @return that connection (for the caller to drive), or nullptr if it has gone.
  Connection* complete_gather(const StatsGather& gather);

  std::chrono::milliseconds option_delay();
  Connection& slot(int fd);
  Connection* find(int fd, std::uint32_t generation);
  void count_served(std::string_view path);

  unsigned index_;
  TargetOptions options_;
  const std::atomic<bool>& stopping_;
  StallDeadline& stall_;
  FileDescriptor listener_;
  FileDescriptor epoll_;
  FileDescriptor wake_;
  std::vector<WorkerLoop*> peers_;

  // Connections indexed by fd (fds are process-unique while open).
  std::vector<std::unique_ptr<Connection>> slots_;
  TimerHeap timers_;
  // Set while a timer to retry accept() after EMFILE and the like is pending.
  bool accept_retry_armed_ = false;
  Clock::time_point now_;
  std::minstd_rand jitter_random_;
  std::array<epoll_event, 256> events_{};

  RequestCounters counters_;
  std::atomic<std::uint64_t> served_{0};

  std::mutex inbox_mutex_;
  std::vector<ControlMessage> inbox_;          // guarded by inbox_mutex_
  std::vector<ControlMessage> inbox_scratch_;  // owned by this worker's thread
};

}  // namespace grid::target
