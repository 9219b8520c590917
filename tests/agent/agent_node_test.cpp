// AgentNode driven step by step with a manual clock under a fake parent over real inproc
// ZeroMQ sockets, and the pure computation of the load it runs from a plan.

#include <boost/test/unit_test.hpp>

#include "agent/agent_node.hpp"
#include "agent/load_plan.hpp"
#include "protocol/common/version.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::agent::AgentNode;
using grid::agent::AgentOptions;
using grid::agent::load_plan_for;
using grid::common::SteadyTime;
using grid::test::FakeParent;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::wire::MessageType;

namespace {

AgentOptions options(const std::string& name) {
  AgentOptions o;
  o.id = "agent-" + name;
  o.region = "eu";
  o.parent = "inproc://parent-" + name;
  o.threads = 1;
  o.max_users = 40;
  return o;
}

grid::wire::Plan plan_at(grid::common::WallTime start, std::chrono::milliseconds duration) {
  auto p = grid::test::running_plan(10, duration, grid::common::to_unix_us(start));
  p.think_time_ms = 20;
  p.interval_ms = 500;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(agent_node)

BOOST_AUTO_TEST_CASE(an_agent_says_hello_with_its_capacity_then_a_first_heartbeat_on_start) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-hello");
  ManualClock clock;
  AgentNode agent(context, options("hello"), clock);
  agent.start();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.received().size() >= 2; }));
  const auto hello = parent.received()[0].as<grid::wire::Hello>();
  BOOST_TEST((hello.kind == grid::wire::NodeKind::agent));
  BOOST_TEST(hello.cores == 1u);
  BOOST_TEST(hello.max_users == 40u);
  BOOST_TEST(hello.software_version == std::string(grid::common::software_version()));
  const auto hb = parent.received()[1].as<grid::wire::Heartbeat>();
  BOOST_TEST(hb.capacity == 1.0);
  BOOST_TEST(hb.agents == 1u);
  BOOST_TEST(hb.busy_agents == 0u);
}

BOOST_AUTO_TEST_CASE(an_agent_heartbeats_once_per_interval_of_its_clock) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-beat");
  ManualClock clock;
  AgentNode agent(context, options("beat"), clock);
  agent.start();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 1; }));
  for (int s = 1; s <= 3; ++s) {
    clock.advance(999ms);
    agent.step();
    BOOST_TEST(parent.count(MessageType::heartbeat) == static_cast<size_t>(s));
    clock.advance(1ms);
    agent.step();
    BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == static_cast<size_t>(s + 1); }));
  }
}

BOOST_AUTO_TEST_CASE(a_plan_without_a_budget_for_the_agent_starts_nothing) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-idle");
  ManualClock clock;
  AgentNode agent(context, options("idle"), clock);
  agent.start();
  auto plan = plan_at(clock.wall_now(), 10s);
  plan.budgets = {{"someone-else", 10, 0}};
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) >= 1; }));
  for (int i = 0; i < 20; ++i) {
    parent.publish(plan);
    ++plan.epoch;
    agent.step();
  }
  BOOST_TEST(!agent.running());
}

BOOST_AUTO_TEST_CASE(an_agent_stopped_says_bye) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-bye");
  ManualClock clock;
  AgentNode agent(context, options("bye"), clock);
  agent.start();
  agent.stop();
  BOOST_TEST(!agent.step());
  agent.finish();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::bye) == 1; }));
}

BOOST_AUTO_TEST_CASE(an_agent_waits_for_the_plans_start_instant_on_its_own_steady_clock) {
  const auto broker_now = grid::common::from_unix_us(1'767'225'600'000'000);
  const SteadyTime steady_now{100s};
  const auto plan = plan_at(broker_now + 1500ms, 10s);
  const auto load = load_plan_for(plan, {"a", 7, 2.5}, broker_now, steady_now, 250us, 16);
  BOOST_TEST_REQUIRE(load.start.has_value());
  BOOST_TEST((*load.start == steady_now + 1500ms));
  BOOST_TEST(load.duration.count() == 10'000);
  BOOST_TEST(load.users == 7u);
  BOOST_TEST(load.spawn_rate == 2.5);
  BOOST_TEST(load.workload.think_time_ms == 20u);
  BOOST_TEST(load.agent_id == "a");
  BOOST_TEST((*load.origin == steady_now + 1500ms));  // stage time 0 is the start instant
  BOOST_TEST(load.interval.count() == 500);
  BOOST_TEST(load.clock_offset.count() == 250);
  BOOST_TEST(load.users_per_multi == 16u);
}

BOOST_AUTO_TEST_CASE(a_late_joiner_starts_at_once_and_runs_until_the_campaigns_end) {
  const auto start = grid::common::from_unix_us(1'767'225'600'000'000);
  const SteadyTime steady_now{100s};
  const auto load = load_plan_for(plan_at(start, 10s), {"a", 7, 0}, start + 4s, steady_now, 0us, 32);
  BOOST_TEST((*load.start == steady_now));
  BOOST_TEST((*load.origin == steady_now - 4s));  // its stages are 4 s in
  BOOST_TEST(load.duration.count() == 6'000);
  const auto over = load_plan_for(plan_at(start, 10s), {"a", 7, 0}, start + 11s, steady_now, 0us, 32);
  BOOST_TEST(over.duration.count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
