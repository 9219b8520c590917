// WindowMerger: gathers the windows of many agents by index and releases each index once,
// complete or overdue. Pure: every call gets broker time in ms, so no clock and no sleeps.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/window_merger.hpp"
#include "sample_messages.hpp"

using grid::common::WindowMerger;
using grid::wire::StatsWindow;

namespace {

constexpr uint32_t kInterval = 1000;
constexpr std::chrono::milliseconds kGrace{500};
constexpr uint64_t kIndex = 1'700'000'000;  // a window of late 2023

/// Broker time at which window `index` (of kInterval) is overdue: its end plus the grace.
grid::common::WallTime at_ms(uint64_t ms) { return grid::common::from_unix_us(static_cast<int64_t>(ms) * 1000); }
grid::common::WallTime deadline_of(uint64_t index) { return at_ms((index + 1) * kInterval) + kGrace; }
/// A moment inside window `index`, long before its deadline.
grid::common::WallTime during(uint64_t index) { return at_ms(index * kInterval + 10); }

/// One agent's window: `requests` requests of "home", `users` users at the cut.
StatsWindow window_of(uint64_t index, const std::string& agent, uint64_t requests, uint32_t users = 1,
                      uint32_t interval_ms = kInterval) {
  StatsWindow w;
  w.index = index;
  w.interval_ms = interval_ms;
  w.active_users = users;
  w.requests["home"].requests = requests;
  grid::wire::SourceTotals s;
  s.agent_id = agent;
  s.region = "eu";
  s.requests = requests;
  s.active_users = users;
  w.sources = {s};
  return w;
}

std::vector<std::string> agents_of(const StatsWindow& w) {
  std::vector<std::string> ids;
  for (const auto& s : w.sources) ids.push_back(s.agent_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<uint64_t> indexes_of(const std::vector<StatsWindow>& windows) {
  std::vector<uint64_t> out;
  for (const auto& w : windows) out.push_back(w.index);
  return out;
}

using Ids = std::vector<std::string>;
using Indexes = std::vector<uint64_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(window_merger)

BOOST_AUTO_TEST_CASE(windows_of_one_index_from_several_agents_merge_into_one_listing_every_source) {
  WindowMerger merger(kGrace);
  BOOST_TEST(!merger.add(window_of(kIndex, "agent-b", 20, 2)).has_value());
  BOOST_TEST(!merger.add(window_of(kIndex, "agent-a", 10, 1)).has_value());
  BOOST_TEST(!merger.add(window_of(kIndex, "agent-c", 30, 3)).has_value());
  BOOST_TEST(merger.pending() == 1u);
  const auto out = merger.release(during(kIndex), 3);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].index == kIndex);
  BOOST_TEST(out[0].interval_ms == kInterval);
  BOOST_TEST(agents_of(out[0]) == (Ids{"agent-a", "agent-b", "agent-c"}));
  BOOST_TEST(out[0].total().requests == 60u);
  BOOST_TEST(out[0].active_users == 6u);
  BOOST_TEST(merger.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(merging_random_windows_equals_merging_them_by_hand) {
  std::mt19937_64 rng(7);
  WindowMerger merger(kGrace);
  StatsWindow expected = grid::test::random_window(rng, kIndex, kInterval, 50);
  merger.add(expected);
  for (int i = 0; i < 4; ++i) {
    const StatsWindow w = grid::test::random_window(rng, kIndex, kInterval, 50);
    BOOST_TEST_REQUIRE(expected.merge(w));
    merger.add(w);
  }
  const auto out = merger.release_all();
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(grid::test::same_window(out[0], expected));
}

BOOST_AUTO_TEST_CASE(release_waits_for_the_expected_agents_before_the_deadline) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10));
  merger.add(window_of(kIndex, "agent-b", 10));
  BOOST_TEST(merger.release(during(kIndex), 3).empty());
  BOOST_TEST(merger.release(deadline_of(kIndex) - std::chrono::milliseconds(1), 3).empty());
  BOOST_TEST(merger.pending() == 1u);
  merger.add(window_of(kIndex, "agent-c", 10));
  const auto out = merger.release(during(kIndex), 3);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(agents_of(out[0]) == (Ids{"agent-a", "agent-b", "agent-c"}));
}

