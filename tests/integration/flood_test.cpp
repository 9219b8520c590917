// Hostile input while a campaign runs: a thread floods the report ports (PULL) of a
// real broker and a real relay with random bytes, truncated frames, trailing bytes,
// multipart messages, valid envelopes with garbage bodies, frames above the frame limit
// and broken ZeroMQ handshakes (report_flood.hpp), bounded in rounds and time. The nodes
// keep working: every frame they read is rejected and counted exactly, the campaign's
// totals stay exact, and nothing the flood sent becomes a child.

#include <future>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "report_flood.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(grid_flood)

BOOST_AUTO_TEST_CASE(a_flood_of_hostile_frames_on_broker_and_relay_is_rejected_and_counted_and_totals_stay_exact) {
  TargetProcess target;
  TempDir dir;
  auto broker = start_broker(campaign_file(dir.path(), target, "120s", 6), dir.path(), 2);
  auto relay = start_relay(broker.address, "relay", "default");
  auto relayed = start_agent(relay.address, "relayed", 1);
  auto direct = start_agent(broker.address, "direct", 1);
  // The flood starts once both agents' requests are counted: the campaign is running.
  wait_for_summary(dir.path(), *broker, "requests of both agents",
                   [](nlohmann::json& s) { return requests_of(s, "relayed") > 0 && requests_of(s, "direct") > 0; });

  const auto flood_started = std::chrono::steady_clock::now();
  auto flood = std::async(std::launch::async, flood_reports,
                          std::vector<std::string>{broker.reports_endpoint(), relay.reports_endpoint()}, FloodLimits{});
  const auto tallies = flood.get();  // rethrows when a node stopped taking frames
  const auto flood_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - flood_started).count();
  const uint64_t expected = tallies[0].frames + tallies[1].frames;
  BOOST_TEST_MESSAGE("flood of " << flood_ms << " ms: broker " << tallies[0].frames << " frames, "
                                 << tallies[0].oversized << " oversized, " << tallies[0].raw_connections
                                 << " broken handshakes; relay " << tallies[1].frames << ", " << tallies[1].oversized
                                 << ", " << tallies[1].raw_connections);
  for (const auto& t : tallies) {
    BOOST_TEST(t.frames > 0u);
    BOOST_TEST(t.oversized > 0u);
    BOOST_TEST(t.raw_connections > 0u);
  }

  // Still working after the flood: both agents' requests keep being counted, and every
  // frame the flood sent has been rejected (the relay's count arrives in its heartbeats).
  auto after = read_json(dir.path() + "/summary.json");
  const uint64_t relayed_then = requests_of(after, "relayed"), direct_then = requests_of(after, "direct");
  wait_for_summary(dir.path(), *broker, "every flooded frame rejected and both agents counted after the flood",
                   [&](nlohmann::json& s) {
                     return s["health"]["rejected_frames"].get<uint64_t>() >= expected &&
                            requests_of(s, "relayed") > relayed_then && requests_of(s, "direct") > direct_then;
                   });
  BOOST_REQUIRE_EQUAL(stop_broker(*broker), 0);

  auto summary = read_json(dir.path() + "/summary.json");
  BOOST_TEST(summary["health"]["rejected_frames"].get<uint64_t>() == expected);
  BOOST_TEST(summary["total"]["requests"] == target.stats()["requests"]);
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(summary["health"]["relays"] == 1);
  BOOST_TEST(summary["health"]["duplicate_windows"] == 0);
  BOOST_REQUIRE(summary["agents"].size() == 2u);  // the flood never became a child
  for (const auto& a : summary["agents"]) {
    BOOST_TEST_CONTEXT("agent " << a["id"]) {
      BOOST_TEST(a["state"] == "finished");
      BOOST_TEST(a["users"] == 3);
    }
  }
  BOOST_TEST(broker->err().find("rejected") != std::string::npos);
  BOOST_TEST(relay->err().find("rejected") != std::string::npos);
  BOOST_TEST(!relay->wait_for_exit(0ms).has_value());  // the relay outlives its campaign, as ever
}

BOOST_AUTO_TEST_SUITE_END()
