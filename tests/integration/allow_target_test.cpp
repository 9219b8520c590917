// --allow-target end to end: real broker, agent, `loadgrid run` and target processes over
// loopback. No traffic ever leaves the machine: hosts off loopback (blocked.invalid,
// 192.0.2.1 from TEST-NET-1) are refused before any lookup or connect, and the hosts
// refused at connect time are other loopback addresses (127.0.0.2, 127.0.0.3).

#include <csignal>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "tcp_forwarder.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

std::string campaign(const std::string& dir, const std::string& requests, const std::string& duration = "2s") {
  const std::string path = dir + "/allow.ini";
  std::ofstream(path) << "[campaign]\nname = allow\nduration = " << duration << "\ninterval = 500ms\n"
                      << "[load]\nusers = 2\nthink_time = 10ms\n"
                      << requests;
  return path;
}

std::unique_ptr<ChildProcess> agent(const std::string& parent, const std::string& id,
                                    std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {kBinary, "agent", "--parent", parent, "--id", id, "--threads", "1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<ChildProcess>(argv);
}

// The summary's warnings joined by newlines.
std::string warnings(const nlohmann::json& summary) {
  std::string all;
  for (const auto& w : summary.at("warnings")) all += w.get<std::string>() + "\n";
  return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(allow_target)

BOOST_AUTO_TEST_CASE(an_agent_with_the_default_list_refuses_a_plan_off_loopback_and_the_summary_warns) {
  TempDir dir;
  auto broker = start_broker(
      campaign(dir.path(), "[request.a]\nurl = http://blocked.invalid/\n[request.b]\nurl = http://192.0.2.1/x\n"),
      dir.path(), 1);
  auto refusing = agent(broker.address, "loopback-only");
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(warnings(summary).find("loopback-only: campaign refused: targets outside this agent's --allow-target "
                                    "list (127.0.0.0/8, ::1, localhost): blocked.invalid:80 (request 'a'), "
                                    "192.0.2.1:80 (request 'b')") != std::string::npos,
             warnings(summary));
  BOOST_TEST(summary["total"]["requests"] == 0);
  BOOST_TEST(refusing->err().find("refused") != std::string::npos, refusing->err());
  BOOST_TEST(!refusing->wait_for_exit(0ms).has_value());  // it stays up
}

BOOST_AUTO_TEST_CASE(an_agent_allowed_only_other_loopback_addresses_refuses_a_plan_for_127_0_0_1) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign(dir.path(), "[request.home]\nurl = " + target.url("/") + "\n"), dir.path(), 1);
  // The list from the agent's INI file, one pattern per line.
  const std::string ini = dir.path() + "/agent.ini";
  std::ofstream(ini) << "allow-target = 127.0.0.2\nallow-target = ::2\n";
  auto refusing = agent(broker.address, "elsewhere", {"--config", ini});
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  const std::string port = target.url("").substr(target.url("").rfind(':') + 1);
  BOOST_TEST(warnings(summary).find("elsewhere: campaign refused: targets outside this agent's --allow-target list "
                                    "(127.0.0.2, ::2): 127.0.0.1:" +
                                    port + " (request 'home')") != std::string::npos,
             warnings(summary));
  BOOST_TEST(target.stats()["requests"] == 0);
  BOOST_TEST(summary["total"]["requests"] == 0);
}

BOOST_AUTO_TEST_CASE(a_host_from_a_variable_outside_the_list_fails_at_connect_as_not_allowed) {
  TargetProcess target;
  TempDir dir;
  const std::string port = target.url("").substr(target.url("").rfind(':') + 1);
  // The plan cannot tell the host (a variable): each connection is checked. 127.0.0.1 is
  // allowed; 127.0.0.2 and 127.0.0.3 are not (and the target does not listen there: had
  // they been tried, they would count as `connect`).
  auto broker = start_broker(
      campaign(dir.path(), "[request.spread]\nurl = http://127.0.0.${random(1,3)}:" + port + "/\n"), dir.path(), 1);
  auto pinned = agent(broker.address, "pinned", {"--allow-target", "127.0.0.1:" + port, "--allow-target", "::1"});
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  const auto& total = summary["total"];
  const auto refused = total["failures_by_kind"]["not_allowed"].get<uint64_t>();
  BOOST_TEST(refused > 0u);
  BOOST_TEST(total["failures_by_kind"]["connect"] == 0);
  BOOST_TEST(total["failures"].get<uint64_t>() == refused);
  BOOST_TEST(total["requests"].get<uint64_t>() - refused == target.stats()["requests"].get<uint64_t>());
  BOOST_TEST(target.stats()["requests"].get<uint64_t>() > 0u);
  std::string problems;
  for (const auto& p : summary["problems"]) problems += p["message"].get<std::string>() + "\n";
  BOOST_TEST(problems.find("request 'spread': connection to 127.0.0.") != std::string::npos, problems);
  BOOST_TEST(problems.find(" is not in --allow-target (127.0.0.1:" + port + ", ::1)") != std::string::npos, problems);
  BOOST_TEST(problems.find("127.0.0.1:" + port + " is not") == std::string::npos, problems);
  BOOST_TEST(warnings(summary).find("refused") == std::string::npos, warnings(summary));  // the plan was accepted
}