BOOST_AUTO_TEST_CASE(an_incomplete_window_is_released_once_its_end_plus_grace_is_reached) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10));
  BOOST_TEST(merger.release(deadline_of(kIndex) - std::chrono::milliseconds(1), 3).empty());
  const auto out = merger.release(deadline_of(kIndex), 3);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(agents_of(out[0]) == Ids{"agent-a"});
}

BOOST_AUTO_TEST_CASE(with_no_expected_agents_only_the_deadline_releases) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10));
  BOOST_TEST(merger.release(deadline_of(kIndex) - std::chrono::milliseconds(1), 0).empty());
  BOOST_TEST(merger.release(deadline_of(kIndex), 0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_agent_counts_once_toward_the_expected_agents) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10));
  merger.add(window_of(kIndex, "agent-a", 5));
  BOOST_TEST(merger.release(during(kIndex), 2).empty());
}

BOOST_AUTO_TEST_CASE(a_window_merged_by_a_relay_counts_every_agent_it_lists) {
  StatsWindow from_relay = window_of(kIndex, "agent-a", 10);
  BOOST_TEST_REQUIRE(from_relay.merge(window_of(kIndex, "agent-b", 10)));
  WindowMerger merger(kGrace);
  merger.add(from_relay);
  BOOST_TEST(merger.release(during(kIndex), 3).empty());
  merger.add(window_of(kIndex, "agent-c", 10));
  BOOST_TEST(merger.release(during(kIndex), 3).size() == 1u);
}

BOOST_AUTO_TEST_CASE(windows_are_released_in_index_order_and_each_index_once) {
  WindowMerger merger(kGrace);
  for (uint64_t index : {kIndex + 2, kIndex, kIndex + 1}) {
    merger.add(window_of(index, "agent-a", 1));
    merger.add(window_of(index, "agent-b", 1));
  }
  BOOST_TEST(indexes_of(merger.release(during(kIndex), 2)) == (Indexes{kIndex, kIndex + 1, kIndex + 2}));
  BOOST_TEST(merger.release(during(kIndex), 2).empty());
  BOOST_TEST(merger.release(deadline_of(kIndex + 10), 2).empty());
  BOOST_TEST(merger.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_complete_window_waits_for_an_earlier_incomplete_one_until_its_deadline) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 1));  // agent-b's part is still on its way
  merger.add(window_of(kIndex + 1, "agent-a", 1));
  merger.add(window_of(kIndex + 1, "agent-b", 1));  // complete
  BOOST_TEST(merger.release(during(kIndex + 1), 2).empty());
  BOOST_TEST(merger.pending() == 2u);
  BOOST_TEST(indexes_of(merger.release(deadline_of(kIndex), 2)) == (Indexes{kIndex, kIndex + 1}));
}

BOOST_AUTO_TEST_CASE(overdue_windows_are_released_up_to_the_first_one_still_waiting) {
  WindowMerger merger(kGrace);
  for (uint64_t i = 0; i < 4; ++i) merger.add(window_of(kIndex + i, "agent-a", 1));
  BOOST_TEST(indexes_of(merger.release(deadline_of(kIndex + 1), 2)) == (Indexes{kIndex, kIndex + 1}));
  BOOST_TEST(merger.pending() == 2u);
}

BOOST_AUTO_TEST_CASE(a_window_for_an_index_already_released_is_returned_as_late) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10));
  BOOST_TEST(merger.release(deadline_of(kIndex), 2).size() == 1u);
  const StatsWindow straggler = window_of(kIndex, "agent-b", 7, 3);
  const auto late = merger.add(straggler);
  BOOST_TEST_REQUIRE(late.has_value());
  BOOST_TEST(grid::test::same_window(*late, straggler));  // handed back untouched
  BOOST_TEST(merger.pending() == 0u);
  BOOST_TEST(merger.release(deadline_of(kIndex + 100), 2).empty());  // never released twice
}

