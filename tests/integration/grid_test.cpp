// The distributed grid end to end: real broker, relay, agent and target processes over
// loopback TCP on ephemeral ports, checked through summary.json and the target's count.

#include <csignal>
#include <filesystem>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>

#include "grid_fixture.hpp"
#include "protocol/wire/codec.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

std::string campaign_file(const std::string& dir, const TargetProcess& target, const std::string& duration, int users,
                          const std::string& regions = "") {
  const std::string path = dir + "/grid.ini";
  std::ofstream(path) << "[campaign]\nname = grid\nduration = " << duration << "\ninterval = 1s\n"
                      << "[load]\nusers = " << users << "\nthink_time = 20ms\n"
                      << regions << "[request.home]\nurl = " << target.url("/") << "\ntimeout = 2s\n";
  return path;
}

int broker_exit(ChildProcess& broker) {
  const auto code = broker.wait_for_exit(120s);
  if (!code) throw std::runtime_error("broker did not finish: " + broker.err());
  if (*code != 0) BOOST_TEST_MESSAGE("broker stderr:\n" << broker.err());
  return *code;
}

// Waits (bounded) until the broker has counted requests: the campaign is running.
void wait_until_requests_counted(const std::string& dir) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (read_json(dir + "/summary.json")["total"]["requests"].get<uint64_t>() > 0) return;
    } catch (const std::exception&) {
      // not written yet
    }
    std::this_thread::sleep_for(50ms);
  }
  BOOST_FAIL("the broker counted no request within 20 s");
}

uint64_t sum_agent_requests(const nlohmann::json& summary) {
  uint64_t n = 0;
  for (const auto& a : summary["agents"]) n += a["requests"].get<uint64_t>();
  return n;
}

