// ShareReservations: a lost child's share is held back from its siblings until its agents
// can no longer be firing, so a parent never hands out more users than planned.

#include <numeric>

#include <boost/test/unit_test.hpp>

#include "protocol/common/share_reservations.hpp"

using namespace std::chrono_literals;
using grid::common::ChildInfo;
using grid::common::ShareReservations;
using grid::common::SteadyTime;

namespace {

ChildInfo child(const std::string& id, double capacity = 1) {
  ChildInfo c;
  c.id = id;
  c.capacity = capacity;
  c.region = "default";
  return c;
}

uint32_t users_of(const std::vector<grid::wire::ChildBudget>& budgets) {
  return std::accumulate(budgets.begin(), budgets.end(), 0u, [](uint32_t n, const auto& b) { return n + b.users; });
}

grid::wire::ChildBudget budget(const std::string& id, uint32_t users) {
  grid::wire::ChildBudget b;
  b.child_id = id;
  b.users = users;
  return b;
}

const SteadyTime t0{};

}  // namespace

BOOST_AUTO_TEST_SUITE(share_reservations)

BOOST_AUTO_TEST_CASE(a_held_share_is_not_given_to_the_siblings_and_the_total_stays_the_plan) {
  ShareReservations held;
  const auto b = child("relay-b");
  held.hold(budget("relay-a", 10), t0 + 18s, {"agent-1"});
  const auto budgets = held.split(20, 0, {}, {&b});
  BOOST_TEST(users_of(budgets) == 20u);
  BOOST_TEST_REQUIRE(budgets.size() == 2u);
  BOOST_TEST(budgets[0].child_id == "relay-b");
  BOOST_TEST(budgets[0].users == 10u);
  BOOST_TEST(budgets[1].child_id == "relay-a");
}

BOOST_AUTO_TEST_CASE(a_hold_ends_at_its_time_and_the_share_then_goes_to_the_siblings) {
  ShareReservations held;
  const auto b = child("relay-b");
  held.hold(budget("relay-a", 10), t0 + 18s, {});
  BOOST_TEST(held.expire(t0 + 17s).empty());
  BOOST_TEST(held.expire(t0 + 18s) == std::vector<std::string>{"relay-a"});
  const auto budgets = held.split(20, 0, {}, {&b});
  BOOST_TEST_REQUIRE(budgets.size() == 1u);
  BOOST_TEST(budgets[0].users == 20u);
}

BOOST_AUTO_TEST_CASE(a_released_share_is_split_again_and_a_zero_share_is_never_held) {
  ShareReservations held;
  held.hold(budget("relay-a", 0), t0 + 18s, {});
  BOOST_TEST(held.empty());
  held.hold(budget("relay-a", 7), t0 + 18s, {});
  BOOST_TEST(held.release("relay-a"));
  BOOST_TEST(!held.release("relay-a"));
  BOOST_TEST(held.empty());
}

BOOST_AUTO_TEST_CASE(holds_larger_than_the_plan_leave_nothing_to_split_rather_than_more) {
  ShareReservations held;
  const auto b = child("relay-b");
  held.hold(budget("relay-a", 15), t0 + 18s, {});
  const auto budgets = held.split(10, 0, {}, {&b});  // the plan shrank below the hold
  BOOST_TEST(budgets[0].users == 0u);
}

BOOST_AUTO_TEST_CASE(a_reservation_ends_after_the_childs_dead_man_timeout_and_the_margin) {
  auto c = child("relay-a");
  c.last_seen = t0 + 5s;
  c.deadman_ms = 15'000;
  BOOST_TEST((grid::common::reservation_end(c, 3s) == t0 + 23s));
  c.kind = grid::wire::NodeKind::relay;
  grid::wire::AgentLoad a;
  a.agent_id = "agent-9";
  c.agent_loads = {a, a};
  BOOST_TEST(grid::common::reported_agents(c) == std::vector<std::string>{"agent-9"});
}

BOOST_AUTO_TEST_SUITE_END()
