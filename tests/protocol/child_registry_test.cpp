// ChildRegistry: the direct children of a parent and their liveness. Pure; every call
// gets an explicit steady time (a steady time point), so liveness is tested to the nanosecond with no sleeps.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/child_registry.hpp"

using grid::common::ChildInfo;
using grid::common::ChildRegistry;
using grid::wire::NodeKind;
using namespace std::chrono_literals;

namespace {

using namespace std::chrono_literals;
constexpr std::chrono::nanoseconds kSecondNs = 1s;
const grid::common::SteadyTime kT0{5s};  // an arbitrary steady-clock start

grid::wire::Hello hello_of(NodeKind kind, const std::string& region, uint32_t cores, uint32_t max_users = 0) {
  grid::wire::Hello h;
  h.kind = kind;
  h.region = region;
  h.hostname = "host-" + region;
  h.cores = cores;
  h.max_users = max_users;
  return h;
}

grid::wire::Heartbeat heartbeat_of(NodeKind kind, const std::string& region, double capacity, uint32_t agents,
                                   uint32_t max_users = 0) {
  grid::wire::Heartbeat hb;
  hb.kind = kind;
  hb.region = region;
  hb.capacity = capacity;
  hb.agents = agents;
  hb.max_users = max_users;
  hb.cpu_percent = 87.5;
  hb.rss_bytes = 1u << 20;
  hb.active_users = 12;
  hb.clock_offset_us = -2'500;
  hb.rejected_frames = 3;
  hb.lost_agents = {"agent-x"};
  hb.agent_loads = {grid::wire::AgentLoad{"agent-y", "c@1", 5000, 12}};
  hb.failovers = 2;
  hb.deadman_ms = 15'000;
  hb.resent_windows = 4;
  hb.coalesced_windows = 1;
  return hb;
}

std::vector<std::string> live_ids(const ChildRegistry& registry) {
  std::vector<std::string> ids;
  for (const ChildInfo* c : registry.live()) ids.push_back(c->id);
  return ids;
}

using Ids = std::vector<std::string>;

}  // namespace

BOOST_AUTO_TEST_SUITE(child_registry)

BOOST_AUTO_TEST_CASE(a_hello_from_a_new_child_registers_it_and_is_a_change) {
  ChildRegistry registry(1000ms);
  BOOST_TEST(registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 8, 300), kT0));
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
  const ChildInfo& c = registry.children().at("agent-1");
  BOOST_TEST(c.id == "agent-1");
  BOOST_TEST((c.kind == NodeKind::agent));
  BOOST_TEST(c.region == "eu");
  BOOST_TEST(c.hostname == "host-eu");
  BOOST_TEST(c.cores == 8u);
  BOOST_TEST(c.max_users == 300u);
  BOOST_TEST(c.capacity == 8.0);  // capacity defaults to cores until a heartbeat says otherwise
  BOOST_TEST(c.agents == 1u);     // an agent is one agent
  BOOST_TEST((c.last_seen == kT0));
  BOOST_TEST(!c.lost);
  BOOST_TEST(!c.left);
}

BOOST_AUTO_TEST_CASE(a_relay_hello_counts_no_agents_until_its_heartbeat_says_how_many) {
  ChildRegistry registry(1000ms);
  registry.on_hello("relay-1", hello_of(NodeKind::relay, "eu", 4), kT0);
  BOOST_TEST(registry.live_agents() == 0u);
  registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 64, 5), kT0 + 1ns);
  BOOST_TEST(registry.live_agents() == 5u);
}

