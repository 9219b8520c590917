// The distributed grid end to end: real broker, relay, agent and target processes over
// loopback TCP on ephemeral ports, checked through summary.json and the target's count.
// Parents listen on tcp://127.0.0.1:0 and children get the ports they bound. Tests that
// wait for something to happen poll summary.json (bounded) and then stop the broker with
// SIGINT, so none depends on how fast the machine is.

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <functional>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>

#include "grid_fixture.hpp"
#include "protocol/wire/codec.hpp"
#include "tcp_forwarder.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

// A broker, one relay and one agent under it, running a campaign against a target.
struct RelayedGrid {
  TargetProcess target;
  TempDir dir;
  ParentProcess broker, relay;
  std::unique_ptr<ChildProcess> agent;
  RelayedGrid(const std::string& duration, int users) {
    broker = start_broker(campaign_file(dir.path(), target, duration, users), dir.path(), 1);
    relay = start_relay(broker.address, "relay", "default");
    agent = start_agent(relay.address, "agent", 1);
  }
};

// Sends each of `frames` as one message, then a two-frame message, to a PULL endpoint.
void push_frames(const std::string& endpoint, const std::vector<std::string>& frames) {
  zmq::context_t context(1);
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 2000);
  push.connect(endpoint);
  for (const auto& f : frames) push.send(zmq::buffer(f), zmq::send_flags::none);
  // A multipart message too: upstream messages are one frame.
  push.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  push.send(zmq::str_buffer("b"), zmq::send_flags::none);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_topology)

BOOST_AUTO_TEST_CASE(two_regions_split_3_to_1_and_capacity_weights_hold_and_totals_are_exact) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "4s", 48, "[regions]\na = 3\nb = 1\n");
  auto broker = start_broker(campaign, dir.path() + "/out", 4);
  auto ra = start_relay(broker.address, "relay-a", "a");
  auto rb = start_relay(broker.address, "relay-b", "b");
  auto a1 = start_agent(ra.address, "a1", 2);  // twice the capacity of its sibling
  auto a2 = start_agent(ra.address, "a2", 1);
  auto b1 = start_agent(rb.address, "b1", 1);
  auto b2 = start_agent(rb.address, "b2", 1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  const auto served = target.stats();
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(summary["total"]["requests"] == served["requests"]);
  BOOST_TEST(sum_agent_requests(summary) == summary["total"]["requests"].get<uint64_t>());
  BOOST_TEST(summary["regions"]["a"]["users"] == 36);
  BOOST_TEST(summary["regions"]["b"]["users"] == 12);
  // Agents started without --region count in their relay's region: each region's
  // requests are exactly its agents' requests.
  const uint64_t region_a = summary["regions"]["a"]["requests"], region_b = summary["regions"]["b"]["requests"];
  BOOST_TEST(region_a == requests_of(summary, "a1") + requests_of(summary, "a2"));
  BOOST_TEST(region_b == requests_of(summary, "b1") + requests_of(summary, "b2"));
  BOOST_TEST(region_a + region_b == summary["total"]["requests"].get<uint64_t>());
  BOOST_TEST(agent_named(summary, "a1")["region"] == "a");
  BOOST_TEST(agent_named(summary, "a2")["region"] == "a");
  BOOST_TEST(agent_named(summary, "b1")["region"] == "b");
  BOOST_TEST(agent_named(summary, "b2")["region"] == "b");
  BOOST_TEST(agent_named(summary, "a1")["users"] == 24);
  BOOST_TEST(agent_named(summary, "a2")["users"] == 12);
  BOOST_TEST(agent_named(summary, "b1")["users"] == 6);
  BOOST_TEST(agent_named(summary, "b2")["users"] == 6);
  BOOST_TEST(summary["health"]["relays"] == 2);
  BOOST_TEST(summary["health"]["duplicate_windows"] == 0);
  BOOST_REQUIRE(summary["agents"].size() == 4u);
  for (const auto& a : summary["agents"]) {
    BOOST_TEST_CONTEXT("agent " << a["id"]) {
      BOOST_TEST(a["state"] == "finished");
      BOOST_TEST(a["clock_offset_ms"].is_number());
      BOOST_TEST(a["requests"].get<uint64_t>() > 0u);
    }
  }
  // Every agent made its first request inside the campaign (all four made requests), so
  // the spread of first requests cannot exceed the campaign's duration; a unit or clock
  // mix-up (µs for ms, an agent's own clock for broker time) would.
  const auto& spread = summary["health"]["first_request_spread_ms"];
  BOOST_REQUIRE(spread.is_number());
  BOOST_TEST(spread.get<double>() <= summary["duration_s"].get<double>() * 1000.0);
}

