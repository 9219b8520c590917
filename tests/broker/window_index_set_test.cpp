#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "broker/window_index_set.hpp"

using grid::broker::WindowIndexSet;

BOOST_AUTO_TEST_SUITE(window_index_set)

BOOST_AUTO_TEST_CASE(in_order_indexes_are_counted_once) {
  WindowIndexSet s;
  for (uint64_t i = 1000; i < 1100; ++i) BOOST_TEST(s.insert(i));
  for (uint64_t i = 1000; i < 1100; ++i) BOOST_TEST(!s.insert(i));
  BOOST_TEST(s.size() == 100u);
  BOOST_TEST(!s.contains(999));
  BOOST_TEST(!s.contains(1100));
}

BOOST_AUTO_TEST_CASE(behaves_like_a_set_for_any_arrival_order) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint64_t> arrivals;
    const uint64_t base = rng() % 1'000'000;
    for (int i = 0; i < 60; ++i) arrivals.push_back(base + rng() % 40);  // repeats and gaps
    std::shuffle(arrivals.begin(), arrivals.end(), rng);
    WindowIndexSet s;
    std::set<uint64_t> reference;
    for (uint64_t i : arrivals) BOOST_TEST(s.insert(i) == reference.insert(i).second);
    BOOST_TEST(s.size() == reference.size());
    for (uint64_t i = base; i < base + 41; ++i) BOOST_TEST(s.contains(i) == (reference.count(i) > 0));
  }
}

BOOST_AUTO_TEST_SUITE_END()
