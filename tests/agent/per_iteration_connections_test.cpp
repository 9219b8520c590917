// `[load] connections = per_iteration` on a workload whose iterations use both transports:
// each iteration opens a new connection on each transport it uses, whichever of them
// serves the iteration's first request. A real Engine against the built-in target.

#include <chrono>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "agent/compiled_workload.hpp"
#include "agent/engine.hpp"
#include "agent/window_mailbox.hpp"
#include "support/in_process_target.hpp"
#include "transport_conformance_harness.hpp"

using namespace grid;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kIterations = 5;

// Runs kIterations iterations of [first, second] for one user, `first_native` saying which
// transport serves the first request (the other serves the second); returns the
// connections the target accepted meanwhile.
uint64_t connections_for_mixed_iterations(bool first_native) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  test::InProcessTarget target;
  const uint16_t port = static_cast<uint16_t>(std::stoi(target.port()));
  wire::Plan plan;
  plan.requests = {test::request("first", target.url("/")), test::request("second", target.url("/"))};
  plan.users = 1;
  plan.connections = wire::ConnectionReuse::per_iteration;
  auto work = agent::CompiledWorkload::compile(plan, {}, "per-iteration");
  work->requests[0].native = first_native;
  work->requests[1].native = !first_native;

  const uint64_t before = test::target_connections(port);
  agent::WindowMailbox mailbox;
  agent::EngineConfig config;
  config.workload = work;
  config.users = 1;
  config.duration = 60s;  // an upper bound only: stopped once every request is counted
  config.interval = 50ms;
  config.seed = 1;
  config.start_ceiling = 2 * kIterations;  // exactly kIterations iterations start
  agent::Engine engine(std::move(config), mailbox, nullptr);
  std::thread thread([&engine] { engine.run(); });
  uint64_t requests = 0;
  bool final = false, stopped = false;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!final) {
    if (!stopped && (requests >= 2 * kIterations || std::chrono::steady_clock::now() > give_up)) {
      engine.request_stop();
      stopped = true;
    }
    for (auto& w : mailbox.take(50ms)) {
      for (const auto& [name, s] : w.window.requests) requests += s.requests;
      final = final || w.final;
    }
  }
  thread.join();
  BOOST_TEST(requests == 2 * kIterations);
  // target_connections counts its own connection too.
  return test::target_connections(port) - before - 1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(per_iteration_connections)

BOOST_AUTO_TEST_CASE(each_iteration_opens_a_new_connection_on_each_transport_when_curl_serves_its_first_request) {
  BOOST_TEST(connections_for_mixed_iterations(false) == 2 * kIterations);
}

BOOST_AUTO_TEST_CASE(each_iteration_opens_a_new_connection_on_each_transport_when_native_serves_its_first_request) {
  BOOST_TEST(connections_for_mixed_iterations(true) == 2 * kIterations);
}

BOOST_AUTO_TEST_SUITE_END()
