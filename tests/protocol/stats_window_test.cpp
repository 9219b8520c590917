// StatsWindow (alignment, merge preconditions, validation of untrusted windows) and
// RequestStats. The merge laws of both are in merge_test.cpp.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/wire/request_stats.hpp"
#include "protocol/wire/stats_window.hpp"
#include "sample_messages.hpp"

using grid::test::same_window;
using grid::wire::FailureKind;
using grid::wire::RequestStats;
using grid::wire::StatsWindow;

namespace {

StatsWindow empty_window() {
  StatsWindow w;
  w.index = 1'700'000'123;
  w.interval_ms = 1000;
  return w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stats_window)

BOOST_AUTO_TEST_CASE(merge_refuses_a_window_with_another_index_and_changes_nothing) {
  std::mt19937_64 rng(110);
  StatsWindow a = grid::test::random_window(rng, 50, 1000, 100);
  const StatsWindow before = a;
  const StatsWindow other = grid::test::random_window(rng, 51, 1000, 100);
  BOOST_TEST(!a.merge(other));
  BOOST_TEST(same_window(a, before));
}

BOOST_AUTO_TEST_CASE(merge_refuses_a_window_with_another_interval_and_changes_nothing) {
  std::mt19937_64 rng(111);
  StatsWindow a = grid::test::random_window(rng, 50, 1000, 100);
  const StatsWindow before = a;
  const StatsWindow other = grid::test::random_window(rng, 50, 5000, 100);
  BOOST_TEST(!a.merge(other));
  BOOST_TEST(same_window(a, before));
}

BOOST_AUTO_TEST_CASE(merge_adds_active_users_and_unions_request_names) {
  StatsWindow a = empty_window(), b = empty_window();
  a.active_users = 10;
  b.active_users = 32;
  a.requests["home"].requests = 3;
  b.requests["home"].requests = 4;
  b.requests["login"].requests = 5;
  BOOST_TEST(a.merge(b));
  BOOST_TEST(a.active_users == 42u);
  BOOST_TEST(a.requests.size() == 2u);
  BOOST_TEST(a.requests["home"].requests == 7u);
  BOOST_TEST(a.requests["login"].requests == 5u);
}

BOOST_AUTO_TEST_CASE(total_is_the_merge_of_every_request_name) {
  std::mt19937_64 rng(112);
  const StatsWindow w = grid::test::random_window(rng, 9, 1000, 300);
  RequestStats expected;
  for (const auto& [name, s] : w.requests) expected.merge(s);
  BOOST_TEST((w.total() == expected));
  BOOST_TEST((StatsWindow{}.total() == RequestStats{}));
}

BOOST_AUTO_TEST_CASE(windows_are_aligned_to_wall_clock_multiples_of_the_interval) {
  BOOST_TEST(grid::wire::window_index_at(0, 1000) == 0u);
  BOOST_TEST(grid::wire::window_index_at(999, 1000) == 0u);
  BOOST_TEST(grid::wire::window_index_at(1000, 1000) == 1u);
  BOOST_TEST(grid::wire::window_index_at(1'700'000'012'345, 5000) == 340'000'002u);
  StatsWindow w;
  w.index = 340'000'002;
  w.interval_ms = 5000;
  BOOST_TEST(w.start_ms() == 1'700'000'010'000u);
  BOOST_TEST(w.end_ms() == 1'700'000'015'000u);
  static_assert(grid::wire::window_index_at(2500, 1000) == 2);
}

BOOST_AUTO_TEST_CASE(validate_accepts_consistent_windows) {
  std::mt19937_64 rng(113);
  for (int i = 0; i < 20; ++i) {
    const auto problem = grid::test::random_window(rng, i, 1000, 500).validate();
    BOOST_TEST(!problem.has_value(), problem.value_or(""));
  }
}

BOOST_AUTO_TEST_CASE(validate_names_a_zero_interval) {
  StatsWindow w;
  BOOST_TEST(w.validate().value_or("").find("zero interval") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_names_failures_exceeding_requests) {
  StatsWindow w = empty_window();
  w.requests["login"].requests = 2;
  w.requests["login"].failures[FailureKind::timeout] = 2;
  w.requests["login"].failures[FailureKind::connect] = 1;
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("request 'login'") != std::string::npos, problem);
  BOOST_TEST(problem.find("3 failures exceed 2 requests") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(validate_is_not_fooled_by_failure_counts_that_wrap_around) {
  // UINT64_MAX + 1 wraps to 0 in a naive sum: the window would pass with 0 requests.
  StatsWindow w = empty_window();
  w.requests["x"].failures[FailureKind::timeout] = UINT64_MAX;
  w.requests["x"].failures[FailureKind::connect] = 1;
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("failures exceed 0 requests") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(validate_names_responses_exceeding_requests) {
  StatsWindow w = empty_window();
  w.requests["home"].requests = 3;
  w.requests["home"].status_codes = {{200, 3}, {500, 1}};
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("4 responses exceed 3 requests") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(validate_is_not_fooled_by_status_counts_that_wrap_around) {
  StatsWindow w = empty_window();
  w.requests["home"].status_codes = {{200, UINT64_MAX}, {500, 1}};
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("exceed 0 requests") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(validate_names_unsorted_or_repeated_status_codes) {
  for (const std::vector<grid::wire::StatusCount>& codes : {std::vector<grid::wire::StatusCount>{{404, 1}, {200, 1}},
                                                            std::vector<grid::wire::StatusCount>{{200, 1}, {200, 1}}}) {
    StatsWindow w = empty_window();
    w.requests["home"].requests = 5;
    w.requests["home"].status_codes = codes;
    const std::string problem = w.validate().value_or("");
    BOOST_TEST(problem.find("not strictly ascending") != std::string::npos, problem);
  }
}

BOOST_AUTO_TEST_CASE(validate_names_a_status_with_a_zero_count) {
  StatsWindow w = empty_window();
  w.requests["home"].requests = 5;
  w.requests["home"].status_codes = {{200, 0}};
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("status 200 has a zero count") != std::string::npos, problem);
}

BOOST_AUTO_TEST_CASE(validate_names_more_latency_samples_than_requests) {
  StatsWindow w = empty_window();
  w.requests["home"].requests = 1;
  w.requests["home"].latency_us.record_n(1000, 2);
  const std::string problem = w.validate().value_or("");
  BOOST_TEST(problem.find("more latency samples than requests") != std::string::npos, problem);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(request_stats)

BOOST_AUTO_TEST_CASE(count_status_keeps_codes_ascending_and_unique) {
  RequestStats s;
  for (uint16_t code : {500, 200, 404, 200, 302, 500, 200}) s.count_status(code);
  const std::vector<grid::wire::StatusCount> expected = {{200, 3}, {302, 1}, {404, 1}, {500, 2}};
  BOOST_TEST((s.status_codes == expected));
}

BOOST_AUTO_TEST_CASE(failed_is_the_sum_over_failure_kinds) {
  RequestStats s;
  s.failures[FailureKind::connect] = 2;
  s.failures[FailureKind::other] = 5;
  BOOST_TEST(s.failed() == 7u);
  BOOST_TEST(grid::wire::to_string(FailureKind::http_5xx) == "http_5xx");
}

BOOST_AUTO_TEST_SUITE_END()
