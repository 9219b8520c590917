// GridAccounting: exactly-once counting of (agent, window index) pairs at the root, and
// the per-agent figures built from the sources listed in stats windows.

#include <cstdint>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "broker/grid_accounting.hpp"

using grid::broker::Acceptance;
using grid::broker::AgentFigures;
using grid::broker::GridAccounting;
using grid::wire::SourceTotals;
using grid::wire::StatsWindow;

namespace {

constexpr uint64_t kIndex = 1'700'000'000;
constexpr int64_t kStartUs = 1'700'000'000'000'000;

SourceTotals source(const std::string& agent, uint64_t requests, uint64_t failures = 0, uint32_t users = 1) {
  SourceTotals s;
  s.agent_id = agent;
  s.region = "eu";
  s.requests = requests;
  s.failures = failures;
  s.active_users = users;
  return s;
}

/// A window listing `sources`, with the stats they add up to (one request name).
StatsWindow window_of(uint64_t index, std::vector<SourceTotals> sources) {
  StatsWindow w;
  w.index = index;
  w.interval_ms = 1000;
  for (const auto& s : sources) {
    w.requests["home"].requests += s.requests;
    w.active_users += s.active_users;
  }
  w.sources = std::move(sources);
  return w;
}

StatsWindow window_of(uint64_t index, const SourceTotals& s) { return window_of(index, std::vector{s}); }

/// A snapshot of what the accounting counted, to check that a refusal changed nothing.
struct Totals {
  uint64_t pairs = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  uint32_t users = 0;
  size_t agents = 0;
  bool operator==(const Totals&) const = default;
};

Totals totals_of(const GridAccounting& accounting) {
  Totals t;
  t.pairs = accounting.pairs();
  t.agents = accounting.agents().size();
  for (const auto& [id, a] : accounting.agents()) {
    t.requests += a.requests;
    t.failures += a.failures;
    t.users += a.users;
  }
  return t;
}

std::ostream& operator<<(std::ostream& os, const Totals& t) {
  return os << "{pairs " << t.pairs << ", requests " << t.requests << ", failures " << t.failures << ", users "
            << t.users << ", agents " << t.agents << "}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_accounting)

BOOST_AUTO_TEST_CASE(a_new_window_is_counted_with_its_agent_figures) {
  GridAccounting accounting;
  SourceTotals s = source("agent-1", 120, 7, 30);
  s.region = "us-east";
  s.clock_offset_us = -850;
  BOOST_TEST((accounting.accept(window_of(kIndex, s)) == Acceptance::counted));
  BOOST_TEST(accounting.pairs() == 1u);
  BOOST_TEST(accounting.duplicates() == 0u);
  const AgentFigures& a = accounting.agents().at("agent-1");
  BOOST_TEST(a.id == "agent-1");
  BOOST_TEST(a.region == "us-east");
  BOOST_TEST(a.requests == 120u);
  BOOST_TEST(a.failures == 7u);
  BOOST_TEST(a.users == 30u);
  BOOST_TEST(a.clock_offset_us == -850);
  BOOST_TEST(a.first_request_unix_us == 0);
  BOOST_TEST(!a.final);
  BOOST_TEST(!a.lost);
}

BOOST_AUTO_TEST_CASE(the_same_window_twice_is_counted_once_and_the_second_is_a_duplicate) {
  GridAccounting accounting;
  const StatsWindow w = window_of(kIndex, source("agent-1", 100, 3, 10));
  BOOST_TEST((accounting.accept(w) == Acceptance::counted));
  const Totals before = totals_of(accounting);
  BOOST_TEST((accounting.accept(w) != Acceptance::counted));
  BOOST_TEST(accounting.duplicates() == 1u);
  BOOST_TEST(totals_of(accounting) == before);
  BOOST_TEST(accounting.agents().at("agent-1").requests == 100u);
}

BOOST_AUTO_TEST_CASE(every_repeat_counts_as_one_more_duplicate) {
  GridAccounting accounting;
  const StatsWindow w = window_of(kIndex, source("agent-1", 100));
  for (int i = 0; i < 4; ++i) accounting.accept(w);
  BOOST_TEST(accounting.duplicates() == 3u);
  BOOST_TEST(accounting.pairs() == 1u);
  BOOST_TEST(accounting.agents().at("agent-1").requests == 100u);
}

BOOST_AUTO_TEST_CASE(a_window_for_the_same_agent_with_other_figures_is_still_a_duplicate) {
  // The pair identifies the window: a resend with other numbers is not new traffic.
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 100)));
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-1", 55))) != Acceptance::counted));
  BOOST_TEST(accounting.agents().at("agent-1").requests == 100u);
}