BOOST_AUTO_TEST_CASE(a_window_older_than_every_released_index_is_late_even_if_never_seen) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex + 5, "agent-a", 1));
  merger.release(deadline_of(kIndex + 5), 1);
  BOOST_TEST(merger.add(window_of(kIndex + 3, "agent-a", 1)).has_value());
  BOOST_TEST(!merger.add(window_of(kIndex + 6, "agent-a", 1)).has_value());
  BOOST_TEST(merger.pending() == 1u);
}

BOOST_AUTO_TEST_CASE(before_any_release_no_window_is_late) {
  WindowMerger merger(kGrace);
  BOOST_TEST(!merger.add(window_of(kIndex + 9, "agent-a", 1)).has_value());
  BOOST_TEST(!merger.add(window_of(0, "agent-a", 1)).has_value());  // index 0 too
  BOOST_TEST(merger.pending() == 2u);
}

BOOST_AUTO_TEST_CASE(release_all_empties_the_merger_in_index_order) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex + 1, "agent-a", 1));
  merger.add(window_of(kIndex, "agent-a", 1));
  merger.add(window_of(kIndex + 7, "agent-b", 1));
  BOOST_TEST(indexes_of(merger.release_all()) == (Indexes{kIndex, kIndex + 1, kIndex + 7}));
  BOOST_TEST(merger.pending() == 0u);
  BOOST_TEST(merger.release_all().empty());
  BOOST_TEST(merger.add(window_of(kIndex + 7, "agent-c", 1)).has_value());  // released: late
}

BOOST_AUTO_TEST_CASE(a_window_with_another_interval_is_returned_not_dropped_nor_merged) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10, 1, kInterval));
  const StatsWindow odd = window_of(kIndex, "agent-b", 4, 2, kInterval / 2);  // same index, 500 ms
  const auto back = merger.add(odd);
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(grid::test::same_window(*back, odd));
  const auto out = merger.release_all();
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(grid::test::same_window(out[0], window_of(kIndex, "agent-a", 10, 1, kInterval)));
}

BOOST_AUTO_TEST_CASE(a_refused_window_with_another_interval_does_not_count_toward_the_expected_agents) {
  WindowMerger merger(kGrace);
  merger.add(window_of(kIndex, "agent-a", 10, 1, kInterval));
  BOOST_TEST(merger.add(window_of(kIndex, "agent-b", 4, 2, kInterval / 2)).has_value());
  // agent-b's part is not in the pending window, so the window is not complete with 2.
  BOOST_TEST(merger.release(during(kIndex), 2).empty());
  merger.add(window_of(kIndex, "agent-b", 4, 2, kInterval));
  const auto out = merger.release(during(kIndex), 2);
  BOOST_TEST_REQUIRE(out.size() == 1u);
  BOOST_TEST(out[0].total().requests == 14u);
}

BOOST_AUTO_TEST_CASE(an_empty_merger_releases_nothing) {
  WindowMerger merger(kGrace);
  BOOST_TEST(merger.release(at_ms(UINT64_MAX / 4000), 1).empty());
  BOOST_TEST(merger.release_all().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(window_merger_fresh_start)

BOOST_AUTO_TEST_CASE(a_new_merger_merges_lower_indexes_a_used_one_passes_as_late) {
  // A relay replaces its merger when a campaign changes: a 1 s campaign after a 100 ms one
  // has indexes ten times smaller, which the old merger would treat as late forever.
  grid::wire::StatsWindow fast;
  fast.index = 10'000;
  fast.interval_ms = 100;
  fast.sources.push_back({"a", "r", 1, 0, 1, 0, 0, false});
  grid::common::WindowMerger used(std::chrono::milliseconds(500));
  BOOST_TEST(!used.add(fast).has_value());
  BOOST_TEST(used.release_all().size() == 1u);
  grid::wire::StatsWindow slow = fast;
  slow.index = 1'000;
  slow.interval_ms = 1000;
  BOOST_TEST(used.add(slow).has_value());  // late for the used merger
  grid::common::WindowMerger fresh(std::chrono::milliseconds(500));
  BOOST_TEST(!fresh.add(slow).has_value());
  BOOST_TEST(fresh.release(at_ms(0), 1).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
