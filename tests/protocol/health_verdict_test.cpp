// `loadgrid healthcheck`'s decision (docs/adr/0024): content + now + max age -> verdict.

#include <chrono>
#include <optional>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/health_record.hpp"
#include "protocol/common/health_verdict.hpp"

using namespace std::chrono_literals;
using grid::common::encode_health_record;
using grid::common::HealthRecord;
using grid::common::judge_health;
using grid::common::WallTime;

namespace {

const WallTime kNow{std::chrono::milliseconds(1'767'225'600'000)};

std::string written_at(WallTime t, std::optional<bool> parent = true, std::string role = "agent") {
  HealthRecord r;
  r.node = role + "-a1";
  r.role = role;
  r.state = "running";
  r.parent_connected = parent;
  r.time_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  r.pid = 10;
  return encode_health_record(r);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health_verdict)

BOOST_AUTO_TEST_CASE(a_fresh_file_is_healthy_and_names_the_node_its_state_and_age) {
  const auto v = judge_health("/run/h", written_at(kNow - 400ms), kNow, 15s);
  BOOST_TEST(v.healthy);
  BOOST_TEST(v.line == "healthy: agent agent-a1 running, parent connected, updated 0.4 s ago");
}

BOOST_AUTO_TEST_CASE(a_broker_has_no_parent_to_mention) {
  const auto v = judge_health("/run/h", written_at(kNow - 1s, std::nullopt, "broker"), kNow, 15s);
  BOOST_TEST(v.healthy);
  BOOST_TEST(v.line == "healthy: broker broker-a1 running, updated 1.0 s ago");
}

BOOST_AUTO_TEST_CASE(a_silent_parent_is_said_but_not_unhealthy) {
  const auto v = judge_health("/run/h", written_at(kNow - 1s, false), kNow, 15s);
  BOOST_TEST(v.healthy);
  BOOST_TEST(v.line.find("parent not connected") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_file_older_than_max_age_is_unhealthy_with_its_age_named) {
  const auto v = judge_health("/run/h", written_at(kNow - 42s), kNow, 15s);
  BOOST_TEST(!v.healthy);
  BOOST_TEST(v.line ==
             "unhealthy: /run/h: agent agent-a1 running, parent connected, updated 42.0 s ago, more than "
             "--max-age 15s");
}

BOOST_AUTO_TEST_CASE(the_max_age_itself_is_still_healthy_one_millisecond_more_is_not) {
  BOOST_TEST(judge_health("/run/h", written_at(kNow - 15s), kNow, 15s).healthy);
  BOOST_TEST(!judge_health("/run/h", written_at(kNow - 15001ms), kNow, 15s).healthy);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_unhealthy_and_hints_at_the_option) {
  const auto v = judge_health("/run/h", std::nullopt, kNow, 15s);
  BOOST_TEST(!v.healthy);
  BOOST_TEST(v.line == "unhealthy: /run/h: not found (is the node running with --health-file?)");
}

BOOST_AUTO_TEST_CASE(unparsable_content_is_unhealthy_and_says_why) {
  const auto v = judge_health("/run/h", std::string("garbage"), kNow, 15s);
  BOOST_TEST(!v.healthy);
  BOOST_TEST(v.line == "unhealthy: /run/h: unparsable content (not JSON)");
}

BOOST_AUTO_TEST_CASE(a_time_slightly_ahead_counts_as_just_updated_far_ahead_is_unhealthy) {
  const auto slightly = judge_health("/run/h", written_at(kNow + 2s), kNow, 15s);
  BOOST_TEST(slightly.healthy);
  BOOST_TEST(slightly.line.find("updated 0.0 s ago") != std::string::npos);
  const auto far = judge_health("/run/h", written_at(kNow + 60s), kNow, 15s);
  BOOST_TEST(!far.healthy);
  BOOST_TEST(far.line.find("60.0 s in the future") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(extreme_times_do_not_overflow) {
  for (const char* t : {"-9223372036854775808", "9223372036854775807", "0"}) {
    const std::string content =
        std::string(R"({"node":"a","role":"agent","state":"idle","pid":1,"time_unix_ms":)") + t + "}";
    BOOST_TEST(!judge_health("/run/h", content, kNow, 15s).healthy, t);
  }
}

BOOST_AUTO_TEST_SUITE_END()
