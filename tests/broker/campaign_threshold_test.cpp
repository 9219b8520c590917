// [thresholds]: metrics, per-request keys, conditions and their units, abort settings.

#include <boost/test/unit_test.hpp>

#include "campaign_fixture.hpp"

using namespace grid::test;
using grid::broker::ThresholdSpec;

namespace {

// kMinimal (request "home") with [thresholds] at line 8 and `keys` from line 9.
std::string with_thresholds(const std::string& keys) { return kMinimal + "[thresholds]\n" + keys; }

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_thresholds)

BOOST_AUTO_TEST_CASE(every_metric_is_parsed_in_file_order_with_its_unit) {
  const auto c = parse(with_thresholds(
      "p99 = < 500ms\np50 = <= 0.25s\np75 = > 1ms\np90 = >= 2s\np95 = == 3ms\np99.9 = < 1s\nmax = < 2s\n"
      "mean = < 100ms\nerror_rate = < 1%\nrps = > 1000\nrequests = >= 10\nfailures = == 0\n"
      "dropped_iterations = < 10\n"));
  const std::vector<std::tuple<std::string, std::string, double>> expected = {{"p99", "<", 500},
                                                                              {"p50", "<=", 250},
                                                                              {"p75", ">", 1},
                                                                              {"p90", ">=", 2000},
                                                                              {"p95", "==", 3},
                                                                              {"p99.9", "<", 1000},
                                                                              {"max", "<", 2000},
                                                                              {"mean", "<", 100},
                                                                              {"error_rate", "<", 0.01},
                                                                              {"rps", ">", 1000},
                                                                              {"requests", ">=", 10},
                                                                              {"failures", "==", 0},
                                                                              {"dropped_iterations", "<", 10}};
  BOOST_REQUIRE(c.thresholds.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [metric, op, value] = expected[i];
    BOOST_TEST_CONTEXT(metric) {
      BOOST_TEST(c.thresholds[i].key == metric);
      BOOST_TEST(c.thresholds[i].metric == metric);
      BOOST_TEST(c.thresholds[i].request == "");
      BOOST_TEST(c.thresholds[i].op == op);
      BOOST_TEST(c.thresholds[i].value == value, boost::test_tools::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_threshold_keeps_its_condition_as_written) {
  const auto c = parse(with_thresholds("p95 = <300ms\n"));
  BOOST_TEST((c.thresholds.at(0) == ThresholdSpec{"p95", "", "p95", "<", 300, "<300ms"}));
}

BOOST_AUTO_TEST_CASE(error_rate_takes_a_fraction_or_a_percentage) {
  BOOST_TEST(parse(with_thresholds("error_rate = < 0.05\n")).thresholds.at(0).value == 0.05);
  BOOST_TEST(parse(with_thresholds("error_rate = < 2.5%\n")).thresholds.at(0).value == 0.025);
  expect_only_problem(with_thresholds("error_rate = < 150%\n"), {"[thresholds] error_rate", "< 1% or < 0.01"});
  expect_only_problem(with_thresholds("error_rate = < 2\n"), {"[thresholds] error_rate", "fraction from 0 to 1"});
}

BOOST_AUTO_TEST_CASE(a_request_threshold_names_its_request_and_metric) {
  const auto c = parse(kMinimal + "[request.check.out]\nurl = http://127.0.0.1:18080/\n[thresholds]\n" +
                       "request.home.p95 = < 800ms\nrequest.check.out.p99.9 = < 1s\nrequest.home.error_rate = < 1%\n");
  BOOST_REQUIRE(c.thresholds.size() == 3u);
  BOOST_TEST(c.thresholds[0].key == "request.home.p95");
  BOOST_TEST(c.thresholds[0].request == "home");
  BOOST_TEST(c.thresholds[0].metric == "p95");
  BOOST_TEST(c.thresholds[1].request == "check.out");
  BOOST_TEST(c.thresholds[1].metric == "p99.9");
  BOOST_TEST(c.thresholds[2].metric == "error_rate");
}

BOOST_AUTO_TEST_CASE(an_unknown_request_in_a_threshold_is_named_with_a_suggestion) {
  expect_only_problem(with_thresholds("request.hme.p95 = < 1s\n"),
                      {"test.ini:9: [thresholds] request.hme.p95", "'hme' is not a request", "did you mean 'home'?"});
}

BOOST_AUTO_TEST_CASE(an_unknown_metric_is_named_with_a_suggestion) {
  expect_only_problem(with_thresholds("p98 = < 1s\n"),
                      {"test.ini:9: [thresholds] p98", "unknown key", "did you mean 'p90'?", "request.NAME.METRIC"});
  expect_only_problem(with_thresholds("request.home.p999 = < 1s\n"),
                      {"[thresholds] request.home.p999", "unknown metric 'p999'", "did you mean"});
  expect_only_problem(with_thresholds("errors = < 1\n"), {"[thresholds] errors", "unknown key"});
}

BOOST_AUTO_TEST_CASE(bad_conditions_name_the_expected_form) {
  expect_only_problem(with_thresholds("p99 = 500ms\n"), {"[thresholds] p99", "no operator", "<, <=, >, >=, =="});
  expect_only_problem(with_thresholds("p99 = < 500\n"), {"[thresholds] p99", "unit ms or s"});
  expect_only_problem(with_thresholds("p99 = < 5m\n"), {"[thresholds] p99", "unit ms or s"});
  expect_only_problem(with_thresholds("rps = > lots\n"), {"[thresholds] rps", "requests per second"});
  expect_only_problem(with_thresholds("failures = < 1.5\n"), {"[thresholds] failures", "whole number"});
  expect_only_problem(with_thresholds("requests = < -1\n"), {"[thresholds] requests", "whole number"});
}

BOOST_AUTO_TEST_CASE(abort_on_fail_and_abort_grace_are_parsed) {
  const auto c = parse(with_thresholds("p99 = < 1s\nabort_on_fail = true\nabort_grace = 30s\n"));
  BOOST_TEST(c.abort_on_fail);
  BOOST_TEST(c.abort_grace.count() == 30'000);
  BOOST_TEST(c.thresholds.size() == 1u);
  const auto d = parse(kMinimal);
  BOOST_TEST(!d.abort_on_fail);
  BOOST_TEST(d.abort_grace.count() == 0);
  expect_only_problem(with_thresholds("p99 = < 1s\nabort_on_fail = yes\n"),
                      {"test.ini:10: [thresholds] abort_on_fail", "true or false"});
  expect_only_problem(with_thresholds("p99 = < 1s\nabort_grace = later\n"), {"[thresholds] abort_grace", "duration"});
}

BOOST_AUTO_TEST_CASE(abort_on_fail_without_a_threshold_is_an_error) {
  expect_only_problem(with_thresholds("abort_on_fail = true\n"), {"[thresholds] abort_on_fail", "no threshold"});
}

BOOST_AUTO_TEST_CASE(a_threshold_given_twice_is_an_error) {
  expect_only_problem(with_thresholds("p99 = < 1s\np99 = < 2s\n"),
                      {"test.ini:10: [thresholds] p99", "given twice (first on line 9"});
}

BOOST_AUTO_TEST_SUITE_END()