BOOST_AUTO_TEST_CASE(a_repeated_hello_is_not_a_change) {
  ChildRegistry registry(1000ms);
  const auto hello = hello_of(NodeKind::agent, "eu", 8);
  BOOST_TEST(registry.on_hello("agent-1", hello, kT0));
  BOOST_TEST(!registry.on_hello("agent-1", hello, kT0 + kSecondNs));
  BOOST_TEST((registry.children().at("agent-1").last_seen == kT0 + kSecondNs));
  BOOST_TEST(registry.children().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_updates_the_child_and_only_a_capacity_change_is_a_change) {
  ChildRegistry registry(1000ms);
  registry.on_hello("relay-1", hello_of(NodeKind::relay, "eu", 4), kT0);
  BOOST_TEST(registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 32, 4), kT0 + 1ns));  // 4 -> 32
  const ChildInfo& c = registry.children().at("relay-1");
  BOOST_TEST(c.capacity == 32.0);
  BOOST_TEST(c.agents == 4u);
  BOOST_TEST(c.cpu_percent == 87.5);
  BOOST_TEST(c.rss_bytes == 1u << 20);
  BOOST_TEST(c.active_users == 12u);
  BOOST_TEST(c.clock_offset_us == -2'500);
  BOOST_TEST(c.rejected_frames == 3u);
  BOOST_TEST(c.lost_agents == Ids{"agent-x"});
  BOOST_TEST_REQUIRE(c.agent_loads.size() == 1u);
  BOOST_TEST(c.agent_loads[0].start_ceiling == 5000u);
  BOOST_TEST(c.failovers == 2u);
  BOOST_TEST(c.deadman_ms == 15'000u);
  BOOST_TEST(c.resent_windows == 4u);
  BOOST_TEST(c.coalesced_windows == 1u);
  BOOST_TEST((c.last_seen == kT0 + 1ns));

  BOOST_TEST(!registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 32, 4), kT0 + 2ns));
  // More agents in the subtree without more capacity: counted, but the split is the same.
  BOOST_TEST(!registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 32, 6), kT0 + 3ns));
  BOOST_TEST(registry.live_agents() == 6u);
  BOOST_TEST(registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 48, 6), kT0 + 4ns));
  BOOST_TEST(registry.children().at("relay-1").capacity == 48.0);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_changing_the_cap_or_region_is_a_change) {
  ChildRegistry registry(1000ms);
  registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 32, 4, 100), kT0);
  BOOST_TEST(registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 32, 4, 200), kT0 + 1ns));
  BOOST_TEST(registry.children().at("relay-1").max_users == 200u);
  BOOST_TEST(registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "us", 32, 4, 200), kT0 + 2ns));
  BOOST_TEST(registry.children().at("relay-1").region == "us");
}

BOOST_AUTO_TEST_CASE(a_heartbeat_from_an_unknown_child_registers_it) {
  // A restarted parent missed the hello: the heartbeat carries enough to weigh the child.
  ChildRegistry registry(1000ms);
  BOOST_TEST(registry.on_heartbeat("agent-9", heartbeat_of(NodeKind::agent, "us", 16, 1), kT0));
  BOOST_TEST(live_ids(registry) == Ids{"agent-9"});
  BOOST_TEST(registry.children().at("agent-9").capacity == 16.0);
}

BOOST_AUTO_TEST_CASE(a_later_hello_keeps_the_capacity_a_heartbeat_reported) {
  ChildRegistry registry(1000ms);
  registry.on_heartbeat("relay-1", heartbeat_of(NodeKind::relay, "eu", 64, 8), kT0);
  registry.on_hello("relay-1", hello_of(NodeKind::relay, "eu", 4), kT0 + 1ns);
  BOOST_TEST(registry.children().at("relay-1").capacity == 64.0);
}

BOOST_AUTO_TEST_CASE(a_silent_child_is_lost_after_exactly_three_intervals_and_not_before) {
  ChildRegistry registry(1000ms);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  BOOST_TEST(registry.expire(kT0 + kSecondNs).empty());
  BOOST_TEST(registry.expire(kT0 + 3 * kSecondNs - 1ns).empty());
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
  BOOST_TEST(registry.expire(kT0 + 3 * kSecondNs) == Ids{"agent-1"});
  BOOST_TEST(registry.children().at("agent-1").lost);
  BOOST_TEST(registry.live().empty());
  BOOST_TEST(registry.live_agents() == 0u);
}

BOOST_AUTO_TEST_CASE(liveness_scales_the_timeout) {
  ChildRegistry registry(200ms, 5);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  BOOST_TEST(registry.expire(kT0 + kSecondNs - 1ns).empty());
  BOOST_TEST(registry.expire(kT0 + kSecondNs) == Ids{"agent-1"});
}

