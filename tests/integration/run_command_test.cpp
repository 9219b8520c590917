// `loadgrid run` end to end: the real binary against a real `loadgrid target` process
// over loopback, checked through summary.json, timeseries.csv and the target's counters.

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

const nlohmann::json& request_named(const nlohmann::json& summary, const std::string& name) {
  for (const auto& r : summary["requests"]) {
    if (r["name"] == name) return r;
  }
  throw std::runtime_error("no request named " + name + " in summary");
}

size_t line_count(const std::string& path) {
  std::ifstream in(path);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_command)

BOOST_AUTO_TEST_CASE(summary_request_count_equals_what_the_target_served) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "2s", 20,
                                       "[request.home]\nurl = " + target.url("/") + "\n"
                                       "[request.bytes]\nurl = " + target.url("/bytes/200") + "\n",
                                       "spawn_rate = 100\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "2"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  const auto served = target.stats();
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 500u);
  BOOST_TEST(summary["total"]["requests"] == served["requests"]);
  BOOST_TEST(request_named(summary, "home")["requests"] == served["paths"]["/"]);
  BOOST_TEST(request_named(summary, "bytes")["requests"] == served["paths"]["/bytes/200"]);
  BOOST_TEST(summary["total"]["failures"] == 0);
  BOOST_TEST(run.out().find("TOTAL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(delay_20ms_campaign_reports_p50_between_20_and_23_ms) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "2s", 10, "[request.slow]\nurl = " + target.url("/delay/20") + "\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  const double p50 = summary["total"]["latency_ms"]["p50"];
  BOOST_TEST(p50 >= 20.0);
  BOOST_TEST(p50 <= 23.0);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
}

BOOST_AUTO_TEST_CASE(status_503_is_reported_as_http_5xx) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 4, "[request.broken]\nurl = " + target.url("/status/503") + "\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures_by_kind"]["http_5xx"] == total["requests"]);
  BOOST_TEST(total["failures"] == total["requests"]);
  BOOST_TEST(total["status_codes"]["503"] == total["requests"]);
}

BOOST_AUTO_TEST_CASE(refused_port_is_reported_as_connect_failure) {
  uint16_t port;
  {
    TargetProcess gone;  // take a free port, then let it go
    port = static_cast<uint16_t>(std::stoi(gone.url("").substr(17)));
  }
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.refused]\nurl = http://127.0.0.1:" + std::to_string(port) + "/\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures_by_kind"]["connect"] == total["requests"]);
}

BOOST_AUTO_TEST_CASE(delay_above_timeout_is_reported_as_timeout) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 3,
                                       "[request.slow]\nurl = " + target.url("/delay/2000") + "\ntimeout = 200ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() >= 3u);
  BOOST_TEST(total["failures_by_kind"]["timeout"] == total["requests"]);
}

BOOST_AUTO_TEST_CASE(results_are_written_while_the_run_goes) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "30s", 2, "[request.home]\nurl = " + target.url("/") + "\n", "think_time = 10ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  // Wait (bounded) until at least two timeseries rows exist while the run is still going.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (line_count(dir.path() + "/timeseries.csv") < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  BOOST_TEST(!run.wait_for_exit(0ms).has_value());
  BOOST_TEST(line_count(dir.path() + "/timeseries.csv") >= 3u);
  const auto partial = read_json(dir.path() + "/summary.json");
  BOOST_TEST(partial["state"] == "running");
  BOOST_TEST(partial["total"]["requests"].get<uint64_t>() > 0u);
  // SIGINT stops it early and cleanly: final summary, counts still exact.
  run.signal(SIGINT);
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
}

BOOST_AUTO_TEST_CASE(bad_campaign_exits_2_naming_file_section_and_key) {
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.a]\nurl = http://127.0.0.1:1/\nmethd = GET\n");
  ChildProcess run({kBinary, "run", campaign});
  BOOST_TEST(run_to_end(run) == 2);
  const std::string err = run.err();
  BOOST_TEST(err.find(campaign) != std::string::npos, err);
  BOOST_TEST(err.find("[request.a] methd") != std::string::npos, err);
  BOOST_TEST(err.find("unknown key") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(missing_campaign_file_exits_2) {
  ChildProcess run({kBinary, "run", "/nonexistent/campaign.ini"});
  BOOST_TEST(run_to_end(run) == 2);
  BOOST_TEST(run.err().find("/nonexistent/campaign.ini") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_subcommand_has_help) {
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {kBinary, "--help"}, {kBinary, "run", "--help"}, {kBinary, "target", "--help"}}) {
    ChildProcess p(argv);
    BOOST_TEST(run_to_end(p) == 0);
    std::string out = p.out();
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    BOOST_TEST(out.find("usage") != std::string::npos, out);
  }
  ChildProcess unknown({kBinary, "frobnicate"});
  BOOST_TEST(run_to_end(unknown) == 2);
}

BOOST_AUTO_TEST_CASE(run_with_several_local_agents_splits_users_and_counts_exactly) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "2s", 9, "[request.home]\nurl = " + target.url("/") + "\n",
                                       "think_time = 5ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "3", "--agents", "3"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  BOOST_REQUIRE(summary["agents"].size() == 3u);
  for (const auto& a : summary["agents"]) {
    BOOST_TEST(a["users"] == 3);
    BOOST_TEST(a["requests"].get<uint64_t>() > 0u);
  }
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
}

BOOST_AUTO_TEST_SUITE_END()
