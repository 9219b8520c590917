// BrokerNode driven step by step with a manual clock and fake children over real inproc
// ZeroMQ sockets: waiting for agents, the start instant, the end of the campaign, lost
// children and exit codes, with no wall-clock waits deciding anything.

#include <filesystem>
#include <fstream>
#include <optional>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "broker/broker_node.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/wire/codec.hpp"
#include "support/child_process.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"
#include "support/threshold_specs.hpp"

using namespace std::chrono_literals;
using grid::broker::BrokerNode;
using grid::broker::BrokerOptions;
using grid::broker::Campaign;
using grid::test::FakeChild;
using grid::test::frame_of;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::test::TempDir;
using grid::test::threshold;
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

// summary.json in `dir`; an empty object while there is none.
nlohmann::json read_summary(const std::string& dir) {
  std::ifstream in(dir + "/summary.json");
  auto doc = nlohmann::json::parse(in, nullptr, false);
  return doc.is_object() ? doc : nlohmann::json::object();
}

// One window of `agent` at the window holding `at` that is not its last, with `requests`
// requests and no latency sample.
grid::wire::StatsReport window(const std::string& campaign_id, const std::string& agent, uint64_t requests,
                               grid::common::WallTime at) {
  auto report = final_window(campaign_id, agent, requests, at);
  report.windows[0].sources[0].final = false;
  return report;
}

// Steps a running broker with one agent "a" to the end of its campaign: the end instant,
// the agent's final window of `final_requests` requests, the last snapshots. Returns finish().
int run_to_the_end(BrokerNode& broker, ManualClock& clock, FakeChild& agent, uint64_t final_requests) {
  const auto end = grid::common::from_unix_us(broker.plan().end_unix_us());
  if (broker.plan().state == CampaignState::running && clock.wall_now() < end) clock.advance(end - clock.wall_now());
  agent.heartbeat();
  step_broker_until(broker, clock, [&] { return broker.plan().state != CampaignState::running; });
  agent.send(final_window(broker.plan().campaign_id, "a", final_requests, clock.wall_now() - 100ms));
  step_broker_until(
      broker, clock, [&] { return broker.plan().state == CampaignState::finished; }, 10ms);
  for (int steps = 0; broker.step() && steps < 100; ++steps) clock.advance(50ms);
  return broker.finish();
}

// The broker `name` with campaign `c`, started, and its one agent "a", once running.
struct RunningBroker {
  RunningBroker(const std::string& name, Campaign c)
      : broker(context, std::move(c), options(name, dir.path(), 1), clock),
        agent(context, "inproc://broker-" + name, "a") {
    broker.start();
    agent.hello();
    BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  }
  // Moves the clock to `offset` after the start instant.
  void at(std::chrono::milliseconds offset) {
    const auto target = grid::common::from_unix_us(broker.plan().start_unix_us) + offset;
    if (clock.wall_now() < target) clock.advance(target - clock.wall_now());
    agent.heartbeat();
  }
  bool warned(const std::string& text) const {
    for (const auto& w : broker.report().warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  }
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker;
  FakeChild agent;
};

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

BOOST_AUTO_TEST_CASE(an_agent_above_90_percent_cpu_for_10_s_gives_part_of_its_users_to_its_sibling_and_it_is_reported) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  Campaign c = campaign();
  c.duration = 60s;
  BrokerNode broker(context, std::move(c), options("cpu", dir.path(), 2), clock);
  broker.start();
  FakeChild hot(context, "inproc://broker-cpu", "hot");
  FakeChild cool(context, "inproc://broker-cpu", "cool");
  hot.hello();  // one engine core each
  cool.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  const auto users_of = [&](const std::string& id) {
    const auto b = broker.plan().budget_of(id);
    return b ? b->users : 0u;
  };
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return users_of("hot") == 5 && users_of("cool") == 5; }, 100ms));
  const auto first_hot = clock.steady_now() + 1s;
  std::optional<std::chrono::nanoseconds> moved_after;
  for (int s = 0; s < 14 && !moved_after; ++s) {
    clock.advance(1s);
    hot.heartbeat(grid::wire::NodeKind::agent, 1, 1, 99);
    cool.heartbeat(grid::wire::NodeKind::agent, 1, 1, 20);
    step_until([] { return false; }, [&] { broker.step(); }, 4);
    BOOST_TEST(users_of("hot") + users_of("cool") == 10u);
    if (users_of("hot") != 5) moved_after = clock.steady_now() - first_hot;
  }
  BOOST_TEST_REQUIRE(moved_after.has_value());
  BOOST_TEST(*moved_after >= 10s);
  BOOST_TEST(*moved_after <= 12s);
  BOOST_TEST(users_of("hot") == 4u);
  BOOST_TEST(users_of("cool") == 6u);
  bool warned = false;
  for (const auto& w : broker.report().warnings) {
    warned = warned || (w.find("agent hot CPU above 90% for 1") != std::string::npos &&
                        w.find("its share goes down to 75% of its capacity") != std::string::npos);
  }
  BOOST_TEST(warned);
  BOOST_TEST(broker.report().lost.empty());
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

