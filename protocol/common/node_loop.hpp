#pragma once

#include <atomic>
#include <chrono>
#include <vector>

#include <zmq.hpp>

namespace grid::common {

/// The cadence every node (broker, relay, agent) runs on: wait until one of its sockets
/// is readable or the poll interval has passed, then one step of the node, until a step
/// says the node is done. The interval bounds how late any time-driven work (ticks,
/// snapshot throttle, deadlines) can be. A step reads the time from the node's Clock, so
/// tests call the node's step() themselves with a manual clock and never need run().
///
/// stop() only raises a flag (async-signal-safe); each node decides in its step what a
/// stop means (the broker drains its campaign, a relay says bye).
class NodeLoop {
public:
  static constexpr std::chrono::milliseconds kPollInterval{50};

  explicit NodeLoop(std::chrono::milliseconds poll_interval = kPollInterval) : poll_interval_(poll_interval) {}

  /// Adds a socket whose input should end the wait early. Call before run(). The socket
  /// object is watched, not its handle: one its owner replaces (a child reconnecting to
  /// another parent) stays watched.
  void watch(zmq::socket_t& socket) { sockets_.push_back(&socket); }

  /// Calls `step` (returns false when the node is done) after each wait, until it is done.
  template <class Step>
  void run(Step&& step) {
    do {
      wait();
    } while (step());
  }

  /// Waits for input on a watched socket or the poll interval, whichever comes first.
  /// A signal interrupting the wait counts as "nothing ready".
  void wait();

  /// Thread-safe and async-signal-safe.
  void stop() noexcept { stop_.store(true, std::memory_order_relaxed); }
  bool stop_requested() const noexcept { return stop_.load(std::memory_order_relaxed); }

private:
  std::chrono::milliseconds poll_interval_;
  std::vector<zmq::socket_t*> sockets_;
  std::vector<zmq::pollitem_t> items_;
  std::atomic<bool> stop_{false};
};

}  // namespace grid::common
