#include <cstdint>
#include <limits>
#include <set>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"

using grid::agent::FastRng;

BOOST_AUTO_TEST_SUITE(fast_rng)

BOOST_AUTO_TEST_CASE(same_seed_gives_the_same_sequence_and_different_seeds_differ) {
  FastRng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    BOOST_REQUIRE_EQUAL(x, b.next());
    differs |= x != c.next();
  }
  BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(uniform01_stays_in_the_unit_interval_with_mean_one_half) {
  FastRng r(1);
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double u = r.uniform01();
    BOOST_REQUIRE(u >= 0.0);
    BOOST_REQUIRE(u < 1.0);
    sum += u;
  }
  BOOST_TEST(sum / 100'000 == 0.5, boost::test_tools::tolerance(0.01));
}

BOOST_AUTO_TEST_CASE(below_covers_every_value_and_nothing_else) {
  FastRng r(2);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t v = r.below(7);
    BOOST_REQUIRE(v < 7u);
    seen.insert(v);
  }
  BOOST_TEST(seen.size() == 7u);
  BOOST_TEST(r.below(0) == 0u);
  BOOST_TEST(r.below(1) == 0u);
}

BOOST_AUTO_TEST_CASE(between_is_inclusive_and_handles_the_full_int64_range) {
  FastRng r(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t v = r.between(-2, 2);
    BOOST_REQUIRE(v >= -2);
    BOOST_REQUIRE(v <= 2);
    seen.insert(v);
  }
  BOOST_TEST(seen.size() == 5u);
  constexpr int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  bool negative = false, positive = false;
  for (int i = 0; i < 1'000; ++i) {
    const int64_t v = r.between(lo, hi);
    negative |= v < 0;
    positive |= v > 0;
  }
  BOOST_TEST((negative && positive));
  BOOST_TEST(r.between(hi, hi) == hi);
  BOOST_TEST(r.between(lo, lo) == lo);
  for (int i = 0; i < 1'000; ++i) {
    const int64_t top = r.between(hi - 1, hi);
    BOOST_REQUIRE(top >= hi - 1);
    const int64_t bottom = r.between(lo, lo + 1);
    BOOST_REQUIRE(bottom <= lo + 1);
    const int64_t wide = r.between(lo + 1, hi);  // span 2^64 - 2: not the full-range shortcut
    BOOST_REQUIRE(wide > lo);
  }
  BOOST_TEST(r.between(5, 1) == 5);  // an empty range gives low
}

BOOST_AUTO_TEST_SUITE_END()