// A broker, one relay and one agent under it, running a short campaign against a target.
struct RelayedGrid {
  TargetProcess target;
  TempDir dir;
  int broker_port = free_port_pair();
  int relay_port = free_port_pair();
  std::unique_ptr<ChildProcess> broker, relay, agent;
  RelayedGrid(const std::string& duration, int users) {
    broker = start_broker(campaign_file(dir.path(), target, duration, users), broker_port, dir.path(), 1);
    relay = start_relay(broker_port, relay_port, "relay", "default");
    agent = start_agent(relay_port, "agent", 1);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(grid)

BOOST_AUTO_TEST_CASE(two_regions_split_3_to_1_and_capacity_weights_hold_and_totals_are_exact) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair(), relay_a = free_port_pair(), relay_b = free_port_pair();
  const auto campaign = campaign_file(dir.path(), target, "4s", 48, "[regions]\na = 3\nb = 1\n");
  auto broker = start_broker(campaign, broker_port, dir.path() + "/out", 4);
  auto ra = start_relay(broker_port, relay_a, "relay-a", "a");
  auto rb = start_relay(broker_port, relay_b, "relay-b", "b");
  auto a1 = start_agent(relay_a, "a1", 2);  // twice the capacity of its sibling
  auto a2 = start_agent(relay_a, "a2", 1);
  auto b1 = start_agent(relay_b, "b1", 1);
  auto b2 = start_agent(relay_b, "b2", 1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  const auto served = target.stats();
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 100u);
  BOOST_TEST(summary["total"]["requests"] == served["requests"]);
  BOOST_TEST(sum_agent_requests(summary) == summary["total"]["requests"].get<uint64_t>());
  BOOST_TEST(summary["regions"]["a"]["users"] == 36);
  BOOST_TEST(summary["regions"]["b"]["users"] == 12);
  // Agents started without --region count in their relay's region.
  const uint64_t region_a = summary["regions"]["a"]["requests"], region_b = summary["regions"]["b"]["requests"];
  BOOST_TEST(region_a > region_b);
  BOOST_TEST(region_b > 0u);
  BOOST_TEST(region_a + region_b == summary["total"]["requests"].get<uint64_t>());
  BOOST_TEST(agent_named(summary, "a1")["region"] == "a");
  BOOST_TEST(agent_named(summary, "b2")["region"] == "b");
  BOOST_TEST(agent_named(summary, "a1")["users"] == 24);
  BOOST_TEST(agent_named(summary, "a2")["users"] == 12);
  BOOST_TEST(agent_named(summary, "b1")["users"] == 6);
  BOOST_TEST(agent_named(summary, "b2")["users"] == 6);
  BOOST_TEST(summary["health"]["relays"] == 2);
  BOOST_TEST(summary["health"]["duplicate_windows"] == 0);
  for (const auto& a : summary["agents"]) {
    BOOST_TEST(a["state"] == "finished");
    BOOST_TEST(a.contains("clock_offset_ms"));
  }
  BOOST_TEST(summary["health"].contains("first_request_spread_ms"));
  BOOST_TEST(summary["health"]["first_request_spread_ms"].get<double>() >= 0.0);
}

BOOST_AUTO_TEST_CASE(relay_under_a_relay_and_agent_under_the_broker_both_count) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair(), upper = free_port_pair(), lower = free_port_pair();
  const auto campaign = campaign_file(dir.path(), target, "3s", 10);
  auto broker = start_broker(campaign, broker_port, dir.path(), 2);
  auto r1 = start_relay(broker_port, upper, "upper", "default");
  auto r2 = start_relay(upper, lower, "lower", "default");
  auto deep = start_agent(lower, "deep", 1);
  auto direct = start_agent(broker_port, "direct", 1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(agent_named(summary, "deep")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(agent_named(summary, "direct")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(agent_named(summary, "deep")["users"] == 5);
  BOOST_TEST(agent_named(summary, "direct")["users"] == 5);
}

BOOST_AUTO_TEST_CASE(agent_started_after_the_campaign_began_joins_it) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair();
  const auto campaign = campaign_file(dir.path(), target, "6s", 10);
  auto broker = start_broker(campaign, broker_port, dir.path(), 1);
  auto first = start_agent(broker_port, "first", 1);
  // Bounded wait until the campaign runs (summary.json exists once a window is counted).
  wait_until_requests_counted(dir.path());
  auto late = start_agent(broker_port, "late", 1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "late")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(agent_named(summary, "late")["users"] == 5);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
}

BOOST_AUTO_TEST_CASE(killed_agent_is_declared_lost_within_5s_and_its_users_move_to_its_sibling) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair();
  const auto campaign = campaign_file(dir.path(), target, "10s", 20);
  auto broker = start_broker(campaign, broker_port, dir.path(), 2);
  auto survivor = start_agent(broker_port, "survivor", 1);
  auto victim = start_agent(broker_port, "victim", 1);
  wait_until_requests_counted(dir.path());
  std::this_thread::sleep_for(1s);  // let the victim run a little; not a synchronisation
  const auto killed_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
  victim->signal(SIGKILL);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "victim")["state"] == "lost");
  BOOST_TEST(agent_named(summary, "victim")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(agent_named(summary, "survivor")["users"] == 20);  // took over the victim's share
  BOOST_TEST(summary["health"]["lost_agents"] == 1);
  // "victim (agent) at 12.3s": seconds since the start instant.
  BOOST_REQUIRE(summary["health"]["lost"].size() == 1u);
  const std::string lost = summary["health"]["lost"][0];
  const double lost_at_s = std::stod(lost.substr(lost.rfind(" at ") + 4));
  const double lost_unix_ms = summary["started_unix_ms"].get<double>() + lost_at_s * 1000;
  BOOST_TEST(lost_unix_ms - static_cast<double>(killed_at_ms) <= 5000.0, lost);
  BOOST_TEST(broker->err().find("victim") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_frames_to_broker_and_relay_are_rejected_and_counted) {
  RelayedGrid grid("4s", 6);
  auto& [target, dir, broker_port, relay_port, broker, relay, agent] = grid;
  zmq::context_t context(1);
  const std::vector<std::string> garbage = {
      "", "not msgpack at all", std::string("\x94\x03\x01\xa1x\xc1", 6), std::string("\xdd\xff\xff\xff\xff", 5),
      std::string("\x94\x63\x01\xa1x\x90", 6), std::string(4096, '\xff')};
  for (int port : {broker_port + 1, relay_port + 1}) {
    zmq::socket_t push(context, zmq::socket_type::push);
    push.set(zmq::sockopt::linger, 2000);
    push.connect(tcp(port));
    for (const auto& g : garbage) push.send(zmq::buffer(g), zmq::send_flags::none);
    // A multipart message too: upstream messages are one frame.
    push.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
    push.send(zmq::str_buffer("b"), zmq::send_flags::none);
  }
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["health"]["rejected_frames"].get<uint64_t>() == 2 * (garbage.size() + 1));
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(broker->err().find("rejected") != std::string::npos);
  BOOST_TEST(relay->err().find("rejected") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broker_without_agents_exits_3_after_its_timeout) {
  TempDir dir;
  const int broker_port = free_port_pair();
  const std::string path = dir.path() + "/c.ini";
  std::ofstream(path) << "[campaign]\nname = lonely\nduration = 1s\n[load]\nusers = 1\n[request.a]\nurl = http://127.0.0.1:1/\n";
  ChildProcess broker({kBinary, "broker", path, "--listen", tcp(broker_port), "--results", dir.path(),
                       "--expect-agents", "1", "--expect-timeout", "1s"});
  BOOST_TEST(run_to_end(broker) == 3);
  BOOST_TEST(broker.err().find("no agent joined") != std::string::npos, broker.err());
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
}

BOOST_AUTO_TEST_CASE(node_options_come_from_an_ini_file_and_the_command_line_wins) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair();
  const auto campaign = campaign_file(dir.path(), target, "2s", 4);
  auto broker = start_broker(campaign, broker_port, dir.path(), 1);
  const std::string ini = dir.path() + "/agent.ini";
  std::ofstream(ini) << "parent = " << tcp(broker_port) << "\nid = from-file\nthreads = 1\nregion = r\n";
  ChildProcess agent({kBinary, "agent", "--config", ini, "--id", "from-cli"});
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "from-cli")["region"] == "r");
  BOOST_TEST(agent_named(summary, "from-cli")["requests"].get<uint64_t>() > 0u);
}

