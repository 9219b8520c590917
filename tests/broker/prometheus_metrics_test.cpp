// The Prometheus exposition (broker/prometheus_metrics.*): exact bucket bounds and counts
// derived from the latency histogram, label escaping, and the document's shape.
// `promtool check metrics` validates real output in the integration suite http_api.

#include <random>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/prometheus_metrics.hpp"

using namespace grid;
using broker::cumulative_buckets;
using broker::exact_bucket_bound_us;
using wire::LatencyHistogram;

namespace {

wire::StatsWindow window_of(const std::string& name, const std::string& region, const std::vector<uint64_t>& us) {
  wire::StatsWindow w;
  w.index = 1;
  w.interval_ms = 1000;
  w.active_users = 7;
  auto& s = w.requests[name];
  for (const uint64_t v : us) {
    ++s.requests;
    s.latency_us.record(v);
  }
  s.failures[wire::FailureKind::timeout] = 1;
  wire::SourceTotals source;
  source.agent_id = "a1";
  source.region = region;
  w.sources.push_back(source);
  return w;
}

broker::ApiSnapshot snapshot_of(const wire::StatsWindow& w) {
  broker::ApiSnapshot s;
  s.run.add(w);
  s.regions.add(w);
  s.active_users = w.active_users;
  broker::AgentFigures a;
  a.id = "a1";
  s.grid.agents.push_back(a);
  s.broker_cpu_seconds = 1.5;
  s.broker_loop_cpu_seconds = 0.25;
  return s;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(prometheus_metrics)

BOOST_AUTO_TEST_CASE(bounds_below_the_linear_limit_are_the_nominal_bounds) {
  BOOST_TEST(exact_bucket_bound_us(1'000) == 1'000u);
  BOOST_TEST(exact_bucket_bound_us(2'047) == 2'047u);
}

BOOST_AUTO_TEST_CASE(each_exposed_bound_is_the_top_of_a_bucket_at_or_below_its_nominal_bound) {
  for (const uint64_t nominal : broker::nominal_bucket_bounds_us()) {
    const uint64_t e = exact_bucket_bound_us(nominal);
    BOOST_TEST(e <= nominal);
    BOOST_TEST(LatencyHistogram::highest_value_of(LatencyHistogram::index_of(e)) == e);
    // The largest such: the next bucket starts above e and already holds the nominal bound.
    if (e < nominal) BOOST_TEST(LatencyHistogram::index_of(e + 1) == LatencyHistogram::index_of(nominal));
  }
}

BOOST_AUTO_TEST_CASE(cumulative_counts_equal_the_samples_at_or_below_each_bound) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(10.0, 2.0);  // µs: from a few to millions
  LatencyHistogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 20'000; ++i) {
    const auto v = static_cast<uint64_t>(latency(rng));
    values.push_back(v);
    h.record(v);
  }
  std::vector<uint64_t> bounds;
  for (const uint64_t nominal : broker::nominal_bucket_bounds_us()) bounds.push_back(exact_bucket_bound_us(nominal));
  const auto buckets = cumulative_buckets(h, bounds);
  BOOST_REQUIRE_EQUAL(buckets.size(), bounds.size());
  for (const auto& b : buckets) {
    uint64_t at_or_below = 0;
    for (const uint64_t v : values) at_or_below += v <= b.le_us ? 1 : 0;
    BOOST_TEST(b.count == at_or_below, "le " << b.le_us);
  }
}

BOOST_AUTO_TEST_CASE(label_values_escape_backslash_quote_and_newline) {
  BOOST_TEST(broker::escape_label_value("plain") == "plain");
  BOOST_TEST(broker::escape_label_value("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

BOOST_AUTO_TEST_CASE(exposition_has_help_and_type_for_every_family) {
  const std::string text = broker::prometheus_metrics(snapshot_of(window_of("home", "eu", {500, 1500, 30'000})));
  for (const std::string family : {"loadgrid_requests_total", "loadgrid_failures_total",
                                   "loadgrid_request_duration_seconds", "loadgrid_active_users", "loadgrid_agents",
                                   "loadgrid_broker_cpu_seconds_total", "loadgrid_broker_loop_cpu_seconds_total"}) {
    BOOST_TEST(contains(text, "# HELP " + family + " "), family);
    BOOST_TEST(contains(text, "# TYPE " + family + " "), family);
  }
  BOOST_TEST(contains(text, "# TYPE loadgrid_request_duration_seconds histogram\n"));
  BOOST_TEST(text.back() == '\n');
}

BOOST_AUTO_TEST_CASE(counters_carry_request_region_and_kind) {
  const std::string text = broker::prometheus_metrics(snapshot_of(window_of("home", "eu", {500, 1500, 30'000})));
  BOOST_TEST(contains(text, "loadgrid_requests_total{request=\"home\",region=\"eu\"} 3\n"));
  BOOST_TEST(contains(text, "loadgrid_failures_total{request=\"home\",region=\"eu\",kind=\"timeout\"} 1\n"));
  BOOST_TEST(contains(text, "loadgrid_failures_total{request=\"home\",region=\"eu\",kind=\"connect\"} 0\n"));
  BOOST_TEST(contains(text, "loadgrid_active_users 7\n"));
  BOOST_TEST(contains(text, "loadgrid_agents{state=\"running\"} 1\n"));
  BOOST_TEST(contains(text, "loadgrid_agents{state=\"lost\"} 0\n"));
  BOOST_TEST(contains(text, "loadgrid_broker_cpu_seconds_total 1.500000\n"));
  BOOST_TEST(contains(text, "loadgrid_broker_loop_cpu_seconds_total 0.250000\n"));  // the loop thread alone
}

BOOST_AUTO_TEST_CASE(histogram_is_cumulative_and_ends_with_inf_sum_and_count) {
  const std::string text = broker::prometheus_metrics(snapshot_of(window_of("home", "eu", {500, 1500, 30'000})));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_bucket{request=\"home\",le=\"0.001\"} 1\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_bucket{request=\"home\",le=\"0.002499\"} 2\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_bucket{request=\"home\",le=\"0.049983\"} 3\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_bucket{request=\"home\",le=\"+Inf\"} 3\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_sum{request=\"home\"} 0.032\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_count{request=\"home\"} 3\n"));
  // Cumulative: never decreasing along the bounds.
  std::istringstream lines(text);
  uint64_t last = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("loadgrid_request_duration_seconds_bucket", 0) != 0) continue;
    const uint64_t n = std::stoull(line.substr(line.rfind(' ') + 1));
    BOOST_TEST(n >= last, line);
    last = n;
  }
}

BOOST_AUTO_TEST_CASE(request_names_with_quotes_backslashes_and_newlines_are_escaped_in_every_series) {
  const std::string text = broker::prometheus_metrics(snapshot_of(window_of("say \"hi\"\\\nnow", "r\"1", {900})));
  BOOST_TEST(contains(text, "loadgrid_requests_total{request=\"say \\\"hi\\\"\\\\\\nnow\",region=\"r\\\"1\"} 1\n"));
  BOOST_TEST(contains(text, "loadgrid_request_duration_seconds_count{request=\"say \\\"hi\\\"\\\\\\nnow\"} 1\n"));
  // No raw newline inside a sample line: every line is a comment or starts with a metric name.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    BOOST_TEST((line.rfind("#", 0) == 0 || line.rfind("loadgrid_", 0) == 0), line);
}

BOOST_AUTO_TEST_SUITE_END()