BOOST_AUTO_TEST_CASE(a_lost_child_is_reported_lost_only_once) {
  ChildRegistry registry(1000ms);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  BOOST_TEST(registry.expire(kT0 + 3 * kSecondNs) == Ids{"agent-1"});
  BOOST_TEST(registry.expire(kT0 + 4 * kSecondNs).empty());
  BOOST_TEST(registry.expire(kT0 + 60 * kSecondNs).empty());
}

BOOST_AUTO_TEST_CASE(any_message_from_a_live_child_keeps_it_alive) {
  ChildRegistry registry(1000ms);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  BOOST_TEST(registry.on_message("agent-1", kT0 + 2 * kSecondNs));
  BOOST_TEST((registry.children().at("agent-1").last_seen == kT0 + 2 * kSecondNs));
  BOOST_TEST(registry.expire(kT0 + 5 * kSecondNs - 1ns).empty());
  BOOST_TEST(registry.expire(kT0 + 5 * kSecondNs) == Ids{"agent-1"});
}

BOOST_AUTO_TEST_CASE(only_the_silent_child_is_lost) {
  ChildRegistry registry(1000ms);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  registry.on_hello("agent-2", hello_of(NodeKind::agent, "eu", 2), kT0);
  registry.on_heartbeat("agent-2", heartbeat_of(NodeKind::agent, "eu", 2, 1), kT0 + 2 * kSecondNs);
  BOOST_TEST(registry.expire(kT0 + 3 * kSecondNs) == Ids{"agent-1"});
  BOOST_TEST(live_ids(registry) == Ids{"agent-2"});
}

BOOST_AUTO_TEST_CASE(a_lost_child_that_heartbeats_again_comes_back_as_a_change) {
  ChildRegistry registry(1000ms);
  const auto hb = heartbeat_of(NodeKind::agent, "eu", 2, 1);
  registry.on_heartbeat("agent-1", hb, kT0);
  registry.expire(kT0 + 3 * kSecondNs);
  BOOST_TEST(registry.on_heartbeat("agent-1", hb, kT0 + 4 * kSecondNs));  // same figures, but back
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
  BOOST_TEST(!registry.children().at("agent-1").lost);
  BOOST_TEST(registry.live_agents() == 1u);
  // Back for good: the silence is measured from its return.
  BOOST_TEST(registry.expire(kT0 + 7 * kSecondNs - 1ns).empty());
}

BOOST_AUTO_TEST_CASE(a_lost_child_that_says_hello_again_comes_back_as_a_change) {
  ChildRegistry registry(1000ms);
  const auto hello = hello_of(NodeKind::agent, "eu", 2);
  registry.on_hello("agent-1", hello, kT0);
  registry.expire(kT0 + 3 * kSecondNs);
  BOOST_TEST(registry.on_hello("agent-1", hello, kT0 + 10 * kSecondNs));
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
}

BOOST_AUTO_TEST_CASE(other_messages_from_a_lost_child_do_not_bring_it_back_unannounced) {
  // Its return must be reported as a change (so budgets are split again), and only hello
  // and heartbeat report changes: a stats or log message alone leaves it lost.
  ChildRegistry registry(1000ms);
  const auto hb = heartbeat_of(NodeKind::agent, "eu", 2, 1);
  registry.on_heartbeat("agent-1", hb, kT0);
  registry.expire(kT0 + 3 * kSecondNs);
  BOOST_TEST(!registry.on_message("agent-1", kT0 + 4 * kSecondNs));
  BOOST_TEST(registry.live().empty());
  BOOST_TEST(registry.on_heartbeat("agent-1", hb, kT0 + 4 * kSecondNs + 1ns));
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
}

BOOST_AUTO_TEST_CASE(a_bye_removes_a_live_child_from_the_live_set) {
  ChildRegistry registry(1000ms);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  registry.on_hello("agent-2", hello_of(NodeKind::agent, "eu", 2), kT0);
  BOOST_TEST(registry.on_bye("agent-1"));
  BOOST_TEST(live_ids(registry) == Ids{"agent-2"});
  BOOST_TEST(registry.children().at("agent-1").left);
  BOOST_TEST(registry.live_agents() == 1u);
  BOOST_TEST(!registry.on_bye("agent-1"));  // already gone: no change
  // A child that left is not "lost" later on.
  BOOST_TEST(registry.expire(kT0 + 10 * kSecondNs) == Ids{"agent-2"});
  BOOST_TEST(!registry.children().at("agent-1").lost);
}