BOOST_AUTO_TEST_CASE(a_threshold_failing_after_the_abort_grace_stops_the_campaign_before_its_end_and_exits_4) {
  Campaign c = campaign();
  c.thresholds = {threshold("requests", "<", 10, "10")};
  c.abort_on_fail = true;
  c.abort_grace = 3s;
  RunningBroker g("abort", c);
  g.at(4s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 42, g.clock.wall_now() - 1500ms));
  BOOST_TEST_REQUIRE(step_broker_until(
      g.broker, g.clock, [&] { return g.broker.plan().state != CampaignState::running; }, 10ms));
  BOOST_TEST((g.broker.plan().state == CampaignState::stopping));
  BOOST_TEST((g.clock.wall_now() < grid::common::from_unix_us(g.broker.plan().end_unix_us())));
  BOOST_TEST(g.warned("threshold requests < 10 failed (observed 42): stopping the campaign"));
  BOOST_TEST(run_to_the_end(g.broker, g.clock, g.agent, 1) == grid::common::kExitThresholdsFailed);
  const auto summary = read_summary(g.dir.path());
  BOOST_TEST(summary["aborted_by"] == "requests < 10");
  BOOST_TEST(summary["thresholds_passed"] == false);
  BOOST_TEST(summary["thresholds"][0]["value"] == 43);
  BOOST_TEST(std::filesystem::exists(g.dir.path() + "/junit.xml"));
}

BOOST_AUTO_TEST_CASE(a_threshold_failing_before_the_abort_grace_does_not_stop_the_campaign) {
  Campaign c = campaign();
  c.thresholds = {threshold("requests", "<", 10, "10")};
  c.abort_on_fail = true;
  c.abort_grace = 6s;
  RunningBroker g("grace", c);
  g.at(3s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 42, g.clock.wall_now() - 1500ms));
  // The window is shown and evaluated (summary.json has the failure), but it is too early.
  BOOST_TEST_REQUIRE(step_broker_until(
      g.broker, g.clock, [&] { return read_summary(g.dir.path())["thresholds"][0]["value"] == 42; }, 10ms));
  for (int i = 0; i < 20; ++i) {
    g.clock.advance(100ms);  // 2 s more: still before the grace ends
    g.broker.step();
  }
  BOOST_TEST((g.broker.plan().state == CampaignState::running));
  BOOST_TEST(read_summary(g.dir.path())["thresholds"][0]["pass"] == false);
  BOOST_TEST(read_summary(g.dir.path())["aborted_by"].is_null());
  // Past the grace, the next window with the threshold still failing stops the campaign.
  g.at(6s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 1, g.clock.wall_now() - 1500ms));
  BOOST_TEST_REQUIRE(step_broker_until(
      g.broker, g.clock, [&] { return g.broker.plan().state != CampaignState::running; }, 10ms));
  BOOST_TEST(g.warned("threshold requests < 10 failed (observed 43)"));
}

