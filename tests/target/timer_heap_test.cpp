#include <boost/test/unit_test.hpp>

#include "target/timer_heap.hpp"

namespace {

using grid::target::TimerHeap;
using std::chrono::microseconds;
using std::chrono::milliseconds;

const TimerHeap::TimePoint kT0{std::chrono::seconds(1000)};

}  // namespace

BOOST_AUTO_TEST_SUITE(timer_heap)

BOOST_AUTO_TEST_CASE(empty_heap_means_wait_forever) {
  const TimerHeap heap;
  BOOST_TEST(heap.timeout_ms(kT0) == -1);
}

BOOST_AUTO_TEST_CASE(timeout_rounds_up_so_wakeups_are_never_early) {
  TimerHeap heap;
  heap.push({kT0 + microseconds(2500), 5, 1});
  BOOST_TEST(heap.timeout_ms(kT0) == 3);
  BOOST_TEST(heap.timeout_ms(kT0 + microseconds(2500)) == 0);
  BOOST_TEST(heap.timeout_ms(kT0 + milliseconds(10)) == 0);
}

BOOST_AUTO_TEST_CASE(entries_pop_in_deadline_order_once_due) {
  TimerHeap heap;
  heap.push({kT0 + milliseconds(30), 3, 0});
  heap.push({kT0 + milliseconds(10), 1, 0});
  heap.push({kT0 + milliseconds(20), 2, 7});
  BOOST_TEST(!heap.pop_due(kT0 + milliseconds(9)).has_value());
  const auto first = heap.pop_due(kT0 + milliseconds(25));
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->fd == 1);
  const auto second = heap.pop_due(kT0 + milliseconds(25));
  BOOST_REQUIRE(second.has_value());
  BOOST_TEST(second->fd == 2);
  BOOST_TEST(second->generation == 7u);
  BOOST_TEST(!heap.pop_due(kT0 + milliseconds(25)).has_value());
  BOOST_TEST(heap.size() == 1u);
  BOOST_TEST(heap.timeout_ms(kT0 + milliseconds(25)) == 5);
}

BOOST_AUTO_TEST_CASE(the_exact_timeout_is_to_the_nanosecond_and_never_negative) {
  TimerHeap heap;
  BOOST_TEST(!heap.timeout(kT0).has_value());
  heap.push({kT0 + microseconds(2500), 1, 0});
  BOOST_TEST(heap.timeout(kT0)->count() == 2'500'000);
  BOOST_TEST(heap.timeout(kT0 + microseconds(2499))->count() == 1'000);
  BOOST_TEST(heap.timeout(kT0 + milliseconds(10))->count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