BOOST_AUTO_TEST_CASE(warnings_forwarded_through_a_relay_reach_the_broker_summary) {
  RelayedGrid grid("3s", 4);
  auto& [target, dir, broker_port, relay_port, broker, relay, agent] = grid;
  // A controlled peer: a well-formed warning from a node the relay never heard of before.
  zmq::context_t context(1);
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 2000);
  push.connect(tcp(relay_port + 1));
  grid::wire::LogRecord record;
  record.level = grid::wire::LogLevel::warning;
  record.text = "agent CPU at 97% of 1 cores: results may be limited by the generator";
  push.send(zmq::buffer(grid::wire::encode(record, "hot-agent")), zmq::send_flags::none);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  bool found = false;
  for (const auto& w : summary["warnings"]) {
    found = found || w.get<std::string>().find("hot-agent: agent CPU at 97%") != std::string::npos;
  }
  BOOST_TEST(found, summary["warnings"].dump());
  BOOST_TEST(broker->err().find("hot-agent: agent CPU at 97%") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(agent_and_relay_keep_running_across_campaigns) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair(), relay_port = free_port_pair();
  auto relay = start_relay(broker_port, relay_port, "relay", "default");
  auto agent = start_agent(relay_port, "agent", 1);
  for (int round = 1; round <= 2; ++round) {
    BOOST_TEST_CONTEXT("campaign " << round) {
      const std::string out = dir.path() + "/round" + std::to_string(round);
      const auto campaign = campaign_file(dir.path(), target, "2s", 3);
      auto broker = start_broker(campaign, broker_port, out, 1);
      BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
      const auto summary = read_json(out + "/summary.json");
      BOOST_TEST(agent_named(summary, "agent")["requests"].get<uint64_t>() > 0u);
    }
  }
  BOOST_TEST(!agent->wait_for_exit(0ms).has_value());
  BOOST_TEST(!relay->wait_for_exit(0ms).has_value());
}

BOOST_AUTO_TEST_CASE(agent_killed_under_a_relay_is_reported_lost_and_its_sibling_takes_its_users) {
  TargetProcess target;
  TempDir dir;
  const int broker_port = free_port_pair(), relay_port = free_port_pair();
  auto broker = start_broker(campaign_file(dir.path(), target, "10s", 12), broker_port, dir.path(), 2);
  auto relay = start_relay(broker_port, relay_port, "relay", "default");
  auto survivor = start_agent(relay_port, "survivor", 1);
  auto victim = start_agent(relay_port, "victim", 1);
  wait_until_requests_counted(dir.path());
  std::this_thread::sleep_for(1s);  // let the victim run a little; not a synchronisation
  victim->signal(SIGKILL);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(agent_named(summary, "victim")["state"] == "lost");
  BOOST_TEST(agent_named(summary, "survivor")["users"] == 12);
  BOOST_TEST(agent_named(summary, "survivor")["state"] == "finished");
  BOOST_TEST(summary["health"]["lost"].dump().find("victim (agent, reported by relay)") != std::string::npos,
             summary["health"]["lost"].dump());
  BOOST_TEST(relay->err().find("victim lost") != std::string::npos, relay->err());
}

BOOST_AUTO_TEST_SUITE_END()