BOOST_AUTO_TEST_CASE(a_threshold_without_data_does_not_stop_the_campaign_but_fails_at_the_end) {
  Campaign c = campaign();
  c.thresholds = {threshold("p99", "<", 500, "500ms")};  // the fake windows carry no latency
  c.abort_on_fail = true;
  RunningBroker g("no-data", c);
  g.at(4s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 42, g.clock.wall_now() - 1500ms));
  BOOST_TEST_REQUIRE(step_broker_until(
      g.broker, g.clock, [&] { return read_summary(g.dir.path())["total"]["requests"] == 42; }, 10ms));
  for (int i = 0; i < 20; ++i) {
    g.clock.advance(100ms);
    g.broker.step();
  }
  BOOST_TEST((g.broker.plan().state == CampaignState::running));
  BOOST_TEST(run_to_the_end(g.broker, g.clock, g.agent, 1) == grid::common::kExitThresholdsFailed);
  const auto summary = read_summary(g.dir.path());
  BOOST_TEST(summary["aborted_by"].is_null());
  BOOST_TEST(summary["thresholds"][0]["value"].is_null());
  BOOST_TEST(summary["thresholds"][0]["pass"] == false);
}

BOOST_AUTO_TEST_CASE(without_abort_on_fail_a_failing_threshold_lets_the_campaign_run_to_its_end_and_exits_4) {
  Campaign c = campaign();
  c.thresholds = {threshold("requests", ">", 0, "0"), threshold("requests", "<", 10, "10")};
  RunningBroker g("no-abort", c);
  g.at(4s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 42, g.clock.wall_now() - 1500ms));
  BOOST_TEST_REQUIRE(step_broker_until(
      g.broker, g.clock, [&] { return read_summary(g.dir.path())["thresholds"][1]["pass"] == false; }, 10ms));
  BOOST_TEST((g.broker.plan().state == CampaignState::running));
  BOOST_TEST(run_to_the_end(g.broker, g.clock, g.agent, 1) == grid::common::kExitThresholdsFailed);
  const auto summary = read_summary(g.dir.path());
  BOOST_TEST(summary["thresholds"][0]["pass"] == true);
  BOOST_TEST(summary["thresholds"][1]["pass"] == false);
  BOOST_TEST(summary["thresholds"][1]["value"] == 43);
  BOOST_TEST(summary["aborted_by"].is_null());
}

BOOST_AUTO_TEST_CASE(thresholds_that_pass_on_the_final_data_exit_0_and_write_a_junit_xml_without_failures) {
  Campaign c = campaign();
  c.thresholds = {threshold("requests", ">", 0, "0"), threshold("failures", "<", 1, "1")};
  c.abort_on_fail = true;  // passing thresholds never stop a run
  RunningBroker g("pass", c);
  g.at(4s);
  g.agent.send(window(g.broker.plan().campaign_id, "a", 42, g.clock.wall_now() - 1500ms));
  BOOST_TEST(run_to_the_end(g.broker, g.clock, g.agent, 1) == grid::common::kExitOk);
  const auto summary = read_summary(g.dir.path());
  BOOST_TEST(summary["thresholds_passed"] == true);
  std::ifstream in(g.dir.path() + "/junit.xml");
  const std::string junit((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(junit.find("tests=\"2\" failures=\"0\"") != std::string::npos, junit);
}

BOOST_AUTO_TEST_CASE(a_campaign_without_thresholds_writes_no_junit_xml) {
  RunningBroker g("no-thresholds", campaign());
  BOOST_TEST(run_to_the_end(g.broker, g.clock, g.agent, 5) == grid::common::kExitOk);
  BOOST_TEST(std::filesystem::exists(g.dir.path() + "/summary.json"));
  BOOST_TEST(!std::filesystem::exists(g.dir.path() + "/junit.xml"));
  BOOST_TEST(read_summary(g.dir.path())["thresholds"].empty());
}

// docs/compatibility.md: a child of another protocol version (here the next, as a newer
// release speaks it) is refused whole, named with both versions in the broker's warnings
// and summary.json, its frames counted as rejected; the campaign runs on without it.
BOOST_AUTO_TEST_CASE(a_child_of_another_protocol_version_is_refused_named_in_the_warnings_and_the_campaign_runs_on) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("future", dir.path(), 1), clock);
  broker.start();
  FakeChild future(context, "inproc://broker-future", "future-1");
  FakeChild agent(context, "inproc://broker-future", "a");
  const uint64_t next = grid::wire::kProtocolVersion + 1;
  grid::wire::Hello hello;
  hello.cores = 8;
  hello.software_version = "0.3.0";
  future.send_raw(frame_of(grid::wire::MessageType::hello, next, "future-1", hello));
  grid::wire::Heartbeat beat;
  beat.capacity = 8;
  beat.agents = 1;
  future.send_raw(frame_of(grid::wire::MessageType::heartbeat, next, "future-1", beat));
  // Refused: it is no agent, so the broker still waits for one.
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return broker.report().rejected_frames == 2; }, 100ms));
  BOOST_TEST((broker.plan().state == CampaignState::waiting));
  const std::string expected = "child future-1 speaks protocol version " + std::to_string(next) +
                               ", this node (broker-future) speaks " + std::to_string(grid::wire::kProtocolVersion);
  const auto& warnings = broker.report().warnings;
  BOOST_TEST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].find(expected) != std::string::npos, warnings[0]);
  agent.hello();
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock,
      [&] {
        const auto p = agent.latest_plan();
        return p && p->budget_of("a") && p->budget_of("a")->users == 10;
      },
      100ms));
  BOOST_TEST(!agent.latest_plan()->budget_of("future-1"));
  BOOST_TEST(run_to_the_end(broker, clock, agent, 7) == grid::common::kExitOk);
  const auto summary = read_summary(dir.path());
  BOOST_TEST(summary["health"]["rejected_frames"] == 2);
  BOOST_TEST(summary["warnings"].dump().find(expected) != std::string::npos, summary["warnings"].dump());
  BOOST_TEST(summary["total"]["requests"] == 7);
}

