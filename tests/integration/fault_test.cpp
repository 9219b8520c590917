// Faults end to end (issue 8): real broker, relay, agent and target processes; a node is
// killed, stopped or signalled mid-run, and what the target served is compared with what
// the broker counted. Waits poll summary.json or the target's /__stats with deadlines.

#include <csignal>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

uint64_t served(const TargetProcess& target) { return target.stats()["requests"].get<uint64_t>(); }

// Waits (bounded by `limit`) until the target's count stays the same for `quiet`; returns
// how long that took from the call, or std::nullopt when it never settled.
std::optional<std::chrono::milliseconds> wait_until_quiet(const TargetProcess& target, std::chrono::milliseconds quiet,
                                                          std::chrono::milliseconds limit) {
  const auto begin = std::chrono::steady_clock::now();
  uint64_t last = served(target);
  auto since = begin;
  while (std::chrono::steady_clock::now() - begin < limit) {
    std::this_thread::sleep_for(100ms);
    const uint64_t now = served(target);
    if (now != last) {
      last = now;
      since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - since >= quiet) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(since - begin);
    }
  }
  return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_faults)

BOOST_AUTO_TEST_CASE(a_relay_killed_mid_run_loses_no_counted_request_and_the_grid_never_runs_more_users_than_planned) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "14s", 20), dir.path(), 2);
  auto relay_a = start_relay(broker.address, "relay-a", "default");
  auto relay_b = start_relay(broker.address, "relay-b", "default");
  // Each agent's parents in order: its own relay first, the other as the fallback.
  auto agent_a = start_agent(relay_a.address + "," + relay_b.address, "agent-a", 1, "default", {"--deadman", "5s"});
  auto agent_b = start_agent(relay_b.address + "," + relay_a.address, "agent-b", 1, "default", {"--deadman", "5s"});
  wait_for_summary(dir.path(), *broker, "both agents counted, 3 s into the run", [](nlohmann::json& s) {
    return requests_of(s, "agent-a") > 0 && requests_of(s, "agent-b") > 0 && s["elapsed_s"].get<double>() >= 3;
  });
  relay_a->signal(SIGKILL);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  // Every request the target served was counted, once: none lost with the relay.
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == served(target));
  BOOST_TEST(agent_named(summary, "agent-a")["state"] == "finished");
  BOOST_TEST(summary["health"]["failovers"].get<uint64_t>() >= 1u);
  BOOST_TEST(summary["health"]["duplicate_windows"] == 0);
  BOOST_TEST(summary["health"]["unaccounted_requests"] == 0);
  // Never more than the 20 users planned, summed over the agents in any window.
  BOOST_TEST(summary["health"]["peak_users"].get<uint64_t>() <= 20u, summary["health"].dump());
  BOOST_TEST(summary["health"]["lost"].dump().find("relay-a") != std::string::npos, summary["health"].dump());
  BOOST_TEST(agent_a->err().find("failing over") != std::string::npos, agent_a->err());
}

BOOST_AUTO_TEST_CASE(a_relay_that_stops_reading_for_a_while_loses_nothing_once_it_reads_again) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "14s", 10), dir.path(), 1);
  auto relay = start_relay(broker.address, "relay", "default");
  auto agent = start_agent(relay.address, "agent", 1, "default", {"--deadman", "60s"});
  wait_for_summary(dir.path(), *broker, "the agent counted, 2 s into the run",
                   [](nlohmann::json& s) { return requests_of(s, "agent") > 0 && s["elapsed_s"].get<double>() >= 2; });
  relay->signal(SIGSTOP);  // reads nothing, answers nothing
  // Stopped until the agent has noticed (3 heartbeats without an echo), then let go.
  const auto noticed = agent->wait_for_err_line("silent for", 30s);
  relay->signal(SIGCONT);
  BOOST_TEST_REQUIRE(noticed.has_value(), "the agent never noticed its parent's silence:\n" << agent->err());
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == served(target));
  BOOST_TEST(summary["health"]["duplicate_windows"] == 0);
  BOOST_TEST(agent_named(summary, "agent")["state"] == "finished");
}

BOOST_AUTO_TEST_CASE(killing_the_broker_stops_all_load_within_the_dead_man_timeout) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "120s", 5), dir.path(), 1);
  auto relay = start_relay(broker.address, "relay", "default");
  auto agent = start_agent(relay.address, "agent", 1, "default", {"--deadman", "3s"});
  wait_for_summary(dir.path(), *broker, "the agent counted",
                   [](nlohmann::json& s) { return requests_of(s, "agent") > 0; });
  broker->signal(SIGKILL);
  // The relay notices its parent's silence (3 heartbeats) and stops answering the agent,
  // whose dead-man switch fires 3 s later; its requests drain within their 2 s timeout.
  const auto quiet = wait_until_quiet(target, 2s, 40s);
  BOOST_TEST_REQUIRE(quiet.has_value(), "the target still saw traffic 40 s after the broker was killed");
  BOOST_TEST(quiet->count() < 20'000, "load stopped " << quiet->count() << " ms after the kill");
  BOOST_TEST(agent->err().find("dead-man switch") != std::string::npos, agent->err());
}

