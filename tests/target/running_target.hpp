#pragma once

#include "target/target_options.hpp"
#include "target/target_server.hpp"

namespace grid::target::testing {

// Options for a test server: loopback, ephemeral port, `threads` workers (two by default,
// so cross-thread paths such as /__stats gathering are exercised).
inline TargetOptions loopback_options(unsigned threads = 2) {
  TargetOptions options;
  options.threads = threads;
  return options;
}

// A TargetServer on an ephemeral loopback port, serving on background threads for the
// lifetime of the object.
class RunningTarget {
public:
  explicit RunningTarget(TargetOptions options = loopback_options()) : server_(std::move(options)) { server_.start(); }
  ~RunningTarget() {
    server_.stop();
    server_.join();
  }
  RunningTarget(const RunningTarget&) = delete;
  RunningTarget& operator=(const RunningTarget&) = delete;

  std::uint16_t port() const { return server_.port(); }
  TargetServer& server() { return server_; }

private:
  TargetServer server_;
};

}  // namespace grid::target::testing
