// Where the agent enforces --allow-target: the plan check before any engine starts (pure),
// the check of every connection the engines open (against the real built-in target over
// loopback; refused connections go to other loopback addresses, never off the machine),
// and the agent node refusing a plan once, reporting it upstream, and staying up.

#include <chrono>
#include <map>
#include <string>

#include <boost/test/unit_test.hpp>

#include "agent/agent_node.hpp"
#include "agent/engine_pool.hpp"
#include "agent/target_guard.hpp"
#include "support/fake_peers.hpp"
#include "support/in_process_target.hpp"
#include "support/manual_clock.hpp"
#include "support/refused_port.hpp"

using namespace grid;
using namespace std::chrono_literals;
using agent::refuse_targets;
using agent::TargetAllowlist;

namespace {

TargetAllowlist allow(const std::vector<std::string>& patterns) {
  auto parsed = TargetAllowlist::parse(patterns);
  BOOST_TEST_REQUIRE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  return parsed.value();
}

wire::RequestSpec request(const std::string& name, const std::string& url) {
  wire::RequestSpec r;
  r.name = name;
  r.url = url;
  r.timeout_ms = 5000;
  return r;
}

struct Totals {
  std::map<std::string, wire::RequestStats> by_name;
  std::map<std::string, uint64_t> problems;
};

// Runs `requests` with `users` users for `duration` on one engine, allowed `allowed`.
Totals run_engine(std::vector<wire::RequestSpec> requests, const TargetAllowlist& allowed) {
  agent::LoadPlan plan;
  plan.workload.requests = std::move(requests);
  plan.workload.users = 2;
  plan.workload.think_time_ms = 5;
  plan.users = 2;
  plan.duration = 400ms;
  plan.interval = 200ms;
  plan.allowed_targets = allowed;
  agent::EnginePool pool(plan, 1);
  Totals totals;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!pool.finished()) {
    BOOST_REQUIRE((std::chrono::steady_clock::now() < deadline));
    for (auto& w : pool.poll(100ms)) {
      for (const auto& [name, s] : w.requests) totals.by_name[name].merge(s);
      for (const auto& [text, n] : w.problems) totals.problems[text] += n;
    }
  }
  return totals;
}

using Target = grid::test::InProcessTarget;

}  // namespace

BOOST_AUTO_TEST_SUITE(target_guard)

BOOST_AUTO_TEST_CASE(a_plan_whose_written_out_hosts_are_all_allowed_is_not_refused) {
  const TargetAllowlist loopback;
  BOOST_TEST(!refuse_targets({request("a", "http://127.0.0.1:8080/"), request("b", "https://localhost/x?y=${v}"),
                              request("c", "http://[::1]:9/")},
                             loopback));
}

BOOST_AUTO_TEST_CASE(a_refusal_names_each_refused_host_its_requests_and_the_list) {
  const TargetAllowlist loopback;
  const auto why = refuse_targets({request("a", "http://blocked.invalid/"), request("b", "http://127.0.0.1/"),
                                   request("c", "http://192.0.2.1:8080/x"), request("d", "http://BLOCKED.invalid/y"),
                                   request("e", "https://[2001:db8::1]/")},
                                  loopback);
  BOOST_TEST_REQUIRE(why.has_value());
  BOOST_TEST(*why ==
                 "targets outside this agent's --allow-target list (127.0.0.0/8, ::1, localhost): blocked.invalid:80 "
                 "(requests 'a', 'd'), 192.0.2.1:8080 (request 'c'), [2001:db8::1]:443 (request 'e')",
             *why);
}

BOOST_AUTO_TEST_CASE(a_refusal_names_five_hosts_and_counts_the_rest) {
  std::vector<wire::RequestSpec> requests;
  for (int i = 1; i <= 8; ++i)
    requests.push_back(request("r" + std::to_string(i), "http://192.0.2." + std::to_string(i) + "/"));
  const auto why = refuse_targets(requests, TargetAllowlist{});
  BOOST_TEST_REQUIRE(why.has_value());
  BOOST_TEST(why->find("192.0.2.5:80 (request 'r5') and 3 more") != std::string::npos, *why);
  BOOST_TEST(why->find("192.0.2.6") == std::string::npos, *why);
}

