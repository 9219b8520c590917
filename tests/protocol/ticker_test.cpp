// Ticker: a fixed cadence over the caller's clock, once per interval, no burst after a stall.

#include <boost/test/unit_test.hpp>

#include "protocol/common/ticker.hpp"

using namespace std::chrono_literals;
using grid::common::SteadyTime;
using grid::common::Ticker;

BOOST_AUTO_TEST_SUITE(ticker)

BOOST_AUTO_TEST_CASE(a_ticker_is_due_at_its_first_instant_then_once_per_interval) {
  const SteadyTime t0{10s};
  Ticker tick(1s, t0);
  BOOST_TEST(!tick.due(t0 - 1ns));
  BOOST_TEST(tick.due(t0));
  BOOST_TEST(!tick.due(t0));
  BOOST_TEST(!tick.due(t0 + 999ms));
  BOOST_TEST(tick.due(t0 + 1s));
  BOOST_TEST((tick.next() == t0 + 2s));
}

BOOST_AUTO_TEST_CASE(a_late_check_keeps_the_cadence_in_phase) {
  const SteadyTime t0{10s};
  Ticker tick(1s, t0);
  BOOST_TEST(tick.due(t0 + 300ms));
  BOOST_TEST((tick.next() == t0 + 1s));  // not t0 + 1.3 s: heartbeats do not drift
}

BOOST_AUTO_TEST_CASE(after_a_stall_a_ticker_fires_once_and_resumes_from_now) {
  const SteadyTime t0{10s};
  Ticker tick(1s, t0);
  BOOST_TEST(tick.due(t0));
  BOOST_TEST(tick.due(t0 + 10s));
  BOOST_TEST(!tick.due(t0 + 10s));  // not nine more to catch up
  BOOST_TEST((tick.next() == t0 + 11s));
}

BOOST_AUTO_TEST_SUITE_END()