BOOST_AUTO_TEST_CASE(relay_under_a_relay_and_agent_under_the_broker_both_count) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "3s", 10);
  auto broker = start_broker(campaign, dir.path(), 2);
  auto upper = start_relay(broker.address, "upper", "default");
  auto lower = start_relay(upper.address, "lower", "default");
  auto deep = start_agent(lower.address, "deep", 1);
  auto direct = start_agent(broker.address, "direct", 1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(sum_agent_requests(summary) == summary["total"]["requests"].get<uint64_t>());
  BOOST_TEST(requests_of(summary, "deep") > 0u);
  BOOST_TEST(requests_of(summary, "direct") > 0u);
  BOOST_TEST(agent_named(summary, "deep")["users"] == 5);
  BOOST_TEST(agent_named(summary, "direct")["users"] == 5);
}

BOOST_AUTO_TEST_CASE(agent_and_relay_keep_running_across_campaigns) {
  TargetProcess target;
  TempDir dir;
  // The relay keeps one parent address while brokers come and go; each broker binds new
  // ephemeral ports, so two forwarders (which hold their own ports throughout) stand for
  // the parent's plans and reports ports.
  TcpForwarder plans, reports;
  const std::string parent = "tcp://127.0.0.1:" + std::to_string(plans.port()) + "," + std::to_string(reports.port());
  auto relay = start_relay(parent, "relay", "default");
  auto agent = start_agent(relay.address, "agent", 1);
  for (int round = 1; round <= 2; ++round) {
    BOOST_TEST_CONTEXT("campaign " << round) {
      const std::string out = dir.path() + "/round" + std::to_string(round);
      const auto campaign = campaign_file(dir.path(), target, "2s", 3);
      auto broker = start_broker(campaign, out, 1);
      const std::string ports = broker.address.substr(broker.address.rfind(':') + 1);  // PLANS,REPORTS
      plans.set_upstream(static_cast<uint16_t>(std::stoi(ports.substr(0, ports.find(',')))));
      reports.set_upstream(static_cast<uint16_t>(std::stoi(ports.substr(ports.find(',') + 1))));
      BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
      const auto summary = read_json(out + "/summary.json");
      BOOST_TEST(requests_of(summary, "agent") > 0u);
      BOOST_TEST(summary["health"]["relays"] == 1);
    }
  }
  BOOST_TEST(!agent->wait_for_exit(0ms).has_value());
  BOOST_TEST(!relay->wait_for_exit(0ms).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grid_membership)

BOOST_AUTO_TEST_CASE(agent_started_after_the_campaign_began_joins_it) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "60s", 10);  // interval 1 s
  auto broker = start_broker(campaign, dir.path(), 1);
  auto first = start_agent(broker.address, "first", 1);
  // Wait (bounded) until the window that starts 2 s after the first window with requests
  // has been released (so has ended): the first agent's first request is then over 2 s
  // old when the late agent starts.
  uint64_t first_load_window_ms = 0;
  wait_for_summary(dir.path(), *broker, "two windows released after the first with requests", [&](nlohmann::json&) {
    const auto rows = timeseries_rows(dir.path());
    const auto loaded = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.second > 0; });
    if (loaded == rows.end()) return false;
    first_load_window_ms = loaded->first;
    return rows.back().first >= first_load_window_ms + 2000;
  });
  const uint64_t late_started_ms = unix_now_ms();
  auto late = start_agent(broker.address, "late", 1);
  wait_for_summary(
      dir.path(), *broker, "the late agent running its half of the users with requests counted",
      [](nlohmann::json& s) { return requests_of(s, "late") > 0 && agent_named(s, "late")["users"] == 5; });
  const uint64_t late_counted_ms = unix_now_ms();
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["state"] == "interrupted");  // SIGINT before the campaign's end
  BOOST_TEST(requests_of(summary, "late") > 0u);
  BOOST_TEST(agent_named(summary, "late")["users"] == 5);
  BOOST_TEST(agent_named(summary, "first")["users"] == 10);  // alone, before the late one came
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  // Orderings of instants we saw, not durations we hope for. The first agent's first
  // request started inside the first window with requests (before it ended, at
  // first_load_window_ms + 1 s); the late one's after we started it. And no first request
  // came before the start instant or after we saw the late agent's requests counted.
  // The slack covers the agents' clock-offset estimates (same machine: well below it); a
  // unit mix-up (µs for ms) or a spread over the wrong agents would break a bound by far.
  BOOST_REQUIRE(summary["health"]["first_request_spread_ms"].is_number());
  const double spread = summary["health"]["first_request_spread_ms"].get<double>();
  constexpr double kClockSlackMs = 100;
  const double at_least = static_cast<double>(late_started_ms) - static_cast<double>(first_load_window_ms + 1000);
  const double at_most = static_cast<double>(late_counted_ms) - summary["started_unix_ms"].get<double>();
  BOOST_TEST_MESSAGE("first-request spread " << spread << " ms; bounds [" << at_least << ", " << at_most << "]");
  BOOST_TEST(at_least >= 2000.0);  // by construction, see the wait above
  BOOST_TEST(spread >= at_least - kClockSlackMs, spread << " ms, at least " << at_least);
  BOOST_TEST(spread <= at_most + kClockSlackMs, spread << " ms, at most " << at_most);
}

