// [load]: the closed and open models, stages and the duration they imply, connections.

#include <boost/test/unit_test.hpp>

#include "campaign_fixture.hpp"

using namespace grid::test;
using grid::wire::ConnectionReuse;
using grid::wire::LoadModel;
using grid::wire::Stage;

namespace {

// A campaign whose [load] section is `load` and [campaign] has `duration` (if any).
std::string with_load(const std::string& load, const std::string& duration = "duration = 10s\n") {
  return "[campaign]\nname = t\n" + duration + "[load]\n" + load + "[request.home]\nurl = http://127.0.0.1:18080/\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_load)

BOOST_AUTO_TEST_CASE(model_defaults_to_closed_with_per_user_connections) {
  const auto c = parse(kMinimal);
  BOOST_TEST((c.model == LoadModel::closed));
  BOOST_TEST((c.connections == ConnectionReuse::per_user));
  BOOST_TEST(c.users == 5u);
  BOOST_TEST(c.rate == 0.0);
  BOOST_TEST(c.stages.empty());
}

BOOST_AUTO_TEST_CASE(closed_stages_give_stages_and_the_peak_as_users) {
  const auto c = parse(with_load("stages = 30s:100, 5m:250, 30s:0\n", ""));
  BOOST_REQUIRE(c.stages.size() == 3u);
  BOOST_TEST((c.stages[0] == Stage{30'000, 100}));
  BOOST_TEST((c.stages[1] == Stage{300'000, 250}));
  BOOST_TEST((c.stages[2] == Stage{30'000, 0}));
  BOOST_TEST(c.users == 250u);
}

BOOST_AUTO_TEST_CASE(duration_defaults_to_the_sum_of_the_stages) {
  const auto c = parse(with_load("stages = 30s:100, 5m:100, 30s:0\n", ""));
  BOOST_TEST(c.duration.count() == 360'000);
}

BOOST_AUTO_TEST_CASE(duration_given_with_stages_wins_and_stages_stay_as_written) {
  const auto shorter = parse(with_load("stages = 30s:100, 5m:100\n", "duration = 1m\n"));
  BOOST_TEST(shorter.duration.count() == 60'000);
  BOOST_TEST(shorter.stages.size() == 2u);
  const auto longer = parse(with_load("stages = 30s:100\n", "duration = 10m\n"));
  BOOST_TEST(longer.duration.count() == 600'000);
}

BOOST_AUTO_TEST_CASE(duration_is_required_without_stages) {
  expect_only_problem(with_load("users = 5\n", ""), {"test.ini:1: [campaign] duration: missing", "stages"});
}

BOOST_AUTO_TEST_CASE(bad_stages_do_not_also_report_a_missing_duration) {
  expect_only_problem(with_load("stages = 30s\n", ""), {"[load] stages", "'30s' is not a stage", "DURATION:USERS"});
}

BOOST_AUTO_TEST_CASE(closed_stage_targets_are_whole_user_counts) {
  expect_only_problem(with_load("stages = 30s:2.5\n"), {"[load] stages", "'2.5' is not a target", "whole number"});
  expect_only_problem(with_load("stages = 30s:-1\n"), {"[load] stages", "'-1' is not a target"});
  expect_only_problem(with_load("stages = soon:10\n"), {"[load] stages", "stage 'soon:10'", "not a duration"});
}

BOOST_AUTO_TEST_CASE(stages_need_a_target_and_a_time_above_zero) {
  expect_only_problem(with_load("stages = 30s:0, 1m:0\n"), {"[load] stages", "every target is 0"});
  expect_only_problem(with_load("stages = 0s:10\n", ""), {"[load] stages", "last 0s in all"});
}

BOOST_AUTO_TEST_CASE(users_and_stages_exclude_each_other) {
  expect_only_problem(with_load("users = 5\nstages = 30s:10\n"),
                      {"test.ini:6: [load] stages", "users and stages exclude each other"});
}

BOOST_AUTO_TEST_CASE(closed_model_needs_users_or_stages) {
  expect_only_problem(with_load("spawn_rate = 1\n"), {"test.ini:4: [load] users: missing", "stages ="});
}

BOOST_AUTO_TEST_CASE(open_model_with_a_rate_gives_rate_and_max_users) {
  const auto c = parse(with_load("model = open\nrate = 12.5\nmax_users = 300\nconnections = per_iteration\n"));
  BOOST_TEST((c.model == LoadModel::open));
  BOOST_TEST(c.rate == 12.5);
  BOOST_TEST(c.users == 300u);
  BOOST_TEST((c.connections == ConnectionReuse::per_iteration));
}

BOOST_AUTO_TEST_CASE(open_stages_take_fractional_rates_and_set_the_peak_rate) {
  const auto c = parse(with_load("model = open\nstages = 1m:0.5, 2m:20.25, 30s:0\nmax_users = 50\n", ""));
  BOOST_REQUIRE(c.stages.size() == 3u);
  BOOST_TEST(c.stages[0].target == 0.5);
  BOOST_TEST(c.rate == 20.25);
  BOOST_TEST(c.users == 50u);
  BOOST_TEST(c.duration.count() == 210'000);
}

BOOST_AUTO_TEST_CASE(open_model_keys_under_closed_name_their_model) {
  expect_only_problem(with_load("users = 5\nrate = 10\n"), {"[load] rate", "belongs to the open model"});
  expect_only_problem(with_load("users = 5\nmax_users = 10\n"), {"[load] max_users", "belongs to the open model"});
}

BOOST_AUTO_TEST_CASE(closed_model_keys_under_open_name_their_model) {
  expect_only_problem(with_load("model = open\nrate = 10\nmax_users = 9\nusers = 5\n"),
                      {"[load] users", "belongs to the closed model"});
  expect_only_problem(with_load("model = open\nrate = 10\nmax_users = 9\nspawn_rate = 5\n"),
                      {"[load] spawn_rate", "belongs to the closed model"});
}

BOOST_AUTO_TEST_CASE(open_model_needs_exactly_one_of_rate_and_stages_and_max_users) {
  expect_only_problem(with_load("model = open\nmax_users = 9\n"), {"[load] rate: missing"});
  expect_only_problem(with_load("model = open\nrate = 1\nstages = 1m:5\nmax_users = 9\n"),
                      {"[load] stages", "rate and stages exclude each other"});
  expect_only_problem(with_load("model = open\nrate = 1\n"), {"[load] max_users: missing", "cap"});
}

BOOST_AUTO_TEST_CASE(open_rate_must_be_above_zero) {
  expect_only_problem(with_load("model = open\nrate = 0\nmax_users = 9\n"), {"[load] rate", "'0' is not a rate"});
  expect_only_problem(with_load("model = open\nrate = fast\nmax_users = 9\n"), {"[load] rate", "'fast'"});
}

BOOST_AUTO_TEST_CASE(bad_model_suggests_the_closest) {
  expect_problem(with_load("model = opne\nusers = 5\n"),
                 {"[load] model", "'opne' is not a load model", "closed or open", "did you mean 'open'?"});
}

BOOST_AUTO_TEST_CASE(bad_connections_value_names_the_choices) {
  expect_only_problem(with_load("users = 5\nconnections = per_request\n"),
                      {"[load] connections", "per_user or per_iteration"});
}

BOOST_AUTO_TEST_CASE(think_time_is_out_of_range_above_an_hour) {
  expect_only_problem(with_load("users = 5\nthink_time = 2h\n"), {"[load] think_time", "0s to 1h"});
}

BOOST_AUTO_TEST_SUITE_END()
