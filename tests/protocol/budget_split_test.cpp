// split_budget (STYLE.md 6.6): users over regions by weight, then over the children of a
// region by capacity, capped. A seeded property test over random grids, plus the
// documented examples.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/budget_split.hpp"

using grid::common::ChildCapacity;
using grid::common::split_budget;
using Shares = std::vector<uint64_t>;
using Weights = std::map<std::string, double>;

namespace {

uint64_t sum_of(const Shares& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); }

/// One random grid: children in a few regions (one of them never weighted), capacities
/// including zero and negative, about half of them capped, and region weights (none at
/// all a quarter of the time).
struct Grid {
  uint64_t total = 0;
  Weights weights;
  std::vector<ChildCapacity> children;
};

Grid random_grid(std::mt19937_64& rng) {
  static const char* const kRegions[] = {"eu", "us", "ap", "sa", "unweighted"};
  static constexpr double kCapacities[] = {0, -1, 0.5, 1, 2, 3.7, 4, 8, 16, 64};
  static constexpr double kWeights[] = {0, 0.25, 1, 1, 2, 3, 10};
  Grid g;
  switch (rng() % 3) {
    case 0:
      g.total = rng() % 20;
      break;
    case 1:
      g.total = rng() % 2'000;
      break;
    default:
      g.total = rng() % 10'000'000;
      break;
  }
  const size_t n = 1 + rng() % 9;
  for (size_t i = 0; i < n; ++i) {
    ChildCapacity c;
    c.region = kRegions[rng() % std::size(kRegions)];
    c.capacity = kCapacities[rng() % std::size(kCapacities)];
    c.max_users = rng() % 2 ? 0 : 1 + rng() % 400;
    g.children.push_back(c);
  }
  if (rng() % 4 != 0) {
    for (size_t r = 0; r + 1 < std::size(kRegions); ++r) {
      if (rng() % 4 != 0) g.weights[kRegions[r]] = kWeights[rng() % std::size(kWeights)];
    }
  }
  return g;
}

/// The weight of `region`, or 1 when regions are not weighted at all.
double weight_of(const Grid& g, const std::string& region) {
  if (g.weights.empty()) return 1;
  const auto it = g.weights.find(region);
  return it == g.weights.end() ? 0 : it->second;
}

/// A child that may get users: positive capacity in a region with a positive weight.
bool eligible(const Grid& g, const ChildCapacity& c) { return c.capacity > 0 && weight_of(g, c.region) > 0; }

/// How many users the eligible children can hold in all: the sum of their caps, or
/// "unlimited" as soon as one of them has no cap.
uint64_t room_of(const Grid& g) {
  uint64_t room = 0;
  for (const auto& c : g.children) {
    if (!eligible(g, c)) continue;
    if (c.max_users == 0) return std::numeric_limits<uint64_t>::max();
    room += c.max_users;
  }
  return room;
}

bool any_eligible_capped(const Grid& g) {
  return std::any_of(g.children.begin(), g.children.end(),
                     [&](const ChildCapacity& c) { return eligible(g, c) && c.max_users > 0; });
}