BOOST_AUTO_TEST_CASE(a_second_signal_aborts_the_broker_at_once_with_exit_1_and_the_results_as_they_stand) {
  TargetProcess target;
  TempDir dir;
  // Requests that take long: a graceful stop would wait for them to drain.
  const std::string path = dir.path() + "/slow.ini";
  std::ofstream(path) << "[campaign]\nname = slow\nduration = 120s\ninterval = 1s\n[load]\nusers = 4\n"
                      << "[request.slow]\nurl = " << target.url("/delay/20000") << "\ntimeout = 30s\n";
  auto broker = start_broker(path, dir.path(), 1);
  auto agent = start_agent(broker.address, "agent", 1);
  wait_for_summary(dir.path(), *broker, "the run 2 s in",
                   [](nlohmann::json& s) { return s["elapsed_s"].get<double>() >= 2; });
  broker->signal(SIGINT);
  // Two signals, not one: a gap keeps the kernel from merging them into one pending SIGINT.
  std::this_thread::sleep_for(200ms);
  broker->signal(SIGINT);
  const auto code = broker->wait_for_exit(10s);
  BOOST_TEST_REQUIRE(code.has_value(), "the broker did not exit within 10 s of the second signal");
  BOOST_TEST(*code == 1);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["state"] == "interrupted");
  BOOST_TEST(broker->err().find("aborted by a second signal") != std::string::npos, broker->err());
}

BOOST_AUTO_TEST_CASE(sigterm_on_an_agent_drains_it_and_every_request_it_made_is_counted) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "60s", 10), dir.path(), 2);
  auto leaving = start_agent(broker.address, "leaving", 1);
  auto staying = start_agent(broker.address, "staying", 1);
  wait_for_summary(dir.path(), *broker, "both agents counted",
                   [](nlohmann::json& s) { return requests_of(s, "leaving") > 0 && requests_of(s, "staying") > 0; });
  leaving->signal(SIGTERM);
  const auto code = leaving->wait_for_exit(30s);
  BOOST_TEST_REQUIRE(code.has_value(), "the agent did not leave within 30 s of SIGTERM");
  BOOST_TEST(*code == 0);
  wait_for_summary(dir.path(), *broker, "the staying agent running all 10 users",
                   [](nlohmann::json& s) { return agent_named(s, "staying")["users"] == 10; });
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == served(target));
  BOOST_TEST(agent_named(summary, "leaving")["state"] == "finished");
  BOOST_TEST(summary["health"]["unaccounted_requests"] == 0);
}

BOOST_AUTO_TEST_CASE(sigterm_on_a_relay_hands_its_agents_to_their_next_parent_and_nothing_is_lost) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "12s", 10), dir.path(), 2);
  auto relay_a = start_relay(broker.address, "relay-a", "default");
  auto relay_b = start_relay(broker.address, "relay-b", "default");
  auto agent_a = start_agent(relay_a.address + "," + relay_b.address, "agent-a", 1, "default", {"--deadman", "5s"});
  auto agent_b = start_agent(relay_b.address, "agent-b", 1, "default", {"--deadman", "5s"});
  wait_for_summary(dir.path(), *broker, "both agents counted, 2 s into the run", [](nlohmann::json& s) {
    return requests_of(s, "agent-a") > 0 && requests_of(s, "agent-b") > 0 && s["elapsed_s"].get<double>() >= 2;
  });
  relay_a->signal(SIGTERM);
  const auto code = relay_a->wait_for_exit(20s);
  BOOST_TEST_REQUIRE(code.has_value(), "the relay did not leave within 20 s of SIGTERM");
  BOOST_TEST(*code == 0);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == served(target));
  BOOST_TEST(agent_named(summary, "agent-a")["state"] == "finished");
  BOOST_TEST(summary["health"]["failovers"].get<uint64_t>() >= 1u);
  BOOST_TEST(summary["health"]["peak_users"].get<uint64_t>() <= 10u, summary["health"].dump());
}

BOOST_AUTO_TEST_CASE(an_agent_whose_parent_stops_reading_keeps_a_bounded_number_of_windows_by_coalescing_them) {
  TargetProcess target;
  TempDir dir;
  const std::string path = dir.path() + "/fast.ini";  // windows of 200 ms: many pile up while the relay is stopped
  std::ofstream(path) << "[campaign]\nname = bounded\nduration = 14s\ninterval = 200ms\n[load]\nusers = 4\n"
                      << "think_time = 20ms\n[request.home]\nurl = " << target.url("/") << "\ntimeout = 2s\n";
  auto broker = start_broker(path, dir.path(), 1);
  auto relay = start_relay(broker.address, "relay", "default");
  auto agent = start_agent(relay.address, "agent", 1, "default", {"--deadman", "60s", "--retained-windows", "4"});
  wait_for_summary(dir.path(), *broker, "the agent counted, 2 s into the run",
                   [](nlohmann::json& s) { return requests_of(s, "agent") > 0 && s["elapsed_s"].get<double>() >= 2; });
  relay->signal(SIGSTOP);  // takes nothing: the agent's windows go unacknowledged
  const auto noticed = agent->wait_for_err_line("silent for", 30s);
  relay->signal(SIGCONT);
  BOOST_TEST_REQUIRE(noticed.has_value(), "the agent never noticed its parent's silence:\n" << agent->err());
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  // 3 s of 200 ms windows against a limit of 4: most were coalesced, none lost.
  BOOST_TEST(summary["health"]["coalesced_windows"].get<uint64_t>() >= 5u, summary["health"].dump());
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == served(target));
  BOOST_TEST(agent_named(summary, "agent")["state"] == "finished");
}

BOOST_AUTO_TEST_SUITE_END()
