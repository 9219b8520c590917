// Threshold evaluation as pure functions on merged statistics: every metric and its unit,
// every operator at the boundary, per-request keys, and what no data means.

#include <boost/test/unit_test.hpp>

#include "broker/thresholds.hpp"
#include "support/threshold_specs.hpp"

using grid::broker::ThresholdResult;
using grid::broker::ThresholdSpec;
using grid::broker::ThresholdUnit;
using grid::test::threshold;
using grid::wire::RequestStats;

namespace {

// The merged data of a run: per request name, and their total.
struct Data {
  std::map<std::string, RequestStats> by_name;
  RequestStats total() const {
    RequestStats t;
    for (const auto& [name, s] : by_name) t.merge(s);
    return t;
  }
};

// "home": 100 responses of 10, 20, ..., 1000 µs (exact buckets below 2048 µs), 2 of them
// failed (5xx). "slow": 10 responses of 20 ms, 4 timeouts among them, 3 dropped iterations.
Data sample() {
  Data d;
  auto& home = d.by_name["home"];
  for (uint64_t i = 1; i <= 100; ++i) {
    ++home.requests;
    home.latency_us.record(i * 10);
  }
  home.failures[grid::wire::FailureKind::http_5xx] = 2;
  auto& slow = d.by_name["slow"];
  slow.requests = 10;
  slow.failures[grid::wire::FailureKind::timeout] = 4;
  slow.latency_us.record_n(20'000, 10);
  slow.dropped_iterations = 3;
  return d;
}

std::vector<ThresholdResult> evaluate(const std::vector<ThresholdSpec>& specs, const Data& d, double elapsed_s = 2.0) {
  return grid::broker::evaluate_thresholds(specs, d.total(), d.by_name, elapsed_s);
}

ThresholdResult evaluate_one(const ThresholdSpec& spec, const Data& d, double elapsed_s = 2.0) {
  return evaluate({spec}, d, elapsed_s).at(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(thresholds)

BOOST_AUTO_TEST_CASE(latency_metrics_are_milliseconds_from_the_merged_histogram) {
  Data d;
  for (uint64_t i = 1; i <= 100; ++i) d.by_name["home"].latency_us.record(i * 10);  // 0.01 .. 1 ms
  const std::vector<std::pair<std::string, double>> expected = {{"p50", 0.5},  {"p75", 0.75},  {"p90", 0.9},
                                                                {"p95", 0.95}, {"p99", 0.99},  {"p99.9", 1.0},
                                                                {"max", 1.0},  {"mean", 0.505}};
  for (const auto& [metric, ms] : expected) {
    BOOST_TEST_CONTEXT(metric) {
      const auto r = evaluate_one(threshold(metric, "<", 1000, "1000ms"), d);
      BOOST_TEST((r.unit == ThresholdUnit::ms));
      BOOST_REQUIRE(r.value.has_value());
      BOOST_TEST(*r.value == ms, boost::test_tools::tolerance(1e-12));
      BOOST_TEST(r.pass);
    }
  }
}

BOOST_AUTO_TEST_CASE(latency_above_the_exact_range_is_the_histogram_percentile_in_ms) {
  Data d;
  for (uint64_t i = 1; i <= 1000; ++i) d.by_name["home"].latency_us.record(i * 1'237);
  const auto& h = d.by_name["home"].latency_us;
  BOOST_TEST(*evaluate_one(threshold("p99", "<", 1, "1ms"), d).value == h.percentile(99) / 1000.0);
  BOOST_TEST(*evaluate_one(threshold("p75", "<", 1, "1ms"), d).value == h.percentile(75) / 1000.0);
}

BOOST_AUTO_TEST_CASE(error_rate_is_failures_over_requests_as_a_fraction) {
  const auto d = sample();  // 6 failures in 110 requests
  const auto r = evaluate_one(threshold("error_rate", "<", 0.01, "1%"), d);
  BOOST_TEST((r.unit == ThresholdUnit::fraction));
  BOOST_TEST(*r.value == 6.0 / 110.0);
  BOOST_TEST(!r.pass);
  BOOST_TEST(evaluate_one(threshold("error_rate", "<", 0.06, "6%"), d).pass);
}

BOOST_AUTO_TEST_CASE(rps_is_requests_over_the_seconds_the_load_ran) {
  const auto d = sample();  // 110 requests
  const auto r = evaluate_one(threshold("rps", ">", 50, "50"), d, 2.0);
  BOOST_TEST((r.unit == ThresholdUnit::per_second));
  BOOST_TEST(*r.value == 55.0);
  BOOST_TEST(r.pass);
  BOOST_TEST(!evaluate_one(threshold("rps", ">", 50, "50"), d, 4.0).pass);  // 27.5/s
}

BOOST_AUTO_TEST_CASE(requests_failures_and_dropped_iterations_are_counts) {
  const auto d = sample();
  const auto results = evaluate({threshold("requests", ">=", 110, "110"), threshold("failures", "<", 6, "6"),
                                 threshold("dropped_iterations", "<", 10, "10")},
                                d);
  BOOST_REQUIRE(results.size() == 3u);
  BOOST_TEST(*results[0].value == 110.0);
  BOOST_TEST(results[0].pass);
  BOOST_TEST(*results[1].value == 6.0);
  BOOST_TEST(!results[1].pass);
  BOOST_TEST(*results[2].value == 3.0);
  BOOST_TEST(results[2].pass);
  for (const auto& r : results) BOOST_TEST((r.unit == ThresholdUnit::count));
}

BOOST_AUTO_TEST_CASE(results_keep_the_key_and_condition_as_written_and_the_campaign_order) {
  const auto results =
      evaluate({threshold("request.slow.p95", "<", 800, "800ms"), threshold("error_rate", "<", 0.01, "1%")}, sample());
  BOOST_REQUIRE(results.size() == 2u);
  BOOST_TEST(results[0].metric == "request.slow.p95");
  BOOST_TEST(results[0].condition == "< 800ms");
  BOOST_TEST(results[0].label() == "request.slow.p95 < 800ms");
  BOOST_TEST(results[1].metric == "error_rate");
  BOOST_TEST(results[1].condition == "< 1%");
}

BOOST_AUTO_TEST_CASE(every_operator_at_below_and_above_its_bound) {
  Data d;
  d.by_name["home"].latency_us.record(500'000);  // p99 is exactly 500 ms (min = max)
  struct Case {
    std::string op;
    bool below, at, above;  // pass with the bound at 501, 500, 499 ms
  };
  for (const auto& c : std::vector<Case>{{"<", true, false, false},
                                         {"<=", true, true, false},
                                         {">", false, false, true},
                                         {">=", false, true, true},
                                         {"==", false, true, false}}) {
    BOOST_TEST_CONTEXT("p99 " << c.op) {
      BOOST_TEST(evaluate_one(threshold("p99", c.op, 501, "501ms"), d).pass == c.below);
      BOOST_TEST(evaluate_one(threshold("p99", c.op, 500, "500ms"), d).pass == c.at);
      BOOST_TEST(evaluate_one(threshold("p99", c.op, 499, "499ms"), d).pass == c.above);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_error_rate_equal_to_its_percentage_bound_fails_a_strict_bound_and_passes_an_inclusive_one) {
  Data d;
  d.by_name["home"].requests = 300;
  d.by_name["home"].failures[grid::wire::FailureKind::connect] = 3;  // exactly 1%
  BOOST_TEST(!evaluate_one(threshold("error_rate", "<", 1 / 100.0, "1%"), d).pass);
  BOOST_TEST(evaluate_one(threshold("error_rate", "<=", 1 / 100.0, "1%"), d).pass);
}

BOOST_AUTO_TEST_CASE(a_request_threshold_uses_only_that_requests_statistics) {
  const auto d = sample();
  const auto slow = evaluate_one(threshold("request.slow.p95", "<", 15, "15ms"), d);
  BOOST_TEST(*slow.value == 20.0);
  BOOST_TEST(!slow.pass);
  const auto home = evaluate_one(threshold("request.home.p95", "<", 15, "15ms"), d);
  BOOST_TEST(*home.value == 0.95);
  BOOST_TEST(home.pass);
  BOOST_TEST(*evaluate_one(threshold("request.slow.error_rate", "<", 1, "100%"), d).value == 0.4);
  BOOST_TEST(*evaluate_one(threshold("request.home.requests", ">", 0, "0"), d).value == 100.0);
  BOOST_TEST(*evaluate_one(threshold("request.slow.rps", ">", 0, "0"), d, 2.0).value == 5.0);
  BOOST_TEST(*evaluate_one(threshold("request.slow.dropped_iterations", "<", 1, "1"), d).value == 3.0);
  BOOST_TEST(*evaluate_one(threshold("request.home.p99.9", "<", 15, "15ms"), d).value == 1.0);
}

BOOST_AUTO_TEST_CASE(a_latency_metric_without_samples_fails_with_no_value_whatever_its_operator) {
  Data d;
  d.by_name["refused"].requests = 5;  // connect failures: no latency sample
  d.by_name["refused"].failures[grid::wire::FailureKind::connect] = 5;
  for (const std::string op : {"<", "<=", ">", ">=", "=="}) {
    for (const std::string metric : {"p50", "p99", "p99.9", "max", "mean"}) {
      BOOST_TEST_CONTEXT(metric << " " << op) {
        const auto r = evaluate_one(threshold(metric, op, 500, "500ms"), d);
        BOOST_TEST(!r.value.has_value());
        BOOST_TEST(!r.pass);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(error_rate_without_requests_and_rps_before_the_start_fail_with_no_value) {
  const Data empty;
  const auto rate = evaluate_one(threshold("error_rate", "<", 0.01, "1%"), empty);
  BOOST_TEST(!rate.value.has_value());
  BOOST_TEST(!rate.pass);
  const auto rps = evaluate_one(threshold("rps", "<", 1000, "1000"), sample(), 0.0);
  BOOST_TEST(!rps.value.has_value());
  BOOST_TEST(!rps.pass);
}

BOOST_AUTO_TEST_CASE(counts_over_all_requests_are_zero_not_missing_when_nothing_ran) {
  const Data empty;
  for (const std::string metric : {"requests", "failures", "dropped_iterations"}) {
    BOOST_TEST_CONTEXT(metric) {
      const auto r = evaluate_one(threshold(metric, "<", 1, "1"), empty);
      BOOST_TEST((r.value == std::optional<double>(0.0)));
      BOOST_TEST(r.pass);
    }
  }
  BOOST_TEST(*evaluate_one(threshold("rps", "<", 1, "1"), empty, 2.0).value == 0.0);
}

BOOST_AUTO_TEST_CASE(any_metric_of_a_request_that_never_ran_fails_with_no_value) {
  const auto d = sample();
  for (const std::string metric : {"p95", "error_rate", "rps", "requests", "failures", "dropped_iterations"}) {
    BOOST_TEST_CONTEXT(metric) {
      const auto r = evaluate_one(threshold("request.checkout." + metric, "<", 1e9, "1000000000"), d);
      BOOST_TEST(!r.value.has_value());
      BOOST_TEST(!r.pass);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_metric_or_operator_never_passes) {
  const auto d = sample();
  BOOST_TEST(!evaluate_one(threshold("p42", "<", 1e9, "1s"), d).pass);
  BOOST_TEST(!evaluate_one(threshold("p42", "<", 1e9, "1s"), d).value.has_value());
  BOOST_TEST(!evaluate_one(threshold("requests", "!=", 0, "0"), d).pass);
  BOOST_TEST(!evaluate_one(threshold("requests", "", 0, "0"), d).pass);
}

BOOST_AUTO_TEST_CASE(metric_names_have_units_and_unknown_names_have_none) {
  BOOST_TEST((grid::broker::threshold_unit("p99.9") == ThresholdUnit::ms));
  BOOST_TEST((grid::broker::threshold_unit("mean") == ThresholdUnit::ms));
  BOOST_TEST((grid::broker::threshold_unit("error_rate") == ThresholdUnit::fraction));
  BOOST_TEST((grid::broker::threshold_unit("rps") == ThresholdUnit::per_second));
  BOOST_TEST((grid::broker::threshold_unit("dropped_iterations") == ThresholdUnit::count));
  BOOST_TEST(!grid::broker::threshold_unit("p999").has_value());
  BOOST_TEST(!grid::broker::threshold_unit("request.home.p99").has_value());
}

BOOST_AUTO_TEST_CASE(all_passed_holds_for_no_thresholds_and_fails_on_any_failure) {
  BOOST_TEST(grid::broker::all_passed({}));
  const auto results = evaluate({threshold("requests", ">", 0, "0"), threshold("failures", "<", 1, "1")}, sample());
  BOOST_TEST(!grid::broker::all_passed(results));
  BOOST_TEST(grid::broker::all_passed({results[0]}));
}

BOOST_AUTO_TEST_CASE(the_first_observed_failure_skips_thresholds_without_data) {
  const auto results = evaluate({threshold("requests", ">", 0, "0"), threshold("request.checkout.p99", "<", 1, "1ms"),
                                 threshold("failures", "<", 1, "1"), threshold("error_rate", "<", 0, "0%")},
                                sample());
  BOOST_TEST((grid::broker::first_observed_failure(results) == std::optional<size_t>(2)));
  BOOST_TEST(!grid::broker::first_observed_failure({results[0], results[1]}).has_value());
}

BOOST_AUTO_TEST_CASE(observed_values_are_formatted_in_their_unit) {
  using grid::broker::format_observed;
  BOOST_TEST(format_observed(ThresholdUnit::ms, 512.345) == "512.345ms");
  BOOST_TEST(format_observed(ThresholdUnit::ms, 0.505) == "0.505ms");
  BOOST_TEST(format_observed(ThresholdUnit::ms, 1234567.0) == "1234567ms");
  BOOST_TEST(format_observed(ThresholdUnit::ms, 10.0 / 3) == "3.333ms");
  BOOST_TEST(format_observed(ThresholdUnit::fraction, 6.0 / 110.0) == "5.4545%");
  BOOST_TEST(format_observed(ThresholdUnit::fraction, 0.0) == "0%");
  BOOST_TEST(format_observed(ThresholdUnit::per_second, 27.5) == "27.5/s");
  BOOST_TEST(format_observed(ThresholdUnit::count, 1e9 + 1) == "1000000001");
  BOOST_TEST(format_observed(ThresholdUnit::count, std::nullopt) == "no data");
}

BOOST_AUTO_TEST_SUITE_END()
