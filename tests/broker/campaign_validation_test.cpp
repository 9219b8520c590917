// Whole-file validation: every problem at once, each with FILE:LINE: [section] key, in
// line order; did-you-mean for keys and sections; the line index against Program_options.

#include <sstream>

#include <boost/program_options.hpp>
#include <boost/test/unit_test.hpp>

#include "broker/campaign_ini.hpp"
#include "broker/campaign_problems.hpp"
#include "campaign_fixture.hpp"

using namespace grid::test;
using grid::broker::did_you_mean;
using grid::broker::edit_distance;
using grid::broker::index_ini;

BOOST_AUTO_TEST_SUITE(campaign_validation)

BOOST_AUTO_TEST_CASE(every_problem_is_listed_at_once_in_line_order) {
  const std::string text =
      "[campaign]\n"              // 1
      "name = t\n"                // 2
      "duration = soon\n"         // 3
      "[load]\n"                  // 4
      "usrs = 5\n"                // 5
      "[request.home]\n"          // 6
      "url = ftp://x/\n"          // 7
      "timeout = 0s\n"            // 8
      "[scenario.s]\n"            // 9
      "step = request nowhere\n"  // 10
      "[thresholds]\n"            // 11
      "p99 = 500ms\n";            // 12
  const auto problems = problems_of(text);
  const std::vector<std::string> expected_starts = {
      "test.ini:3: [campaign] duration: 'soon' is not a duration",
      "test.ini:4: [load] users: missing",
      "test.ini:5: [load] usrs: unknown key, did you mean 'users'?",
      "test.ini:7: [request.home] url: 'ftp://x/' is not an http:// or https:// URL",
      "test.ini:8: [request.home] timeout: '0s' is out of range (expected 1ms to 1h)",
      "test.ini:10: [scenario.s] step: 'nowhere' is not a request",
      "test.ini:12: [thresholds] p99: '500ms' has no operator",
  };
  BOOST_REQUIRE_MESSAGE(problems.size() == expected_starts.size(), joined(problems));
  for (size_t i = 0; i < problems.size(); ++i) {
    BOOST_TEST(problems[i].rfind(expected_starts[i], 0) == 0u, problems[i] << "\n  should start with\n"
                                                                           << expected_starts[i]);
  }
}

BOOST_AUTO_TEST_CASE(what_is_every_problem_one_per_line) {
  try {
    parse("[campaign]\nname = t\n[load]\nusers = 0\n[request.a]\nurl = x\n");
    BOOST_FAIL("expected a ConfigError");
  } catch (const grid::broker::ConfigError& e) {
    std::string expected;
    for (const auto& p : e.problems) expected += (expected.empty() ? "" : "\n") + p;
    BOOST_TEST(e.what() == expected);
    BOOST_TEST(e.problems.size() == 3u, joined(e.problems));  // duration, users, url
  }
}

