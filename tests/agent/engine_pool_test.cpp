// The engine against the real built-in target over loopback: counts, classification and
// window release. Each test runs about a second of real load. Checks are exact counts,
// orderings and physical bounds, never rates: a slow machine makes fewer requests, not
// different ones.

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "agent/engine_pool.hpp"
#include "support/in_process_target.hpp"
#include "support/refused_port.hpp"

using namespace grid;
using namespace std::chrono_literals;

namespace {

struct RunResult {
  std::vector<wire::StatsWindow> windows;
  std::map<std::string, wire::RequestStats> by_name;
  std::map<std::string, uint64_t> problems;
};

wire::RequestSpec request(const std::string& name, const std::string& url, uint32_t timeout_ms = 5000) {
  wire::RequestSpec r;
  r.name = name;
  r.url = url;
  r.timeout_ms = timeout_ms;
  return r;
}

RunResult run_pool(const agent::LoadPlan& plan, unsigned threads) {
  agent::EnginePool pool(plan, threads);
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + plan.duration + 30s;
  while (!pool.finished()) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
    for (auto& w : pool.poll(100ms)) {
      for (const auto& [name, s] : w.requests) result.by_name[name].merge(s);
      for (const auto& [text, n] : w.problems) result.problems[text] += n;
      result.windows.push_back(std::move(w));
    }
  }
  return result;
}

agent::LoadPlan plan_for(std::vector<wire::RequestSpec> requests, uint32_t users, std::chrono::milliseconds duration) {
  agent::LoadPlan plan;
  plan.workload.requests = std::move(requests);
  plan.workload.users = users;
  plan.users = users;
  plan.duration = duration;
  plan.interval = std::chrono::milliseconds(200);
  return plan;
}

using Target = grid::test::InProcessTarget;

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_pool)

BOOST_AUTO_TEST_CASE(every_request_the_target_served_is_counted_exactly_once) {
  Target t;
  const auto r = run_pool(plan_for({request("home", t.url("/")), request("bytes", t.url("/bytes/300"))}, 20, 1s), 2);
  t.server.stop();
  t.server.join();
  const uint64_t home = r.by_name.at("home").requests, bytes = r.by_name.at("bytes").requests;
  BOOST_TEST(home > 0u);
  BOOST_TEST(bytes > 0u);
  BOOST_TEST(home + bytes == t.server.requests_served());
  uint64_t in_windows = 0;
  for (const auto& w : r.windows) in_windows += w.total().requests;
  BOOST_TEST(in_windows == home + bytes);
  BOOST_TEST(r.by_name.at("home").failed() == 0u);
  BOOST_TEST(r.by_name.at("bytes").failed() == 0u);
  BOOST_TEST(r.by_name.at("bytes").bytes_received >= 300 * bytes);
  // Users loop over the requests in order (home first), so each user made as many home
  // requests as bytes requests, or one more.
  BOOST_TEST(home >= bytes);
  BOOST_TEST(home - bytes <= 20u);
}

BOOST_AUTO_TEST_CASE(windows_are_released_once_in_order_without_gaps) {
  Target t;
  const auto r = run_pool(plan_for({request("home", t.url("/"))}, 4, 1s), 2);
  BOOST_REQUIRE(r.windows.size() >= 4u);
  for (size_t i = 1; i < r.windows.size(); ++i) {
    BOOST_TEST(r.windows[i].index == r.windows[i - 1].index + 1);
  }
}

BOOST_AUTO_TEST_CASE(status_503_is_classified_http_5xx) {
  Target t;
  const auto r = run_pool(plan_for({request("fail", t.url("/status/503"))}, 2, 500ms), 1);
  const auto& s = r.by_name.at("fail");
  BOOST_TEST(s.requests > 0u);
  BOOST_TEST(s.failures[wire::FailureKind::http_5xx] == s.requests);
  BOOST_TEST(s.failed() == s.requests);
  BOOST_REQUIRE(s.status_codes.size() == 1u);
  BOOST_TEST(s.status_codes[0].code == 503);
}

BOOST_AUTO_TEST_CASE(refused_port_is_classified_connect) {
  const test::RefusedPort refused;  // bound, never listening: every connect is refused
  const auto r =
      run_pool(plan_for({request("refused", "http://127.0.0.1:" + std::to_string(refused.port()) + "/")}, 2, 300ms), 1);
  const auto& s = r.by_name.at("refused");
  BOOST_TEST(s.requests > 0u);
  BOOST_TEST(s.failures[wire::FailureKind::connect] == s.requests);
  BOOST_TEST(s.latency_us.count() == 0u);
}

