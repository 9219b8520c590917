// Plan and ClockEcho, the downstream messages: codec round trips field by field, older and
// newer layouts (append-only fields, STYLE.md 8), validate(), budget_of and end_unix_us.

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"
#include "sample_messages.hpp"

using grid::test::error_of;
using grid::wire::Error;
using grid::wire::Result;
using namespace grid::wire;

namespace {

/// Decodes `frame` all the way to an M.
template <class M>
Result<M> decode_as(std::string_view frame) {
  auto env = decode_envelope(frame);
  if (!env) return Error{env.error()};
  return decode_body<M>(env.value());
}

std::string random_text(std::mt19937_64& rng, size_t max_len) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_/:?=&ß";
  std::string s;
  const size_t len = rng() % (max_len + 1);
  for (size_t i = 0; i < len; ++i) s += kChars[rng() % (sizeof kChars - 1)];
  return s;
}

/// A valid plan with every field random, in any state.
Plan random_plan(std::mt19937_64& rng) {
  Plan p;
  p.epoch = rng();
  p.state = static_cast<CampaignState>(rng() % 5);
  p.campaign_id = "c-" + random_text(rng, 12);
  p.campaign_name = random_text(rng, 40);
  const size_t requests = 1 + rng() % 4;
  for (size_t i = 0; i < requests; ++i) {
    RequestSpec r;
    r.name = random_text(rng, 10);
    r.method = rng() % 2 ? "GET" : "POST";
    r.url = "http://10.0.0." + std::to_string(rng() % 255) + ":8080/" + random_text(rng, 20);
    for (size_t h = 0; h < rng() % 3; ++h) r.headers.push_back("X-" + random_text(rng, 5) + ": " + random_text(rng, 8));
    r.body = random_text(rng, 64);
    r.timeout_ms = static_cast<uint32_t>(rng() % 60'000);
    r.expect_status = {static_cast<uint16_t>(100 + rng() % 100), static_cast<uint16_t>(200 + rng() % 400)};
    p.requests.push_back(r);
  }
  p.users = static_cast<uint32_t>(rng());
  p.spawn_rate = static_cast<double>(rng() % 1'000'000) / 7.0;
  p.think_time_ms = static_cast<uint32_t>(rng() % 10'000);
  p.duration_ms = rng() % 86'400'000;
  p.interval_ms = 1 + static_cast<uint32_t>(rng() % 10'000);
  p.start_unix_us = static_cast<int64_t>(rng() >> 2) * (rng() % 2 ? 1 : -1);
  const size_t budgets = rng() % 6;
  for (size_t i = 0; i < budgets; ++i) {
    p.budgets.push_back(
        {"child-" + random_text(rng, 8), static_cast<uint32_t>(rng()), static_cast<double>(rng() % 100'000) / 3.0, {}});
  }
  return p;
}

/// Field by field, so a failure names the field.
void check_same_plan(const Plan& got, const Plan& want) {
  BOOST_TEST(got.epoch == want.epoch);
  BOOST_TEST(got.state == want.state);
  BOOST_TEST(got.campaign_id == want.campaign_id);
  BOOST_TEST(got.campaign_name == want.campaign_name);
  BOOST_TEST_REQUIRE(got.requests.size() == want.requests.size());
  for (size_t i = 0; i < got.requests.size(); ++i) {
    BOOST_TEST_CONTEXT("request " << i) {
      BOOST_TEST(got.requests[i].name == want.requests[i].name);
      BOOST_TEST(got.requests[i].method == want.requests[i].method);
      BOOST_TEST(got.requests[i].url == want.requests[i].url);
      BOOST_TEST(got.requests[i].headers == want.requests[i].headers);
      BOOST_TEST(got.requests[i].body == want.requests[i].body);
      BOOST_TEST(got.requests[i].timeout_ms == want.requests[i].timeout_ms);
      BOOST_TEST(got.requests[i].expect_status.low == want.requests[i].expect_status.low);
      BOOST_TEST(got.requests[i].expect_status.high == want.requests[i].expect_status.high);
      BOOST_TEST((got.requests[i] == want.requests[i]));  // checks, extracts, http, TLS too
    }
  }
  BOOST_TEST((got.model == want.model));
  BOOST_TEST(got.rate == want.rate);
  BOOST_TEST((got.stages == want.stages));
  BOOST_TEST((got.scenarios == want.scenarios));
  BOOST_TEST((got.data == want.data));
  BOOST_TEST((got.connections == want.connections));
  BOOST_TEST((got.acks == want.acks));
  BOOST_TEST(got.users == want.users);
  BOOST_TEST(got.spawn_rate == want.spawn_rate);  // doubles travel as float64: exact
  BOOST_TEST(got.think_time_ms == want.think_time_ms);
  BOOST_TEST(got.duration_ms == want.duration_ms);
  BOOST_TEST(got.interval_ms == want.interval_ms);
  BOOST_TEST(got.start_unix_us == want.start_unix_us);
  BOOST_TEST_REQUIRE(got.budgets.size() == want.budgets.size());
  for (size_t i = 0; i < got.budgets.size(); ++i) {
    BOOST_TEST_CONTEXT("budget " << i) {
      BOOST_TEST(got.budgets[i].child_id == want.budgets[i].child_id);
      BOOST_TEST(got.budgets[i].users == want.budgets[i].users);
      BOOST_TEST(got.budgets[i].spawn_rate == want.budgets[i].spawn_rate);
      BOOST_TEST((got.budgets[i].rows == want.budgets[i].rows));
    }
  }
}

/// A plan frame whose body has only the first `fields` fields of `p`, plus `extra` more
/// unknown trailing fields: what an older (or newer) broker would send.
std::string plan_frame_with_fields(const Plan& p, size_t fields, size_t extra = 0) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_array(4);
  pk.pack(static_cast<uint8_t>(MessageType::plan));
  pk.pack(kProtocolVersion);
  pk.pack(std::string("broker"));
  pk.pack_array(static_cast<uint32_t>(fields + extra));
  size_t n = 0;
  const auto field = [&](const auto& value) {
    if (n++ < fields) pk.pack(value);
  };
  field(p.epoch);
  field(p.state);
  field(p.campaign_id);
  field(p.campaign_name);
  field(p.requests);
  field(p.users);
  field(p.spawn_rate);
  field(p.think_time_ms);
  field(p.duration_ms);
  field(p.interval_ms);
  field(p.start_unix_us);
  field(p.budgets);
  field(p.model);
  field(p.rate);
  field(p.stages);
  field(p.scenarios);
  field(p.data);
  field(p.connections);
  field(p.acks);
  for (size_t i = 0; i < extra; ++i) pk.pack(std::string("a field from the future"));
  return std::string(buffer.data(), buffer.size());
}

Plan running_plan() { return grid::test::sample_plan(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(plan_message)

BOOST_AUTO_TEST_CASE(the_sample_plan_round_trips_field_by_field) {
  const Plan plan = grid::test::sample_plan();
  const auto got = decode_as<Plan>(encode(plan, "broker"));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  check_same_plan(got.value(), plan);
}

BOOST_AUTO_TEST_CASE(random_plans_round_trip_field_by_field) {
  std::mt19937_64 rng(4711);
  for (int trial = 0; trial < 300; ++trial) {
    const Plan plan = random_plan(rng);
    BOOST_TEST_REQUIRE(!plan.validate().has_value());
    const std::string frame = encode(plan, "relay-" + std::to_string(trial));
    const auto env = decode_envelope(frame);
    BOOST_TEST_REQUIRE(env.ok(), error_of(env));
    BOOST_TEST((env.value().type == MessageType::plan));
    BOOST_TEST(env.value().version == kProtocolVersion);
    BOOST_TEST(env.value().node_id == "relay-" + std::to_string(trial));
    const auto got = decode_body<Plan>(env.value());
    BOOST_TEST_REQUIRE(got.ok(), error_of(got));
    BOOST_TEST_CONTEXT("trial " << trial) { check_same_plan(got.value(), plan); }
    BOOST_TEST(encode(got.value(), env.value().node_id) == frame);  // stable re-encode
  }
}

BOOST_AUTO_TEST_CASE(a_default_plan_round_trips_and_is_idle) {
  const auto got = decode_as<Plan>(encode(Plan{}, ""));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  check_same_plan(got.value(), Plan{});
  BOOST_TEST((got.value().state == CampaignState::idle));
}

BOOST_AUTO_TEST_CASE(a_plan_from_an_older_peer_without_budgets_decodes_with_no_budgets) {
  const Plan plan = grid::test::sample_plan();
  const auto got = decode_as<Plan>(plan_frame_with_fields(plan, 11));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST(got.value().start_unix_us == plan.start_unix_us);
  BOOST_TEST(got.value().budgets.empty());
}

BOOST_AUTO_TEST_CASE(a_plan_from_a_newer_peer_with_extra_fields_decodes_ignoring_them) {
  const Plan plan = grid::test::sample_plan();
  const auto got = decode_as<Plan>(plan_frame_with_fields(plan, 19, 2));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  check_same_plan(got.value(), plan);
}

BOOST_AUTO_TEST_CASE(a_plan_from_a_peer_before_the_workload_language_runs_the_closed_model_loop) {
  Plan plan = grid::test::sample_plan();
  for (auto& b : plan.budgets) b.rows.clear();  // an older peer knows no data feeds
  const auto got = decode_as<Plan>(plan_frame_with_fields(plan, 12));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST((got.value().model == grid::wire::LoadModel::closed));
  BOOST_TEST(got.value().scenarios.empty());
  BOOST_TEST(got.value().stages.empty());
  BOOST_TEST(got.value().requests.size() == plan.requests.size());
}

BOOST_AUTO_TEST_CASE(a_plan_frame_is_not_a_clock_echo) {
  const auto got = decode_as<ClockEcho>(encode(grid::test::sample_plan(), "broker"));
  BOOST_TEST_REQUIRE(!got.ok());
  BOOST_TEST(got.error().find("expected message type 17, got 16") != std::string::npos, got.error());
}

BOOST_AUTO_TEST_CASE(validate_accepts_plans_in_every_known_state) {
  for (uint8_t state = 0; state <= static_cast<uint8_t>(CampaignState::finished); ++state) {
    Plan plan = running_plan();
    plan.state = static_cast<CampaignState>(state);
    BOOST_TEST_CONTEXT("state " << int{state}) {
      BOOST_TEST(!plan.validate().has_value(), plan.validate().value_or(""));
      BOOST_TEST(static_cast<uint8_t>(plan.state) == state);
    }
  }
}

BOOST_AUTO_TEST_CASE(validate_rejects_an_unknown_state) {
  for (uint8_t state : {uint8_t{5}, uint8_t{17}, uint8_t{255}}) {
    Plan plan = running_plan();
    plan.state = static_cast<CampaignState>(state);
    BOOST_TEST_CONTEXT("state " << int{state}) {
      BOOST_TEST_REQUIRE(plan.validate().has_value());
      BOOST_TEST(*plan.validate() == "plan has unknown state " + std::to_string(state));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_decoder_refuses_a_plan_with_an_unknown_state_naming_it) {
  Plan plan = running_plan();
  plan.state = static_cast<CampaignState>(9);
  const auto got = decode_as<Plan>(encode(plan, "broker"));
  BOOST_TEST_REQUIRE(!got.ok());
  BOOST_TEST(got.error() == "plan has unknown state 9");
}

BOOST_AUTO_TEST_CASE(validate_rejects_a_running_or_stopping_plan_without_requests) {
  for (auto state : {CampaignState::running, CampaignState::stopping}) {
    Plan plan = running_plan();
    plan.state = state;
    plan.requests.clear();
    BOOST_TEST(plan.validate().value_or("") == "running plan has no requests");
  }
}

BOOST_AUTO_TEST_CASE(plans_that_run_nothing_need_no_requests_id_or_interval) {
  for (auto state : {CampaignState::idle, CampaignState::waiting, CampaignState::finished}) {
    Plan plan;
    plan.state = state;
    plan.interval_ms = 0;
    BOOST_TEST_CONTEXT("state " << static_cast<int>(state)) { BOOST_TEST(!plan.validate().has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(validate_rejects_a_running_plan_with_a_zero_interval_or_no_campaign_id) {
  Plan plan = running_plan();
  plan.interval_ms = 0;
  BOOST_TEST(plan.validate().value_or("") == "plan has a zero stats interval");
  plan = running_plan();
  plan.campaign_id.clear();
  BOOST_TEST(plan.validate().value_or("") == "running plan has no campaign id");
}

BOOST_AUTO_TEST_CASE(validate_rejects_implausible_spawn_rates_of_the_plan_and_its_budgets) {
  for (double rate : {-1.0, 2e9, std::nan(""), std::numeric_limits<double>::infinity()}) {
    BOOST_TEST_CONTEXT("spawn rate " << rate) {
      Plan plan = running_plan();
      plan.spawn_rate = rate;
      BOOST_TEST(plan.validate().value_or("") == "plan has an implausible spawn rate");
      plan = running_plan();
      plan.budgets[1].spawn_rate = rate;
      BOOST_TEST(plan.validate().value_or("") == "plan budget of 'relay-us' has an implausible spawn rate");
    }
  }
}

BOOST_AUTO_TEST_CASE(budget_of_finds_a_child_and_misses_the_others) {
  const Plan plan = grid::test::sample_plan();
  const auto eu = plan.budget_of("relay-eu");
  BOOST_TEST_REQUIRE(eu.has_value());
  BOOST_TEST(eu->users == 600u);
  BOOST_TEST(eu->spawn_rate == 30.25);
  BOOST_TEST(plan.budget_of("relay-us").value_or(ChildBudget{}).users == 400u);
  BOOST_TEST(!plan.budget_of("relay-ap").has_value());
  BOOST_TEST(!plan.budget_of("").has_value());
  BOOST_TEST(!plan.budget_of("relay-e").has_value());  // no prefix matches
  BOOST_TEST(!Plan{}.budget_of("relay-eu").has_value());
}

BOOST_AUTO_TEST_CASE(a_zero_budget_is_still_a_budget) {
  Plan plan;
  plan.budgets = {{"agent-1", 0, 0, {}}};
  const auto b = plan.budget_of("agent-1");
  BOOST_TEST_REQUIRE(b.has_value());
  BOOST_TEST(b->users == 0u);
}

BOOST_AUTO_TEST_CASE(the_end_instant_is_start_plus_duration_in_microseconds) {
  Plan plan;
  plan.start_unix_us = 1'700'000'000'000'000;
  plan.duration_ms = 600'000;
  BOOST_TEST(plan.end_unix_us() == 1'700'000'600'000'000);
  plan.duration_ms = 0;
  BOOST_TEST(plan.end_unix_us() == plan.start_unix_us);
}

BOOST_AUTO_TEST_CASE(a_clock_echo_round_trips_field_by_field) {
  const ClockEcho echo = grid::test::sample_clock_echo();
  const auto got = decode_as<ClockEcho>(encode(echo, "relay-eu"));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST(got.value().child_sent_unix_us == echo.child_sent_unix_us);
  BOOST_TEST(got.value().parent_recv_unix_us == echo.parent_recv_unix_us);
  BOOST_TEST(got.value().parent_sent_unix_us == echo.parent_sent_unix_us);
}

BOOST_AUTO_TEST_CASE(a_clock_echo_keeps_negative_and_extreme_times) {
  ClockEcho echo;
  echo.child_sent_unix_us = -1;
  echo.parent_recv_unix_us = std::numeric_limits<int64_t>::min();
  echo.parent_sent_unix_us = std::numeric_limits<int64_t>::max();
  const auto got = decode_as<ClockEcho>(encode(echo, "broker"));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST(got.value().child_sent_unix_us == -1);
  BOOST_TEST(got.value().parent_recv_unix_us == std::numeric_limits<int64_t>::min());
  BOOST_TEST(got.value().parent_sent_unix_us == std::numeric_limits<int64_t>::max());
}

BOOST_AUTO_TEST_CASE(a_clock_echo_frame_is_not_a_plan) {
  const auto got = decode_as<Plan>(encode(grid::test::sample_clock_echo(), "broker"));
  BOOST_TEST_REQUIRE(!got.ok());
  BOOST_TEST(got.error().find("expected message type 16, got 17") != std::string::npos, got.error());
}

BOOST_AUTO_TEST_SUITE_END()
