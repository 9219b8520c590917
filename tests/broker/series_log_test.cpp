#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/latency_percentiles.hpp"
#include "broker/region_windows.hpp"
#include "broker/series_log.hpp"
#include "broker/timeseries_csv.hpp"
#include "protocol/workload/csv_table.hpp"

using namespace grid;

namespace {

broker::SeriesPoint point(uint64_t i) {
  broker::SeriesPoint p;
  p.start_unix_ms = i;
  p.requests = i;
  return p;
}

std::vector<uint64_t> starts(const broker::SeriesLog& log) {
  std::vector<uint64_t> out;
  log.for_each([&](const broker::SeriesPoint& p) { out.push_back(p.start_unix_ms); });
  return out;
}

wire::StatsWindow window(uint64_t index, const std::string& region, uint64_t requests, uint32_t users) {
  wire::StatsWindow w;
  w.index = index;
  w.interval_ms = 1000;
  w.active_users = users;
  w.requests["home"].requests = requests;
  for (uint64_t i = 0; i < requests; ++i) w.requests["home"].latency_us.record(1000 * (i + 1));
  wire::SourceTotals s;
  s.agent_id = "a-" + region;
  s.region = region;
  s.requests = requests;
  w.sources.push_back(s);
  return w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(series_log)

BOOST_AUTO_TEST_CASE(a_series_keeps_the_last_3600_points_oldest_first) {
  broker::SeriesLog log;
  for (uint64_t i = 0; i < 5000; ++i) log.append(point(i));
  BOOST_TEST(log.size() == broker::SeriesLog::kMaxPoints);
  const auto kept = starts(log);
  BOOST_REQUIRE_EQUAL(kept.size(), broker::SeriesLog::kMaxPoints);
  BOOST_TEST(kept.front() == 5000 - broker::SeriesLog::kMaxPoints);
  BOOST_TEST(kept.back() == 4999u);
  for (size_t i = 1; i < kept.size(); ++i) BOOST_REQUIRE_EQUAL(kept[i], kept[i - 1] + 1);
  BOOST_TEST(log.back().start_unix_ms == 4999u);
}

BOOST_AUTO_TEST_CASE(a_published_copy_is_unchanged_by_later_appends) {
  broker::SeriesLog log;
  for (uint64_t i = 0; i < 100; ++i) log.append(point(i));
  const broker::SeriesLog snapshot = log;
  for (uint64_t i = 100; i < 4000; ++i) log.append(point(i));
  const auto kept = starts(snapshot);
  BOOST_REQUIRE_EQUAL(kept.size(), 100u);
  BOOST_TEST(kept.front() == 0u);
  BOOST_TEST(kept.back() == 99u);
}

BOOST_AUTO_TEST_CASE(each_region_gets_its_own_window_and_shown_indexes_are_forgotten) {
  broker::RegionWindows regions;
  regions.add(window(10, "eu", 5, 2));
  regions.add(window(10, "us", 7, 3));
  regions.add(window(10, "eu", 4, 1));  // a second agent of eu, same window
  regions.add(window(11, "eu", 9, 3));
  const auto shown = regions.take(10);
  BOOST_REQUIRE_EQUAL(shown.size(), 2u);
  BOOST_TEST(shown.at("eu").total().requests == 9u);
  BOOST_TEST(shown.at("eu").active_users == 3u);
  BOOST_TEST(shown.at("us").total().requests == 7u);
  BOOST_TEST(regions.pending() == 1u);
  BOOST_TEST(regions.take(11).at("eu").total().requests == 9u);
  BOOST_TEST(regions.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(parts_arriving_after_their_window_was_shown_are_not_held) {
  broker::RegionWindows regions;
  regions.add(window(10, "eu", 5, 2));
  regions.add(window(8, "eu", 5, 2));  // older and never shown: forgotten with 10
  BOOST_TEST(regions.take(10).size() == 1u);
  BOOST_TEST(regions.pending() == 0u);
  regions.add(window(9, "eu", 5, 2));  // late: its window was shown already
  regions.add(window(10, "us", 5, 2));
  BOOST_TEST(regions.pending() == 0u);
  BOOST_TEST(regions.take(12).empty());
}

BOOST_AUTO_TEST_CASE(per_name_rows_quote_names_as_rfc_4180_says) {
  broker::NamedPoint n{"request", "buy, \"fast\"", point(1000)};
  n.point.elapsed_s = 1.5;
  n.point.rps = 12.25;
  const std::string csv = broker::timeseries_by_name_header() + "\n" + broker::timeseries_by_name_row(n) + "\n";
  const auto table = workload::parse_csv(csv);
  BOOST_REQUIRE(table.ok());
  BOOST_REQUIRE_EQUAL(table.value().rows.size(), 1u);
  const auto& row = table.value().rows[0];
  BOOST_TEST(row[2] == "request");
  BOOST_TEST(row[3] == "buy, \"fast\"");
  BOOST_TEST(row[6] == "12.250");
  BOOST_TEST(broker::csv_field("plain-name") == "plain-name");
}

BOOST_AUTO_TEST_CASE(latency_percentiles_run_from_the_minimum_to_the_maximum_per_request_and_in_total) {
  broker::RunAggregator run;
  wire::StatsWindow w = window(1, "eu", 100, 1);  // 1..100 ms
  w.requests["idle"];                             // a name without samples has no rows
  run.add(w);
  const auto table = workload::parse_csv(broker::latency_percentiles_csv(run));
  BOOST_REQUIRE(table.ok());
  const auto& rows = table.value().rows;
  BOOST_REQUIRE_EQUAL(rows.size(), 2 * broker::kReportPercentiles.size());
  BOOST_TEST(rows.front()[0] == "total");
  BOOST_TEST(rows.front()[2] == "0");
  BOOST_TEST(rows.front()[3] == "1.000");  // the minimum, exact
  const auto& last = rows[broker::kReportPercentiles.size() - 1];
  BOOST_TEST(last[2] == "100");
  BOOST_TEST(last[3] == "100.000");  // the maximum, exact
  BOOST_TEST(rows.back()[0] == "request");
  BOOST_TEST(rows.back()[1] == "home");
  double previous = 0;
  for (size_t i = 0; i < broker::kReportPercentiles.size(); ++i) {
    const double ms = std::stod(rows[i][3]);
    BOOST_TEST(ms >= previous);
    previous = ms;
  }
}

BOOST_AUTO_TEST_SUITE_END()
