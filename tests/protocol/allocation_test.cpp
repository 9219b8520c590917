// Allocation math (STYLE.md 6.6): property tests of split_evenly and split_weighted over
// random inputs, plus the documented edge cases.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/allocation.hpp"

using grid::common::split_evenly;
using grid::common::split_weighted;

namespace {

uint64_t sum_of(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); }

/// A random total: small, typical (users, RPS) or large, with equal probability.
uint64_t random_total(std::mt19937_64& rng) {
  switch (rng() % 3) {
    case 0:
      return rng() % 20;
    case 1:
      return rng() % 100'000;
    default:
      return rng() % (uint64_t{1} << 40);
  }
}

/// Random weights: integers, decimals like 0.1 or 0.7, wide ranges, and some zeros; at
/// least one positive.
std::vector<double> random_weights(std::mt19937_64& rng, size_t n) {
  std::vector<double> w(n);
  const int style = static_cast<int>(rng() % 4);
  for (auto& x : w) {
    switch (style) {
      case 0:
        x = static_cast<double>(rng() % 5);
        break;
      case 1:
        x = static_cast<double>(rng() % 11) / 10.0;
        break;
      case 2:
        x = std::uniform_real_distribution<double>(0, 1)(rng);
        break;
      default:
        x = std::exp(std::uniform_real_distribution<double>(-20, 20)(rng));
        break;
    }
    if (rng() % 6 == 0) x = 0;
  }
  if (std::all_of(w.begin(), w.end(), [](double x) { return x == 0; })) w[rng() % n] = 1;
  return w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(allocation)

BOOST_AUTO_TEST_CASE(split_evenly_sums_to_total_and_shares_differ_by_at_most_one) {
  std::mt19937_64 rng(81);
  for (int trial = 0; trial < 5000; ++trial) {
    const uint64_t total = trial == 0 ? UINT64_MAX : random_total(rng);
    const size_t parts = 1 + rng() % 300;
    const auto shares = split_evenly(total, parts);
    BOOST_TEST_REQUIRE(shares.size() == parts);
    BOOST_TEST_REQUIRE(sum_of(shares) == total);
    const auto [lo, hi] = std::minmax_element(shares.begin(), shares.end());
    BOOST_TEST_REQUIRE(*hi - *lo <= 1u);
    // The larger shares come first.
    BOOST_TEST_REQUIRE(std::is_sorted(shares.rbegin(), shares.rend()));
  }
}

BOOST_AUTO_TEST_CASE(split_evenly_gives_the_remainder_to_the_first_parts) {
  BOOST_TEST((split_evenly(10, 4) == std::vector<uint64_t>{3, 3, 2, 2}));
  BOOST_TEST((split_evenly(2, 5) == std::vector<uint64_t>{1, 1, 0, 0, 0}));
  BOOST_TEST((split_evenly(0, 3) == std::vector<uint64_t>{0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(split_evenly_into_zero_parts_throws) {
  BOOST_CHECK_THROW(split_evenly(10, 0), std::invalid_argument);
  BOOST_CHECK_THROW(split_evenly(0, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(split_weighted_without_caps_sums_to_total_within_one_of_the_exact_share) {
  std::mt19937_64 rng(82);
  for (int trial = 0; trial < 5000; ++trial) {
    const size_t n = 1 + rng() % 20;
    const auto weights = random_weights(rng, n);
    const uint64_t total = random_total(rng);
    BOOST_TEST_CONTEXT("trial " << trial << ", total " << total) {
      const auto shares = split_weighted(total, weights);
      BOOST_TEST_REQUIRE(shares.size() == n);
      BOOST_TEST_REQUIRE(sum_of(shares) == total);
      const long double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0L);
      for (size_t i = 0; i < n; ++i) {
        const long double exact = static_cast<long double>(total) * weights[i] / weight_sum;
        // Within one of the exact share; the slack covers double rounding of huge totals.
        BOOST_TEST_REQUIRE(std::fabs(static_cast<long double>(shares[i]) - exact) < 1.0L + exact * 1e-14L,
                           "share " << i << " is " << shares[i] << ", exact " << static_cast<double>(exact));
        if (weights[i] == 0) BOOST_TEST_REQUIRE(shares[i] == 0u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(split_weighted_never_exceeds_a_cap_and_sums_to_total_when_caps_allow) {
  std::mt19937_64 rng(83);
  for (int trial = 0; trial < 5000; ++trial) {
    const size_t n = 1 + rng() % 12;
    const auto weights = random_weights(rng, n);
    const uint64_t total = rng() % 3 == 0 ? random_total(rng) : rng() % 1000;
    std::vector<uint64_t> caps(n);
    for (auto& c : caps) c = rng() % 4 == 0 ? 0 : 1 + rng() % (1 + total / n * 2);  // 0 = no cap
    BOOST_TEST_CONTEXT("trial " << trial << ", total " << total) {
      const auto shares = split_weighted(total, weights, caps);
      BOOST_TEST_REQUIRE(shares.size() == n);
      // What the children that take anything (weight > 0) could hold between them.
      uint64_t room = 0;
      bool unbounded = false;
      for (size_t i = 0; i < n; ++i) {
        if (weights[i] > 0 && caps[i] == 0) unbounded = true;
        if (weights[i] > 0) room += caps[i];
        if (caps[i] != 0) BOOST_TEST_REQUIRE(shares[i] <= caps[i], "share " << i << " passes its cap");
        if (weights[i] == 0) BOOST_TEST_REQUIRE(shares[i] == 0u);
      }
      if (unbounded || room >= total) {
        BOOST_TEST_REQUIRE(sum_of(shares) == total);
      } else {
        // Not enough room: every child that could take something is full.
        BOOST_TEST_REQUIRE(sum_of(shares) == room);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(split_weighted_gives_what_a_cap_refuses_to_the_others_by_weight) {
  BOOST_TEST((split_weighted(100, {1, 1, 2}, {10, 0, 0}) == std::vector<uint64_t>{10, 30, 60}));
  BOOST_TEST((split_weighted(100, {1, 1, 2}, {0, 0, 20}) == std::vector<uint64_t>{40, 40, 20}));
  BOOST_TEST((split_weighted(100, {1, 1}, {30, 30}) == std::vector<uint64_t>{30, 30}));
}

BOOST_AUTO_TEST_CASE(split_weighted_gives_zero_weight_children_nothing) {
  BOOST_TEST((split_weighted(7, {0, 3, 0, 4}) == std::vector<uint64_t>{0, 3, 0, 4}));
  BOOST_TEST((split_weighted(1000, {0, 1}, {0, 10}) == std::vector<uint64_t>{0, 10}));
}

BOOST_AUTO_TEST_CASE(split_weighted_breaks_remainder_ties_toward_the_lower_index) {
  BOOST_TEST((split_weighted(5, {1, 1, 1}) == std::vector<uint64_t>{2, 2, 1}));
  BOOST_TEST((split_weighted(1, {2, 2}) == std::vector<uint64_t>{1, 0}));
  BOOST_TEST((split_weighted(2, {1, 3, 3}) == std::vector<uint64_t>{0, 1, 1}));
  BOOST_TEST((split_weighted(3, {0.1, 0.1, 0.1, 0.1}) == std::vector<uint64_t>{1, 1, 1, 0}));
  // And the same input always gives the same output.
  std::mt19937_64 rng(84);
  for (int trial = 0; trial < 200; ++trial) {
    const auto weights = random_weights(rng, 1 + rng() % 10);
    const uint64_t total = random_total(rng);
    BOOST_TEST_REQUIRE((split_weighted(total, weights) == split_weighted(total, weights)));
  }
}

BOOST_AUTO_TEST_CASE(split_weighted_with_huge_finite_weights_still_sums_to_total) {
  // The weights are valid (finite) but their sum overflows a double.
  BOOST_TEST((split_weighted(10, {1e308, 1e308}) == std::vector<uint64_t>{5, 5}));
  BOOST_TEST((split_weighted(3, {1.7e308, 1.7e308, 1.7e308}) == std::vector<uint64_t>{1, 1, 1}));
}

BOOST_AUTO_TEST_CASE(split_weighted_with_only_zero_weights_throws) {
  BOOST_CHECK_THROW(split_weighted(10, {0, 0, 0}), std::invalid_argument);
  // ... unless there is nothing to split.
  BOOST_TEST((split_weighted(0, {0, 0}) == std::vector<uint64_t>{0, 0}));
}

BOOST_AUTO_TEST_CASE(split_weighted_rejects_invalid_arguments) {
  BOOST_CHECK_THROW(split_weighted(10, {}), std::invalid_argument);
  BOOST_CHECK_THROW(split_weighted(10, {1, 1}, {5}), std::invalid_argument);
  BOOST_CHECK_THROW(split_weighted(10, {1, -1}), std::invalid_argument);
  BOOST_CHECK_THROW(split_weighted(10, {1, std::nan("")}), std::invalid_argument);
  BOOST_CHECK_THROW(split_weighted(10, {1, INFINITY}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