BOOST_AUTO_TEST_CASE(delay_above_timeout_is_classified_timeout) {
  Target t;
  const auto r = run_pool(plan_for({request("slow", t.url("/delay/1000"), 100)}, 3, 300ms), 1);
  const auto& s = r.by_name.at("slow");
  BOOST_TEST(s.requests > 0u);
  BOOST_TEST(s.failures[wire::FailureKind::timeout] == s.requests);
  BOOST_TEST(s.latency_us.min() >= 100'000u);
}

BOOST_AUTO_TEST_CASE(think_time_paces_each_user) {
  Target t;
  auto plan = plan_for({request("home", t.url("/"))}, 2, 1s);
  plan.workload.think_time_ms = 200;
  const auto r = run_pool(plan, 1);
  t.server.stop();
  t.server.join();
  const uint64_t requests = r.by_name.at("home").requests;
  BOOST_TEST(requests > 0u);
  BOOST_TEST(requests == t.server.requests_served());
  // Physical bounds that hold however slow the machine is. A user's requests start at
  // least 200 ms apart and none starts after 1 s: at most 1000/200 + 1 = 6 per user.
  BOOST_TEST(requests <= 2u * 6u);
  // Two completions of one user are more than 200 ms apart, so a 200 ms window holds at
  // most one per user. Without think time, a window holds hundreds.
  for (const auto& w : r.windows) {
    BOOST_TEST_CONTEXT("window " << w.index) { BOOST_TEST(w.total().requests <= 2u); }
  }
}

BOOST_AUTO_TEST_CASE(post_body_is_sent) {
  Target t;
  auto post = request("post", t.url("/"));
  post.method = "POST";
  post.body = std::string(1000, 'x');
  const auto r = run_pool(plan_for({post}, 1, 300ms), 1);
  const auto& s = r.by_name.at("post");
  BOOST_TEST(s.failed() == 0u);
  BOOST_TEST(s.bytes_sent >= 1000 * s.requests);
}

BOOST_AUTO_TEST_CASE(stop_request_drains_and_finishes_before_the_planned_end) {
  Target t;
  const auto plan = plan_for({request("home", t.url("/"))}, 4, 60s);
  agent::EnginePool pool(plan, 2);
  uint64_t counted = 0;
  std::vector<uint64_t> indexes;
  const auto take = [&](std::vector<wire::StatsWindow> windows) {
    for (const auto& w : windows) {
      counted += w.total().requests;
      indexes.push_back(w.index);
    }
  };
  // Stop once requests have been counted (bounded wait), so the stop lands mid-run.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (counted == 0) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
    take(pool.poll(100ms));
  }
  pool.request_stop();
  while (!pool.finished()) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
    take(pool.poll(100ms));
  }
  t.server.stop();
  t.server.join();
  BOOST_TEST(counted == t.server.requests_served());
  // Windows are contiguous and end long before the 60 s plan would (300 windows of 200 ms).
  BOOST_REQUIRE(!indexes.empty());
  BOOST_TEST(indexes.back() - indexes.front() + 1 == indexes.size());
  BOOST_TEST(indexes.size() < static_cast<size_t>(plan.duration / plan.interval));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_pool_rebalancing)

BOOST_AUTO_TEST_CASE(user_count_can_grow_and_shrink_while_running) {
  Target t;
  auto plan = plan_for({request("home", t.url("/"))}, 2, 30s);
  plan.workload.think_time_ms = 20;
  agent::EnginePool pool(plan, 2);
  // Every window released is counted, including those read while waiting.
  uint64_t counted = 0;
  // Waits (bounded) for a released window with exactly `users` active users.
  auto wait_for_users = [&](uint32_t users) {
    bool seen = false;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!seen && std::chrono::steady_clock::now() < deadline) {
      for (const auto& w : pool.poll(100ms)) {
        counted += w.total().requests;
        seen = seen || w.active_users == users;
      }
    }
    return seen;
  };
  BOOST_TEST(wait_for_users(2));
  pool.set_users(7);
  BOOST_TEST(wait_for_users(7));
  pool.set_users(1);
  BOOST_TEST(wait_for_users(1));
  pool.request_stop();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!pool.finished()) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
    for (auto& w : pool.poll(100ms)) counted += w.total().requests;
  }
  t.server.stop();
  t.server.join();
  // Users that left mid-run lost no request and counted none twice.
  BOOST_TEST(counted > 0u);
  BOOST_TEST(counted == t.server.requests_served());
  BOOST_TEST(pool.first_request_unix_us() > 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_pool_routing)

