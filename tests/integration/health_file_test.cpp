// --health-file and `loadgrid healthcheck` with real processes (docs/adr/0024): a broker, a
// relay and an agent each keep a health file that the healthcheck accepts; the
// environment variable is the default on both sides; a stopped (SIGSTOP) node goes stale;
// SIGTERM removes the file; an unwritable path is warned about and the node still works.
// Every wait polls with a deadline.

#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "support/refused_port.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

struct Check {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `loadgrid healthcheck ARGS...` (through env(1) when `env` is set: "NAME=VALUE" or
// "-u NAME" pieces) and returns its exit code and output.
Check healthcheck(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv = {"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
  }
  argv.push_back(kBinary);
  argv.push_back("healthcheck");
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv);
  const auto code = p.wait_for_exit(20s);
  if (!code) throw std::runtime_error("loadgrid healthcheck did not exit in 20 s");
  return {*code, p.out(), p.err()};
}

// Polls `check` until `ok` holds for its result or the deadline passes; returns the last.
Check poll_check(const std::function<Check()>& check, const std::function<bool(const Check&)>& ok,
                 std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  Check last = check();
  while (!ok(last) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);  // poll period, not a pass condition
    last = check();
  }
  return last;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Waits (bounded) until `path` is healthy and its line contains `part`.
Check healthy_with(const std::string& path, const std::string& part) {
  return poll_check([&] { return healthcheck({path}); },
                    [&](const Check& c) { return c.code == 0 && contains(c.out, part); });
}

// An agent whose parent refuses connections: its loop runs (parent not connected).
std::unique_ptr<ChildProcess> lone_agent(const RefusedPort& parent, const std::string& id,
                                         const std::vector<std::string>& extra,
                                         const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv;
  if (!env.empty()) {
    argv = {"/usr/bin/env"};
    argv.insert(argv.end(), env.begin(), env.end());
  }
  const std::vector<std::string> agent = {
      kBinary, "agent", "--parent", "tcp://127.0.0.1:" + std::to_string(parent.port()), "--id", id, "--threads", "1"};
  argv.insert(argv.end(), agent.begin(), agent.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health_file)

BOOST_AUTO_TEST_CASE(broker_relay_and_agent_keep_health_files_that_healthcheck_accepts_naming_each_node) {
  TargetProcess target;
  TempDir dir;
  const std::string hb = dir.path() + "/broker.health", hr = dir.path() + "/relay.health",
                    ha = dir.path() + "/agent.health";
  auto broker = listening_parent(std::make_unique<ChildProcess>(std::vector<std::string>{
      kBinary, "broker", campaign_file(dir.path(), target, "60s", 2), "--listen", "tcp://127.0.0.1:0", "--results",
      dir.path() + "/out", "--expect-agents", "1", "--expect-timeout", "30s", "--health-file", hb, "--quiet"}));
  auto relay = start_relay(broker.address, "relay-h", "default", {"--health-file", hr});
  auto agent = start_agent(relay.address, "agent-h", 1, "default", {"--health-file", ha});

  const auto b = healthy_with(hb, "broker broker running");
  BOOST_TEST(b.code == 0, b.out << b.err << broker->err());
  BOOST_TEST(contains(b.out, "healthy: broker broker running, updated "));
  const auto r = healthy_with(hr, "relay relay-h running, parent connected");
  BOOST_TEST(r.code == 0, r.out << r.err << relay->err());
  const auto a = healthy_with(ha, "agent agent-h running, parent connected");
  BOOST_TEST(a.code == 0, a.out << a.err << agent->err());
  BOOST_TEST(contains(a.out, " s ago"));

  // The content is the documented one line of JSON.
  const auto doc = read_json(ha);
  BOOST_TEST(doc.at("node") == "agent-h");
  BOOST_TEST(doc.at("role") == "agent");
  BOOST_TEST(doc.at("pid").get<int64_t>() == agent->pid());

  BOOST_TEST(stop_broker(*broker) == 0);
  BOOST_TEST(!std::filesystem::exists(hb));  // a clean exit removes it
  const auto gone = healthcheck({hb});
  BOOST_TEST(gone.code == 1);
  BOOST_TEST(contains(gone.out, "not found"));
}

BOOST_AUTO_TEST_CASE(the_environment_variable_is_the_default_for_the_node_and_for_healthcheck) {
  RefusedPort parent;
  TempDir dir;
  const std::string path = dir.path() + "/env.health";
  auto agent = lone_agent(parent, "agent-env", {}, {"LOADGRID_HEALTH_FILE=" + path});
  const auto c = poll_check([&] { return healthcheck({}, {"LOADGRID_HEALTH_FILE=" + path}); },
                            [](const Check& c) { return c.code == 0; });
  BOOST_TEST(c.code == 0, c.out << c.err << agent->err());
  BOOST_TEST(contains(c.out, "healthy: agent agent-env idle, parent not connected, updated "));
  // The option wins over the variable.
  const std::string other = dir.path() + "/option.health";
  auto second = lone_agent(parent, "agent-opt", {"--health-file", other}, {"LOADGRID_HEALTH_FILE=" + path + ".unused"});
  BOOST_TEST(healthy_with(other, "agent agent-opt").code == 0, second->err());
  BOOST_TEST(!std::filesystem::exists(path + ".unused"));
}

BOOST_AUTO_TEST_CASE(a_stopped_node_goes_stale_and_healthcheck_names_its_age_then_recovers) {
  RefusedPort parent;
  TempDir dir;
  const std::string path = dir.path() + "/stale.health";
  auto agent = lone_agent(parent, "agent-stale", {"--health-file", path});
  BOOST_TEST_REQUIRE(healthy_with(path, "agent agent-stale").code == 0, agent->err());
  agent->signal(SIGSTOP);
  const auto stale = poll_check(
      [&] {
        return healthcheck({path, "--max-age", "2s"});
      },
      [](const Check& c) { return c.code == 1; });
  agent->signal(SIGCONT);
  BOOST_TEST(stale.code == 1, stale.out << stale.err);
  BOOST_TEST(contains(stale.out, "unhealthy: " + path + ": agent agent-stale idle"));
  BOOST_TEST(contains(stale.out, "s ago, more than --max-age 2s"));
  const auto back = poll_check(
      [&] {
        return healthcheck({path, "--max-age", "2s"});
      },
      [](const Check& c) { return c.code == 0; });
  BOOST_TEST(back.code == 0, back.out);
}

BOOST_AUTO_TEST_CASE(sigterm_removes_the_file_and_healthcheck_then_says_not_found) {
  RefusedPort parent;
  TempDir dir;
  const std::string path = dir.path() + "/term.health";
  auto agent = lone_agent(parent, "agent-term", {"--health-file", path});
  BOOST_TEST_REQUIRE(healthy_with(path, "agent agent-term").code == 0, agent->err());
  agent->signal(SIGTERM);
  const auto code = agent->wait_for_exit(30s);
  BOOST_TEST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 0, agent->err());
  const auto c = healthcheck({path});
  BOOST_TEST(c.code == 1);
  BOOST_TEST(c.out == "unhealthy: " + path + ": not found (is the node running with --health-file?)\n");
}

BOOST_AUTO_TEST_CASE(an_unwritable_health_file_is_warned_about_and_the_node_still_runs_its_campaign) {
  TargetProcess target;
  TempDir dir;
  const std::string path = dir.path() + "/missing-dir/agent.health";
  auto broker = start_broker(campaign_file(dir.path(), target, "2s", 2), dir.path() + "/out", 1);
  auto agent = start_agent(broker.address, "agent-nofile", 1, "default", {"--health-file", path});
  const auto warning = agent->wait_for_err_line("health file", 30s);
  BOOST_TEST_REQUIRE(warning.has_value(), agent->err());
  BOOST_TEST(contains(*warning, path));
  BOOST_TEST(contains(*warning, "goes on"));
  BOOST_TEST_REQUIRE(broker_exit(*broker) == 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(agent_named(summary, "agent-nofile").at("requests").get<uint64_t>() > 0u);
  // Warned once, not every second.
  const auto err = agent->err();
  size_t warnings = 0;
  for (size_t at = err.find("health file"); at != std::string::npos; at = err.find("health file", at + 1)) ++warnings;
  BOOST_TEST(warnings == 1u, err);
}

BOOST_AUTO_TEST_CASE(healthcheck_without_a_path_or_with_a_bad_max_age_is_a_usage_error) {
  const auto none = healthcheck({}, {"-u", "LOADGRID_HEALTH_FILE"});
  BOOST_TEST(none.code == 2);
  BOOST_TEST(contains(none.err, "no health file: give PATH or set LOADGRID_HEALTH_FILE"));
  const auto bad = healthcheck({"/tmp/x", "--max-age", "soon"});
  BOOST_TEST(bad.code == 2);
  BOOST_TEST(contains(bad.err, "--max-age"));
  const auto zero = healthcheck({"/tmp/x", "--max-age", "0s"});
  BOOST_TEST(zero.code == 2);
}

BOOST_AUTO_TEST_CASE(unparsable_content_is_unhealthy_and_named) {
  TempDir dir;
  const std::string path = dir.path() + "/garbage.health";
  std::ofstream(path) << "not json at all";
  const auto c = healthcheck({path});
  BOOST_TEST(c.code == 1);
  BOOST_TEST(c.out == "unhealthy: " + path + ": unparsable content (not JSON)\n");
}

BOOST_AUTO_TEST_SUITE_END()
