// child_budgets: the one place budgets for live children are made (broker and relays).

#include <boost/test/unit_test.hpp>

#include "protocol/common/allocation.hpp"
#include "protocol/common/child_budgets.hpp"

using grid::common::child_budgets;
using grid::common::ChildInfo;

namespace {

ChildInfo child(const std::string& id, const std::string& region, double capacity, uint32_t cap = 0) {
  ChildInfo c;
  c.id = id;
  c.region = region;
  c.capacity = capacity;
  c.max_users = cap;
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(child_budgets_suite)

BOOST_AUTO_TEST_CASE(users_split_by_capacity_and_the_spawn_rate_follows_the_users) {
  const ChildInfo a = child("a", "eu", 3), b = child("b", "eu", 1);
  const auto budgets = child_budgets(100, 20.0, {}, {&a, &b});
  BOOST_TEST_REQUIRE(budgets.size() == 2u);
  BOOST_TEST(budgets[0].child_id == "a");
  BOOST_TEST(budgets[0].users == 75u);
  BOOST_TEST(budgets[1].users == 25u);
  BOOST_TEST(budgets[0].spawn_rate == 15.0);
  BOOST_TEST(budgets[1].spawn_rate == 5.0);
}

BOOST_AUTO_TEST_CASE(region_weights_come_first_then_capacity_within_a_region) {
  const ChildInfo a = child("a", "eu", 1), b = child("b", "us", 1), c = child("c", "us", 1);
  const auto budgets = child_budgets(90, 0, {{"eu", 2}, {"us", 1}}, {&a, &b, &c});
  BOOST_TEST(budgets[0].users == 60u);
  BOOST_TEST(budgets[1].users == 15u);
  BOOST_TEST(budgets[2].users == 15u);
  for (const auto& budget : budgets) BOOST_TEST(budget.spawn_rate == 0.0);
}

BOOST_AUTO_TEST_CASE(no_live_children_means_no_budgets) { BOOST_TEST(child_budgets(10, 1, {}, {}).empty()); }

BOOST_AUTO_TEST_CASE(a_rate_share_of_nothing_is_zero_and_shares_sum_to_the_rate) {
  BOOST_TEST(grid::common::rate_share(10.0, 0, 0) == 0.0);
  BOOST_TEST(grid::common::rate_share(10.0, 3, 10) + grid::common::rate_share(10.0, 7, 10) == 10.0);
}

BOOST_AUTO_TEST_SUITE_END()