BOOST_AUTO_TEST_CASE(proxy_environment_variables_never_redirect_the_load) {
  Target t;
  // A proxy that refuses every connection: were it used, every request would fail.
  const test::RefusedPort proxy;
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  setenv("http_proxy", proxy_url.c_str(), 1);
  setenv("HTTP_PROXY", proxy_url.c_str(), 1);
  setenv("all_proxy", proxy_url.c_str(), 1);
  const auto r = run_pool(plan_for({request("home", t.url("/"))}, 2, 300ms), 1);
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("all_proxy");
  BOOST_TEST(r.by_name.at("home").requests > 0u);
  BOOST_TEST(r.by_name.at("home").failed() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(engine_pool_workload)

wire::Step request_step(uint32_t request) { return {wire::StepKind::request, request, wire::ThinkKind::fixed, 0, 0}; }

BOOST_AUTO_TEST_CASE(the_open_model_runs_exactly_the_planned_arrivals_split_over_engines) {
  Target target;
  auto plan = plan_for({request("home", target.url("/"))}, 20, 1000ms);
  plan.workload.model = wire::LoadModel::open;
  plan.workload.rate = 200;
  plan.workload.duration_ms = 1000;
  const auto result = run_pool(plan, 2);
  const auto& home = result.by_name.at("home");
  BOOST_TEST(home.requests + home.dropped_iterations == 200u);  // 200/s for 1 s, none lost or added
  BOOST_TEST(home.service_us.count() == home.requests);         // the service time beside the CO latency
  BOOST_TEST(home.latency_us.count() == home.requests);
}

BOOST_AUTO_TEST_CASE(the_open_model_drops_arrivals_that_find_every_user_busy) {
  Target target;
  auto plan = plan_for({request("slow", target.url("/delay/300"))}, 1, 1000ms);  // one user
  plan.workload.model = wire::LoadModel::open;
  plan.workload.rate = 20;
  plan.workload.duration_ms = 1000;
  const auto result = run_pool(plan, 1);
  const auto& slow = result.by_name.at("slow");
  BOOST_TEST(slow.requests + slow.dropped_iterations == 20u);
  BOOST_TEST(slow.requests <= 4u);  // one user, 300 ms each: at most 4 in a second
  BOOST_TEST(slow.dropped_iterations >= 16u);
}

BOOST_AUTO_TEST_CASE(a_scenario_runs_its_steps_in_order_each_iteration) {
  Target target;
  auto plan = plan_for({request("a", target.url("/")), request("b", target.url("/"))}, 2, 800ms);
  plan.workload.scenarios = {{"s", 1, {request_step(0), request_step(1), request_step(0)}}};
  const auto result = run_pool(plan, 1);
  const auto a = result.by_name.at("a").requests, b = result.by_name.at("b").requests;
  BOOST_TEST(b > 10u);
  BOOST_TEST(a >= 2 * b - 2);  // a, b, a per iteration; each user may stop mid-iteration
  BOOST_TEST(a <= 2 * b + 2);
}

BOOST_AUTO_TEST_CASE(unique_rows_are_each_used_once_and_users_stop_when_they_run_out) {
  Target target;
  auto plan = plan_for({request("use", target.url("/echo?id=${id}"))}, 3, 2000ms);
  wire::DataFeed feed{"ids", wire::FeedMode::unique, {"id"}, {}};
  for (int i = 0; i < 25; ++i) feed.rows.push_back({std::to_string(i)});
  plan.workload.data = {feed};
  plan.rows = {{5, 15}};  // this node's share: rows 5..14
  const auto result = run_pool(plan, 2);
  BOOST_TEST(result.by_name.at("use").requests == 10u);
  BOOST_TEST(result.problems.at("data 'ids': unique rows ran out; users stopped") == 3u);  // each user once
}

BOOST_AUTO_TEST_CASE(closed_model_stages_ramp_users_up_and_down) {
  Target target;
  auto plan = plan_for({request("home", target.url("/"))}, 4, 1200ms);
  plan.workload.stages = {{400, 4}, {400, 4}, {400, 0}};
  plan.workload.think_time_ms = 10;
  const auto result = run_pool(plan, 2);
  uint32_t peak = 0;
  for (const auto& w : result.windows) peak = std::max(peak, w.active_users);
  BOOST_TEST(peak == 4u);
  BOOST_TEST(result.windows.back().active_users == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
