// [thresholds] end to end: the real binary (`loadgrid run` with two local agents under a
// relay, and `loadgrid broker` with a relay and two agent processes) against a real
// target; exit codes, summary.json, junit.xml and the report's table.
//
// The suite needs the campaign parser's [thresholds] section: until it parses, the suite
// is skipped (a precondition says so) rather than failing on "unknown section".

#include <csignal>
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "broker/campaign.hpp"
#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

boost::test_tools::assertion_result thresholds_section_parses(boost::unit_test::test_unit_id) {
  std::istringstream ini(
      "[campaign]\nname = probe\nduration = 1s\n[load]\nusers = 1\n[request.home]\nurl = http://127.0.0.1:1/\n"
      "[thresholds]\np99 = < 500ms\n");
  boost::test_tools::assertion_result result(false);
  try {
    const auto campaign = grid::broker::parse_campaign(ini, "probe.ini");
    if (campaign.thresholds.size() == 1 && campaign.thresholds[0].metric == "p99") return true;
    result.message() << "the campaign parser reads [thresholds] into nothing";
  } catch (const std::exception& e) {
    result.message() << "the campaign parser does not read [thresholds] yet: " << e.what();
  }
  return result;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A campaign of `users` users over `duration` on `url`, with `thresholds` (INI lines).
std::string threshold_campaign(const std::string& dir, const std::string& duration, int users, const std::string& url,
                               const std::string& thresholds) {
  return write_campaign(dir, duration, users,
                        "[request.home]\nurl = " + url + "\ntimeout = 2s\n[thresholds]\n" + thresholds,
                        "think_time = 20ms\n");
}

int exit_of(ChildProcess& process) {
  const int code = run_to_end(process);
  if (code != 0) BOOST_TEST_MESSAGE("stderr:\n" << process.err());
  return code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_thresholds, *boost::unit_test::precondition(thresholds_section_parses))

BOOST_AUTO_TEST_CASE(a_failing_threshold_exits_4_with_the_failure_in_junit_xml_summary_and_report) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      threshold_campaign(dir.path(), "1s", 4, target.url("/"), "requests = > 1000000000\nerror_rate = < 1%\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "2", "--agents", "2"});
  BOOST_REQUIRE_EQUAL(exit_of(run), 4);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  const auto requests = summary["total"]["requests"].get<uint64_t>();
  BOOST_TEST(requests > 0u);
  BOOST_TEST(requests == target.stats()["requests"].get<uint64_t>());
  BOOST_TEST(summary["thresholds_passed"] == false);
  BOOST_TEST(summary["aborted_by"].is_null());
  BOOST_REQUIRE(summary["thresholds"].size() == 2u);
  BOOST_TEST(summary["thresholds"][0]["metric"] == "requests");
  BOOST_TEST(summary["thresholds"][0]["condition"] == "> 1000000000");
  BOOST_TEST(summary["thresholds"][0]["value"] == requests);
  BOOST_TEST(summary["thresholds"][0]["pass"] == false);
  BOOST_TEST(summary["thresholds"][1]["pass"] == true);
  const std::string junit = read_text(dir.path() + "/out/junit.xml");
  BOOST_TEST(junit.find("<testsuite name=\"loadgrid.it\" tests=\"2\" failures=\"1\"") != std::string::npos, junit);
  BOOST_TEST(junit.find("<testcase name=\"requests &gt; 1000000000\" classname=\"thresholds\" time=\"0\">\n"
                        "    <failure message=\"observed " +
                        std::to_string(requests) + "\"") != std::string::npos,
             junit);
  BOOST_TEST(
      junit.find("<testcase name=\"error_rate &lt; 1%\" classname=\"thresholds\" time=\"0\"/>") != std::string::npos,
      junit);
  BOOST_TEST(run.out().find("thresholds: 1 of 2 FAILED") != std::string::npos, run.out());
}

BOOST_AUTO_TEST_CASE(passing_thresholds_exit_0_with_a_junit_xml_without_failures) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = threshold_campaign(dir.path(), "1s", 4, target.url("/"),
                                           "requests = > 0\nerror_rate = < 1%\nrequest.home.p99 = < 5000ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "2", "--agents", "2"});
  BOOST_REQUIRE_EQUAL(exit_of(run), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["thresholds_passed"] == true);
  BOOST_TEST(summary["thresholds"].size() == 3u);
  const std::string junit = read_text(dir.path() + "/junit.xml");
  BOOST_TEST(junit.find("tests=\"3\" failures=\"0\"") != std::string::npos, junit);
  BOOST_TEST(junit.find("<failure") == std::string::npos, junit);
  BOOST_TEST(run.out().find("thresholds: all 3 passed") != std::string::npos, run.out());
}

BOOST_AUTO_TEST_CASE(abort_on_fail_stops_the_whole_grid_before_its_end_and_exits_4) {
  TargetProcess target;
  TempDir dir;
  // Every response is a 503: `failures < 1` fails as soon as a window is in, after 1 s.
  const auto campaign = threshold_campaign(dir.path(), "60s", 4, target.url("/status/503"),
                                           "failures = < 1\nabort_on_fail = true\nabort_grace = 1s\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "2", "--agents", "2"});
  BOOST_REQUIRE_EQUAL(exit_of(run), 4);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(summary["aborted_by"] == "failures < 1");
  BOOST_TEST(summary["thresholds_passed"] == false);
  BOOST_TEST(summary["elapsed_s"].get<double>() < 60.0);                   // stopped, not run to its end
  BOOST_TEST(summary["elapsed_s"].get<double>() >= 1.0);                   // not before the grace
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);  // a graceful stop: every request counted
  bool warned = false;
  for (const auto& w : summary["warnings"]) {
    warned |= w.get<std::string>().find("threshold failures < 1 failed (observed ") != std::string::npos;
  }
  BOOST_TEST(warned, summary["warnings"].dump());
  const std::string junit = read_text(dir.path() + "/junit.xml");
  BOOST_TEST(junit.find("<property name=\"aborted_by\" value=\"failures &lt; 1\"/>") != std::string::npos, junit);
}

BOOST_AUTO_TEST_CASE(a_distributed_broker_exits_4_when_a_threshold_fails) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = threshold_campaign(dir.path(), "2s", 4, target.url("/"), "request.home.requests = < 1\n");
  auto broker = start_broker(campaign, dir.path(), 2);
  auto relay = start_relay(broker.address, "relay", "default");
  auto a1 = start_agent(relay.address, "a1", 1);
  auto a2 = start_agent(relay.address, "a2", 1);
  BOOST_REQUIRE_EQUAL(exit_of(*broker), 4);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["thresholds"][0]["pass"] == false);
  BOOST_TEST(summary["thresholds"][0]["value"] == target.stats()["requests"]);
  BOOST_TEST(read_text(dir.path() + "/junit.xml").find("<failure message=\"observed ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