BOOST_AUTO_TEST_CASE(a_bye_from_an_unknown_or_lost_child_is_not_a_change) {
  ChildRegistry registry(1000ms);
  BOOST_TEST(!registry.on_bye("stranger"));
  BOOST_TEST(registry.children().empty());
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "eu", 2), kT0);
  registry.expire(kT0 + 3 * kSecondNs);
  BOOST_TEST(!registry.on_bye("agent-1"));
}

BOOST_AUTO_TEST_CASE(a_child_that_left_and_says_hello_again_rejoins_as_a_change) {
  ChildRegistry registry(1000ms);
  const auto hello = hello_of(NodeKind::agent, "eu", 2);
  registry.on_hello("agent-1", hello, kT0);
  registry.on_bye("agent-1");
  BOOST_TEST(registry.on_hello("agent-1", hello, kT0 + kSecondNs));
  BOOST_TEST(live_ids(registry) == Ids{"agent-1"});
  BOOST_TEST(!registry.children().at("agent-1").left);
}

BOOST_AUTO_TEST_CASE(a_message_from_an_unknown_child_is_refused_and_registers_nothing) {
  ChildRegistry registry(1000ms);
  BOOST_TEST(!registry.on_message("stranger", kT0));
  BOOST_TEST(registry.children().empty());
  BOOST_TEST(registry.live().empty());
}

BOOST_AUTO_TEST_CASE(live_lists_live_children_in_id_order) {
  ChildRegistry registry(1000ms);
  for (const char* id : {"c", "a", "d", "b"}) registry.on_hello(id, hello_of(NodeKind::agent, "eu", 1), kT0);
  registry.on_bye("d");
  BOOST_TEST(live_ids(registry) == (Ids{"a", "b", "c"}));
}

BOOST_AUTO_TEST_CASE(live_agents_sums_the_agents_of_live_children_only) {
  ChildRegistry registry(1000ms);
  registry.on_heartbeat("relay-eu", heartbeat_of(NodeKind::relay, "eu", 40, 5), kT0);
  registry.on_heartbeat("relay-us", heartbeat_of(NodeKind::relay, "us", 24, 3), kT0);
  registry.on_hello("agent-1", hello_of(NodeKind::agent, "ap", 4), kT0 + 2 * kSecondNs);
  registry.on_hello("agent-2", hello_of(NodeKind::agent, "ap", 4), kT0 + 2 * kSecondNs);
  BOOST_TEST(registry.live_agents() == 10u);
  registry.on_bye("agent-2");
  BOOST_TEST(registry.live_agents() == 9u);
  registry.on_heartbeat("relay-eu", heartbeat_of(NodeKind::relay, "eu", 40, 5), kT0 + 2 * kSecondNs);
  BOOST_TEST(registry.expire(kT0 + 3 * kSecondNs) == Ids{"relay-us"});
  BOOST_TEST(registry.live_agents() == 6u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(child_registry_busy_agents)

BOOST_AUTO_TEST_CASE(only_agents_with_users_and_relays_busy_agents_are_awaited) {
  grid::common::ChildRegistry registry(std::chrono::milliseconds(1000));
  grid::wire::Heartbeat agent;
  agent.kind = grid::wire::NodeKind::agent;
  agent.agents = 1;
  grid::wire::Heartbeat relay;
  relay.kind = grid::wire::NodeKind::relay;
  relay.agents = 5;
  relay.busy_agents = 3;
  registry.on_heartbeat("busy", agent, grid::common::SteadyTime{});
  registry.on_heartbeat("idle", agent, grid::common::SteadyTime{});
  registry.on_heartbeat("relay", relay, grid::common::SteadyTime{});
  registry.on_heartbeat("gone", agent, grid::common::SteadyTime{});
  registry.on_bye("gone");
  const std::vector<grid::wire::ChildBudget> budgets = {
      {"busy", 10, 0}, {"idle", 0, 0}, {"relay", 30, 0}, {"gone", 5, 0}, {"unknown", 5, 0}};
  BOOST_TEST(registry.busy_agents(budgets) == 4u);
  BOOST_TEST(registry.live_agents() == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
