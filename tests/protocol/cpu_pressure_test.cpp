// CpuPressure: an agent whose engines' CPU stays above 90% for 10 s loses a quarter of its
// share at a time (down to a quarter), and gets it back a quarter at a time once below
// 75% for 10 s. Pure: every sample gets an explicit steady time, so streaks are tested to
// the nanosecond with no sleeps. Also how ChildRegistry feeds it and child_budgets uses it.

#include <chrono>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/child_budgets.hpp"
#include "protocol/common/child_registry.hpp"
#include "protocol/common/cpu_pressure.hpp"

using grid::common::ChildInfo;
using grid::common::ChildRegistry;
using grid::common::CpuPressure;
using grid::common::SteadyTime;
using grid::wire::NodeKind;
using namespace std::chrono_literals;

namespace {

const SteadyTime kT0{7s};  // an arbitrary steady-clock start

// Samples `load` once a second from `from` (inclusive) for `seconds` samples; returns the
// times at which the share changed.
std::vector<std::chrono::seconds> feed(CpuPressure& p, double load, std::chrono::seconds from, int seconds) {
  std::vector<std::chrono::seconds> changed;
  for (int i = 0; i < seconds; ++i) {
    const auto at = from + std::chrono::seconds(i);
    if (p.observe(load, kT0 + at)) changed.push_back(at);
  }
  return changed;
}

using Times = std::vector<std::chrono::seconds>;

grid::wire::Hello agent_hello(uint32_t cores) {
  grid::wire::Hello h;
  h.kind = NodeKind::agent;
  h.region = "eu";
  h.cores = cores;
  return h;
}

grid::wire::Heartbeat heartbeat(NodeKind kind, double capacity, double cpu_percent) {
  grid::wire::Heartbeat hb;
  hb.kind = kind;
  hb.region = "eu";
  hb.capacity = capacity;
  hb.agents = 1;
  hb.cpu_percent = cpu_percent;
  return hb;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_pressure)

BOOST_AUTO_TEST_CASE(a_load_above_90_percent_for_10_s_takes_a_quarter_of_the_share) {
  CpuPressure p;
  BOOST_TEST(feed(p, 0.95, 0s, 10).empty());  // 0 s .. 9 s: not yet 10 s
  BOOST_TEST(p.share() == 1.0);
  BOOST_TEST(p.hot_for() == 9s);
  BOOST_TEST(!p.observe(0.95, kT0 + 10s - 1ns));
  BOOST_TEST(p.observe(0.95, kT0 + 10s));
  BOOST_TEST(p.share() == 0.75);
  BOOST_TEST(p.derated());
  BOOST_TEST(p.hot_for() == 10s);
}

BOOST_AUTO_TEST_CASE(each_further_10_s_hot_takes_another_quarter_down_to_a_quarter) {
  CpuPressure p;
  BOOST_TEST(feed(p, 1.0, 0s, 60) == (Times{10s, 20s, 30s}));
  BOOST_TEST(p.share() == CpuPressure::kFloor);
  BOOST_TEST(p.hot_for() == 59s);
}

BOOST_AUTO_TEST_CASE(exactly_90_percent_is_not_above_and_restarts_the_hot_streak) {
  CpuPressure p;
  feed(p, 0.95, 0s, 9);
  BOOST_TEST(!p.observe(0.90, kT0 + 9s));
  BOOST_TEST(p.hot_for() == 0s);
  // A new streak from 10 s: its first step is at 20 s, not at 10 s.
  BOOST_TEST(feed(p, 0.95, 10s, 15) == (Times{20s}));
}

BOOST_AUTO_TEST_CASE(below_75_percent_for_10_s_gives_back_a_quarter_at_a_time_up_to_the_whole_share) {
  CpuPressure p;
  feed(p, 0.99, 0s, 21);  // 50% at 20 s
  BOOST_TEST(p.share() == 0.5);
  BOOST_TEST(feed(p, 0.5, 21s, 40) == (Times{31s, 41s}));
  BOOST_TEST(p.share() == 1.0);
  BOOST_TEST(!p.derated());
  BOOST_TEST(p.cool_for() == 0s);  // nothing left to give back: no streak
}

BOOST_AUTO_TEST_CASE(the_band_between_75_and_90_percent_keeps_the_share_and_ends_both_streaks) {
  CpuPressure p;
  feed(p, 0.95, 0s, 11);  // 75% at 10 s
  BOOST_TEST(feed(p, 0.80, 11s, 30).empty());
  BOOST_TEST(p.share() == 0.75);
  BOOST_TEST(p.hot_for() == 0s);
  BOOST_TEST(p.cool_for() == 0s);
  // 9 s cool, then exactly 75%: not below, so the streak ends and a new one starts after.
  feed(p, 0.60, 41s, 9);
  BOOST_TEST(!p.observe(0.75, kT0 + 50s));
  BOOST_TEST(feed(p, 0.60, 51s, 11) == (Times{61s}));
  BOOST_TEST(p.share() == 1.0);
}

BOOST_AUTO_TEST_CASE(a_long_gap_between_samples_takes_one_step_per_sample) {
  CpuPressure p;
  BOOST_TEST(!p.observe(0.95, kT0));
  BOOST_TEST(p.observe(0.95, kT0 + 35s));  // 35 s in one gap: one step, not three
  BOOST_TEST(p.share() == 0.75);
  BOOST_TEST(!p.observe(0.95, kT0 + 36s));
  BOOST_TEST(p.observe(0.95, kT0 + 45s));  // the next period counts from the step
  BOOST_TEST(p.share() == 0.5);
}

BOOST_AUTO_TEST_CASE(regular_samples_do_not_drift_the_steps) {
  CpuPressure p;
  // Samples 1.01 s apart: steps at the first sample at or past 10 s and 20 s of the streak.
  std::vector<std::chrono::nanoseconds> steps;
  for (int i = 0; i < 25; ++i) {
    const auto at = std::chrono::nanoseconds(1'010'000'000LL * i);
    if (p.observe(0.95, kT0 + at)) steps.push_back(at);
  }
  BOOST_TEST(steps == (std::vector<std::chrono::nanoseconds>{10'100'000'000ns, 20'200'000'000ns}));
}

BOOST_AUTO_TEST_CASE(the_report_says_for_how_long_and_to_what_share) {
  CpuPressure p;
  feed(p, 0.95, 0s, 11);
  BOOST_TEST(grid::common::cpu_share_change("agent-1", p, 1.0) ==
             "agent agent-1 CPU above 90% for 10 s: its share goes down to 75% of its capacity");
  feed(p, 0.10, 11s, 11);
  BOOST_TEST(grid::common::cpu_share_change("agent-1", p, 0.75) ==
             "agent agent-1 CPU below 75% for 10 s: its share goes back up to 100% of its capacity");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cpu_pressure_of_children)

BOOST_AUTO_TEST_CASE(an_agent_above_90_percent_of_its_engine_cores_for_10_s_splits_with_less_and_that_is_a_change) {
  ChildRegistry registry(1000ms);
  registry.on_hello("a", agent_hello(2), kT0);
  // 190% of two engine cores is 95%: hot. Only the step at 10 s is a change.
  BOOST_TEST(registry.on_heartbeat("a", heartbeat(NodeKind::agent, 2, 0), kT0) == false);
  for (int s = 1; s < 10; ++s) {
    BOOST_TEST(!registry.on_heartbeat("a", heartbeat(NodeKind::agent, 2, 190), kT0 + std::chrono::seconds(s)));
  }
  BOOST_TEST(!registry.on_heartbeat("a", heartbeat(NodeKind::agent, 2, 190), kT0 + 10s));  // hot from 1 s
  BOOST_TEST(registry.on_heartbeat("a", heartbeat(NodeKind::agent, 2, 190), kT0 + 11s));
  const ChildInfo& a = registry.children().at("a");
  BOOST_TEST(a.capacity == 2.0);
  BOOST_TEST(a.split_capacity() == 1.5);
}

BOOST_AUTO_TEST_CASE(the_cpu_is_measured_against_the_engine_cores_of_the_hello) {
  ChildRegistry registry(1000ms);
  registry.on_hello("four", agent_hello(4), kT0);
  registry.on_hello("one", agent_hello(1), kT0);
  for (int s = 0; s <= 30; ++s) {
    // 300% is 75% of four engine cores (not hot), 95% is 95% of one.
    registry.on_heartbeat("four", heartbeat(NodeKind::agent, 4, 300), kT0 + std::chrono::seconds(s));
    registry.on_heartbeat("one", heartbeat(NodeKind::agent, 1, 95), kT0 + std::chrono::seconds(s));
  }
  BOOST_TEST(registry.children().at("four").split_capacity() == 4.0);
  BOOST_TEST(registry.children().at("one").split_capacity() == 0.25);
}

BOOST_AUTO_TEST_CASE(a_relay_keeps_its_whole_capacity_whatever_its_own_cpu) {
  ChildRegistry registry(1000ms);
  grid::wire::Hello h = agent_hello(1);
  h.kind = NodeKind::relay;
  registry.on_hello("r", h, kT0);
  for (int s = 0; s <= 30; ++s) {
    // Only the first heartbeat changes something: its capacity (8, where the hello said 1).
    BOOST_TEST(registry.on_heartbeat("r", heartbeat(NodeKind::relay, 8, 100), kT0 + std::chrono::seconds(s)) ==
               (s == 0));
  }
  BOOST_TEST(registry.children().at("r").split_capacity() == 8.0);
}

BOOST_AUTO_TEST_CASE(without_cpu_pressure_a_hot_agent_keeps_its_whole_share) {
  ChildRegistry registry(1000ms);
  registry.set_cpu_pressure(false);  // children sharing the parent's process (loadgrid run)
  registry.on_hello("a", agent_hello(1), kT0);
  for (int s = 0; s <= 30; ++s) {
    BOOST_TEST(!registry.on_heartbeat("a", heartbeat(NodeKind::agent, 1, 400), kT0 + std::chrono::seconds(s)));
  }
  BOOST_TEST(registry.children().at("a").split_capacity() == 1.0);
}

BOOST_AUTO_TEST_CASE(an_agent_that_comes_back_after_being_lost_starts_with_its_whole_share) {
  ChildRegistry registry(1000ms);
  registry.on_hello("a", agent_hello(1), kT0);
  for (int s = 0; s <= 10; ++s) {
    registry.on_heartbeat("a", heartbeat(NodeKind::agent, 1, 99), kT0 + std::chrono::seconds(s));
  }
  BOOST_TEST(registry.children().at("a").split_capacity() == 0.75);
  BOOST_TEST(registry.expire(kT0 + 13s).size() == 1u);
  BOOST_TEST(registry.on_heartbeat("a", heartbeat(NodeKind::agent, 1, 99), kT0 + 14s));
  BOOST_TEST(registry.children().at("a").split_capacity() == 1.0);
  BOOST_TEST(registry.children().at("a").cpu_pressure.hot_for() == 0s);  // a fresh streak
}

BOOST_AUTO_TEST_CASE(a_hot_agent_gives_part_of_its_users_to_its_sibling_and_the_total_stays) {
  ChildInfo a, b;
  a.id = "a";
  b.id = "b";
  a.capacity = b.capacity = 1;
  for (int s = 0; s <= 10; ++s) a.cpu_pressure.observe(0.95, kT0 + std::chrono::seconds(s));
  const auto budgets = grid::common::child_budgets(10, 2.0, {}, {&a, &b});
  BOOST_TEST_REQUIRE(budgets.size() == 2u);
  // Weights 0.75 and 1: 4.29 and 5.71 users, rounded by largest remainder.
  BOOST_TEST(budgets[0].users == 4u);
  BOOST_TEST(budgets[1].users == 6u);
  BOOST_TEST(budgets[0].users + budgets[1].users == 10u);
  BOOST_TEST(budgets[0].spawn_rate + budgets[1].spawn_rate == 2.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()
