// AgentNode driven step by step with a manual clock under a fake parent over real inproc
// ZeroMQ sockets, and the pure computation of the load it runs from a plan.

#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "agent/agent_node.hpp"
#include "agent/load_plan.hpp"
#include "protocol/common/version.hpp"
#include "support/child_process.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"
#include "support/refused_port.hpp"

using namespace std::chrono_literals;
using grid::agent::AgentNode;
using grid::agent::AgentOptions;
using grid::agent::load_plan_for;
using grid::common::SteadyTime;
using grid::test::FakeParent;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::test::TempDir;
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
  plan.budgets = {{"someone-else", 10, 0, {}}};
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
  const auto load = load_plan_for(plan, {"a", 7, 2.5, {}}, broker_now, steady_now, 250us, 16);
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
  const auto load = load_plan_for(plan_at(start, 10s), {"a", 7, 0, {}}, start + 4s, steady_now, 0us, 32);
  BOOST_TEST((*load.start == steady_now));
  BOOST_TEST((*load.origin == steady_now - 4s));  // its stages are 4 s in
  BOOST_TEST(load.duration.count() == 6'000);
  const auto over = load_plan_for(plan_at(start, 10s), {"a", 7, 0, {}}, start + 11s, steady_now, 0us, 32);
  BOOST_TEST(over.duration.count() == 0);
}

BOOST_AUTO_TEST_CASE(an_agent_reports_its_own_cpu_and_memory_in_its_agent_load_for_parents_above_its_parent) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-load");
  ManualClock clock;
  AgentNode agent(context, options("load"), clock);
  agent.start();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) >= 1; }));
  const auto hb = parent.of_type(MessageType::heartbeat)[0].as<grid::wire::Heartbeat>();
  BOOST_TEST_REQUIRE(hb.agent_loads.size() == 1u);
  BOOST_TEST(hb.agent_loads[0].rss_bytes == hb.rss_bytes);
  BOOST_TEST(hb.agent_loads[0].rss_bytes > 0u);
  BOOST_TEST(hb.agent_loads[0].cpu_percent == hb.cpu_percent);
}

BOOST_AUTO_TEST_CASE(an_agent_whose_interface_runs_near_its_speed_while_it_loads_warns_its_parent_naming_itself) {
  TempDir net;
  auto nic = [&](uint64_t rx) {
    const auto dir = std::filesystem::path(net.path()) / "eth0";
    std::filesystem::create_directories(dir / "statistics");
    std::ofstream(dir / "speed") << "100\n";
    std::ofstream(dir / "statistics" / "rx_bytes") << rx << "\n";
    std::ofstream(dir / "statistics" / "tx_bytes") << "0\n";
  };
  nic(0);
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-nic");
  ManualClock clock;
  // The engines run on the real steady clock: the manual one starts at the real now, so
  // the campaign runs (60 s at most; the test stops it) while the manual clock moves.
  clock.advance(std::chrono::steady_clock::now() - clock.steady_now());
  auto o = options("nic");
  o.net_sysfs = net.path();
  AgentNode agent(context, o, clock);
  agent.start();
  agent.step();                           // the first sample: a baseline
  const grid::test::RefusedPort refused;  // its users fail to connect: no load leaves the machine
  auto plan = grid::test::running_plan(2, 60s, grid::common::to_unix_us(clock.wall_now()));
  plan.requests[0].url = "http://127.0.0.1:" + std::to_string(refused.port()) + "/";
  plan.budgets = {{"agent-nic", 2, 0, {}}};
  BOOST_TEST_REQUIRE(step_until([&] { return agent.running(); },
                                [&] {
                                  parent.publish(plan);  // until its subscription is through
                                  agent.step();
                                }));
  nic(60'000'000);  // 96 Mb/s over the next 5 s of a 100 Mb/s link
  parent.answer_heartbeats();
  clock.advance(5s);
  auto warned = [&] {
    for (const auto& m : parent.of_type(MessageType::log)) {
      const auto r = m.as<grid::wire::LogRecord>();
      if (r.text.rfind("network interface eth0 at 96% of its 100 Mb/s", 0) == 0) return r.node == "agent-nic";
    }
    return false;
  };
  const bool seen = step_until(warned, [&] {
    agent.step();
    parent.answer_heartbeats();
  });
  std::string logs;
  for (const auto& m : parent.of_type(MessageType::log)) logs += m.as<grid::wire::LogRecord>().text + "\n";
  BOOST_TEST(seen, logs);
  agent.stop();
  agent.finish();
}

BOOST_AUTO_TEST_SUITE_END()
