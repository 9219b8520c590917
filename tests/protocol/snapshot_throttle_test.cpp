// SnapshotThrottle: a snapshot on a change, at most once per 100 ms, at least once a second.

#include <boost/test/unit_test.hpp>

#include "protocol/common/snapshot_throttle.hpp"

using namespace std::chrono_literals;
using grid::common::SnapshotThrottle;
using grid::common::SteadyTime;

BOOST_AUTO_TEST_SUITE(snapshot_throttle)

BOOST_AUTO_TEST_CASE(the_first_snapshot_is_due_at_once) {
  SnapshotThrottle throttle;
  BOOST_TEST(throttle.due(SteadyTime{5s}));
}

BOOST_AUTO_TEST_CASE(a_change_is_published_no_sooner_than_100_ms_after_the_last_snapshot) {
  SnapshotThrottle throttle;
  const SteadyTime t0{5s};
  throttle.published(t0);
  throttle.changed();
  BOOST_TEST(!throttle.due(t0));
  BOOST_TEST(!throttle.due(t0 + 99ms));
  BOOST_TEST(throttle.due(t0 + 100ms));
}

BOOST_AUTO_TEST_CASE(a_thousand_changes_in_a_second_make_at_most_ten_snapshots) {
  SnapshotThrottle throttle;
  SteadyTime now{5s};
  throttle.published(now);
  int snapshots = 0;
  for (int i = 0; i < 1000; ++i) {
    now += 1ms;
    throttle.changed();
    if (throttle.due(now)) {
      throttle.published(now);
      ++snapshots;
    }
  }
  BOOST_TEST(snapshots == 10);
}

BOOST_AUTO_TEST_CASE(without_a_change_a_snapshot_goes_out_every_second) {
  SnapshotThrottle throttle;
  const SteadyTime t0{5s};
  throttle.published(t0);
  BOOST_TEST(!throttle.has_change());
  BOOST_TEST(!throttle.due(t0 + 999ms));
  BOOST_TEST(throttle.due(t0 + 1s));
}

BOOST_AUTO_TEST_SUITE_END()
