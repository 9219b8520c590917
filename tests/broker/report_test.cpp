#include <fstream>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/console_view.hpp"
#include "broker/run_aggregator.hpp"
#include "broker/summary_json.hpp"
#include "broker/timeseries_csv.hpp"

using namespace grid;

namespace {

// One window of two request names with known latencies and failures.
wire::StatsWindow sample_window(uint64_t index) {
  wire::StatsWindow w;
  w.index = index;
  w.interval_ms = 1000;
  w.active_users = 10;
  auto& home = w.requests["home"];
  for (uint64_t i = 1; i <= 100; ++i) {
    ++home.requests;
    home.count_status(200);
    home.latency_us.record(i * 1000);  // 1..100 ms
    home.bytes_sent += 80;
    home.bytes_received += 200;
  }
  auto& slow = w.requests["slow"];
  slow.requests = 10;
  slow.failures[wire::FailureKind::http_5xx] = 3;
  slow.failures[wire::FailureKind::timeout] = 1;
  for (int i = 0; i < 6; ++i) slow.count_status(200);
  for (int i = 0; i < 3; ++i) slow.count_status(503);
  for (int i = 0; i < 10; ++i) slow.latency_us.record(20'000);
  return w;
}

broker::RunAggregator sample_run() {
  broker::RunAggregator run;
  for (uint64_t index = 100; index < 102; ++index) run.add(sample_window(index));
  return run;
}

broker::RunInfo sample_info() {
  broker::RunInfo info;
  info.campaign = "golden";
  info.state = "finished";
  info.started_unix_ms = 100'000;
  info.duration_ms = 2000;
  info.elapsed_s = 2.0;
  info.users = 10;
  info.threads = 2;
  info.interval_ms = 1000;
  return info;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reports)

BOOST_AUTO_TEST_CASE(aggregator_sums_windows_per_name_and_in_total) {
  const auto run = sample_run();
  BOOST_TEST(run.windows() == 2u);
  BOOST_TEST(run.by_name().at("home").requests == 200u);
  BOOST_TEST(run.by_name().at("slow").failed() == 8u);
  BOOST_TEST(run.total().requests == 220u);
  BOOST_TEST(run.total().latency_us.count() == 220u);
}

BOOST_AUTO_TEST_CASE(summary_json_has_the_documented_fields) {
  const auto doc = broker::summary_json(sample_info(), sample_run());
  BOOST_TEST(doc["campaign"] == "golden");
  BOOST_TEST(doc["state"] == "finished");
  BOOST_TEST(doc["total"]["requests"] == 220);
  BOOST_TEST(doc["total"]["failures"] == 8);
  BOOST_TEST(doc["total"]["rps"] == 110.0);
  BOOST_TEST(doc["total"]["failures_by_kind"]["http_5xx"] == 6);
  BOOST_TEST(doc["total"]["failures_by_kind"]["timeout"] == 2);
  BOOST_TEST(doc["total"]["failures_by_kind"]["connect"] == 0);
  BOOST_TEST(doc["total"]["status_codes"]["503"] == 6);
  BOOST_REQUIRE(doc["requests"].size() == 2u);
  const auto& home = doc["requests"][0];
  BOOST_TEST(home["name"] == "home");
  for (const char* key : {"min", "mean", "p50", "p90", "p95", "p99", "p999", "max"}) {
    BOOST_TEST_CONTEXT(key) { BOOST_TEST(home["latency_ms"].contains(key)); }
  }
  BOOST_TEST(home["latency_ms"]["min"] == 1.0);
  BOOST_TEST(home["latency_ms"]["max"] == 100.0);
  BOOST_TEST(home["latency_ms"]["p50"].get<double>() == 50.0, boost::test_tools::tolerance(0.001));
}

BOOST_AUTO_TEST_CASE(timeseries_row_has_one_value_per_header_column) {
  const auto run = sample_run();
  const std::string header = broker::timeseries_header();
  const std::string row = broker::timeseries_row(sample_window(101), 100'000);
  const auto columns = [](const std::string& s) { return std::count(s.begin(), s.end(), ',') + 1; };
  BOOST_TEST(columns(header) == columns(row));
  BOOST_TEST(row.rfind("101000,2.000,10,110,110.0,4", 0) == 0, row);
}

namespace {

// The value of column `name` in `row`, by the header's order.
std::string csv_column(const std::string& header, const std::string& row, const std::string& name) {
  std::vector<std::string> names, values;
  for (auto [text, out] : {std::pair{&header, &names}, std::pair{&row, &values}}) {
    std::stringstream in(*text);
    for (std::string field; std::getline(in, field, ',');) out->push_back(field);
  }
  BOOST_REQUIRE_EQUAL(names.size(), values.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return values[i];
  }
  BOOST_FAIL("no column " << name << " in " << header);
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(timeseries_rows_carry_the_windows_dropped_iterations) {
  auto w = sample_window(101);
  w.requests["home"].dropped_iterations = 7;
  const std::string header = broker::timeseries_header();
  BOOST_TEST(csv_column(header, broker::timeseries_row(w, 100'000), "dropped_iterations") == "7");
}

BOOST_AUTO_TEST_CASE(timeseries_columns_are_append_only_and_newer_failure_kinds_come_last) {
  auto w = sample_window(101);
  w.requests["home"].failures[wire::FailureKind::not_allowed] = 3;
  const std::string header = broker::timeseries_header();
  // The columns of earlier releases, in their order, start every header.
  const std::string before =
      "window_start_unix_ms,elapsed_s,users,requests,rps,failures,failures_connect,failures_timeout,failures_tls,"
      "failures_http_4xx,failures_http_5xx,failures_other,failures_assertion,bytes_sent,bytes_received,"
      "latency_mean_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,dropped_iterations";
  BOOST_TEST(header.rfind(before, 0) == 0u, header);
  BOOST_TEST(header.substr(before.size()) == ",failures_not_allowed");
  BOOST_TEST(csv_column(header, broker::timeseries_row(w, 100'000), "failures_not_allowed") == "3");
}

BOOST_AUTO_TEST_CASE(partial_first_and_last_windows_report_the_rate_of_the_part_covered) {
  const auto w = sample_window(101);  // [101000, 102000) ms, 110 requests
  BOOST_TEST(broker::window_coverage_ms(w, 100'000, 0) == 1000u);
  BOOST_TEST(broker::window_coverage_ms(w, 101'500, 0) == 500u);
  BOOST_TEST(broker::window_coverage_ms(w, 100'000, 101'250) == 250u);
  BOOST_TEST(broker::window_coverage_ms(w, 103'000, 0) == 0u);
  // 110 requests in the 500 ms the run covered: 220 req/s, not 110.
  BOOST_TEST(broker::timeseries_row(w, 101'500).rfind("101000,0.500,10,110,220.0,4", 0) == 0,
             broker::timeseries_row(w, 101'500));
}

BOOST_AUTO_TEST_CASE(final_report_matches_golden_file) {
  const std::string golden_path = std::string(LOADGRID_SOURCE_DIR) + "/tests/broker/golden/final_report.gold";
  const std::string report = broker::final_report(sample_info(), sample_run());
  if (std::getenv("LOADGRID_UPDATE_GOLDEN")) std::ofstream(golden_path) << report;
  BOOST_TEST(report == read_file(golden_path));
}

BOOST_AUTO_TEST_CASE(progress_line_shows_users_rate_failures_and_percentiles) {
  const auto run = sample_run();
  auto info = sample_info();
  info.elapsed_s = 1.0;
  const std::string plain = broker::progress_line(info, sample_window(101), false);
  BOOST_TEST(plain == "1s/2s users=10 req/s=110 failures=4 p50=45.01ms p95=95.01ms p99=98.97ms");
  const std::string bar = broker::progress_line(info, sample_window(101), true);
  BOOST_TEST(bar.rfind("[##########..........] 1s/2s", 0) == 0, bar);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(long_request_agent_and_region_names_are_never_cut_in_the_report) {
  const std::string long_name(150, 'n');
  auto w = sample_window(100);
  w.requests[long_name] = w.requests["home"];
  broker::RunAggregator run;
  run.add(w);
  broker::GridReport grid;
  grid.regions[std::string(90, 'r')].users = 3;
  broker::AgentFigures agent;
  agent.id = std::string(300, 'a');
  agent.region = std::string(90, 'r');
  grid.agents.push_back(agent);
  const std::string report = broker::final_report(sample_info(), run, &grid);
  BOOST_TEST(report.find(long_name + " ") != std::string::npos);
  BOOST_TEST(report.find(agent.id + " " + agent.region) != std::string::npos);
  BOOST_TEST(report.find("  " + std::string(90, 'r') + " users=3") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(summary_json_reports_the_version_and_frames_given_up_or_kept) {
  broker::GridReport grid;
  grid.dropped_frames = 4;
  grid.retained_frames = 2;
  auto info = sample_info();
  info.version = "9.8.7";
  const auto doc = broker::summary_json(info, sample_run(), &grid);
  BOOST_TEST(doc["loadgrid_version"] == "9.8.7");
  BOOST_TEST(doc["health"]["dropped_frames"] == 4);
  BOOST_TEST(doc["health"]["retained_frames"] == 2);
  BOOST_TEST(broker::final_report(info, sample_run(), &grid).find("frames given up: 4; kept for retry: 2") !=
             std::string::npos);
}
