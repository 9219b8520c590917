#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "target/stall_deadline.hpp"
#include "target/target_options.hpp"

namespace grid::target {

class WorkerLoop;

// The built-in HTTP/1.1 test target: N worker threads, each an epoll loop with its own
// SO_REUSEPORT listening socket, serving /, /delay/<ms>, /status/<code>, /bytes/<n>, /echo,
// /json/token/<value>, /__stats and /__stall/<ms> (see README.md). Built to outrun a load generator on the same
// machine: no locks, atomics read-modify-writes or allocations per request once warm.
//
// Lifecycle: construct (binds and listens), then run() — or start() and later join() —
// and stop() from any thread or a signal handler. A server runs at most once.
class TargetServer {
public:
  // Binds and listens on options.host:options.port with one socket per worker thread.
  // @throws std::runtime_error naming host:port when the address cannot be resolved or
  //         bound (e.g. the port is taken), or std::system_error if epoll setup fails.
  explicit TargetServer(TargetOptions options);
  // Stops and joins the workers if they are still running.
  ~TargetServer();

  TargetServer(const TargetServer&) = delete;
  TargetServer& operator=(const TargetServer&) = delete;

  // The bound port (the ephemeral one when options.port was 0).
  std::uint16_t port() const noexcept { return port_; }
  // Worker threads (options.threads, or the core count when that was 0).
  unsigned threads() const noexcept { return static_cast<unsigned>(workers_.size()); }
  const TargetOptions& options() const noexcept { return options_; }

  // start() then join(): serves on the calling thread's behalf until stop().
  void run();
  // Launches the worker threads and returns. Connections that arrived since construction
  // are already queued in the listening sockets and are served.
  // @throws std::logic_error if the server was started before.
  void start();
  // Waits until every worker has exited (after stop(), or after a worker failed).
  // @throws the first exception a worker thread failed with, if any.
  void join();
  // Asks every worker to exit; returns at once. Async-signal-safe: it only stores an
  // atomic flag and writes to eventfds. Calling it before start() makes run() return at once.
  void stop() noexcept;

  // Requests served by all workers since start, excluding the control routes (/__stats,
  // /__reset, /__stall); not affected by /__reset. Live but unsynchronised: exact once
  // join() has returned.
  std::uint64_t requests_served() const noexcept;

private:
  void worker_main(WorkerLoop& worker) noexcept;

  TargetOptions options_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  StallDeadline stall_;
  std::vector<std::unique_ptr<WorkerLoop>> workers_;
  std::vector<std::thread> threads_;
  bool started_ = false;
  std::mutex failure_mutex_;
  std::exception_ptr failure_;  // guarded by failure_mutex_
};

}  // namespace grid::target
