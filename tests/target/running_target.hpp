#pragma once

#include <chrono>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "target/http_test_client.hpp"
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

/// GET /__stats of the target on `port`, parsed (a JSON object with "requests", ...).
inline nlohmann::json fetch_stats(std::uint16_t port) {
  HttpTestClient client(port);
  const HttpResponse response = client.request(get("/__stats"));
  BOOST_REQUIRE_EQUAL(response.status, 200);
  BOOST_REQUIRE_EQUAL(response.header("content-type"), "application/json");
  return nlohmann::json::parse(response.body);
}

/// Milliseconds since `start` on the steady clock.
inline std::int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace grid::target::testing
