// [scenario.NAME] steps (think kinds, repeat unrolling, limits) and [data.NAME] feeds.

#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "campaign_fixture.hpp"
#include "support/child_process.hpp"

using namespace grid::test;
using grid::wire::FeedMode;
using grid::wire::Step;
using grid::wire::StepKind;
using grid::wire::ThinkKind;

namespace {

// Two requests (home = 0, buy = 1), then `sections`. Lines 1-9 are fixed.
std::string journeys(const std::string& sections) {
  return "[campaign]\nname = t\nduration = 10s\n[load]\nusers = 5\n"
         "[request.home]\nurl = http://127.0.0.1:18080/\n[request.buy]\nurl = http://127.0.0.1:18080/bytes/10\n" +
         sections;
}

Step request(uint32_t index) { return Step{StepKind::request, index, ThinkKind::fixed, 0, 0}; }
Step think(ThinkKind kind, uint32_t min_ms, uint32_t max_ms = 0) {
  return Step{StepKind::think, 0, kind, min_ms, max_ms};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_journey)

BOOST_AUTO_TEST_CASE(steps_keep_file_order_and_refer_to_requests_by_index) {
  const auto c = journeys(
      "[scenario.shop]\nstep = request buy\nstep = think 2s\nstep = request home\nstep = "
      "think 1s..3s\nstep = think ~500ms\n");
  const auto parsed = parse(c);
  BOOST_REQUIRE(parsed.scenarios.size() == 1u);
  const auto& s = parsed.scenarios[0];
  BOOST_TEST(s.name == "shop");
  BOOST_TEST(s.weight == 1.0);
  const std::vector<Step> expected = {request(1), think(ThinkKind::fixed, 2000), request(0),
                                      think(ThinkKind::uniform, 1000, 3000), think(ThinkKind::exponential, 500)};
  BOOST_TEST((s.steps == expected));
}

BOOST_AUTO_TEST_CASE(scenarios_keep_file_order_with_their_weights) {
  const auto c =
      parse(journeys("[scenario.b]\nweight = 3\nstep = request home\n[scenario.a]\nweight = 0.5\nstep = "
                     "request buy\n[scenario.off]\nweight = 0\nstep = request buy\n"));
  BOOST_REQUIRE(c.scenarios.size() == 3u);
  BOOST_TEST(c.scenarios[0].name == "b");
  BOOST_TEST(c.scenarios[0].weight == 3.0);
  BOOST_TEST(c.scenarios[1].weight == 0.5);
  BOOST_TEST(c.scenarios[2].weight == 0.0);
}

BOOST_AUTO_TEST_CASE(a_scenario_may_name_a_request_defined_after_it) {
  const auto c = parse(
      "[campaign]\nname = t\nduration = 1s\n[load]\nusers = 1\n[scenario.s]\nstep = request late\n"
      "[request.late]\nurl = http://127.0.0.1:18080/\n");
  BOOST_TEST((c.scenarios.at(0).steps.at(0) == request(0)));
}

BOOST_AUTO_TEST_CASE(repeat_blocks_are_unrolled_and_may_nest) {
  const auto c =
      parse(journeys("[scenario.s]\nstep = request home\nstep = repeat 2\nstep = request buy\nstep = repeat "
                     "3\nstep = think 1s\nstep = end\nstep = end\nstep = request home\n"));
  std::vector<Step> expected = {request(0)};
  for (int i = 0; i < 2; ++i) {
    expected.push_back(request(1));
    for (int j = 0; j < 3; ++j) expected.push_back(think(ThinkKind::fixed, 1000));
  }
  expected.push_back(request(0));
  BOOST_TEST((c.scenarios.at(0).steps == expected));
}

BOOST_AUTO_TEST_CASE(unrolled_scenarios_may_have_10000_steps_and_no_more) {
  const auto ok =
      parse(journeys("[scenario.s]\nstep = repeat 100\nstep = repeat 100\nstep = request home\nstep = "
                     "end\nstep = end\n"));
  BOOST_TEST(ok.scenarios.at(0).steps.size() == 10'000u);
  expect_only_problem(journeys("[scenario.s]\nstep = request buy\nstep = repeat 100\nstep = repeat 100\nstep = "
                               "request home\nstep = end\nstep = end\n"),
                      {"test.ini:16: [scenario.s] step", "beyond 10000 steps"});
  // Deep nesting of large counts is refused without building it.
  expect_only_problem(journeys("[scenario.s]\nstep = repeat 10000\nstep = repeat 10000\nstep = repeat 10000\nstep = "
                               "request home\nstep = end\nstep = end\nstep = end\n"),
                      {"[scenario.s] step", "beyond 10000 steps"});
}

BOOST_AUTO_TEST_CASE(unbalanced_repeat_and_end_are_errors_at_their_lines) {
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = repeat 2\nstep = request buy\n"),
                      {"test.ini:12: [scenario.s] step", "repeat without end"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = end\n"),
                      {"test.ini:12: [scenario.s] step", "end with no repeat open"});
  expect_only_problem(journeys("[scenario.s]\nstep = repeat 0\nstep = request home\nstep = end\n"),
                      {"test.ini:11: [scenario.s] step", "1 to 10000"});
}

BOOST_AUTO_TEST_CASE(an_unknown_request_in_a_step_is_named_with_a_suggestion) {
  expect_only_problem(
      journeys("[scenario.s]\nstep = request hom\n"),
      {"test.ini:11: [scenario.s] step", "'hom' is not a request", "did you mean 'home'?", "home, buy"});
}

BOOST_AUTO_TEST_CASE(bad_steps_name_the_expected_forms) {
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = sleep 2s\n"),
                      {"[scenario.s] step", "'sleep 2s' is not a step", "think 1s..3s"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = thnk 2s\n"), {"did you mean 'think'?"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = think 3s..1s\n"), {"goes down"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = think ~soon\n"), {"not a duration"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = think 2h\n"), {"longer than 1h"});
  expect_only_problem(journeys("[scenario.s]\nstep = request home\nstep = think\n"), {"think needs a time"});
}

BOOST_AUTO_TEST_CASE(a_scenario_needs_a_request_step) {
  expect_only_problem(journeys("[scenario.s]\nstep = think 1s\n"),
                      {"test.ini:10: [scenario.s] step", "no request step"});
  expect_only_problem(journeys("[scenario.empty]\n"), {"test.ini:10: [scenario.empty] step", "no request step"});
}

BOOST_AUTO_TEST_CASE(at_least_one_scenario_needs_a_weight_above_zero) {
  expect_only_problem(journeys("[scenario.a]\nweight = 0\nstep = request home\n[scenario.b]\nweight = 0\nstep = "
                               "request buy\n"),
                      {"[scenario.a] weight", "every scenario has weight 0"});
  expect_only_problem(journeys("[scenario.a]\nweight = -1\nstep = request home\n"),
                      {"test.ini:11: [scenario.a] weight", "'-1' is not a weight"});
}

BOOST_AUTO_TEST_CASE(think_time_with_scenarios_is_an_error_pointing_to_think_steps) {
  expect_only_problem(
      replace(journeys("[scenario.a]\nstep = request home\n"), "users = 5\n", "users = 5\nthink_time = 1s\n"),
      {"test.ini:6: [load] think_time", "step = think"});
}

BOOST_AUTO_TEST_CASE(repeated_step_keys_keep_the_file_order_program_options_gives) {
  std::string steps;
  for (int i = 0; i < 200; ++i)
    steps += i % 3 == 0 ? "step = request buy\n" : "step = think " + std::to_string(i) + "ms\n";
  const auto c = parse(journeys("[scenario.s]\n" + steps));
  const auto& s = c.scenarios.at(0).steps;
  BOOST_REQUIRE(s.size() == 200u);
  for (uint32_t i = 0; i < 200; ++i) {
    BOOST_TEST_CONTEXT("step " << i) { BOOST_TEST((s[i] == (i % 3 == 0 ? request(1) : think(ThinkKind::fixed, i)))); }
  }
}

// --- data feeds ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_data_feed_reads_its_csv_with_mode_and_columns) {
  FakeEnvironment env;
  env.files["accounts.csv"] = "account,pin\r\nA1,\"1,2\"\r\nB2,34\r\n";
  const auto c = parse(journeys("[data.accounts]\nfile = accounts.csv\nmode = unique\n"), env);
  BOOST_REQUIRE(c.data.size() == 1u);
  const auto& feed = c.data[0];
  BOOST_TEST(feed.name == "accounts");
  BOOST_TEST((feed.mode == FeedMode::unique));
  BOOST_TEST((feed.columns == std::vector<std::string>{"account", "pin"}));
  BOOST_REQUIRE(feed.rows.size() == 2u);
  BOOST_TEST(feed.rows[0][1] == "1,2");
}

