#include "target/target_server.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "target/listener_group.hpp"
#include "target/worker_loop.hpp"

namespace grid::target {

static_assert(std::atomic<bool>::is_always_lock_free, "stop() must be async-signal-safe");

TargetServer::TargetServer(TargetOptions options) : options_(std::move(options)) {
  unsigned threads = options_.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  ListenerGroup listeners = open_listener_group(options_.host, options_.port, threads);
  port_ = listeners.port;
  std::vector<WorkerLoop*> peers;
  for (unsigned i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<WorkerLoop>(i, std::move(listeners.sockets[i]), options_, stopping_, stall_));
    peers.push_back(workers_.back().get());
  }
  for (auto& worker : workers_) worker->set_peers(peers);
}

TargetServer::~TargetServer() {
  stop();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void TargetServer::run() {
  start();
  join();
}

void TargetServer::start() {
  if (started_) throw std::logic_error("TargetServer::start: already started");
  started_ = true;
  for (auto& worker : workers_) {
    threads_.emplace_back([this, &worker] { worker_main(*worker); });
  }
}

void TargetServer::join() {
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  const std::lock_guard lock(failure_mutex_);
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void TargetServer::stop() noexcept {
  stopping_.store(true, std::memory_order_release);
  for (const auto& worker : workers_) worker->wake();
}

std::uint64_t TargetServer::requests_served() const noexcept {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->requests_served();
  return total;
}

void TargetServer::worker_main(WorkerLoop& worker) noexcept {
  try {
    worker.run();
  } catch (...) {
    {
      const std::lock_guard lock(failure_mutex_);
      if (!failure_) failure_ = std::current_exception();
    }
    stop();  // one broken worker takes the server down instead of silently losing load
  }
}

}  // namespace grid::target
