// RetainedWindows: an agent keeps what it sent until the root acknowledges it, resends
// on demand, and stays bounded by coalescing without losing a count.

#include <boost/test/unit_test.hpp>

#include "agent/retained_windows.hpp"

using namespace std::chrono_literals;
using grid::agent::RetainedWindows;
using grid::common::SteadyTime;
using grid::wire::StatsWindow;
using grid::wire::WindowAck;

namespace {

StatsWindow window(uint64_t index, uint64_t requests, uint32_t users = 3) {
  StatsWindow w;
  w.index = index;
  w.interval_ms = 1000;
  w.active_users = users;
  auto& s = w.requests["home"];
  s.requests = requests;
  for (uint64_t i = 0; i < requests; ++i) s.latency_us.record(1000 + index);
  grid::wire::SourceTotals src;
  src.agent_id = "agent-1";
  src.requests = requests;
  src.active_users = users;
  w.sources = {src};
  return w;
}

WindowAck ack(uint64_t low, uint64_t high, std::vector<uint64_t> detached = {}) {
  WindowAck a;
  a.agent_id = "agent-1";
  a.low = low;
  a.high = high;
  a.detached = std::move(detached);
  return a;
}

const SteadyTime t0{};

}  // namespace

BOOST_AUTO_TEST_SUITE(retained_windows)

BOOST_AUTO_TEST_CASE(acknowledged_windows_are_dropped_and_the_others_kept) {
  RetainedWindows kept;
  for (uint64_t i = 10; i < 15; ++i) kept.keep(window(i, 5), t0);
  BOOST_TEST(kept.acknowledge(ack(10, 12, {14})) == 3u);
  BOOST_TEST(kept.size() == 2u);
  const auto rest = kept.take_all(t0);
  BOOST_TEST(rest.size() == 2u);
  BOOST_TEST(rest[0].index == 12u);
  BOOST_TEST(rest[1].index == 13u);
}

BOOST_AUTO_TEST_CASE(windows_unacknowledged_for_the_resend_delay_are_due_again_and_only_then) {
  RetainedWindows kept;
  kept.keep(window(1, 5), t0);
  kept.keep(window(2, 5), t0 + 4s);
  BOOST_TEST(kept.take_due(t0 + 9s, 10s).empty());
  auto due = kept.take_due(t0 + 10s, 10s);
  BOOST_TEST_REQUIRE(due.size() == 1u);
  BOOST_TEST(due[0].index == 1u);
  // Sent again just now: not due until another delay has passed.
  BOOST_TEST(kept.take_due(t0 + 14s, 10s).size() == 1u);  // window 2
  BOOST_TEST(kept.take_due(t0 + 15s, 10s).empty());
}

BOOST_AUTO_TEST_CASE(past_the_limit_the_oldest_windows_coalesce_with_exact_counts_and_histograms) {
  RetainedWindows kept(4);
  uint64_t total = 0;
  for (uint64_t i = 100; i < 110; ++i) {
    kept.keep(window(i, i - 90, static_cast<uint32_t>(i)), t0);
    total += i - 90;
  }
  BOOST_TEST(kept.size() == 4u);
  BOOST_TEST(kept.coalesced() == 6u);
  const auto all = kept.take_all(t0);
  uint64_t requests = 0, samples = 0;
  for (const auto& w : all) {
    requests += w.total().requests;
    samples += w.total().latency_us.count();
    BOOST_TEST(w.sources.front().requests == w.total().requests);
  }
  BOOST_TEST(requests == total);
  BOOST_TEST(samples == total);
  // The first covers 100..106 and carries the users of its last cut.
  BOOST_TEST(all[0].index == 100u);
  BOOST_TEST(all[0].sources.front().last_index == 106u);
  BOOST_TEST(all[0].active_users == 106u);
  BOOST_TEST(all[1].index == 107u);
  BOOST_TEST(all[1].sources.front().through(107) == 107u);
}

BOOST_AUTO_TEST_CASE(a_coalesced_window_is_dropped_only_once_every_index_it_covers_is_acknowledged) {
  RetainedWindows kept(2);
  for (uint64_t i = 1; i <= 3; ++i) kept.keep(window(i, 1), t0);  // 1..2 coalesced, 3
  BOOST_TEST(kept.acknowledge(ack(1, 2)) == 0u);
  BOOST_TEST(kept.acknowledge(ack(1, 3)) == 1u);
  BOOST_TEST(kept.acknowledge(ack(1, 4)) == 1u);
  BOOST_TEST(kept.empty());
}

BOOST_AUTO_TEST_CASE(windows_of_another_agent_or_out_of_order_are_not_coalesced) {
  auto a = window(5, 1);
  auto b = window(4, 1);
  BOOST_TEST(!grid::agent::coalesce(a, b));
  auto c = window(6, 1);
  c.sources.front().agent_id = "agent-2";
  BOOST_TEST(!grid::agent::coalesce(a, c));
  BOOST_TEST(a.total().requests == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