ChildCapacity child(const std::string& region, double capacity, uint64_t max_users = 0) {
  return ChildCapacity{region, capacity, max_users};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(budget_split)

BOOST_AUTO_TEST_CASE(random_grids_get_whole_capped_proportional_splits) {
  std::mt19937_64 rng(20240611);
  int uncapped_trials = 0;
  for (int trial = 0; trial < 20'000; ++trial) {
    const Grid g = random_grid(rng);
    const Shares shares = split_budget(g.total, g.weights, g.children);
    BOOST_TEST_CONTEXT("trial " << trial << ", total " << g.total << ", " << g.children.size() << " children, "
                                << g.weights.size() << " weighted regions") {
      BOOST_TEST_REQUIRE(shares.size() == g.children.size());
      // The whole budget is placed whenever the caps allow it, and never more.
      BOOST_TEST_REQUIRE(sum_of(shares) == std::min(g.total, room_of(g)));
      for (size_t i = 0; i < shares.size(); ++i) {
        const ChildCapacity& c = g.children[i];
        BOOST_TEST_CONTEXT("child " << i << " in " << c.region << ", capacity " << c.capacity << ", cap "
                                    << c.max_users) {
          if (c.max_users > 0) BOOST_TEST_REQUIRE(shares[i] <= c.max_users);  // no child above its cap
          if (!eligible(g, c)) BOOST_TEST_REQUIRE(shares[i] == 0u);           // zero capacity, unweighted region
        }
      }
      if (any_eligible_capped(g) || sum_of(shares) == 0) continue;
      ++uncapped_trials;
      // Uncapped: region shares are within 1 of their exact weighted share, and so are
      // the children's shares of their region's share (largest remainder at both levels).
      // Without weights, all children form one pool.
      const auto group = [&](const ChildCapacity& c) { return g.weights.empty() ? std::string() : c.region; };
      std::map<std::string, uint64_t> group_users;
      std::map<std::string, double> group_capacity;
      for (size_t i = 0; i < shares.size(); ++i) {
        if (!eligible(g, g.children[i])) continue;
        group_users[group(g.children[i])] += shares[i];
        group_capacity[group(g.children[i])] += g.children[i].capacity;
      }
      double weight_sum = 0;
      for (const auto& [name, capacity] : group_capacity) weight_sum += weight_of(g, name);
      for (const auto& [name, capacity] : group_capacity) {
        const double exact = static_cast<double>(g.total) * weight_of(g, name) / weight_sum;
        BOOST_TEST_CONTEXT("region '" << name << "'") {
          BOOST_TEST_REQUIRE(std::fabs(static_cast<double>(group_users[name]) - exact) < 1.0 + 1e-6);
        }
      }
      for (size_t i = 0; i < shares.size(); ++i) {
        const ChildCapacity& c = g.children[i];
        if (!eligible(g, c)) continue;
        const double exact = static_cast<double>(group_users[group(c)]) * c.capacity / group_capacity[group(c)];
        BOOST_TEST_CONTEXT("child " << i) {
          BOOST_TEST_REQUIRE(std::fabs(static_cast<double>(shares[i]) - exact) < 1.0 + 1e-6);
        }
      }
    }
  }
  BOOST_TEST(uncapped_trials > 1000);  // the proportionality checks really ran
}

BOOST_AUTO_TEST_CASE(without_region_weights_children_share_by_capacity) {
  const std::vector<ChildCapacity> children = {child("eu", 2), child("us", 1)};
  BOOST_TEST(split_budget(36, {}, children) == (Shares{24, 12}));
}

BOOST_AUTO_TEST_CASE(within_a_region_children_share_by_capacity) {
  const std::vector<ChildCapacity> children = {child("eu", 2), child("eu", 1)};
  BOOST_TEST(split_budget(36, {{"eu", 1}}, children) == (Shares{24, 12}));
}

BOOST_AUTO_TEST_CASE(regions_share_by_weight_whatever_their_capacity) {
  const std::vector<ChildCapacity> children = {child("a", 1), child("b", 100)};
  BOOST_TEST(split_budget(48, {{"a", 3}, {"b", 1}}, children) == (Shares{36, 12}));
}

BOOST_AUTO_TEST_CASE(regions_by_weight_then_children_by_capacity) {
  const std::vector<ChildCapacity> children = {child("b", 1), child("a", 2), child("a", 1)};
  BOOST_TEST(split_budget(48, {{"a", 3}, {"b", 1}}, children) == (Shares{12, 24, 12}));
}

BOOST_AUTO_TEST_CASE(a_weighted_region_without_children_gets_nothing_and_the_others_share_it_all) {
  const std::vector<ChildCapacity> children = {child("a", 4), child("b", 4)};
  BOOST_TEST(split_budget(100, {{"a", 1}, {"b", 1}, {"c", 2}}, children) == (Shares{50, 50}));
}

BOOST_AUTO_TEST_CASE(children_in_a_region_without_weight_get_nothing) {
  const std::vector<ChildCapacity> children = {child("a", 4), child("elsewhere", 64), child("zero", 8)};
  BOOST_TEST(split_budget(100, {{"a", 1}, {"zero", 0}}, children) == (Shares{100, 0, 0}));
}

BOOST_AUTO_TEST_CASE(no_child_in_any_weighted_region_places_nothing) {
  const std::vector<ChildCapacity> children = {child("x", 4), child("y", 4)};
  BOOST_TEST(split_budget(100, {{"a", 1}}, children) == (Shares{0, 0}));
}

BOOST_AUTO_TEST_CASE(zero_capacity_children_get_nothing) {
  BOOST_TEST(split_budget(10, {}, {child("a", 0), child("a", 2), child("a", -3)}) == (Shares{0, 10, 0}));
  BOOST_TEST(split_budget(10, {{"a", 1}}, {child("a", 0), child("a", 2)}) == (Shares{0, 10}));
  BOOST_TEST(split_budget(10, {}, {child("a", 0), child("b", 0)}) == (Shares{0, 0}));
  // A region whose only children have zero capacity is a region without children.
  BOOST_TEST(split_budget(10, {{"a", 1}, {"b", 1}}, {child("a", 0), child("b", 1)}) == (Shares{0, 10}));
}

BOOST_AUTO_TEST_CASE(a_capped_child_passes_what_it_cannot_take_to_its_siblings) {
  const std::vector<ChildCapacity> children = {child("a", 1, 5), child("a", 1), child("a", 2)};
  BOOST_TEST(split_budget(35, {{"a", 1}}, children) == (Shares{5, 10, 20}));
  BOOST_TEST(split_budget(35, {}, children) == (Shares{5, 10, 20}));
}

BOOST_AUTO_TEST_CASE(a_capped_region_passes_what_it_cannot_take_to_the_other_regions) {
  const std::vector<ChildCapacity> children = {child("a", 8, 10), child("a", 8, 10), child("b", 1)};
  BOOST_TEST(split_budget(100, {{"a", 3}, {"b", 1}}, children) == (Shares{10, 10, 80}));
}

BOOST_AUTO_TEST_CASE(caps_that_cannot_hold_the_budget_place_only_what_fits) {
  const std::vector<ChildCapacity> children = {child("a", 1, 3), child("b", 1, 4)};
  BOOST_TEST(split_budget(100, {{"a", 1}, {"b", 1}}, children) == (Shares{3, 4}));
  BOOST_TEST(split_budget(100, {}, children) == (Shares{3, 4}));
}

BOOST_AUTO_TEST_CASE(remainders_go_to_the_largest_fractions_then_to_the_first_child) {
  BOOST_TEST(split_budget(10, {}, {child("a", 1), child("a", 1), child("a", 1)}) == (Shares{4, 3, 3}));
  BOOST_TEST(split_budget(2, {{"a", 1}, {"b", 1}, {"c", 1}}, {child("c", 1), child("b", 1), child("a", 1)}) ==
             (Shares{0, 1, 1}));
}

BOOST_AUTO_TEST_CASE(nothing_to_split_or_no_one_to_split_it_over_gives_zeros) {
  BOOST_TEST(split_budget(0, {{"a", 1}}, {child("a", 1), child("a", 2)}) == (Shares{0, 0}));
  BOOST_TEST(split_budget(100, {{"a", 1}}, {}).empty());
  BOOST_TEST(split_budget(100, {}, {}).empty());
}

BOOST_AUTO_TEST_SUITE_END()