BOOST_AUTO_TEST_CASE(an_agent_that_refused_a_campaign_runs_the_next_one_it_is_allowed) {
  TargetProcess target;
  TempDir dir;
  // One parent address for the agent while brokers come and go (see grid_test.cpp).
  TcpForwarder plans, reports;
  const std::string parent = "tcp://127.0.0.1:" + std::to_string(plans.port()) + "," + std::to_string(reports.port());
  auto steady = agent(parent, "steady");
  const std::vector<std::string> urls = {"http://192.0.2.1/", target.url("/")};
  for (size_t round = 0; round < urls.size(); ++round) {
    BOOST_TEST_CONTEXT("campaign " << round + 1 << " to " << urls[round]) {
      const std::string out = dir.path() + "/round" + std::to_string(round + 1);
      auto broker = start_broker(campaign(dir.path(), "[request.home]\nurl = " + urls[round] + "\n"), out, 1);
      const std::string ports = broker.address.substr(broker.address.rfind(':') + 1);  // PLANS,REPORTS
      plans.set_upstream(static_cast<uint16_t>(std::stoi(ports.substr(0, ports.find(',')))));
      reports.set_upstream(static_cast<uint16_t>(std::stoi(ports.substr(ports.find(',') + 1))));
      BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
      const auto summary = read_json(out + "/summary.json");
      const bool refused = warnings(summary).find("steady: campaign refused") != std::string::npos;
      BOOST_TEST(refused == (round == 0), warnings(summary));
      BOOST_TEST((summary["total"]["requests"].get<uint64_t>() > 0) == (round == 1));
      BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);  // round 1 sent nothing
    }
  }
  BOOST_TEST(!steady->wait_for_exit(0ms).has_value());
}

BOOST_AUTO_TEST_CASE(loadgrid_run_allows_loopback_only_unless_told_otherwise) {
  TargetProcess target;
  TempDir dir;
  const auto off_loopback = campaign(dir.path(), "[request.far]\nurl = http://192.0.2.1:8080/\n", "1s");
  ChildProcess refused({kBinary, "run", off_loopback, "--results", dir.path() + "/far", "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(refused), 0);
  auto summary = read_json(dir.path() + "/far/summary.json");
  BOOST_TEST(
      warnings(summary).find("campaign refused: targets outside this agent's --allow-target list "
                             "(127.0.0.0/8, ::1, localhost): 192.0.2.1:8080 (request 'far')") != std::string::npos,
      warnings(summary));
  BOOST_TEST(summary["total"]["requests"] == 0);

  const auto local = campaign(dir.path(), "[request.near]\nurl = " + target.url("/") + "\n", "1s");
  ChildProcess elsewhere(
      {kBinary, "run", local, "--results", dir.path() + "/elsewhere", "--threads", "1", "--allow-target", "127.0.0.2"});
  BOOST_REQUIRE_EQUAL(run_to_end(elsewhere), 0);
  summary = read_json(dir.path() + "/elsewhere/summary.json");
  BOOST_TEST(warnings(summary).find("(127.0.0.2): 127.0.0.1:") != std::string::npos, warnings(summary));
  BOOST_TEST(target.stats()["requests"] == 0);

  ChildProcess allowed({kBinary, "run", local, "--results", dir.path() + "/near", "--threads", "1", "--allow-target",
                        "127.0.0.1", "--allow-target", "*.example.test"});
  BOOST_REQUIRE_EQUAL(run_to_end(allowed), 0);
  summary = read_json(dir.path() + "/near/summary.json");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
}

BOOST_AUTO_TEST_CASE(a_malformed_allow_target_is_a_usage_error_naming_it) {
  TempDir dir;
  const auto path = campaign(dir.path(), "[request.a]\nurl = http://127.0.0.1:1/\n", "1s");
  ChildProcess bad_agent({kBinary, "agent", "--parent", "tcp://127.0.0.1:5557", "--allow-target", "10.0.0.0/33"});
  BOOST_TEST(run_to_end(bad_agent) == 2);
  BOOST_TEST(bad_agent.err().find("--allow-target: '10.0.0.0/33' is not a target pattern: the prefix length is above "
                                  "32") != std::string::npos,
             bad_agent.err());
  ChildProcess bad_run({kBinary, "run", path, "--results", dir.path(), "--allow-target", "10.0.0.1/8"});
  BOOST_TEST(run_to_end(bad_run) == 2);
  BOOST_TEST(bad_run.err().find("'10.0.0.1/8' is not a target pattern: host bits are set (did you mean 10.0.0.0/8?)") !=
                 std::string::npos,
             bad_run.err());
  const std::string ini = dir.path() + "/agent.ini";
  std::ofstream(ini) << "parent = tcp://127.0.0.1:5557\nallow-target = api..example.test\n";
  ChildProcess bad_ini({kBinary, "agent", "--config", ini});
  BOOST_TEST(run_to_end(bad_ini) == 2);
  BOOST_TEST(bad_ini.err().find("'api..example.test' is not a target pattern") != std::string::npos, bad_ini.err());
}

BOOST_AUTO_TEST_SUITE_END()
