#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/workload/stage_schedule.hpp"

using grid::wire::Stage;
using grid::workload::StageSchedule;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

namespace {

// Every arrival of a node with share `share` and phase `phase`, in order.
std::vector<nanoseconds> arrivals_of(const StageSchedule& s, double share, double phase) {
  std::vector<nanoseconds> out;
  for (uint64_t n = 0;; ++n) {
    const auto t = s.time_of_arrival((static_cast<double>(n) + phase) / share);
    if (!t) break;
    out.push_back(*t);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stage_schedule)

BOOST_AUTO_TEST_CASE(no_stages_gives_the_constant_everywhere) {
  const StageSchedule s({}, 40, seconds(10));
  BOOST_TEST(s.target_at(nanoseconds(0)) == 40);
  BOOST_TEST(s.target_at(seconds(5)) == 40);
  BOOST_TEST(s.target_at(seconds(100)) == 40);
  BOOST_TEST(s.peak() == 40);
  BOOST_TEST(s.arrivals_by(seconds(10)) == 400);
  BOOST_TEST(s.total_arrivals() == 400);
}

BOOST_AUTO_TEST_CASE(stages_ramp_linearly_from_the_previous_target) {
  // 0 -> 100 over 10 s, hold 100 for 5 s, 100 -> 20 over 4 s.
  const StageSchedule s({{10'000, 100}, {5'000, 100}, {4'000, 20}}, 999, seconds(30));
  BOOST_TEST(s.target_at(nanoseconds(0)) == 0);
  BOOST_TEST(s.target_at(seconds(5)) == 50);
  BOOST_TEST(s.target_at(milliseconds(2'500)) == 25);
  BOOST_TEST(s.target_at(seconds(10)) == 100);
  BOOST_TEST(s.target_at(seconds(12)) == 100);
  BOOST_TEST(s.target_at(seconds(17)) == 60);
  BOOST_TEST(s.target_at(seconds(19)) == 20);
  BOOST_TEST(s.target_at(seconds(25)) == 20);  // the last target holds
  BOOST_TEST(s.target_at(seconds(-1)) == 0);   // before the start: the start
  BOOST_TEST(s.peak() == 100);                 // the constant is ignored with stages
}

BOOST_AUTO_TEST_CASE(a_zero_length_stage_jumps) {
  const StageSchedule s({{0, 50}, {10'000, 50}}, 0, seconds(10));
  BOOST_TEST(s.target_at(nanoseconds(0)) == 50);
  BOOST_TEST(s.target_at(seconds(3)) == 50);
  BOOST_TEST(s.total_arrivals() == 500);
  BOOST_TEST(s.time_of_arrival(0)->count() == 0);
}

BOOST_AUTO_TEST_CASE(peak_is_the_highest_stage_target) {
  const StageSchedule s({{1'000, 10}, {1'000, 70}, {1'000, 30}}, 0, seconds(3));
  BOOST_TEST(s.peak() == 70);
}

BOOST_AUTO_TEST_CASE(negative_and_nan_targets_count_as_zero) {
  const StageSchedule s({{1'000, -5}, {1'000, std::nan("")}}, 0, seconds(2));
  BOOST_TEST(s.peak() == 0);
  BOOST_TEST(s.total_arrivals() == 0);
  BOOST_TEST(!s.time_of_arrival(0).has_value());
  const StageSchedule c({}, -3, seconds(2));
  BOOST_TEST(c.target_at(seconds(1)) == 0);
}

BOOST_AUTO_TEST_CASE(a_constant_rate_puts_arrival_k_at_k_over_rate_exactly) {
  const StageSchedule s({}, 200, seconds(60));
  for (int64_t k = 0; k < 12'000; ++k) {
    const auto t = s.time_of_arrival(static_cast<double>(k));
    BOOST_REQUIRE(t.has_value());
    BOOST_REQUIRE_EQUAL(t->count(), k * 5'000'000);  // 1/200 s apart
  }
  BOOST_TEST(!s.time_of_arrival(12'000).has_value());  // at the end: not before it
  const StageSchedule seven({}, 7, seconds(100));
  for (int k = 1; k < 700; k += 13) {
    const double exact_ns = k * 1e9 / 7;
    BOOST_TEST(std::abs(static_cast<double>(seven.time_of_arrival(k)->count()) - exact_ns) <= 0.5);
  }
}

BOOST_AUTO_TEST_CASE(a_ramp_from_0_to_100_per_second_over_10s_gives_500_arrivals) {
  const StageSchedule s({{10'000, 100}}, 0, seconds(10));
  BOOST_TEST(s.total_arrivals() == 500, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(arrivals_of(s, 1, 0).size() == 500u);
  // Quadratic: arrivals_by(t) = 5 t^2, so arrival k is at sqrt(k / 5) s.
  BOOST_TEST(s.time_of_arrival(0)->count() == 0);
  BOOST_TEST(s.time_of_arrival(5)->count() == 1'000'000'000);
  BOOST_TEST(s.time_of_arrival(125)->count() == 5'000'000'000);
  BOOST_TEST(s.time_of_arrival(320)->count() == 8'000'000'000);
  // Half of them in the last 2.93 s: sqrt(250 / 5) = 7.0710678 s.
  BOOST_TEST(std::abs(s.time_of_arrival(250)->count() - 7'071'067'812) <= 1);
}

BOOST_AUTO_TEST_CASE(a_falling_ramp_is_inverted_exactly_too) {
  const StageSchedule s({{0, 100}, {10'000, 0}}, 0, seconds(10));  // 100 -> 0 over 10 s
  BOOST_TEST(s.total_arrivals() == 500, boost::test_tools::tolerance(1e-9));
  // arrivals_by(t) = 100 t - 5 t^2: 375 at 5 s, 500 at 10 s.
  BOOST_TEST(s.time_of_arrival(375)->count() == 5'000'000'000);
  BOOST_TEST(arrivals_of(s, 1, 0).size() == 500u);
}

BOOST_AUTO_TEST_CASE(arrivals_by_inverts_time_of_arrival) {
  const StageSchedule s({{3'000, 50}, {2'000, 50}, {4'000, 10}, {0, 80}, {1'500, 0}, {2'000, 0}, {3'000, 120}}, 0,
                        seconds(20));
  const double total = s.total_arrivals();
  BOOST_TEST(total > 0);
  for (double k = 0.25; k < total; k += 0.37) {
    const auto t = s.time_of_arrival(k);
    BOOST_REQUIRE(t.has_value());
    // Within half a nanosecond's worth of the highest rate, plus rounding of the sums.
    BOOST_TEST(std::abs(s.arrivals_by(*t) - k) <= 120 * 0.5e-9 + 1e-9 * total);
  }
}

BOOST_AUTO_TEST_CASE(arrival_times_and_arrivals_by_are_monotonic) {
  const StageSchedule s({{2'000, 30}, {1'000, 0}, {2'000, 0}, {2'000, 90}, {1'000, 10}}, 0, seconds(12));
  nanoseconds last{-1};
  for (double k = 0; k < s.total_arrivals(); k += 0.5) {
    const auto t = s.time_of_arrival(k);
    BOOST_REQUIRE(t.has_value());
    BOOST_REQUIRE(*t >= last);
    last = *t;
  }
  double previous = -1;
  for (int64_t ms = 0; ms <= 13'000; ms += 7) {
    const double a = s.arrivals_by(milliseconds(ms));
    BOOST_REQUIRE(a >= previous);
    previous = a;
  }
}

BOOST_AUTO_TEST_CASE(zero_rate_stages_have_no_arrivals) {
  // 2 s at 0/s, ramp 0 -> 40 over 2 s, 3 s at 0 (a jump down), then 40 again.
  const StageSchedule s({{2'000, 0}, {2'000, 40}, {0, 0}, {3'000, 0}, {0, 40}}, 0, seconds(10));
  BOOST_TEST(s.arrivals_by(seconds(2)) == 0);
  BOOST_TEST(s.arrivals_by(seconds(4)) == 40, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.arrivals_by(seconds(7)) == 40, boost::test_tools::tolerance(1e-12));
  for (const auto t : arrivals_of(s, 1, 0)) {
    const bool in_zero = t < seconds(2) || (t > seconds(4) && t < seconds(7));
    BOOST_TEST(!in_zero, "arrival at " << t.count() << " ns falls in a zero-rate stage");
  }
  // The first arrival waits for the rate to become positive, not t = 0.
  BOOST_TEST(s.time_of_arrival(0)->count() == 2'000'000'000);
  // Arrival 40 is reached exactly when the ramp ends; arrival 40.5 only after the pause.
  BOOST_TEST(s.time_of_arrival(40)->count() == 4'000'000'000);
  BOOST_TEST(s.time_of_arrival(40.5)->count() == 7'012'500'000);
}

BOOST_AUTO_TEST_CASE(nothing_arrives_at_or_after_the_end) {
  const StageSchedule s({{10'000, 100}}, 0, seconds(4));                      // the campaign ends mid-ramp
  BOOST_TEST(s.total_arrivals() == 80, boost::test_tools::tolerance(1e-12));  // 5 t^2 at 4 s
  BOOST_TEST(s.arrivals_by(seconds(100)) == 80, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(arrivals_of(s, 1, 0).size() == 80u);
  BOOST_TEST(!s.time_of_arrival(80).has_value());
  BOOST_TEST(!s.time_of_arrival(1e12).has_value());
  BOOST_TEST(!s.time_of_arrival(std::nan("")).has_value());
  BOOST_TEST(s.target_at(seconds(6)) == 60);  // the target is not cut by the duration
  const StageSchedule none({}, 100, milliseconds(0));
  BOOST_TEST(!none.time_of_arrival(0).has_value());
  BOOST_TEST(none.total_arrivals() == 0);
}

BOOST_AUTO_TEST_CASE(shares_with_phases_split_the_grid_arrivals_without_overlap) {
  // Three nodes with shares 1/2, 1/3, 1/6 of 60/s for 10 s: 300, 200 and 100 arrivals.
  const StageSchedule s({}, 60, seconds(10));
  const auto a = arrivals_of(s, 0.5, 0.5);
  const auto b = arrivals_of(s, 1.0 / 3, 0.25);
  const auto c = arrivals_of(s, 1.0 / 6, 0.0);
  BOOST_TEST(a.size() == 300u);
  BOOST_TEST(b.size() == 200u);
  BOOST_TEST(c.size() == 100u);
  // Evenly spaced: node a every 1/30 s, first at 0.5 / 0.5 / 60 s.
  BOOST_TEST(a[0].count() == 16'666'667);
  for (size_t i = 1; i < a.size(); ++i) BOOST_TEST(std::abs((a[i] - a[i - 1]).count() - 33'333'333) <= 1);
  // A staged rate keeps each node's share: arrivals over a ramp split 1/4 : 3/4.
  const StageSchedule ramp({{10'000, 100}}, 0, seconds(10));
  BOOST_TEST(arrivals_of(ramp, 0.25, 0.5).size() == 125u);
  BOOST_TEST(arrivals_of(ramp, 0.75, 0.5).size() == 375u);
}

BOOST_AUTO_TEST_CASE(next_arrival_index_continues_after_a_share_change) {
  const StageSchedule s({}, 100, seconds(10));
  // Share 0.5, phase 0: arrivals every 20 ms. At 1 s, 50 have been due (0..49).
  BOOST_TEST(s.next_arrival_index(0.5, 0, seconds(1)) == 50u);
  BOOST_TEST(s.next_arrival_index(0.5, 0, milliseconds(1'001)) == 51u);
  // The share grows to 0.8 at 1 s: continue at index 80, whose time is 1 s.
  const uint64_t n = s.next_arrival_index(0.8, 0, seconds(1));
  BOOST_TEST(n == 80u);
  BOOST_TEST(s.time_of_arrival((static_cast<double>(n) + 0) / 0.8)->count() == 1'000'000'000);
  BOOST_TEST(s.next_arrival_index(0.5, 0.5, nanoseconds(0)) == 0u);
  BOOST_TEST(s.next_arrival_index(0, 0, seconds(1)) == UINT64_MAX);
}

BOOST_AUTO_TEST_SUITE_END()