BOOST_AUTO_TEST_CASE(killed_agent_is_declared_lost_after_the_kill_and_its_users_move_to_its_sibling) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "60s", 20);
  auto broker = start_broker(campaign, dir.path(), 2);
  // A short dead-man timeout: the victim's share is held back from the survivor until the
  // victim must have stopped firing (it might only be cut off, not dead).
  auto survivor = start_agent(broker.address, "survivor", 1, "default", {"--deadman", "2s"});
  auto victim = start_agent(broker.address, "victim", 1, "default", {"--deadman", "2s"});
  wait_for_summary(dir.path(), *broker, "requests of the victim counted",
                   [](nlohmann::json& s) { return requests_of(s, "victim") > 0; });
  const uint64_t killed_at_ms = unix_now_ms();
  victim->signal(SIGKILL);
  wait_for_summary(dir.path(), *broker, "the victim lost and the survivor running all 20 users", [](nlohmann::json& s) {
    return agent_named(s, "victim")["state"] == "lost" && agent_named(s, "survivor")["users"] == 20;
  });
  const uint64_t stopped_at_ms = unix_now_ms();
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "victim")["state"] == "lost");
  BOOST_TEST(requests_of(summary, "victim") > 0u);
  BOOST_TEST(agent_named(summary, "survivor")["users"] == 20);  // took over the victim's share
  BOOST_TEST(agent_named(summary, "survivor")["state"] == "finished");
  BOOST_TEST(summary["health"]["lost_agents"] == 1);
  // "victim (agent) at 12.3s": seconds since the start instant, rounded to 0.1 s. The
  // broker declared it lost after we killed it and before we stopped the campaign.
  BOOST_REQUIRE(summary["health"]["lost"].size() == 1u);
  const std::string lost = summary["health"]["lost"][0];
  BOOST_TEST(lost.rfind("victim (agent) at ", 0) == 0u, lost);
  const double lost_at_s = std::stod(lost.substr(lost.rfind(" at ") + 4));
  const double lost_unix_ms = summary["started_unix_ms"].get<double>() + lost_at_s * 1000;
  constexpr double kRounding = 50;  // the 0.1 s of the text
  BOOST_TEST(lost_unix_ms + kRounding >= static_cast<double>(killed_at_ms), lost << " killed at " << killed_at_ms);
  BOOST_TEST(lost_unix_ms - kRounding <= static_cast<double>(stopped_at_ms), lost << " stopped at " << stopped_at_ms);
  BOOST_TEST(broker->err().find("victim") != std::string::npos);
  // What the victim sent and never reported is bounded by what it announced it may start.
  const uint64_t served = target.stats()["requests"].get<uint64_t>();
  const uint64_t counted = summary["total"]["requests"].get<uint64_t>();
  const uint64_t unaccounted = summary["health"]["unaccounted_requests"].get<uint64_t>();
  BOOST_TEST(unaccounted > 0u);
  BOOST_TEST(counted <= served);
  BOOST_TEST(served <= counted + unaccounted, served << " served, " << counted << " counted + " << unaccounted);
}

