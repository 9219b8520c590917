#include <filesystem>
#include <fstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/report_model.hpp"
#include "broker/results_writer.hpp"
#include "broker/run_aggregator.hpp"
#include "support/child_process.hpp"

using namespace grid;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A results directory as the broker leaves it: two windows of two request names.
void write_results(const std::string& dir) {
  broker::ResultsWriter writer(dir);
  writer.write_campaign("[campaign]\nname = demo\n");
  broker::RunAggregator run;
  broker::RunInfo info;
  info.campaign = "demo";
  info.state = "finished";
  info.started_unix_ms = 100'000;
  info.duration_ms = 2000;
  info.elapsed_s = 2.0;
  info.interval_ms = 1000;
  for (uint64_t index = 100; index < 102; ++index) {
    wire::StatsWindow w;
    w.index = index;
    w.interval_ms = 1000;
    w.active_users = 3;
    auto& home = w.requests["home"];
    home.requests = 40;
    home.failures[wire::FailureKind::http_5xx] = 10;
    for (int i = 1; i <= 40; ++i) home.latency_us.record(static_cast<uint64_t>(i) * 1000);
    w.requests["buy, fast"].requests = 5;
    run.add(w);
    std::vector<broker::NamedPoint> named;
    for (const auto& [name, stats] : w.requests) {
      named.push_back({"request", name, broker::series_point(stats, w, info.started_unix_ms, 0)});
    }
    named.push_back({"region", "eu", broker::series_point(w, info.started_unix_ms, 0)});
    writer.on_window(info, w, run, nullptr, &named);
  }
  writer.on_finish(info, run);
}

std::string error_of(const std::string& dir) {
  try {
    broker::report_model(dir);
  } catch (const broker::ReportError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report_model)

BOOST_AUTO_TEST_CASE(the_model_of_a_results_directory_holds_its_summary_series_percentiles_and_campaign) {
  test::TempDir dir;
  write_results(dir.path());
  const auto model = broker::report_model(dir.path());
  BOOST_TEST(model["mode"] == "report");
  BOOST_TEST(model["summary"]["campaign"] == "demo");
  BOOST_TEST(model["summary"]["total"]["requests"] == 90);
  BOOST_REQUIRE_EQUAL(model["series"]["total"].size(), 2u);
  const auto& point = model["series"]["total"][0];
  BOOST_TEST(point["requests"] == 45);
  BOOST_TEST(point["active_users"] == 3);
  BOOST_TEST(point["failures_per_s"].get<double>() == 10.0);  // 10 failures over a whole second
  BOOST_TEST(model["series"]["requests"]["buy, fast"].size() == 2u);
  BOOST_TEST(model["series"]["requests"]["home"][1]["failures"] == 10);
  BOOST_TEST(model["series"]["regions"]["eu"][0]["active_users"] == 3);
  BOOST_TEST(model["percentiles"][""].back()[1].get<double>() == 40.0);      // the maximum
  BOOST_TEST(model["percentiles"]["home"].front()[1].get<double>() == 1.0);  // the minimum
  BOOST_TEST(model["campaign_ini"] == "[campaign]\nname = demo\n");
  BOOST_TEST(model["baseline"].is_null());
  BOOST_TEST(model["missing"].empty());  // logs.jsonl too: the writer starts it, empty
}

BOOST_AUTO_TEST_CASE(a_baseline_directory_adds_its_summary_and_series) {
  test::TempDir dir, earlier;
  write_results(dir.path());
  write_results(earlier.path());
  const auto model = broker::report_model(dir.path(), earlier.path());
  BOOST_TEST(model["baseline"]["dir"] == earlier.path());
  BOOST_TEST(model["baseline"]["summary"]["total"]["requests"] == 90);
  BOOST_TEST(model["baseline"]["series"]["total"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_directory_without_summary_json_is_an_error_naming_the_file) {
  test::TempDir dir;
  BOOST_TEST(error_of(dir.path()) ==
             dir.path() + "/summary.json: not found (is " + dir.path() + " a loadgrid results directory?)");
  write(dir.path() + "/summary.json", "{\"total\": ");
  BOOST_TEST(error_of(dir.path()) == dir.path() + "/summary.json: not valid JSON");
  write(dir.path() + "/summary.json", "{\"total\": {}}");
  BOOST_TEST(error_of(dir.path()).find("not a loadgrid summary") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_malformed_series_file_is_an_error_naming_the_file_row_and_column) {
  test::TempDir dir;
  write_results(dir.path());
  write(dir.path() + "/timeseries_by_name.csv",
        "window_start_unix_ms,elapsed_s,scope,name,users,requests,rps,failures,failures_per_s,p50_ms,p95_ms,p99_ms\n"
        "1000,1.0,request,home,0,x,1,0,0,1,1,1\n");
  BOOST_TEST(error_of(dir.path()) ==
             dir.path() + "/timeseries_by_name.csv: row 1: column 'requests' is not a number: 'x'");
  write(dir.path() + "/timeseries.csv", "window_start_unix_ms,elapsed_s\n1,2\n");
  BOOST_TEST(error_of(dir.path()) == dir.path() + "/timeseries.csv: no column 'users'");
}

BOOST_AUTO_TEST_CASE(log_lines_cut_short_are_skipped_and_counted) {
  test::TempDir dir;
  write_results(dir.path());
  write(dir.path() + "/logs.jsonl",
        "{\"time_unix_ms\":1,\"node\":\"a1\",\"level\":\"warning\",\"message\":\"slow\"}\n{\"time_unix_ms\":2,\"no");
  const auto model = broker::report_model(dir.path());
  BOOST_REQUIRE_EQUAL(model["logs"].size(), 1u);
  BOOST_TEST(model["logs"][0]["node"] == "a1");
  BOOST_TEST(model["logs_skipped"] == 1);
  BOOST_TEST(model["missing"] == nlohmann::ordered_json::array());
}

BOOST_AUTO_TEST_CASE(missing_optional_files_are_listed_not_fatal) {
  test::TempDir dir;
  write_results(dir.path());
  for (const char* f : {"timeseries.csv", "timeseries_by_name.csv", "latency_percentiles.csv", "campaign.ini"}) {
    std::filesystem::remove(dir.path() + "/" + f);
  }
  const auto model = broker::report_model(dir.path());
  BOOST_TEST(model["series"]["total"].empty());
  BOOST_TEST(model["percentiles"].is_null());
  BOOST_TEST(model["campaign_ini"].is_null());
  BOOST_TEST(model["missing"].size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()
