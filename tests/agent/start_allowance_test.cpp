// StartAllowance: the ceilings an agent's engines run under are always ones it announced
// ticks before, and a steady or moderately growing load never waits for them.

#include <boost/test/unit_test.hpp>

#include "agent/start_allowance.hpp"

using grid::agent::StartAllowance;

BOOST_AUTO_TEST_SUITE(start_allowance)

BOOST_AUTO_TEST_CASE(what_the_engines_may_start_was_always_announced_at_least_two_ticks_before) {
  StartAllowance allowance(2, 100, 200);
  std::vector<uint64_t> history{allowance.announced()};  // announced at tick 0 (the start)
  std::vector<uint64_t> started{0, 0};
  for (int tick = 1; tick < 30; ++tick) {
    // A load that grows by 40% a tick, up to what was applied.
    const auto& applied = allowance.tick(started);
    uint64_t applied_sum = 0;
    for (const auto c : applied) applied_sum += c;
    // history[i]: announced at tick i (0: the start); tick t applies one from t - lag.
    const size_t from = tick > static_cast<int>(StartAllowance::kApplyLag) ? tick - StartAllowance::kApplyLag : 0;
    BOOST_TEST(applied_sum <= history[from]);
    history.push_back(allowance.announced());
    for (size_t e = 0; e < started.size(); ++e)
      started[e] = std::min(applied[e], started[e] + 50 + started[e] * 4 / 10);
  }
}

BOOST_AUTO_TEST_CASE(a_steady_load_never_reaches_its_ceiling) {
  StartAllowance allowance(1, 1000, 2000);  // the initial allowance covers the first tick
  uint64_t started = 0;
  for (int tick = 0; tick < 100; ++tick) {
    const auto& applied = allowance.tick({started});
    BOOST_TEST_REQUIRE(started + 1000 <= applied[0]);  // a whole tick more fits
    started += 1000;
  }
}

BOOST_AUTO_TEST_CASE(ceilings_never_go_down) {
  StartAllowance allowance(1, 1000, 2000);
  uint64_t last = 0;
  std::vector<uint64_t> loads{0, 5000, 5000, 5000, 5000, 5000, 5000};
  uint64_t started = 0;
  for (const auto l : loads) {
    started += l;
    const auto& applied = allowance.tick({started});
    BOOST_TEST(applied[0] >= last);
    last = applied[0];
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(start_allowance_early_ticks)

BOOST_AUTO_TEST_CASE(an_engine_that_used_half_its_headroom_is_running_low) {
  StartAllowance allowance(2, 100, 200);
  allowance.tick({0, 0});  // applies 200 each (the start), announces more
  BOOST_TEST(!allowance.running_low({99, 0}));
  BOOST_TEST(allowance.running_low({101, 0}));
  BOOST_TEST(allowance.running_low({0, 250}));
}

BOOST_AUTO_TEST_SUITE_END()
