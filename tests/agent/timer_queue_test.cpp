#include <boost/test/unit_test.hpp>

#include "agent/timer_queue.hpp"

using grid::agent::TimerQueue;

BOOST_AUTO_TEST_SUITE(timer_queue)

BOOST_AUTO_TEST_CASE(timers_fire_in_deadline_order) {
  TimerQueue q({3, 2});
  q.arm(0, 2, 300);
  q.arm(1, 0, 100);
  q.arm(0, 1, 200);
  BOOST_TEST(*q.next_deadline() == 100);
  BOOST_TEST(!q.pop_due(99).has_value());
  auto a = q.pop_due(1000), b = q.pop_due(1000), c = q.pop_due(1000);
  BOOST_TEST((a->kind == 1 && a->id == 0));
  BOOST_TEST((b->kind == 0 && b->id == 1));
  BOOST_TEST((c->kind == 0 && c->id == 2));
  BOOST_TEST(!q.pop_due(1000).has_value());
  BOOST_TEST(!q.next_deadline().has_value());
}

BOOST_AUTO_TEST_CASE(rearming_replaces_the_old_deadline) {
  TimerQueue q({1});
  q.arm(0, 0, 100);
  q.arm(0, 0, 500);
  BOOST_TEST(*q.next_deadline() == 500);
  BOOST_TEST(!q.pop_due(400).has_value());
  BOOST_TEST(q.pop_due(500).has_value());
  BOOST_TEST(!q.pop_due(10'000).has_value());
}

BOOST_AUTO_TEST_CASE(cancelled_timer_never_fires) {
  TimerQueue q({2});
  q.arm(0, 0, 100);
  q.arm(0, 1, 200);
  q.cancel(0, 0);
  BOOST_TEST(*q.next_deadline() == 200);
  auto due = q.pop_due(1000);
  BOOST_TEST(due->id == 1u);
  BOOST_TEST(!q.pop_due(1000).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