BOOST_AUTO_TEST_CASE(a_host_from_a_variable_is_left_to_the_connection_check_and_a_written_one_is_checked) {
  const TargetAllowlist loopback;
  // The host (or its end) is only known once rendered: checked per connection instead.
  BOOST_TEST(!refuse_targets({request("a", "http://10.0.0.${octet}/")}, loopback));
  BOOST_TEST(!refuse_targets({request("b", "http://h${suffix}/")}, loopback));
  BOOST_TEST(!refuse_targets({request("c", "http://127.0.0.1${rest}")}, loopback));
  // Written out up to the path: checked now, whatever follows.
  const auto why = refuse_targets({request("d", "http://api.example.test:8443/${path}?q=${q}")}, loopback);
  BOOST_TEST_REQUIRE(why.has_value());
  BOOST_TEST(why->find("api.example.test:8443 (request 'd')") != std::string::npos, *why);
  // The port counts.
  const auto ported = allow({"127.0.0.1:8080"});
  BOOST_TEST(!refuse_targets({request("e", "http://127.0.0.1:8080/${x}")}, ported));
  BOOST_TEST(refuse_targets({request("f", "http://127.0.0.1:8081/")}, ported).has_value());
  BOOST_TEST(refuse_targets({request("g", "http://127.0.0.1/")}, ported).has_value());
}

BOOST_AUTO_TEST_CASE(a_host_name_must_be_allowed_by_name_before_any_connection) {
  // An address pattern does not allow a name written in the plan, even one that would
  // resolve into it: the plan check does no DNS.
  const auto why = refuse_targets({request("a", "http://localhost/")}, allow({"127.0.0.0/8"}));
  BOOST_TEST_REQUIRE(why.has_value());
  BOOST_TEST(why->find("localhost:80") != std::string::npos, *why);
}

BOOST_AUTO_TEST_CASE(a_connection_to_an_address_outside_the_list_is_never_opened_and_counts_as_not_allowed) {
  Target t;
  // The host comes from a variable at run time: 127.0.0.1 (allowed) or 127.0.0.2 (not).
  const auto r = run_engine({request("ok", "http://127.0.0.1:" + t.port() + "/"),
                             request("other", "http://127.0.0.${random(2,2)}:" + t.port() + "/")},
                            allow({"127.0.0.1:" + t.port()}));
  t.server.stop();
  t.server.join();
  const auto& ok = r.by_name.at("ok");
  const auto& other = r.by_name.at("other");
  BOOST_TEST(ok.requests > 0u);
  BOOST_TEST(ok.failed() == 0u);
  BOOST_TEST(other.requests > 0u);
  BOOST_TEST(other.failures[wire::FailureKind::not_allowed] == other.requests);
  BOOST_TEST(other.latency_us.count() == 0u);
  BOOST_TEST(t.server.requests_served() == ok.requests);  // nothing of `other` reached a socket
  const std::string problem = "request 'other': connection to 127.0.0.2:" + t.port() + " is not in --allow-target (" +
                              "127.0.0.1:" + t.port() + ")";
  BOOST_TEST_REQUIRE(r.problems.count(problem) == 1u);
  BOOST_TEST(r.problems.at(problem) == other.requests);
}

BOOST_AUTO_TEST_CASE(a_name_allowed_by_name_connects_to_the_address_it_resolves_to) {
  Target t;
  const auto r = run_engine({request("named", "http://localhost:" + t.port() + "/")}, allow({"localhost"}));
  BOOST_TEST(r.by_name.at("named").requests > 0u);
  BOOST_TEST(r.by_name.at("named").failed() == 0u, r.problems.size());
}

