#include <chrono>
#include <cstdint>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "agent/think_time.hpp"

using grid::agent::FastRng;
using grid::agent::kExponentialThinkCap;
using grid::agent::sample_think;
using grid::wire::StepKind;
using grid::wire::ThinkKind;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

namespace {

grid::wire::Step think(ThinkKind kind, uint32_t min_ms, uint32_t max_ms = 0) {
  grid::wire::Step s;
  s.kind = StepKind::think;
  s.think = kind;
  s.min_ms = min_ms;
  s.max_ms = max_ms;
  return s;
}

constexpr int kSamples = 100'000;

}  // namespace

BOOST_AUTO_TEST_SUITE(think_time)

BOOST_AUTO_TEST_CASE(fixed_think_is_exactly_its_time) {
  FastRng rng(1);
  for (int i = 0; i < 100; ++i) BOOST_TEST(sample_think(think(ThinkKind::fixed, 1'500), rng) == milliseconds(1'500));
  BOOST_TEST(sample_think(think(ThinkKind::fixed, 0), rng) == nanoseconds(0));
}

BOOST_AUTO_TEST_CASE(uniform_think_stays_within_bounds_with_the_midpoint_as_mean) {
  FastRng rng(2);
  const auto step = think(ThinkKind::uniform, 1'000, 3'000);
  double sum = 0;
  nanoseconds lowest = milliseconds(3'000), highest{0};
  for (int i = 0; i < kSamples; ++i) {
    const auto t = sample_think(step, rng);
    BOOST_REQUIRE(t >= milliseconds(1'000));
    BOOST_REQUIRE(t <= milliseconds(3'000));
    lowest = std::min(lowest, t);
    highest = std::max(highest, t);
    sum += static_cast<double>(t.count());
  }
  BOOST_TEST(sum / kSamples == 2e9, boost::test_tools::tolerance(0.005));
  BOOST_TEST(lowest < milliseconds(1'010));  // the whole range is used
  BOOST_TEST(highest > milliseconds(2'990));
}

BOOST_AUTO_TEST_CASE(uniform_think_with_an_empty_range_is_its_lower_bound) {
  FastRng rng(3);
  BOOST_TEST(sample_think(think(ThinkKind::uniform, 700, 700), rng) == milliseconds(700));
  BOOST_TEST(sample_think(think(ThinkKind::uniform, 700, 100), rng) == milliseconds(700));
}

BOOST_AUTO_TEST_CASE(exponential_think_has_its_mean_within_2_percent_and_a_capped_tail) {
  FastRng rng(4);
  const auto step = think(ThinkKind::exponential, 200);
  double sum = 0;
  int below_mean = 0;
  for (int i = 0; i < kSamples; ++i) {
    const auto t = sample_think(step, rng);
    BOOST_REQUIRE(t >= nanoseconds(0));
    BOOST_REQUIRE(t <= milliseconds(static_cast<int64_t>(200 * kExponentialThinkCap)));
    below_mean += t < milliseconds(200);
    sum += static_cast<double>(t.count());
  }
  BOOST_TEST(sum / kSamples == 200e6, boost::test_tools::tolerance(0.02));
  // P(X < mean) = 1 - 1/e = 0.632 for an exponential (a uniform would give 0.5).
  BOOST_TEST(below_mean / double(kSamples) == 0.632, boost::test_tools::tolerance(0.02));
  BOOST_TEST(sample_think(think(ThinkKind::exponential, 0), rng) == nanoseconds(0));
}

BOOST_AUTO_TEST_SUITE_END()
