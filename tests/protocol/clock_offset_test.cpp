// ClockOffset: the NTP-style estimate of broker time minus our time from heartbeat
// echoes. Pure, so every probe is built from explicit times: no clock, no sleeps.

#include <cstdint>
#include <optional>

#include <boost/test/unit_test.hpp>

#include "protocol/common/clock_offset.hpp"

using grid::common::ClockOffset;

namespace {

/// The four timestamps of one probe when the broker's clock is `offset_us` ahead of ours:
/// we send at `t0` (our clock), the request takes `out_us`, the parent holds it for
/// `hold_us`, and the answer takes `back_us`.
struct Probe {
  int64_t t0, t1, t2, t3;
};

Probe probe(int64_t t0, int64_t offset_us, int64_t out_us, int64_t hold_us, int64_t back_us) {
  const int64_t t1 = t0 + out_us + offset_us;
  const int64_t t2 = t1 + hold_us;
  const int64_t t3 = t2 - offset_us + back_us;
  return {t0, t1, t2, t3};
}

void add(ClockOffset& clock, const Probe& p) { clock.add_probe(p.t0, p.t1, p.t2, p.t3); }

}  // namespace

BOOST_AUTO_TEST_SUITE(clock_offset)

BOOST_AUTO_TEST_CASE(there_is_no_estimate_before_the_first_probe) {
  const ClockOffset clock;
  BOOST_TEST(!clock.offset_us().has_value());
  BOOST_TEST(!clock.round_trip_us().has_value());
}

BOOST_AUTO_TEST_CASE(symmetric_delays_give_the_exact_offset_and_round_trip) {
  ClockOffset clock;
  add(clock, probe(1'700'000'000'000'000, 5'000, 300, 100, 300));
  BOOST_TEST(clock.offset_us().value() == 5'000);
  BOOST_TEST(clock.round_trip_us().value() == 600);  // the parent's hold time is not network
}

BOOST_AUTO_TEST_CASE(a_broker_clock_behind_ours_gives_a_negative_offset) {
  ClockOffset clock;
  add(clock, probe(2'000'000, -123'456, 250, 40, 250));
  BOOST_TEST(clock.offset_us().value() == -123'456);
  BOOST_TEST(clock.round_trip_us().value() == 500);
}

BOOST_AUTO_TEST_CASE(asymmetric_delay_is_off_by_half_the_asymmetry) {
  ClockOffset clock;
  add(clock, probe(0, 1'000, 900, 0, 100));
  BOOST_TEST(clock.offset_us().value() == 1'000 + (900 - 100) / 2);
}

BOOST_AUTO_TEST_CASE(the_lowest_round_trip_probe_wins_over_noisy_ones_in_any_order) {
  const int64_t offset = 42'000;
  const Probe noisy[] = {probe(0, offset, 5'000, 10, 200), probe(1'000'000, offset, 150, 10, 9'000),
                         probe(2'000'000, offset, 3'000, 10, 3'100), probe(3'000'000, offset, 700, 10, 40)};
  const Probe clean = probe(4'000'000, offset, 60, 10, 60);
  for (size_t clean_at = 0; clean_at <= std::size(noisy); ++clean_at) {
    ClockOffset clock;
    for (size_t i = 0; i <= std::size(noisy); ++i) {
      if (i == clean_at) add(clock, clean);
      if (i < std::size(noisy)) add(clock, noisy[i]);
    }
    BOOST_TEST_CONTEXT("clean probe added at position " << clean_at) {
      BOOST_TEST(clock.offset_us().value() == offset);
      BOOST_TEST(clock.round_trip_us().value() == 120);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_probe_with_a_negative_round_trip_is_ignored) {
  ClockOffset clock;
  // The parent claims to have held the probe longer than it was away: impossible.
  clock.add_probe(1'000, 1'500, 9'000, 2'000);
  BOOST_TEST(!clock.offset_us().has_value());

  add(clock, probe(10'000, 700, 200, 0, 200));
  clock.add_probe(20'000, 20'100, 30'000, 20'500);  // would "win" with round trip -9'400
  BOOST_TEST(clock.offset_us().value() == 700);
  BOOST_TEST(clock.round_trip_us().value() == 400);
}

BOOST_AUTO_TEST_CASE(a_probe_with_a_zero_round_trip_is_kept) {
  ClockOffset clock;
  add(clock, probe(0, 10, 0, 5, 0));
  BOOST_TEST(clock.offset_us().value() == 10);
  BOOST_TEST(clock.round_trip_us().value() == 0);
}

BOOST_AUTO_TEST_CASE(the_window_forgets_probes_older_than_the_last_n) {
  ClockOffset clock(3);
  add(clock, probe(0, 1'000, 10, 0, 10));  // best ever, then pushed out
  add(clock, probe(1'000'000, 2'000, 500, 0, 500));
  add(clock, probe(2'000'000, 3'000, 300, 0, 300));  // best of the last three
  BOOST_TEST(clock.offset_us().value() == 1'000);
  add(clock, probe(3'000'000, 4'000, 400, 0, 400));
  BOOST_TEST(clock.offset_us().value() == 3'000);
  BOOST_TEST(clock.round_trip_us().value() == 600);
  add(clock, probe(4'000'000, 5'000, 900, 0, 900));
  add(clock, probe(5'000'000, 6'000, 800, 0, 800));
  BOOST_TEST(clock.offset_us().value() == 4'000);  // the 300 µs probe is gone too
}

BOOST_AUTO_TEST_CASE(a_drifting_clock_is_followed_once_old_probes_leave_the_window) {
  ClockOffset clock(4);
  for (int64_t i = 0; i < 4; ++i) add(clock, probe(i * 1'000'000, 10'000, 100, 0, 100));
  for (int64_t i = 4; i < 8; ++i) add(clock, probe(i * 1'000'000, 25'000, 150, 0, 150));
  BOOST_TEST(clock.offset_us().value() == 25'000);
}

BOOST_AUTO_TEST_SUITE_END()