BOOST_AUTO_TEST_CASE(a_name_not_allowed_by_name_connects_only_to_listed_addresses) {
  Target t;
  // localhost resolves to loopback addresses, none of them 127.0.0.2: refused at connect.
  const auto r = run_engine({request("named", "http://localhost:" + t.port() + "/")}, allow({"127.0.0.2"}));
  const auto& s = r.by_name.at("named");
  BOOST_TEST(s.requests > 0u);
  BOOST_TEST(s.failures[wire::FailureKind::not_allowed] == s.requests);
  BOOST_TEST(t.server.requests_served() == 0u);
  BOOST_TEST_REQUIRE(!r.problems.empty());
  BOOST_TEST(
      r.problems.begin()->first.find("(host localhost) is not in --allow-target (127.0.0.2)") != std::string::npos,
      r.problems.begin()->first);
}

BOOST_AUTO_TEST_CASE(a_refused_port_on_an_allowed_address_is_still_a_connect_failure) {
  const test::RefusedPort refused;
  const auto r =
      run_engine({request("refused", "http://127.0.0.1:" + std::to_string(refused.port()) + "/")}, TargetAllowlist{});
  const auto& s = r.by_name.at("refused");
  BOOST_TEST(s.requests > 0u);
  BOOST_TEST(s.failures[wire::FailureKind::connect] == s.requests);
  BOOST_TEST(s.failures[wire::FailureKind::not_allowed] == 0u);
}

BOOST_AUTO_TEST_CASE(an_agent_refuses_a_plan_outside_its_list_once_reports_it_upstream_and_stays_up) {
  zmq::context_t context;
  test::FakeParent parent(context, "inproc://parent-refuse");
  test::ManualClock clock;
  agent::AgentOptions o;
  o.id = "agent-refuse";
  o.parent = "inproc://parent-refuse";
  o.threads = 1;
  agent::AgentNode node(context, o, clock);  // default list: loopback only
  node.start();
  BOOST_TEST_REQUIRE(test::step_until([&] { return parent.count(wire::MessageType::heartbeat) >= 1; }));
  auto plan = test::running_plan(4, 60s, common::to_unix_us(clock.wall_now()));
  plan.requests[0].url = "http://192.0.2.1/";  // TEST-NET-1: refused before any connect
  plan.budgets = {{"agent-refuse", 4, 0, {}}};
  // The parent republishes its snapshot: the refusal is reported once, not per snapshot.
  for (int i = 0; i < 5; ++i) {
    parent.publish(plan);
    ++plan.epoch;
    test::step_until([&] { return parent.count(wire::MessageType::log) >= 1; }, [&] { node.step(); }, 20);
  }
  BOOST_TEST(!node.running());
  const auto logs = parent.of_type(wire::MessageType::log);
  BOOST_TEST_REQUIRE(logs.size() == 1u);
  const auto record = logs[0].as<wire::LogRecord>();
  BOOST_TEST((record.level == wire::LogLevel::error));
  BOOST_TEST(record.text ==
                 "campaign refused: targets outside this agent's --allow-target list (127.0.0.0/8, ::1, localhost): "
                 "192.0.2.1:80 (request 'home')",
             record.text);
  // Still up: the next campaign, within the list, starts (its port refuses: no load).
  const test::RefusedPort refused;
  auto next = test::running_plan(4, 60s, common::to_unix_us(clock.wall_now()));
  next.campaign_id = "c@2";
  next.epoch = plan.epoch + 1;
  next.requests[0].url = "http://127.0.0.1:" + std::to_string(refused.port()) + "/";
  next.budgets = {{"agent-refuse", 4, 0, {}}};
  parent.publish(next);
  // It ran: its stats reach the parent. (It may end at once, the manual clock's steady
  // time not being the engines': what counts here is that it started.)
  BOOST_TEST_REQUIRE(
      test::step_until([&] { return parent.count(wire::MessageType::stats) >= 1; }, [&] { node.step(); }));
  BOOST_TEST(parent.of_type(wire::MessageType::stats)[0].as<wire::StatsReport>().campaign_id == "c@2");
  BOOST_TEST(parent.count(wire::MessageType::log) == 1u);
  node.stop();
  node.finish();
}

BOOST_AUTO_TEST_SUITE_END()
