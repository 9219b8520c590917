#include <chrono>
#include <cstdint>
#include <limits>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "agent/user_variables.hpp"
#include "protocol/workload/template.hpp"

using grid::agent::FastRng;
using grid::agent::UserVariables;

namespace {

grid::workload::Template tpl(std::string_view text) {
  auto t = grid::workload::parse_template(text);
  BOOST_REQUIRE_MESSAGE(t.ok(), text);
  return std::move(t).value();
}

// Renders `text` with `vars`; "<missing NAME>" when a variable is missing.
std::string render(const UserVariables& vars, std::string_view text, FastRng& rng) {
  std::string out, missing;
  if (!vars.render(tpl(text), out, rng, &missing)) return "<missing " + missing + ">";
  return out;
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(user_variables)

BOOST_AUTO_TEST_CASE(a_literal_template_renders_as_itself_and_appends) {
  UserVariables vars(1, "a1");
  FastRng rng(1);
  std::string out = "GET ";
  BOOST_TEST(vars.render(tpl("/home?q=$${x}"), out, rng, nullptr));
  BOOST_TEST(out == "GET /home?q=${x}");
  BOOST_TEST(render(vars, "", rng) == "");
}

BOOST_AUTO_TEST_CASE(user_iteration_and_agent_are_built_in) {
  UserVariables vars(17, "agent-7");
  vars.set_iteration(3);
  FastRng rng(2);
  BOOST_TEST(render(vars, "/u/${user}/i/${iteration}/${agent}", rng) == "/u/17/i/3/agent-7");
  vars.set_user(18);
  vars.set_iteration(UINT64_MAX);
  vars.set_agent("b");
  BOOST_TEST(render(vars, "${user}.${iteration}.${agent}", rng) == "18.18446744073709551615.b");
  BOOST_TEST(vars.user() == 18u);
  BOOST_TEST(vars.agent() == "b");
}

BOOST_AUTO_TEST_CASE(unix_time_and_unix_ms_are_the_wall_clock) {
  UserVariables vars;
  FastRng rng(3);
  const int64_t s0 = now_s(), ms0 = now_ms();
  const int64_t s = std::stoll(render(vars, "${unix_time}", rng));
  const int64_t ms = std::stoll(render(vars, "${unix_ms}", rng));
  const int64_t s1 = now_s(), ms1 = now_ms();
  BOOST_TEST((s >= s0 && s <= s1));
  BOOST_TEST((ms >= ms0 && ms <= ms1));
}

BOOST_AUTO_TEST_CASE(uuid_is_a_random_version_4_uuid) {
  UserVariables vars;
  FastRng rng(4);
  const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1'000; ++i) {
    const std::string u = render(vars, "${uuid}", rng);
    BOOST_REQUIRE_MESSAGE(std::regex_match(u, v4), u);
    seen.insert(u);
  }
  BOOST_TEST(seen.size() == 1'000u);
  const std::string two = render(vars, "${uuid}/${uuid}", rng);
  BOOST_TEST(two.size() == 73u);
  BOOST_TEST(two.substr(0, 36) != two.substr(37));  // each placeholder draws its own
}

BOOST_AUTO_TEST_CASE(random_stays_within_its_inclusive_bounds) {
  UserVariables vars;
  FastRng rng(5);
  std::set<int64_t> seen;
  for (int i = 0; i < 2'000; ++i) {
    const int64_t v = std::stoll(render(vars, "${random(-3,3)}", rng));
    BOOST_REQUIRE(v >= -3);
    BOOST_REQUIRE(v <= 3);
    seen.insert(v);
  }
  BOOST_TEST(seen.size() == 7u);
  BOOST_TEST(render(vars, "${random(5,5)}", rng) == "5");
}

BOOST_AUTO_TEST_CASE(random_handles_the_extremes_of_int64) {
  UserVariables vars;
  FastRng rng(6);
  BOOST_TEST(render(vars, "${random(-9223372036854775808,-9223372036854775808)}", rng) == "-9223372036854775808");
  BOOST_TEST(render(vars, "${random(9223372036854775807,9223372036854775807)}", rng) == "9223372036854775807");
  bool negative = false, positive = false;
  for (int i = 0; i < 200; ++i) {
    const std::string v = render(vars, "${random(-9223372036854775808,9223372036854775807)}", rng);
    BOOST_REQUIRE(!v.empty());
    const int64_t x = std::stoll(v);  // throws if out of int64 range
    negative |= x < 0;
    positive |= x > 0;
  }
  BOOST_TEST((negative && positive));
  for (int i = 0; i < 200; ++i) {
    const int64_t x = std::stoll(render(vars, "${random(9223372036854775806,9223372036854775807)}", rng));
    BOOST_REQUIRE(x >= std::numeric_limits<int64_t>::max() - 1);
  }
}

BOOST_AUTO_TEST_CASE(extracted_variables_win_over_data_columns_which_win_over_built_ins) {
  UserVariables vars(5, "a1");
  FastRng rng(7);
  const std::vector<std::string> columns{"id", "user", "name"};
  const std::vector<std::string> row{"42", "alice", "Alice"};
  vars.set_row(0, columns, row);
  BOOST_TEST(render(vars, "${id}/${user}/${name}/${agent}", rng) == "42/alice/Alice/a1");
  vars.set("user", "extracted");
  vars.set("id", "7");
  BOOST_TEST(render(vars, "${id}/${user}/${name}", rng) == "7/extracted/Alice");
  vars.clear_extracted();
  BOOST_TEST(render(vars, "${id}/${user}", rng) == "42/alice");
  vars.clear_rows();
  BOOST_TEST(render(vars, "${user}", rng) == "5");
}

BOOST_AUTO_TEST_CASE(several_feeds_resolve_in_slot_order) {
  UserVariables vars;
  FastRng rng(8);
  grid::wire::DataFeed users{
      "users", grid::wire::FeedMode::sequential, {"login", "city"}, {{"bob", "Oslo"}, {"eve", "Rome"}}};
  grid::wire::DataFeed places{"places", grid::wire::FeedMode::random, {"city", "zip"}, {{"Paris", "75001"}}};
  vars.set_row(1, places, 0);
  vars.set_row(0, users, 1);
  BOOST_TEST(render(vars, "${login} ${city} ${zip}", rng) == "eve Rome 75001");
  vars.clear_row(0);
  BOOST_TEST(render(vars, "${city}", rng) == "Paris");
  BOOST_TEST(render(vars, "${login}", rng) == "<missing login>");
  BOOST_TEST(vars.lookup("zip").value() == "75001");
  BOOST_TEST(!vars.lookup("login").has_value());
}

BOOST_AUTO_TEST_CASE(setting_a_variable_again_replaces_it) {
  UserVariables vars;
  FastRng rng(9);
  vars.set("token", "a");
  vars.set("other", "b");
  vars.set("token", "c");
  BOOST_TEST(render(vars, "${token}${other}", rng) == "cb");
  vars.clear_extracted();
  vars.set("other", "d");  // reuses a spare buffer
  BOOST_TEST(render(vars, "${other}", rng) == "d");
  BOOST_TEST(render(vars, "${token}", rng) == "<missing token>");
}

BOOST_AUTO_TEST_CASE(a_missing_variable_is_named_and_leaves_the_output_untouched) {
  UserVariables vars;
  FastRng rng(10);
  vars.set("a", "1");
  std::string out = "keep:";
  std::string missing;
  BOOST_TEST(!vars.render(tpl("x${a}${nope}${also_missing}"), out, rng, &missing));
  BOOST_TEST(out == "keep:");
  BOOST_TEST(missing == "nope");
  BOOST_TEST(!vars.render(tpl("${env.TOKEN}"), out, rng, nullptr));  // env.* is the broker's job
  BOOST_TEST(!vars.render(tpl("${users}"), out, rng, &missing));     // not a built-in
  BOOST_TEST(missing == "users");
}

BOOST_AUTO_TEST_CASE(rendering_into_a_reused_buffer_does_not_reallocate) {
  UserVariables vars(3, "a1");
  FastRng rng(11);
  vars.set("token", "abcdef");
  const auto t = tpl("/api/${user}/${token}/${random(1,1000)}/${uuid}?t=${unix_ms}");
  std::string out;
  out.reserve(256);
  const char* const buffer = out.data();
  for (int i = 0; i < 1'000; ++i) {
    out.clear();
    BOOST_REQUIRE(vars.render(t, out, rng, nullptr));
  }
  BOOST_TEST(static_cast<const void*>(out.data()) == static_cast<const void*>(buffer));
}

BOOST_AUTO_TEST_SUITE_END()