BOOST_AUTO_TEST_CASE(the_same_index_from_another_agent_and_another_index_from_the_same_agent_are_new) {
  GridAccounting accounting;
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-1", 1))) == Acceptance::counted));
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-2", 1))) == Acceptance::counted));
  BOOST_TEST((accounting.accept(window_of(kIndex + 1, source("agent-1", 1))) == Acceptance::counted));
  BOOST_TEST(accounting.pairs() == 3u);
  BOOST_TEST(accounting.duplicates() == 0u);
}

BOOST_AUTO_TEST_CASE(a_merged_window_containing_one_counted_pair_is_refused_whole) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-2", 50)));  // came directly
  const Totals before = totals_of(accounting);
  // The same window of agent-2, now merged by a relay with two new ones.
  const StatsWindow merged = window_of(kIndex, {source("agent-1", 10), source("agent-2", 50), source("agent-3", 30)});
  BOOST_TEST((accounting.accept(merged) != Acceptance::counted));
  BOOST_TEST(accounting.duplicates() == 1u);
  BOOST_TEST(totals_of(accounting) == before);
  BOOST_TEST(!accounting.agents().count("agent-1"));  // nothing of the new pairs either
  BOOST_TEST(!accounting.agents().count("agent-3"));
  // Their own windows, arriving on their own, are new.
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-1", 10))) == Acceptance::counted));
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-3", 30))) == Acceptance::counted));
}

BOOST_AUTO_TEST_CASE(a_merged_window_of_new_pairs_counts_every_pair) {
  GridAccounting accounting;
  BOOST_TEST(
      (accounting.accept(window_of(kIndex, {source("agent-1", 10), source("agent-2", 20)})) == Acceptance::counted));
  BOOST_TEST(accounting.pairs() == 2u);
  BOOST_TEST(accounting.agents().at("agent-1").requests == 10u);
  BOOST_TEST(accounting.agents().at("agent-2").requests == 20u);
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-1", 10))) != Acceptance::counted));
}

BOOST_AUTO_TEST_CASE(a_window_listing_one_pair_twice_is_refused_whole) {
  // Its stats hold that pair's traffic twice and cannot be split: counting it would count
  // the pair twice, which exactly-once forbids.
  GridAccounting accounting;
  const StatsWindow doubled = window_of(kIndex, {source("agent-1", 10), source("agent-2", 5), source("agent-1", 10)});
  BOOST_TEST((accounting.accept(doubled) != Acceptance::counted));
  BOOST_TEST(accounting.duplicates() == 1u);
  BOOST_TEST(accounting.pairs() == 0u);
  BOOST_TEST(accounting.agents().empty());
}

BOOST_AUTO_TEST_CASE(per_agent_requests_and_failures_sum_across_windows) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 100, 1)));
  accounting.accept(window_of(kIndex + 1, {source("agent-1", 200, 2), source("agent-2", 7, 7)}));
  accounting.accept(window_of(kIndex + 3, source("agent-1", 300, 3)));
  accounting.accept(window_of(kIndex + 2, source("agent-1", 0, 0)));  // late and empty
  BOOST_TEST(accounting.agents().at("agent-1").requests == 600u);
  BOOST_TEST(accounting.agents().at("agent-1").failures == 6u);
  BOOST_TEST(accounting.agents().at("agent-2").requests == 7u);
  BOOST_TEST(accounting.agents().at("agent-2").failures == 7u);
  BOOST_TEST(accounting.pairs() == 5u);
}

BOOST_AUTO_TEST_CASE(users_is_the_peak_over_windows_not_the_sum_or_the_latest) {
  GridAccounting accounting;
  for (uint32_t i = 0; i < 5; ++i) {
    const uint32_t users[] = {10, 40, 25, 40, 5};
    accounting.accept(window_of(kIndex + i, source("agent-1", 1, 0, users[i])));
  }
  BOOST_TEST(accounting.agents().at("agent-1").users == 40u);
}

BOOST_AUTO_TEST_CASE(the_clock_offset_is_the_latest_reported) {
  GridAccounting accounting;
  SourceTotals s = source("agent-1", 1);
  s.clock_offset_us = 100;
  accounting.accept(window_of(kIndex, s));
  s.clock_offset_us = -40;
  accounting.accept(window_of(kIndex + 1, s));
  BOOST_TEST(accounting.agents().at("agent-1").clock_offset_us == -40);
}