BOOST_AUTO_TEST_CASE(agent_killed_under_a_relay_is_reported_lost_and_its_sibling_takes_its_users) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "60s", 12), dir.path(), 2);
  auto relay = start_relay(broker.address, "relay", "default");
  auto survivor = start_agent(relay.address, "survivor", 1, "default", {"--deadman", "2s"});
  auto victim = start_agent(relay.address, "victim", 1, "default", {"--deadman", "2s"});
  wait_for_summary(dir.path(), *broker, "requests of the victim counted",
                   [](nlohmann::json& s) { return requests_of(s, "victim") > 0; });
  victim->signal(SIGKILL);
  wait_for_summary(dir.path(), *broker, "the victim lost and the survivor running all 12 users", [](nlohmann::json& s) {
    return agent_named(s, "victim")["state"] == "lost" && agent_named(s, "survivor")["users"] == 12;
  });
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "victim")["state"] == "lost");
  BOOST_TEST(agent_named(summary, "survivor")["users"] == 12);
  BOOST_TEST(agent_named(summary, "survivor")["state"] == "finished");
  BOOST_TEST(summary["health"]["lost"].dump().find("victim (agent, reported by relay)") != std::string::npos,
             summary["health"]["lost"].dump());
  BOOST_TEST(relay->err().find("victim lost") != std::string::npos, relay->err());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grid_robustness)

