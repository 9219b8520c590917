#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "agent/response_checks.hpp"
#include "agent/user_variables.hpp"

using grid::agent::CompiledChecks;
using grid::agent::FastRng;
using grid::agent::Headers;
using grid::agent::UserVariables;
using grid::wire::Check;
using grid::wire::CheckKind;
using grid::wire::Extract;
using grid::wire::ExtractKind;

namespace {

CompiledChecks checks(std::vector<Check> c) { return CompiledChecks(c, {}); }
Check contains(std::string text) { return {CheckKind::contains, std::move(text), ""}; }
Check regex(std::string text) { return {CheckKind::regex, std::move(text), ""}; }
Check json(std::string path, std::string value) { return {CheckKind::json_equals, std::move(value), std::move(path)}; }

// The value extracted into `x` from `body` (and `headers`), or "<missing>".
std::string extract_one(ExtractKind kind, std::string source, std::string_view body, std::string_view headers = "") {
  const CompiledChecks c({}, {{"x", kind, std::move(source)}});
  UserVariables vars;
  std::string missing;
  if (!c.extract(body, Headers{headers}, vars, &missing)) {
    BOOST_TEST(missing == "x");
    return "<missing>";
  }
  return std::string(vars.lookup("x").value());
}
std::string json_extract(std::string pointer, std::string_view body) {
  return extract_one(ExtractKind::json, std::move(pointer), body);
}
std::string regex_extract(std::string pattern, std::string_view body) {
  return extract_one(ExtractKind::regex, std::move(pattern), body);
}

bool passes(const CompiledChecks& c, std::string_view body) { return !c.run_checks(body).has_value(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(response_checks)

BOOST_AUTO_TEST_CASE(contains_passes_when_the_body_has_the_text) {
  const auto c = checks({contains("OK")});
  BOOST_TEST(passes(c, "status: OK"));
  BOOST_TEST(c.run_checks("status: ok").value() == "check 'contains OK' failed");
  BOOST_TEST(c.run_checks("").value() == "check 'contains OK' failed");
  BOOST_TEST(passes(checks({contains("")}), ""));
}

BOOST_AUTO_TEST_CASE(no_checks_always_pass) {
  const CompiledChecks c;
  BOOST_TEST(passes(c, "anything"));
  BOOST_TEST(!c.has_checks());
  BOOST_TEST(!c.has_extracts());
  UserVariables vars;
  BOOST_TEST(c.extract("", Headers{}, vars, nullptr));
}

BOOST_AUTO_TEST_CASE(regex_searches_anywhere_in_the_body) {
  const auto c = checks({regex("id=[0-9]+")});
  BOOST_TEST(passes(c, "xx id=42 yy"));
  BOOST_TEST(c.run_checks("id=x").value() == "check 'regex id=[0-9]+' failed");
  BOOST_TEST(passes(checks({regex("^abc$")}), "abc"));
  BOOST_TEST(!passes(checks({regex("^abc$")}), "xabc"));
  BOOST_TEST(passes(checks({regex("(a|b)*c")}), "ababc"));
  BOOST_TEST(passes(checks({regex("\\bword\\b")}), "a word here"));
  BOOST_TEST(!passes(checks({regex("\\bword\\b")}), "swordfish"));
}

BOOST_AUTO_TEST_CASE(the_first_failed_check_is_named) {
  const auto c = checks({contains("a"), regex("b+"), contains("c")});
  BOOST_TEST(passes(c, "abc"));
  BOOST_TEST(c.run_checks("ac").value() == "check 'regex b+' failed");
  BOOST_TEST(c.run_checks("b").value() == "check 'contains a' failed");
  BOOST_TEST(c.run_checks("ab").value() == "check 'contains c' failed");
}

BOOST_AUTO_TEST_CASE(a_long_check_is_shortened_in_its_message) {
  const auto c = checks({contains(std::string(200, 'z'))});
  const std::string message = c.run_checks("").value();
  BOOST_TEST(message.size() < 100u);
  BOOST_TEST(message.find("...") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(json_equals_compares_json_values_when_the_value_is_json) {
  const std::string body = R"({"id": 42, "ok": true, "name": "x", "pi": 3.5, "list": [1, 2], "none": null})";
  BOOST_TEST(passes(checks({json("/id", "42")}), body));
  BOOST_TEST(passes(checks({json("/id", "42.0")}), body));  // numbers compare as numbers
  BOOST_TEST(passes(checks({json("/ok", "true")}), body));
  BOOST_TEST(passes(checks({json("/name", "\"x\"")}), body));
  BOOST_TEST(passes(checks({json("/pi", "3.5")}), body));
  BOOST_TEST(passes(checks({json("/list", "[1,2]")}), body));
  BOOST_TEST(passes(checks({json("/none", "null")}), body));
  BOOST_TEST(passes(checks({json("/id", " 42 ")}), body));
  BOOST_TEST(!passes(checks({json("/id", "43")}), body));
  BOOST_TEST(!passes(checks({json("/ok", "false")}), body));
  BOOST_TEST(!passes(checks({json("/id", "\"42\"")}), body));  // a string is not a number
  BOOST_TEST(checks({json("/id", "7")}).run_checks(body).value() == "check 'json /id == 7' failed");
}

BOOST_AUTO_TEST_CASE(json_equals_compares_strings_unquoted_when_the_value_is_not_json) {
  const std::string body = R"({"status": "abc", "n": 42, "s": "a b"})";
  BOOST_TEST(passes(checks({json("/status", "abc")}), body));
  BOOST_TEST(!passes(checks({json("/status", "abd")}), body));
  BOOST_TEST(passes(checks({json("/s", "a b")}), body));
  BOOST_TEST(!passes(checks({json("/n", "abc")}), body));  // not a string: no unquoted match
}

BOOST_AUTO_TEST_CASE(json_equals_on_a_body_that_is_not_json_fails_saying_so) {
  const auto c = checks({json("/id", "1")});
  BOOST_TEST(c.run_checks("<html>").value() == "check 'json /id == 1' failed: body is not JSON");
  BOOST_TEST(c.run_checks("").value() == "check 'json /id == 1' failed: body is not JSON");
  BOOST_TEST(c.run_checks(R"({"id": 1} trailing)").value() == "check 'json /id == 1' failed: body is not JSON");
  BOOST_TEST(passes(c, " {\"id\": 1}\n"));
}

BOOST_AUTO_TEST_CASE(json_pointer_edge_cases) {
  const std::string body = R"({"a": {"b": [10, {"c": "deep"}]}, "x/y": 1, "m~n": 2, "": 3, "arr": [], "0": "zero"})";
  BOOST_TEST(passes(checks({json("/a/b/0", "10")}), body));
  BOOST_TEST(passes(checks({json("/a/b/1/c", "deep")}), body));
  BOOST_TEST(passes(checks({json("/x~1y", "1")}), body));  // ~1 is '/'
  BOOST_TEST(passes(checks({json("/m~0n", "2")}), body));  // ~0 is '~'
  BOOST_TEST(passes(checks({json("/", "3")}), body));      // the empty key
  BOOST_TEST(passes(checks({json("/0", "zero")}), body));  // an object key that looks like an index
  BOOST_TEST(passes(checks({json("", body)}), body));      // "" is the whole document
  BOOST_TEST(passes(checks({json("/arr", "[]")}), body));
  const auto missing = checks({json("/a/zzz", "1")});
  BOOST_TEST(missing.run_checks(body).value() == "check 'json /a/zzz == 1' failed: no value at the pointer");
  BOOST_TEST(!passes(checks({json("/a/b/2", "1")}), body));    // past the end
  BOOST_TEST(!passes(checks({json("/a/b/-", "1")}), body));    // "-" is never a value
  BOOST_TEST(!passes(checks({json("/a/b/01", "10")}), body));  // leading zero
  BOOST_TEST(!passes(checks({json("/a/b/+1", "10")}), body));  // not a decimal index
  BOOST_TEST(!passes(checks({json("/a/b/0/c", "1")}), body));  // through a number
  BOOST_TEST(!passes(checks({json("/arr/0", "1")}), body));
  BOOST_TEST(passes(checks({json("/0", "1")}), "[1, 2]"));  // a top-level array
  BOOST_TEST(passes(checks({json("/1", "2")}), "[1, 2]"));
}

BOOST_AUTO_TEST_CASE(a_bad_regex_or_pointer_is_rejected_at_build_time_with_its_name) {
  const auto message_of = [](std::vector<Check> c, std::vector<Extract> e) {
    try {
      CompiledChecks compiled(c, e);
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string bad_regex = message_of({contains("a"), regex("(unclosed")}, {});
  BOOST_TEST(bad_regex.find("check 2") != std::string::npos, bad_regex);
  BOOST_TEST(bad_regex.find("(unclosed") != std::string::npos, bad_regex);
  const std::string bad_pointer = message_of({json("no-slash", "1")}, {});
  BOOST_TEST(bad_pointer.find("no-slash") != std::string::npos, bad_pointer);
  BOOST_TEST(message_of({json("/a~2", "1")}, {}).find("a~2") != std::string::npos);
  BOOST_TEST(message_of({json("/a~", "1")}, {}).find("JSON pointer") != std::string::npos);
  const std::string bad_extract = message_of({}, {{"token", ExtractKind::regex, "[z-a]"}});
  BOOST_TEST(bad_extract.find("token") != std::string::npos, bad_extract);
  BOOST_TEST(message_of({}, {{"v", ExtractKind::json, "x"}}).find("'x'") != std::string::npos);
  BOOST_TEST(message_of({}, {{"v", ExtractKind::header, ""}}).find("header") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(regex_extraction_takes_the_first_group_or_the_whole_match) {
  BOOST_TEST(regex_extract("id=([0-9]+)", "a id=42&id=7") == "42");
  BOOST_TEST(regex_extract("id=[0-9]+", "a id=42&id=7") == "id=42");
  BOOST_TEST(regex_extract("(\\w+)@(\\w+)", "mail bob@example") == "bob");
  BOOST_TEST(regex_extract("(?:x)(y)", "xy") == "y");
  BOOST_TEST(regex_extract("\"token\":\"(.*?)\"", R"({"token":"abc","x":"def"})") == "abc");
  BOOST_TEST(regex_extract("<title>(.*?)</title>", "<title>Hi</title><title>No</title>") == "Hi");
  BOOST_TEST(regex_extract("a(b)?c", "ac") == "");  // the group took no part
  BOOST_TEST(regex_extract("id=([0-9]+)", "nothing") == "<missing>");
  BOOST_TEST(regex_extract("plain", "a plain text") == "plain");
  BOOST_TEST(regex_extract("x(?=y)", "xzxy") == "x");
}

BOOST_AUTO_TEST_CASE(regex_search_is_safe_on_large_bodies) {
  // The backtracking engine overflows the stack on these (see the header).
  const std::string big = std::string(300'000, 'a') + "id=7";
  BOOST_TEST(passes(checks({regex("(.*)id")}), big));
  BOOST_TEST(passes(checks({regex("(a|b)*id")}), big));
  BOOST_TEST(regex_extract("id=(.*)", big) == "7");
  BOOST_TEST(regex_extract("^(a*)id", big).size() == 300'000u);
}

BOOST_AUTO_TEST_CASE(back_references_work_on_small_bodies_only) {
  const auto c = checks({regex("(\\w)\\1")});
  BOOST_TEST(passes(c, "abccd"));
  BOOST_TEST(!passes(c, "abcd"));
  const std::string big = std::string(CompiledChecks::kMaxBacktrackingBytes, 'x') + "y";
  BOOST_TEST(c.run_checks(big).value() ==
             "check 'regex (\\w)\\1' failed: body too large for a regex with back-references");
  BOOST_TEST(regex_extract("(\\w)\\1", "abccd") == "c");
  BOOST_TEST(regex_extract("(\\w)\\1", big) == "<missing>");
}

BOOST_AUTO_TEST_CASE(literal_prefixes_are_found_conservatively) {
  bool whole = false;
  BOOST_TEST(grid::agent::regex_literal_prefix("\"token\":\"([^\"]*)\"", &whole) == "\"token\":\"");
  BOOST_TEST(!whole);
  BOOST_TEST(grid::agent::regex_literal_prefix("id=(\\d+)", &whole) == "id=");
  BOOST_TEST(grid::agent::regex_literal_prefix("abc", &whole) == "abc");
  BOOST_TEST(whole);
  BOOST_TEST(grid::agent::regex_literal_prefix("a\\.b\\(c", &whole) == "a.b(c");
  BOOST_TEST(whole);
  BOOST_TEST(grid::agent::regex_literal_prefix("abc*", &whole) == "ab");  // c repeats
  BOOST_TEST(grid::agent::regex_literal_prefix("ab?", &whole) == "a");
  BOOST_TEST(grid::agent::regex_literal_prefix("ab{2}", &whole) == "a");
  BOOST_TEST(grid::agent::regex_literal_prefix("ab|cd", &whole) == "");  // top-level alternative
  BOOST_TEST(grid::agent::regex_literal_prefix("a(b|c)", &whole) == "a");
  BOOST_TEST(grid::agent::regex_literal_prefix("a[|]b", &whole) == "a");
  BOOST_TEST(grid::agent::regex_literal_prefix("a\\|b", &whole) == "a|b");
  BOOST_TEST(grid::agent::regex_literal_prefix("^abc", &whole) == "");
  BOOST_TEST(grid::agent::regex_literal_prefix("\\bx", &whole) == "");
  BOOST_TEST(grid::agent::regex_literal_prefix("\\d", &whole) == "");
  BOOST_TEST(grid::agent::regex_literal_prefix("", &whole) == "");
  BOOST_TEST(!whole);
}

BOOST_AUTO_TEST_CASE(prefix_search_finds_what_a_whole_body_search_finds) {
  // Differential: CompiledChecks (prefix candidates, anchored) against one regex_search
  // over the body, on random bodies made of the patterns' own pieces.
  const std::vector<std::string> patterns = {
      "id=([0-9]+)", "\"token\":\"(.*?)\"", "ab(c|cd)(e*)", "a\\.b(x?)", "ab*c", "a(b)?c$", "xy(z|)w",
      "aa(a*)",      "id=(\\d*)\\b"};
  const std::vector<std::string> pieces = {"id=", "12", "\"token\":\"", "\"", "a", "b", "c", "d", "e", ".", "x", "y",
                                           "z",   "w",  "aa",           " ",  "&"};
  FastRng rng(99);
  for (const auto& p : patterns) {
    const std::regex reference(p, std::regex::ECMAScript | std::regex_constants::__polynomial);
    const CompiledChecks compiled({{CheckKind::regex, p, ""}}, {{"x", ExtractKind::regex, p}});
    for (int i = 0; i < 3'000; ++i) {
      std::string body;
      const auto n = rng.below(14);
      for (uint64_t j = 0; j < n; ++j) body += pieces[rng.below(pieces.size())];
      std::smatch m;
      const bool expected = std::regex_search(body, m, reference);
      BOOST_REQUIRE_MESSAGE(passes(compiled, body) == expected, p << " on '" << body << "'");
      UserVariables vars;
      BOOST_REQUIRE(compiled.extract(body, Headers{}, vars, nullptr) == expected);
      if (expected) {
        const std::string want = m.size() > 1 ? m.str(1) : m.str(0);
        BOOST_REQUIRE_MESSAGE(vars.lookup("x").value() == want, p << " on '" << body << "'");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(json_extraction_unquotes_strings_and_writes_other_values_as_json) {
  const std::string body = R"({"token": "abc", "n": 42, "f": 1.5, "b": false, "o": {"k": [1, "two"]}, "z": null})";
  BOOST_TEST(json_extract("/token", body) == "abc");
  BOOST_TEST(json_extract("/n", body) == "42");
  BOOST_TEST(json_extract("/f", body) == "1.5");
  BOOST_TEST(json_extract("/b", body) == "false");
  BOOST_TEST(json_extract("/o", body) == R"({"k":[1,"two"]})");
  BOOST_TEST(json_extract("/o/k/1", body) == "two");
  BOOST_TEST(json_extract("/z", body) == "null");
  BOOST_TEST(json_extract("/nope", body) == "<missing>");
  BOOST_TEST(json_extract("/token", "not json") == "<missing>");
  BOOST_TEST(json_extract("/s", R"({"s": "caf\u00e9 \"q\""})") == "caf\xc3\xa9 \"q\"");
}

BOOST_AUTO_TEST_CASE(json_extraction_of_a_value_nested_too_deep_finds_nothing) {
  const size_t depth = CompiledChecks::kMaxExtractDepth + 1;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  BOOST_TEST(json_extract("", deep) == "<missing>");
  BOOST_TEST(json_extract("/0", deep).size() == 2 * (depth - 1));  // one level less: fine
}

BOOST_AUTO_TEST_CASE(header_extraction_ignores_case_and_takes_the_first_occurrence) {
  const std::string headers =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: application/json\r\n"
      "Set-Cookie: a=1\r\n"
      "set-cookie: b=2\r\n"
      "X-Token:\t  spaced value \t\r\n"
      "X-Empty:\r\n"
      "\r\n";
  BOOST_TEST(extract_one(ExtractKind::header, "content-type", "", headers) == "application/json");
  BOOST_TEST(extract_one(ExtractKind::header, "SET-COOKIE", "", headers) == "a=1");
  BOOST_TEST(extract_one(ExtractKind::header, "x-token", "", headers) == "spaced value");
  BOOST_TEST(extract_one(ExtractKind::header, "X-Empty", "", headers) == "");
  BOOST_TEST(extract_one(ExtractKind::header, "X-Missing", "", headers) == "<missing>");
  BOOST_TEST(extract_one(ExtractKind::header, "Content", "", headers) == "<missing>");       // whole names only
  BOOST_TEST(extract_one(ExtractKind::header, "X-Token", "", "X-Token: bare\n") == "bare");  // \n only
  BOOST_TEST(extract_one(ExtractKind::header, "X-Token", "", "") == "<missing>");
}

BOOST_AUTO_TEST_CASE(headers_of_the_last_response_count_after_redirects) {
  const std::string headers =
      "HTTP/1.1 302 Found\r\nLocation: /next\r\nX-Id: first\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/2 200\r\ncontent-type: text/plain\r\n\r\n";
  const Headers h{headers};
  BOOST_TEST(!h.find("X-Id").has_value());
  BOOST_TEST(!h.find("Location").has_value());
  BOOST_TEST(h.find("Content-Type").value() == "text/plain");
}

BOOST_AUTO_TEST_CASE(extraction_stops_at_the_first_that_finds_nothing) {
  const CompiledChecks c(
      {}, {{"a", ExtractKind::regex, "a=(\\d+)"}, {"b", ExtractKind::json, "/b"}, {"c", ExtractKind::header, "X-C"}});
  BOOST_TEST(c.has_extracts());
  UserVariables vars;
  std::string missing;
  BOOST_TEST(!c.extract("a=1", Headers{"X-C: 3\r\n"}, vars, &missing));
  BOOST_TEST(missing == "b");
  BOOST_TEST(vars.lookup("a").value() == "1");  // set before the failure: kept
  BOOST_TEST(!vars.lookup("c").has_value());
  BOOST_TEST(c.extract(R"({"b": "a=2"})", Headers{"X-C: 3\r\n"}, vars, &missing));
  BOOST_TEST(vars.lookup("a").value() == "2");
  BOOST_TEST(vars.lookup("b").value() == "a=2");
  BOOST_TEST(vars.lookup("c").value() == "3");
}

BOOST_AUTO_TEST_CASE(extracted_values_feed_later_templates) {
  const CompiledChecks c({}, {{"token", ExtractKind::json, "/token"}});
  UserVariables vars(1, "a1");
  BOOST_TEST(c.extract(R"({"token": "t-123"})", Headers{}, vars, nullptr));
  FastRng rng(1);
  std::string out;
  BOOST_TEST(vars.render(grid::workload::parse_template("Bearer ${token}").value(), out, rng, nullptr));
  BOOST_TEST(out == "Bearer t-123");
}

BOOST_AUTO_TEST_CASE(compiled_checks_move) {
  CompiledChecks a({contains("x")}, {});
  CompiledChecks b = std::move(a);
  BOOST_TEST(passes(b, "x"));
  std::vector<CompiledChecks> all;
  all.push_back(std::move(b));
  all.emplace_back(grid::wire::RequestSpec{});
  BOOST_TEST(!passes(all[0], "y"));
  BOOST_TEST(passes(all[1], "y"));
}

BOOST_AUTO_TEST_SUITE_END()