BOOST_AUTO_TEST_CASE(the_first_request_time_survives_windows_that_do_not_report_one) {
  GridAccounting accounting;
  SourceTotals s = source("agent-1", 1);
  s.first_request_unix_us = kStartUs + 1234;
  accounting.accept(window_of(kIndex, s));
  s.first_request_unix_us = 0;
  accounting.accept(window_of(kIndex + 1, s));
  BOOST_TEST(accounting.agents().at("agent-1").first_request_unix_us == kStartUs + 1234);
}

BOOST_AUTO_TEST_CASE(the_spread_is_the_span_of_first_request_times_in_ms) {
  GridAccounting accounting;
  const int64_t firsts[] = {kStartUs + 2'500, kStartUs, kStartUs + 40'250, 0};
  for (size_t i = 0; i < std::size(firsts); ++i) {
    SourceTotals s = source("agent-" + std::to_string(i), 1);
    s.first_request_unix_us = firsts[i];
    accounting.accept(window_of(kIndex, s));
  }
  BOOST_TEST(accounting.first_request_spread_ms() == 40.25);  // the agent with none is left out
}

BOOST_AUTO_TEST_CASE(the_spread_is_zero_with_fewer_than_two_first_requests) {
  GridAccounting accounting;
  BOOST_TEST(accounting.first_request_spread_ms() == 0.0);
  SourceTotals s = source("agent-1", 1);
  s.first_request_unix_us = kStartUs;
  accounting.accept(window_of(kIndex, s));
  accounting.accept(window_of(kIndex, source("agent-2", 1)));  // no first request yet
  BOOST_TEST(accounting.first_request_spread_ms() == 0.0);
}

BOOST_AUTO_TEST_CASE(all_final_only_when_every_reporting_agent_sent_its_final_window_or_is_lost) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 10)));
  accounting.accept(window_of(kIndex, source("agent-2", 10)));
  accounting.accept(window_of(kIndex, source("agent-3", 10)));
  BOOST_TEST(!accounting.all_final());
  SourceTotals last = source("agent-1", 3);
  last.final = true;
  accounting.accept(window_of(kIndex + 1, last));
  BOOST_TEST(!accounting.all_final());
  accounting.mark_lost("agent-2");
  BOOST_TEST(!accounting.all_final());
  last.agent_id = "agent-3";
  accounting.accept(window_of(kIndex + 1, last));
  BOOST_TEST(accounting.all_final());
  BOOST_TEST(accounting.agents().at("agent-1").final);
  BOOST_TEST(accounting.agents().at("agent-2").lost);
}

BOOST_AUTO_TEST_CASE(a_final_window_stays_final_when_a_late_earlier_window_arrives) {
  GridAccounting accounting;
  SourceTotals last = source("agent-1", 3);
  last.final = true;
  accounting.accept(window_of(kIndex + 1, last));
  accounting.accept(window_of(kIndex, source("agent-1", 10)));
  BOOST_TEST(accounting.agents().at("agent-1").final);
  BOOST_TEST(accounting.all_final());
}

BOOST_AUTO_TEST_CASE(a_refused_final_window_does_not_make_its_agent_final) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 10)));
  SourceTotals again = source("agent-1", 10);
  again.final = true;
  BOOST_TEST((accounting.accept(window_of(kIndex, again)) != Acceptance::counted));
  BOOST_TEST(!accounting.agents().at("agent-1").final);
  BOOST_TEST(!accounting.all_final());
}

BOOST_AUTO_TEST_CASE(known_agents_that_never_reported_do_not_hold_up_all_final) {
  GridAccounting accounting;
  accounting.know("agent-idle", "ap");
  BOOST_TEST(accounting.all_final());
  SourceTotals last = source("agent-1", 3);
  last.final = true;
  accounting.accept(window_of(kIndex, last));
  BOOST_TEST(accounting.all_final());
  BOOST_TEST(accounting.agents().size() == 2u);
  BOOST_TEST(accounting.agents().at("agent-idle").region == "ap");
}

BOOST_AUTO_TEST_CASE(know_lists_an_agent_without_overwriting_its_reported_region) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 10)));  // region "eu"
  accounting.know("agent-1", "us");
  BOOST_TEST(accounting.agents().at("agent-1").region == "eu");
  BOOST_TEST(accounting.agents().at("agent-1").requests == 10u);
}

BOOST_AUTO_TEST_CASE(a_lost_agent_keeps_its_figures_and_is_listed_even_if_it_never_reported) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 10, 1, 4)));
  accounting.mark_lost("agent-1");
  accounting.mark_lost("agent-ghost");
  const AgentFigures& a = accounting.agents().at("agent-1");
  BOOST_TEST(a.lost);
  BOOST_TEST(a.requests == 10u);
  BOOST_TEST(a.users == 4u);
  BOOST_TEST(accounting.agents().at("agent-ghost").lost);
  BOOST_TEST(accounting.agents().at("agent-ghost").id == "agent-ghost");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grid_accounting_unattributed)