// docs/compatibility.md: an agent of the previous minor release speaks our protocol
// version with the layouts of its day (a heartbeat without the fields appended in 0.4 and
// 0.5, a stats report without `resent`): accepted, its requests counted, nothing rejected.
BOOST_AUTO_TEST_CASE(an_agent_of_the_previous_minor_release_sending_old_layouts_is_accepted_and_counted) {
  using grid::wire::MessageType;
  constexpr auto v = grid::wire::kProtocolVersion;
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  BrokerNode broker(context, campaign(), options("older", dir.path(), 1), clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-older", "a");
  agent.send_raw(frame_of(MessageType::hello, v, "a",
                          std::make_tuple(uint8_t{0}, std::string("default"), std::string("old-host"), 2u,
                                          uint64_t{1} << 30, 0u, std::string("0.1.0"))));
  auto old_heartbeat = [&] {
    return frame_of(
        MessageType::heartbeat, v, "a",
        std::make_tuple(0.0, uint64_t{0}, 10u, broker.plan().epoch, grid::common::to_unix_us(clock.wall_now()),
                        uint8_t{0}, std::string("default"), 2.0, 0u, 1u, int64_t{0}, uint64_t{0},
                        std::vector<std::string>{}, 1u, uint64_t{0}, uint64_t{0}));
  };
  agent.send_raw(old_heartbeat());
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state == CampaignState::running; }));
  BOOST_TEST(broker.plan().budget_of("a").value().users == 10u);
  const auto end = grid::common::from_unix_us(broker.plan().end_unix_us());
  clock.advance(end - clock.wall_now());
  agent.send_raw(old_heartbeat());
  BOOST_TEST_REQUIRE(step_broker_until(broker, clock, [&] { return broker.plan().state != CampaignState::running; }));
  const auto report = final_window(broker.plan().campaign_id, "a", 42, clock.wall_now() - 100ms);
  agent.send_raw(frame_of(MessageType::stats, v, "a", std::make_tuple(report.windows, report.campaign_id)));
  BOOST_TEST_REQUIRE(step_broker_until(
      broker, clock, [&] { return broker.plan().state == CampaignState::finished; }, 10ms));
  for (int steps = 0; broker.step() && steps < 100; ++steps) clock.advance(50ms);
  BOOST_TEST(broker.finish() == grid::common::kExitOk);
  BOOST_TEST(broker.report().rejected_frames == 0u);
  BOOST_TEST(broker.report().counted_pairs == 1u);
  BOOST_TEST(read_summary(dir.path())["total"]["requests"] == 42);
}

BOOST_AUTO_TEST_SUITE_END()
