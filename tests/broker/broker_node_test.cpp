// BrokerNode driven step by step with a manual clock and fake children over real inproc
// ZeroMQ sockets: waiting for agents, the start instant, the end of the campaign, lost
// children and exit codes, with no wall-clock waits deciding anything.

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "broker/broker_node.hpp"
#include "protocol/common/exit_codes.hpp"
#include "support/child_process.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::broker::BrokerNode;
using grid::broker::BrokerOptions;
using grid::broker::Campaign;
using grid::test::FakeChild;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::test::TempDir;
using grid::wire::CampaignState;

namespace {

Campaign campaign(uint32_t users = 10) {
  Campaign c;
  c.name = "unit";
  c.duration = 10s;
  c.interval = 1s;
  c.users = users;
  grid::wire::RequestSpec r;
  r.name = "home";
  r.url = "http://127.0.0.1:1/";
  r.timeout_ms = 1000;
  c.requests = {r};
  return c;
}

BrokerOptions options(const std::string& name, const std::string& results, uint32_t expect) {
  BrokerOptions o;
  o.id = "broker-" + name;
  o.listen = "inproc://broker-" + name;
  o.expect_agents = expect;
  o.expect_timeout = 30s;
  o.lead_time = 1500ms;
  o.results_dir = results;
  o.quiet = true;
  return o;
}

// Steps the broker (advancing the clock by `dt` each time) until `done`.
bool step_broker_until(BrokerNode& broker, ManualClock& clock, const std::function<bool()>& done,
                       std::chrono::milliseconds dt = 0ms, int attempts = 300) {
  return step_until(
      done,
      [&] {
        clock.advance(dt);
        broker.step();
      },
      attempts);
}

// One final window of `agent` with `requests` requests, at the window holding `at`.
grid::wire::StatsReport final_window(const std::string& campaign_id, const std::string& agent, uint64_t requests,
                                     grid::common::WallTime at) {
  grid::wire::StatsWindow w;
  w.interval_ms = 1000;
  w.index = static_cast<uint64_t>(grid::common::to_unix_us(at) / 1000) / 1000;
  w.requests["home"].requests = requests;
  grid::wire::SourceTotals s;
  s.agent_id = agent;
  s.requests = requests;
  s.final = true;
  s.first_request_unix_us = grid::common::to_unix_us(at);
  s.last_completion_unix_us = grid::common::to_unix_us(at);
  w.sources = {s};
  grid::wire::StatsReport report;
  report.campaign_id = campaign_id;
  report.windows = {w};
  return report;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(broker_node)

BOOST_AUTO_TEST_CASE(a_stop_while_waiting_for_agents_ends_the_broker_before_any_start) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("stop-waiting", dir.path(), 2), clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-stop-waiting", "a");
  agent.hello();
  agent.heartbeat();
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return agent.latest_plan().has_value(); }, 100ms));
  broker.stop();
  BOOST_TEST(!broker.step());
  BOOST_TEST((broker.plan().state == CampaignState::waiting));  // one agent present: still no start
  BOOST_TEST(broker.finish() == grid::common::kExitCannotStart);
}

BOOST_AUTO_TEST_CASE(no_agent_within_the_expect_timeout_means_could_not_start) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("nobody", dir.path(), 1), clock);
  broker.start();
  BOOST_TEST(broker.step());
  clock.advance(30s - 1ms);
  BOOST_TEST(broker.step());
  clock.advance(1ms);
  BOOST_TEST(!broker.step());
  BOOST_TEST(broker.finish() == grid::common::kExitCannotStart);
}

BOOST_AUTO_TEST_CASE(the_start_instant_is_when_the_agents_are_ready_plus_the_lead_time) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("start", dir.path(), 1), clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-start", "a");
  agent.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  BOOST_TEST(broker.plan().start_unix_us == grid::common::to_unix_us(clock.wall_now() + 1500ms));
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return agent.latest_plan() && agent.latest_plan()->state == CampaignState::running; },
      100ms));
  const auto plan = *agent.latest_plan();
  BOOST_TEST(plan.budget_of("a").value().users == 10u);
}

BOOST_AUTO_TEST_CASE(the_campaign_stops_at_its_end_instant_and_finishes_when_every_agent_sent_its_final_window) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("end", dir.path(), 1), clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-end", "a");
  agent.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  const auto end = grid::common::from_unix_us(broker.plan().end_unix_us());
  clock.advance(end - clock.wall_now() - 1ms);
  agent.heartbeat();
  BOOST_TEST(broker.step());
  BOOST_TEST((broker.plan().state == CampaignState::running));
  clock.advance(1ms);
  BOOST_TEST(broker.step());
  BOOST_TEST((broker.plan().state == CampaignState::stopping));
  // The final window arrives: the campaign is over; the end is said three times, 100 ms apart.
  agent.send(final_window(broker.plan().campaign_id, "a", 42, clock.wall_now() - 500ms));
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::finished; }));
  int steps = 0;
  while (broker.step() && steps < 100) {
    clock.advance(50ms);
    ++steps;
  }
  BOOST_TEST(steps >= 4);  // three snapshots at least 100 ms apart take 200 ms of steps
  BOOST_TEST(steps < 100);
  BOOST_TEST(broker.finish() == grid::common::kExitOk);
  BOOST_TEST(std::filesystem::exists(dir.path() + "/summary.json"));
  BOOST_TEST(broker.report().counted_pairs == 1u);
}

BOOST_AUTO_TEST_CASE(an_agent_silent_for_three_heartbeats_is_lost_and_its_users_go_to_its_sibling) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("loss", dir.path(), 2), clock);
  broker.start();
  FakeChild a(context, "inproc://broker-loss", "a");
  FakeChild b(context, "inproc://broker-loss", "b");
  a.hello();
  b.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  for (int s = 0; s < 3; ++s) {
    clock.advance(1s);
    a.heartbeat();
    BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [] { return true; }));
  }
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return !broker.report().lost.empty(); }));
  BOOST_TEST(broker.report().lost[0].find("b (agent)") == 0u, broker.report().lost[0]);
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock,
      [&] {
        const auto p = a.latest_plan();
        return p && p->budget_of("a") && p->budget_of("a")->users == 10 && !p->budget_of("b");
      },
      100ms));
}

BOOST_AUTO_TEST_CASE(a_results_write_failing_while_running_stops_the_campaign_and_exits_failed_while_running) {
  TempDir dir;
  const std::string results = dir.path() + "/results";
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("write", results, 1), clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-write", "a");
  agent.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  std::filesystem::remove_all(results);  // the disk goes away under the broker
  clock.advance(3s);
  grid::wire::StatsReport report = final_window(broker.plan().campaign_id, "a", 7, clock.wall_now() - 2s);
  report.windows[0].sources[0].final = false;
  agent.send(report);
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return broker.plan().state != CampaignState::running; }, 100ms));
  int steps = 0;
  while (broker.step() && steps++ < 500) clock.advance(100ms);
  BOOST_TEST(broker.finish() == grid::common::kExitFailure);
}

BOOST_AUTO_TEST_SUITE_END()
