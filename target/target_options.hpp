#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace grid::target {

// Configuration of a TargetServer. Plain data; defaults suit tests (loopback, ephemeral port).
struct TargetOptions {
  // Numeric address or resolvable name to listen on; only this address is bound.
  std::string host = "127.0.0.1";
  // 0 binds an ephemeral port; TargetServer::port() reports the one chosen.
  uint16_t port = 0;
  // Worker threads, each with its own epoll loop and listening socket. 0 = hardware cores.
  unsigned threads = 0;
  // Added to every response except /__stats and /__reset; stacks with /delay/<ms>.
  std::chrono::milliseconds default_delay{0};
  // Upper bound of a uniform random extra delay in [0, jitter] added like default_delay.
  std::chrono::milliseconds jitter{0};
};

}  // namespace grid::target