BOOST_AUTO_TEST_CASE(malformed_frames_to_broker_and_relay_are_rejected_and_counted) {
  RelayedGrid grid("60s", 6);
  const std::vector<std::string> garbage = {"",
                                            "not msgpack at all",
                                            std::string("\x94\x03\x01\xa1x\xc1", 6),
                                            std::string("\xdd\xff\xff\xff\xff", 5),
                                            std::string("\x94\x63\x01\xa1x\x90", 6),
                                            std::string(4096, '\xff')};
  push_frames(grid.broker.reports_endpoint(), garbage);
  push_frames(grid.relay.reports_endpoint(), garbage);
  // The relay's count reaches the broker in its heartbeats: wait for both, and for load.
  const uint64_t expected = 2 * (garbage.size() + 1);
  wait_for_summary(grid.dir.path(), *grid.broker, "every frame rejected and requests counted", [&](nlohmann::json& s) {
    return s["health"]["rejected_frames"].get<uint64_t>() >= expected && s["total"]["requests"].get<uint64_t>() > 0;
  });
  BOOST_REQUIRE_EQUAL(stop_broker(*grid.broker), 0);
  const auto summary = read_json(grid.dir.path() + "/summary.json");
  BOOST_TEST(summary["health"]["rejected_frames"].get<uint64_t>() == expected);
  BOOST_TEST(summary["total"]["requests"] == grid.target.stats()["requests"]);
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(grid.broker->err().find("rejected") != std::string::npos);
  BOOST_TEST(grid.relay->err().find("rejected") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(warnings_forwarded_through_a_relay_reach_the_broker_summary) {
  RelayedGrid grid("60s", 4);
  // A controlled peer: a well-formed warning from a node the relay never heard of before.
  grid::wire::LogRecord record;
  record.level = grid::wire::LogLevel::warning;
  record.text = "agent CPU at 97% of 1 cores: results may be limited by the generator";
  {
    zmq::context_t context(1);
    zmq::socket_t push(context, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 2000);
    push.connect(grid.relay.reports_endpoint());
    push.send(zmq::buffer(grid::wire::encode(record, "hot-agent")), zmq::send_flags::none);
  }
  const auto has_warning = [](nlohmann::json& s) {
    for (const auto& w : s["warnings"]) {
      if (w.get<std::string>().find("hot-agent: agent CPU at 97%") != std::string::npos) return true;
    }
    return false;
  };
  wait_for_summary(grid.dir.path(), *grid.broker, "the forwarded warning", has_warning);
  BOOST_REQUIRE_EQUAL(stop_broker(*grid.broker), 0);
  auto summary = read_json(grid.dir.path() + "/summary.json");
  BOOST_TEST(has_warning(summary), summary["warnings"].dump());
  BOOST_TEST(grid.broker->err().find("hot-agent: agent CPU at 97%") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broker_without_agents_exits_3_after_its_timeout) {
  TempDir dir;
  const std::string path = dir.path() + "/c.ini";
  std::ofstream(path)
      << "[campaign]\nname = lonely\nduration = 1s\n[load]\nusers = 1\n[request.a]\nurl = http://127.0.0.1:1/\n";
  ChildProcess broker({kBinary, "broker", path, "--listen", "tcp://127.0.0.1:0", "--results", dir.path(),
                       "--expect-agents", "1", "--expect-timeout", "1s"});
  BOOST_TEST(run_to_end(broker) == 3);
  BOOST_TEST(broker.err().find("no agent joined") != std::string::npos, broker.err());
}

BOOST_AUTO_TEST_CASE(sigint_while_the_broker_waits_for_agents_stops_it_before_any_start_with_exit_3) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "60s", 4);
  auto broker = listening_parent(std::make_unique<ChildProcess>(
      std::vector<std::string>{kBinary, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results", dir.path(),
                               "--expect-agents", "2", "--expect-timeout", "60s", "--log-level", "debug"}));
  auto agent = start_agent(broker.address, "only-one", 1);
  // One of the two expected agents is there (the broker says so at debug level).
  BOOST_TEST_REQUIRE(broker->wait_for_err_line("child only-one joined", std::chrono::seconds(20)).has_value(),
                     broker->err());
  broker->signal(SIGINT);
  BOOST_TEST(run_to_end(*broker) == 3);
  BOOST_TEST(broker->err().find("stopped before the campaign started (1 of 2 agents had joined)") != std::string::npos,
             broker->err());
  BOOST_TEST(broker->err().find("starts with") == std::string::npos, broker->err());  // never started
  BOOST_TEST(target.stats()["requests"] == 0);
}

BOOST_AUTO_TEST_CASE(node_subcommands_have_help_and_reject_bad_addresses) {
  for (const char* cmd : {"broker", "relay", "agent"}) {
    ChildProcess help({kBinary, cmd, "--help"});
    BOOST_TEST(run_to_end(help) == 0);
    BOOST_TEST((help.out().find("--listen") != std::string::npos || help.out().find("--parent") != std::string::npos));
  }
  ChildProcess bad({kBinary, "agent", "--parent", "udp://nowhere"});
  BOOST_TEST(run_to_end(bad) == 2);
  BOOST_TEST(bad.err().find("udp://nowhere") != std::string::npos, bad.err());
  ChildProcess bad_pair({kBinary, "agent", "--parent", "tcp://127.0.0.1:5557,0"});
  BOOST_TEST(run_to_end(bad_pair) == 2);
  BOOST_TEST(bad_pair.err().find("tcp://127.0.0.1:5557,0") != std::string::npos, bad_pair.err());
  TempDir dir;
  const std::string path = dir.path() + "/c.ini";
  std::ofstream(path)
      << "[campaign]\nname = c\nduration = 1s\n[load]\nusers = 1\n[request.a]\nurl = http://127.0.0.1:1/\n";
  ChildProcess bad_listen({kBinary, "broker", path, "--listen", "tcp://127.0.0.1:0,1", "--results", dir.path()});
  BOOST_TEST(run_to_end(bad_listen) == 2);
  BOOST_TEST(bad_listen.err().find("tcp://127.0.0.1:0,1") != std::string::npos, bad_listen.err());
}

BOOST_AUTO_TEST_CASE(node_ids_and_regions_outside_the_safe_alphabet_are_refused_by_name) {
  for (const char* cmd : {"relay", "agent"}) {
    ChildProcess bad_id({kBinary, cmd, "--parent", "tcp://127.0.0.1:5557", "--id", "../x"});
    BOOST_TEST(run_to_end(bad_id) == 2);
    BOOST_TEST(bad_id.err().find("--id: '../x' is not a safe name") != std::string::npos, bad_id.err());
    ChildProcess bad_region({kBinary, cmd, "--parent", "tcp://127.0.0.1:5557", "--region", "eu/west"});
    BOOST_TEST(run_to_end(bad_region) == 2);
    BOOST_TEST(bad_region.err().find("--region: 'eu/west' is not a safe name") != std::string::npos, bad_region.err());
  }
}

BOOST_AUTO_TEST_CASE(node_options_come_from_an_ini_file_and_the_command_line_wins) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = campaign_file(dir.path(), target, "60s", 4);
  auto broker = start_broker(campaign, dir.path(), 1);
  const std::string ini = dir.path() + "/agent.ini";
  std::ofstream(ini) << "parent = " << broker.address << "\nid = from-file\nthreads = 1\nregion = r\n";
  ChildProcess agent({kBinary, "agent", "--config", ini, "--id", "from-cli"});
  wait_for_summary(dir.path(), *broker, "requests of agent from-cli counted",
                   [](nlohmann::json& s) { return requests_of(s, "from-cli") > 0; });
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "from-cli")["region"] == "r");
  BOOST_TEST(requests_of(summary, "from-cli") > 0u);
  BOOST_TEST(summary["agents"].size() == 1u);  // no agent named from-file
}

BOOST_AUTO_TEST_SUITE_END()