BOOST_AUTO_TEST_CASE(feed_mode_defaults_to_sequential_and_bad_modes_are_named) {
  FakeEnvironment env;
  env.files["a.csv"] = "x\n1\n";
  BOOST_TEST((parse(journeys("[data.a]\nfile = a.csv\n"), env).data.at(0).mode == FeedMode::sequential));
  BOOST_TEST((parse(journeys("[data.a]\nfile = a.csv\nmode = random\n"), env).data.at(0).mode == FeedMode::random));
  expect_only_problem(journeys("[data.a]\nfile = a.csv\nmode = uniqe\n"),
                      {"test.ini:12: [data.a] mode", "sequential, random or unique", "did you mean 'unique'?"}, env);
}

BOOST_AUTO_TEST_CASE(a_data_file_is_relative_to_the_campaign_directory) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/data");
  std::ofstream(dir.path() + "/data/users.csv") << "login\nann\nbob";
  std::ofstream(dir.path() + "/c.ini") << journeys("[data.users]\nfile = data/users.csv\n");
  const auto c = grid::broker::load_campaign(dir.path() + "/c.ini");
  BOOST_TEST(c.data.at(0).rows.size() == 2u);
  BOOST_TEST(c.data.at(0).rows[1][0] == "bob");
}

BOOST_AUTO_TEST_CASE(a_data_feed_needs_a_file_and_a_row) {
  FakeEnvironment env;
  env.files["h.csv"] = "x,y\n";
  expect_only_problem(journeys("[data.a]\nmode = random\n"), {"test.ini:10: [data.a] file: missing"});
  expect_only_problem(journeys("[data.a]\nfile = h.csv\n"), {"test.ini:11: [data.a] file", "h.csv: no data rows"}, env);
  expect_only_problem(journeys("[data.a]\nfile = gone.csv\n"), {"[data.a] file", "gone.csv: no such file"});
}