BOOST_AUTO_TEST_CASE(whole_file_problems_come_last_without_a_line) {
  const auto problems = problems_of("[campaign]\nname = t\nduration = 1s\n[load]\nusers = 0\n");
  BOOST_REQUIRE(problems.size() == 2u);
  BOOST_TEST(problems[0].rfind("test.ini:5: [load] users", 0) == 0u);
  BOOST_TEST(problems[1].rfind("test.ini: no [request.NAME] section", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(unknown_keys_get_a_suggestion_in_every_section) {
  expect_only_problem(kMinimal + "urll = http://127.0.0.1:1/\n",
                      {"test.ini:8: [request.home] urll: unknown key", "did you mean 'url'?", "expected one of:"});
  expect_only_problem(replace(kMinimal, "duration = 10s", "duration = 10s\nintervall = 1s"),
                      {"test.ini:4: [campaign] intervall", "did you mean 'interval'?"});
  expect_only_problem(kMinimal + "[scenario.s]\nwieght = 2\nstep = request home\n",
                      {"[scenario.s] wieght", "did you mean 'weight'?"});
  expect_problem(kMinimal + "[data.d]\nfiles = a.csv\n", {"test.ini:9: [data.d] files", "did you mean 'file'?"});
  expect_problem(kMinimal + "[data.d]\nfiles = a.csv\n", {"test.ini:8: [data.d] file: missing"});
}

BOOST_AUTO_TEST_CASE(a_key_far_from_any_known_one_gets_no_suggestion) {
  const auto problems = problems_of(kMinimal + "completely_different = 1\n");
  BOOST_REQUIRE(problems.size() == 1u);
  BOOST_TEST(problems[0].find("did you mean") == std::string::npos, problems[0]);
}

BOOST_AUTO_TEST_CASE(unknown_sections_get_a_suggestion_once) {
  expect_only_problem(kMinimal + "[thresholdz]\np99 = < 1s\nmax = < 2s\n",
                      {"test.ini:8: [thresholdz]: unknown section, did you mean '[thresholds]'?"});
  expect_only_problem(kMinimal + "[requests.login]\nurl = http://127.0.0.1:1/\n",
                      {"test.ini:8: [requests.login]: unknown section, did you mean '[request.login]'?"});
  expect_only_problem(kMinimal + "[senario.x]\n", {"did you mean '[scenario.x]'?"});
}

BOOST_AUTO_TEST_CASE(section_names_must_be_plain_names) {
  expect_problem(kMinimal + "[request.my page]\nurl = http://127.0.0.1:1/\n",
                 {"test.ini:8: [request.my page]: 'my page' is not a name"});
  expect_problem(kMinimal + "[scenario.]\n", {"[scenario.]: '' is not a name"});
  expect_only_problem(kMinimal + "[request]\nurl = http://127.0.0.1:1/\n",
                      {"test.ini:8: [request]: needs a name (expected [request.NAME]"});
}

BOOST_AUTO_TEST_CASE(a_line_program_options_refuses_is_named_and_the_rest_still_checked) {
  const auto problems = problems_of(kMinimal + "this is not ini\n[]\ntimeout = never\n");
  BOOST_REQUIRE_MESSAGE(problems.size() == 3u, joined(problems));
  BOOST_TEST(problems[0].rfind("test.ini:8: 'this is not ini' is neither a [section] header nor a key = value", 0) ==
             0u);
  BOOST_TEST(problems[1].rfind("test.ini:9: '[]' is neither", 0) == 0u);
  BOOST_TEST(problems[2].rfind("test.ini:10: [request.home] timeout: 'never' is not a duration", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_repeated_single_key_names_both_lines) {
  expect_only_problem(replace(kMinimal, "users = 5", "users = 5\nusers = 6"),
                      {"test.ini:6: [load] users: given twice (first on line 5"});
}

BOOST_AUTO_TEST_CASE(a_key_before_any_section_is_named) {
  expect_only_problem("users = 5\n" + kMinimal, {"test.ini:1: users: outside any section"});
}

BOOST_AUTO_TEST_CASE(a_line_with_no_key_is_named) {
  expect_only_problem(kMinimal + "= 5\n", {"test.ini:8: [request.home]: a line with no key before '='"});
}

BOOST_AUTO_TEST_CASE(lines_count_comments_blank_lines_and_crlf) {
  const std::string text =
      "# a campaign\r\n\r\n[campaign]   # the header\r\nname = t\r\n  duration = 1s\r\n\r\n[load]\r\n"
      "users = x # comment\r\n[request.home]\r\nurl = http://127.0.0.1:1/\r\n";
  expect_only_problem(text, {"test.ini:8: [load] users: 'x' is not a count"});
}

BOOST_AUTO_TEST_CASE(a_repeated_section_adds_to_the_first) {
  const auto c = parse(kMinimal + "[load]\nspawn_rate = 3\n[request.home]\nheaders = A: 1\n");
  BOOST_TEST(c.spawn_rate == 3.0);
  BOOST_TEST(c.requests.size() == 1u);
  BOOST_TEST(c.requests[0].headers.at(0) == "A: 1");
}

BOOST_AUTO_TEST_CASE(a_missing_campaign_section_is_named) {
  expect_only_problem("[load]\nusers = 1\n[request.a]\nurl = http://127.0.0.1:1/\n",
                      {"test.ini: [campaign]: missing section"});
}

BOOST_AUTO_TEST_CASE(the_line_index_agrees_with_program_options) {
  const std::string text =
      "top = 1\n[a]\nx = 1 # c\nx=2\r\n[b.c]\n  y = 3\t\n[d.]\nz=4\n= 5\n\t[ s ]\nk = v = w\n[a]x=1\n";
  std::istringstream in(text);
  const auto parsed =
      boost::program_options::parse_config_file(in, boost::program_options::options_description(), true);
  const auto index = index_ini(text);
  BOOST_REQUIRE(index.entries.size() == parsed.options.size());
  for (size_t i = 0; i < index.entries.size(); ++i) {
    const auto& e = index.entries[i];
    const std::string prefix = e.section.empty() ? "" : (e.section.back() == '.' ? e.section : e.section + ".");
    BOOST_TEST(prefix + e.key == parsed.options[i].string_key);
    BOOST_TEST(e.value == parsed.options[i].value.at(0));
  }
  BOOST_TEST(index.entries[2].line == 4u);
  BOOST_TEST(index.entries[3].section == "b.c");
  BOOST_TEST(index.entries[6].section == " s ");
  BOOST_TEST(index.entries[6].value == "v = w");
  BOOST_TEST(index.refused.empty());
}

BOOST_AUTO_TEST_CASE(did_you_mean_picks_the_closest_within_two_edits) {
  BOOST_TEST(edit_distance("kitten", "sitting") == 3u);
  BOOST_TEST(edit_distance("", "abc") == 3u);
  BOOST_TEST(did_you_mean("usres", {"users", "spawn_rate"}) == "did you mean 'users'?");
  BOOST_TEST(did_you_mean("spawnrate", {"users", "spawn_rate"}) == "did you mean 'spawn_rate'?");
  BOOST_TEST(did_you_mean("xyzzy", {"users", "spawn_rate"}) == "");
  BOOST_TEST(did_you_mean("users", {"users"}) == "");
}

BOOST_AUTO_TEST_SUITE_END()
