#pragma once

// The built-in target (target/target_server.hpp) on one thread in the test process, on an
// ephemeral loopback port: for engine tests that need real HTTP without a child process.

#include <string>

#include "target/target_server.hpp"

namespace grid::test {

struct InProcessTarget {
  target::TargetServer server{[] {
    target::TargetOptions o;
    o.threads = 1;
    return o;
  }()};
  InProcessTarget() { server.start(); }
  ~InProcessTarget() {
    server.stop();
    server.join();
  }
  std::string port() const { return std::to_string(server.port()); }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + port() + path; }
};

}  // namespace grid::test
