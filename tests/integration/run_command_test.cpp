// `loadgrid run` end to end: the real binary against a real `loadgrid target` process
// over loopback, checked through summary.json, timeseries.csv and the target's counters.
// Checks are exact counts, orderings and physical bounds, never speeds; how accurate the
// latencies are is measured by bench/latency_accuracy.py.

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "support/refused_port.hpp"

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
  const auto campaign = write_campaign(
      dir.path(), "2s", 20,
      "[request.home]\nurl = " + target.url("/") + "\n" + "[request.bytes]\nurl = " + target.url("/bytes/200") + "\n",
      "spawn_rate = 100\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "2"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  const auto served = target.stats();
  BOOST_TEST(summary["state"] == "finished");
  BOOST_TEST(request_named(summary, "home")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(request_named(summary, "bytes")["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(summary["total"]["requests"] == served["requests"]);
  BOOST_TEST(request_named(summary, "home")["requests"] == served["paths"]["/"]);
  BOOST_TEST(request_named(summary, "bytes")["requests"] == served["paths"]["/bytes/200"]);
  BOOST_TEST(summary["total"]["failures"] == 0);
  BOOST_TEST(run.out().find("TOTAL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(delay_20ms_latencies_are_never_below_20ms_and_percentiles_are_ordered) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "2s", 10, "[request.slow]\nurl = " + target.url("/delay/20") + "\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"] == target.stats()["requests"]);
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures"] == 0);
  const auto& latency = total["latency_ms"];
  // Every request got a response, so every request has a latency sample.
  BOOST_TEST(latency["samples"] == total["requests"]);
  // The target answers 20 ms after reading a request, never sooner: no latency (min is
  // exact; percentiles are clamped to [min, max]) can be below 20 ms.
  BOOST_TEST(latency["min"].get<double>() >= 20.0);
  BOOST_TEST(latency["p50"].get<double>() >= 20.0);
  // Percentiles grow with p and stay within [min, max]; the mean too.
  const std::vector<std::string> ordered = {"min", "p50", "p90", "p95", "p99", "p999", "max"};
  for (size_t i = 1; i < ordered.size(); ++i) {
    BOOST_TEST_CONTEXT(ordered[i - 1] << " <= " << ordered[i]) {
      BOOST_TEST(latency[ordered[i - 1]].get<double>() <= latency[ordered[i]].get<double>());
    }
  }
  BOOST_TEST(latency["mean"].get<double>() >= latency["min"].get<double>());
  BOOST_TEST(latency["mean"].get<double>() <= latency["max"].get<double>());
}

BOOST_AUTO_TEST_CASE(status_503_is_reported_as_http_5xx) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      write_campaign(dir.path(), "1s", 4, "[request.broken]\nurl = " + target.url("/status/503") + "\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures_by_kind"]["http_5xx"] == total["requests"]);
  BOOST_TEST(total["failures"] == total["requests"]);
  BOOST_TEST(total["status_codes"]["503"] == total["requests"]);
}

BOOST_AUTO_TEST_CASE(refused_port_is_reported_as_connect_failure) {
  const RefusedPort refused;  // bound, never listening, held for the whole test
  TempDir dir;
  const auto campaign = write_campaign(
      dir.path(), "1s", 2, "[request.refused]\nurl = http://127.0.0.1:" + std::to_string(refused.port()) + "/\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures_by_kind"]["connect"] == total["requests"]);
}

BOOST_AUTO_TEST_CASE(delay_above_timeout_is_reported_as_timeout) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      write_campaign(dir.path(), "1s", 3, "[request.slow]\nurl = " + target.url("/delay/2000") + "\ntimeout = 200ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path(), "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto total = read_json(dir.path() + "/summary.json")["total"];
  BOOST_TEST(total["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(total["failures_by_kind"]["timeout"] == total["requests"]);
  BOOST_TEST(total["failures"] == total["requests"]);
  // A request is abandoned at its 200 ms timeout, never before.
  BOOST_TEST(total["latency_ms"]["min"].get<double>() >= 200.0);
}

BOOST_AUTO_TEST_CASE(results_are_written_while_the_run_goes) {
  TargetProcess target;
  TempDir dir;
  // Far longer than the test needs: it is stopped (SIGINT) once rows are written.
  const auto campaign =
      write_campaign(dir.path(), "120s", 2, "[request.home]\nurl = " + target.url("/") + "\n", "think_time = 10ms\n");
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
  BOOST_TEST(summary["state"] == "interrupted");  // stopped by a signal, and it says so
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

BOOST_AUTO_TEST_CASE(the_report_names_the_transport_that_served_each_request) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 4,
                                       "[request.plain]\nurl = " + target.url("/") + "\n" + "[request.bycurl]\nurl = " +
                                           target.url("/bytes/10") + "\ntransport = curl\n",
                                       "spawn_rate = 100\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "1"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(request_named(summary, "plain")["transport"] == "native");
  BOOST_TEST(request_named(summary, "bycurl")["transport"] == "curl");
  BOOST_TEST(summary["total"]["transport"] == "curl+native");
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(run.out().find("transports: bycurl=curl plain=native") != std::string::npos, run.out());
}

BOOST_AUTO_TEST_CASE(transport_flag_forces_one_transport_for_the_run) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.plain]\nurl = " + target.url("/") + "\n");
  ChildProcess run(
      {kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "1", "--transport", "curl"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  BOOST_TEST(request_named(read_json(dir.path() + "/out/summary.json"), "plain")["transport"] == "curl");
}

BOOST_AUTO_TEST_CASE(transport_native_on_an_https_request_exits_2_naming_the_request) {
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.secure]\nurl = https://127.0.0.1:1/\n");
  ChildProcess run({kBinary, "run", campaign, "--transport", "native"});
  BOOST_TEST(run_to_end(run) == 2);
  BOOST_TEST(run.err().find("--transport: the native transport cannot serve request 'secure': its URL is https://") !=
                 std::string::npos,
             run.err());
  ChildProcess bad({kBinary, "run", campaign, "--transport", "fast"});
  BOOST_TEST(run_to_end(bad) == 2);
  BOOST_TEST(bad.err().find("'fast' is not a transport") != std::string::npos, bad.err());
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

BOOST_AUTO_TEST_CASE(the_version_is_the_same_in_version_output_and_in_summary_json) {
  ChildProcess version({kBinary, "--version"});
  BOOST_REQUIRE_EQUAL(run_to_end(version), 0);
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.home]\nurl = " + target.url("/") + "\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "1", "--quiet"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(version.out() == "loadgrid " + summary["loadgrid_version"].get<std::string>() + "\n");
  BOOST_TEST(summary["loadgrid_version"].get<std::string>().find('.') != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_subcommand_takes_a_log_level_and_rejects_a_bad_one_by_name) {
  for (const char* cmd : {"run", "broker", "relay", "agent", "target"}) {
    ChildProcess bad({kBinary, cmd, "--log-level", "loud"});
    BOOST_TEST(run_to_end(bad) == 2, cmd);
    BOOST_TEST(bad.err().find("'loud' is not a log level") != std::string::npos, cmd << ": " << bad.err());
  }
}

BOOST_AUTO_TEST_CASE(log_lines_name_their_node_and_a_higher_log_level_hides_info_lines) {
  TargetProcess target;
  TempDir dir;
  const auto campaign = write_campaign(dir.path(), "1s", 2, "[request.home]\nurl = " + target.url("/") + "\n");
  ChildProcess chatty({kBinary, "run", campaign, "--results", dir.path() + "/a", "--threads", "1", "--quiet"});
  BOOST_REQUIRE_EQUAL(run_to_end(chatty), 0);
  BOOST_TEST(chatty.err().find(" info broker: campaign it starts") != std::string::npos, chatty.err());
  BOOST_TEST(chatty.err().find(" info local-relay: ") != std::string::npos, chatty.err());
  BOOST_TEST(chatty.err().find("local-agent-1") == std::string::npos, chatty.err());  // local agents: debug
  ChildProcess debug(
      {kBinary, "run", campaign, "--results", dir.path() + "/c", "--threads", "1", "--quiet", "--log-level", "debug"});
  BOOST_REQUIRE_EQUAL(run_to_end(debug), 0);
  BOOST_TEST(debug.err().find(" debug local-agent-1: campaign it@") != std::string::npos, debug.err());
  ChildProcess quiet({kBinary, "run", campaign, "--results", dir.path() + "/b", "--threads", "1", "--quiet",
                      "--log-level", "warning"});
  BOOST_REQUIRE_EQUAL(run_to_end(quiet), 0);
  BOOST_TEST(quiet.err().find(" info ") == std::string::npos, quiet.err());
  BOOST_TEST(quiet.out().find("TOTAL") != std::string::npos);  // the report is not a log line
}

BOOST_AUTO_TEST_CASE(run_with_several_local_agents_splits_users_and_counts_exactly) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      write_campaign(dir.path(), "2s", 9, "[request.home]\nurl = " + target.url("/") + "\n", "think_time = 5ms\n");
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