BOOST_AUTO_TEST_CASE(window_naming_no_agent_is_refused_and_counted) {
  grid::broker::GridAccounting accounting;
  grid::wire::StatsWindow w;
  w.index = 7;
  w.interval_ms = 1000;
  w.requests["home"].requests = 5;
  BOOST_TEST((accounting.accept(w) != Acceptance::counted));
  BOOST_TEST(accounting.unattributed() == 1u);
  BOOST_TEST(accounting.pairs() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(grid_accounting_faults)

BOOST_AUTO_TEST_CASE(a_coalesced_window_counts_every_pair_of_its_range_once) {
  GridAccounting accounting;
  auto s = source("agent-1", 30);
  s.last_index = kIndex + 2;
  BOOST_TEST((accounting.accept(window_of(kIndex, s)) == Acceptance::counted));
  BOOST_TEST(accounting.pairs() == 3u);
  // Any of its pairs again is a repeat, alone or in a range.
  BOOST_TEST((accounting.accept(window_of(kIndex + 1, source("agent-1", 1))) == Acceptance::duplicate));
  auto overlapping = source("agent-1", 5);
  overlapping.last_index = kIndex + 4;
  BOOST_TEST((accounting.accept(window_of(kIndex + 2, overlapping)) == Acceptance::duplicate));
  BOOST_TEST((accounting.accept(window_of(kIndex + 3, source("agent-1", 1))) == Acceptance::counted));
  BOOST_TEST(accounting.agents().at("agent-1").requests == 31u);
}

BOOST_AUTO_TEST_CASE(a_resent_window_already_counted_is_refused_without_counting_a_duplicate) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 10)));
  BOOST_TEST((accounting.accept(window_of(kIndex, source("agent-1", 10)), true) == Acceptance::duplicate));
  BOOST_TEST(accounting.duplicates() == 0u);
  BOOST_TEST(accounting.agents().at("agent-1").requests == 10u);
}

BOOST_AUTO_TEST_CASE(acknowledgements_name_per_agent_the_counted_range_and_the_indexes_apart) {
  GridAccounting accounting;
  for (uint64_t i = 0; i < 3; ++i) accounting.accept(window_of(kIndex + i, source("agent-1", 1)));
  accounting.accept(window_of(kIndex + 5, source("agent-1", 1)));
  accounting.accept(window_of(kIndex, source("agent-2", 1)));
  const auto acks = accounting.acks();
  BOOST_TEST_REQUIRE(acks.size() == 2u);
  BOOST_TEST(acks[0].agent_id == "agent-1");
  BOOST_TEST(acks[0].low == kIndex);
  BOOST_TEST(acks[0].high == kIndex + 3);
  BOOST_TEST(acks[0].detached == std::vector<uint64_t>{kIndex + 5}, boost::test_tools::per_element());
  BOOST_TEST(acks[0].contains(kIndex + 5));
  BOOST_TEST(!acks[0].contains(kIndex + 4));
  BOOST_TEST(acks[1].agent_id == "agent-2");
}

BOOST_AUTO_TEST_CASE(unaccounted_is_what_agents_without_a_final_window_announced_beyond_their_counted_requests) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 100)));
  accounting.note_start_ceiling("agent-1", 400);
  accounting.note_start_ceiling("agent-1", 350);  // ceilings only grow
  auto done = source("agent-2", 100);
  done.final = true;
  accounting.accept(window_of(kIndex, done));
  accounting.note_start_ceiling("agent-2", 900);  // finished: everything it started is counted
  accounting.note_start_ceiling("agent-3", 50);   // never reported a window
  BOOST_TEST(accounting.unaccounted() == 300u + 50u);
}

BOOST_AUTO_TEST_CASE(peak_users_is_the_most_users_summed_over_agents_in_one_window) {
  GridAccounting accounting;
  accounting.accept(window_of(kIndex, source("agent-1", 1, 0, 10)));
  accounting.accept(window_of(kIndex, source("agent-2", 1, 0, 10)));
  accounting.accept(window_of(kIndex + 1, source("agent-1", 1, 0, 12)));
  BOOST_TEST(accounting.peak_users() == 20u);
}

BOOST_AUTO_TEST_CASE(an_agent_seen_running_again_is_no_longer_lost) {
  GridAccounting accounting;
  accounting.mark_lost("agent-1");
  accounting.mark_alive("agent-1");
  BOOST_TEST(!accounting.agents().at("agent-1").lost);
}

BOOST_AUTO_TEST_SUITE_END()