BOOST_AUTO_TEST_CASE(csv_errors_name_the_csv_line) {
  FakeEnvironment env;
  env.files["bad.csv"] = "a,b\n1,2\n3\n";
  expect_only_problem(journeys("[data.a]\nfile = bad.csv\n"),
                      {"test.ini:11: [data.a] file: bad.csv: line 3: 1 field but the header has 2"}, env);
}

BOOST_AUTO_TEST_CASE(columns_must_be_names_unique_across_feeds_and_not_builtins) {
  FakeEnvironment env;
  env.files["a.csv"] = "id,first name\n1,x\n";
  env.files["b.csv"] = "id,user\n2,y\n";
  const auto problems = problems_of(journeys("[data.a]\nfile = a.csv\n[data.b]\nfile = b.csv\n"), env);
  BOOST_TEST(problems.size() == 3u, joined(problems));
  const auto all = joined(problems);
  BOOST_TEST(contains_all(all, {"test.ini:11: [data.a] file: a.csv: column 'first name' is not a variable name"}));
  BOOST_TEST(contains_all(all, {"test.ini:13: [data.b] file: b.csv: column 'id' is also a column of [data.a]"}));
  BOOST_TEST(contains_all(all, {"column 'user' is a built-in variable"}));
}

BOOST_AUTO_TEST_CASE(an_extracted_variable_may_not_shadow_a_column) {
  FakeEnvironment env;
  env.files["a.csv"] = "token\nt1\n";
  expect_only_problem(journeys("extract = token json /t\n[data.a]\nfile = a.csv\n"),
                      {"test.ini:10: [request.buy] extract", "'token' is a column of [data.a]"}, env);
}

BOOST_AUTO_TEST_CASE(shipped_files_may_total_1_mib_and_no_more) {
  FakeEnvironment env;
  const size_t mib = grid::broker::kMaxShippedBytes;
  env.files["half.csv"] = "x\n" + std::string(mib / 2 - 2, 'a');
  env.files["rest.txt"] = std::string(mib / 2, 'b');
  // Exactly 1 MiB in all passes.
  parse(journeys("body_file = rest.txt\n[data.a]\nfile = half.csv\n"), env);
  // One byte more does not, and the message states the limit.
  env.files["rest.txt"] += "b";
  expect_only_problem(
      journeys("body_file = rest.txt\n[data.a]\nfile = half.csv\n"),
      {"[request.buy] body_file", "rest.txt: brings the files shipped to 1048577 bytes", "1 MiB (1048576 bytes)"}, env);
}

BOOST_AUTO_TEST_CASE(a_data_file_above_1_mib_is_refused_stating_the_limit) {
  TempDir dir;
  {
    std::ofstream out(dir.path() + "/big.csv");
    out << "x\n" << std::string(grid::broker::kMaxShippedBytes, 'a') << "\n";
  }
  std::ofstream(dir.path() + "/c.ini") << journeys("[data.big]\nfile = big.csv\n");
  BOOST_CHECK_EXCEPTION(
      grid::broker::load_campaign(dir.path() + "/c.ini"), grid::broker::ConfigError, [](const auto& e) {
        return e.problems.size() == 1 &&
               contains_all(e.what(), {"[data.big] file", "big.csv: larger than 1 MiB", "1048576 bytes"});
      });
}

BOOST_AUTO_TEST_SUITE_END()
